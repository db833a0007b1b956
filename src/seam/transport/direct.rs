//! HTTP/1.1 to Seam on pooled connections that the calling task drives itself.
//!
//! A pooled client (reqwest, hyper-util's) gives every connection a task of its own: a call hands
//! its request to that task and waits to be woken with the answer, then wakes it again to read the
//! body. On tokio's multi-thread runtime each of those hand-offs may wake a parked worker to steal
//! the woken task: at one request at a time, about one futex wake and one eventfd write per call,
//! with both workers taking turns on every request (issue 14's trace). Here the task that makes the
//! call polls the connection too, so a call wakes nothing but itself, on I/O.
//!
//! An idle connection is not polled while it sits in the pool. It is checked when taken out (one
//! poll sees a close that already arrived) and not reused after `IDLE_FOR`; a request that a reused
//! connection could not even send goes out again on a new one.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::header::{HeaderValue, HOST};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::{unavailable, Answer, Outgoing, TransportError};

/// Connections kept for reuse, per lane.
pub(super) const MAX_IDLE: usize = 64;
/// An idle connection older than this is closed rather than reused: servers close theirs after a
/// while, and a request sent on a connection closed meanwhile fails.
const IDLE_FOR: Duration = Duration::from_secs(30);

/// A TCP stream, or TLS over one.
trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

type Connection = http1::Connection<TokioIo<Box<dyn Io>>, Full<Bytes>>;

struct Pooled {
    send: http1::SendRequest<Full<Bytes>>,
    connection: Connection,
    idle_since: Instant,
    /// The lane whose runtime opened it (0: the main runtime): its I/O wakes that runtime, so it
    /// is reused there only.
    lane: usize,
}

/// Connections to Seam's host.
pub(crate) struct Pool {
    /// `host:port`, resolved at each new connection.
    address: String,
    /// The `Host` header.
    host: HeaderValue,
    /// For `https`: the TLS client and the name the certificate must carry.
    tls: Option<(
        tokio_rustls::TlsConnector,
        rustls::pki_types::ServerName<'static>,
    )>,
    /// Idle connections by lane (`crate::lanes`), the most recently used last.
    idle: Mutex<Vec<Vec<Pooled>>>,
}

impl Pool {
    pub(crate) fn new(base: &reqwest::Url) -> anyhow::Result<Self> {
        let host = base
            .host_str()
            .ok_or_else(|| anyhow::anyhow!("the Seam base URL has no host"))?;
        let port = base
            .port_or_known_default()
            .ok_or_else(|| anyhow::anyhow!("the Seam base URL has no port"))?;
        let tls = match base.scheme() {
            "https" => Some((
                tls_connector()?,
                rustls::pki_types::ServerName::try_from(host.trim_matches(['[', ']']))?.to_owned(),
            )),
            "http" => None,
            other => anyhow::bail!("the Seam base URL must be http or https, not {other}"),
        };
        Ok(Self {
            address: format!("{host}:{port}"),
            host: HeaderValue::from_str(base.authority())?,
            tls,
            idle: Mutex::new(Vec::new()),
        })
    }

    pub(super) async fn send(&self, outgoing: Outgoing) -> Result<Answer, TransportError> {
        let mut request = Request::builder()
            .method(outgoing.method)
            .uri(outgoing.path)
            .body(Full::new(outgoing.body))
            .map_err(|e| TransportError::Unavailable(format!("invalid request: {e}")))?;
        *request.headers_mut() = outgoing.headers;
        request.headers_mut().insert(HOST, self.host.clone());
        let (reused, mut pooled) = match self.take_idle() {
            Some(pooled) => (true, pooled),
            None => (false, self.connect().await?),
        };
        let mut sent = Driven::new(
            &mut pooled.connection,
            pooled.send.try_send_request(request),
        )
        .await
        .map_err(|e| unavailable("request failed", &e))?;
        if reused {
            // A reused connection that closed before the request went out: nothing reached
            // Seam, so it goes out again on a new connection.
            if let Err(failure) = &mut sent {
                if let Some(request) = failure.take_message() {
                    pooled = self.connect().await?;
                    let retried = pooled.send.try_send_request(request);
                    sent = Driven::new(&mut pooled.connection, retried)
                        .await
                        .map_err(|e| unavailable("request failed", &e))?;
                }
            }
        }
        let response = sent.map_err(|e| unavailable("request failed", &e.into_error()))?;
        let (head, body) = response.into_parts();
        let body = Driven::new(&mut pooled.connection, body.collect())
            .await
            .and_then(|read| read)
            .map_err(|e| unavailable("request failed", &e))?
            .to_bytes();
        self.put_back(pooled);
        Ok(Answer {
            status: head.status,
            headers: head.headers,
            body,
        })
    }

    async fn connect(&self) -> Result<Pooled, TransportError> {
        let failed = |e: &(dyn std::error::Error + 'static)| unavailable("connection failed", e);
        let tcp = TcpStream::connect(&self.address)
            .await
            .map_err(|e| failed(&e))?;
        let _ = tcp.set_nodelay(true);
        let io: Box<dyn Io> = match &self.tls {
            Some((connector, name)) => Box::new(
                connector
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(|e| failed(&e))?,
            ),
            None => Box::new(tcp),
        };
        let (send, connection) = http1::handshake(TokioIo::new(io))
            .await
            .map_err(|e| failed(&e))?;
        Ok(Pooled {
            send,
            connection,
            idle_since: Instant::now(),
            lane: crate::lanes::current(),
        })
    }

    /// The most recently used idle connection that is still open.
    fn take_idle(&self) -> Option<Pooled> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let idle = idle.get_mut(crate::lanes::current())?;
        while let Some(mut pooled) = idle.pop() {
            if pooled.idle_since.elapsed() < IDLE_FOR && ready(&mut pooled) {
                return Some(pooled);
            }
        }
        None
    }

    fn put_back(&self, mut pooled: Pooled) {
        // The answer is read; one poll lets the connection settle for the next request.
        if !ready(&mut pooled) {
            return;
        }
        pooled.idle_since = Instant::now();
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() <= pooled.lane {
            idle.resize_with(pooled.lane + 1, Vec::new);
        }
        let lane = &mut idle[pooled.lane];
        if lane.len() < MAX_IDLE {
            lane.push(pooled);
        }
    }
}

/// TLS as reqwest's `rustls-tls` sets it up: ring, the webpki roots, HTTP/1.1 by ALPN.
fn tls_connector() -> anyhow::Result<tokio_rustls::TlsConnector> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

/// Polls the connection once, with no waker to come back to: it reads what arrived (a close,
/// notably) and settles its state. Whether it is open and ready for a request.
fn ready(pooled: &mut Pooled) -> bool {
    let mut cx = Context::from_waker(std::task::Waker::noop());
    match Pin::new(&mut pooled.connection).poll(&mut cx) {
        Poll::Ready(_) => false,
        Poll::Pending => pooled.send.is_ready(),
    }
}

/// `future`, with the connection it waits on polled by the same task; the connection's failure if
/// it fails first.
struct Driven<'a, F> {
    connection: &'a mut Connection,
    /// Whether the connection has ended (it must not be polled again).
    ended: bool,
    future: Pin<Box<F>>,
}

impl<'a, F> Driven<'a, F> {
    fn new(connection: &'a mut Connection, future: F) -> Self {
        Self {
            connection,
            ended: false,
            future: Box::pin(future),
        }
    }
}

impl<F: Future> Future for Driven<'_, F> {
    type Output = Result<F::Output, hyper::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        // The connection first: it writes the request and reads the answer `future` waits for.
        let failed = if this.ended {
            None
        } else {
            match Pin::new(&mut *this.connection).poll(cx) {
                Poll::Pending => None,
                Poll::Ready(result) => {
                    this.ended = true;
                    result.err()
                }
            }
        };
        match (this.future.as_mut().poll(cx), failed) {
            // What the future says wins: it may hand an unsent request back.
            (Poll::Ready(output), _) => Poll::Ready(Ok(output)),
            (Poll::Pending, Some(e)) => Poll::Ready(Err(e)),
            (Poll::Pending, None) => Poll::Pending,
        }
    }
}
