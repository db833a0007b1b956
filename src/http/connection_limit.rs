//! How many client connections the gateway holds at once, websockets included.
//!
//! A websocket costs no upstream call until it runs an operation, and `connection_init` is
//! acknowledged without asking Seam about the key, so anyone can hold idle sockets with made-up
//! keys (about 8 KiB each) for as long as they answer pings. Unbounded, that ends at the open files
//! limit, where the gateway stops accepting anything, `/healthz` included, and can no longer open
//! connections to Seam either. So connections are counted from `accept` to their end, and an
//! upgraded websocket keeps its connection's place until its session ends (hyper's connection
//! future ends at the upgrade, so the place travels in the request's extensions).
//!
//! Past the cap a new connection is still answered, briefly: `/healthz` 200 (the process is alive,
//! so an orchestrator does not restart it under a flood), anything else 503 `TOO_MANY_CONNECTIONS`
//! with `Retry-After`, which also takes the replica out of a load balancer's rotation through
//! `/readyz`. Those answers have a small cap and a short head timeout of their own; past both, a
//! connection is closed as soon as it is accepted, so a flood can never take the descriptors that
//! Seam and Redis need.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ErrorCode;

/// Connections answered at once with the 503 (or `/healthz`) past the cap.
const BUSY_ANSWERS: usize = 128;
/// Time a connection past the cap has to send its request head.
const BUSY_HEAD_TIMEOUT: Duration = Duration::from_secs(1);
/// What the 503 asks the client to wait, in seconds.
const RETRY_AFTER_SECS: u64 = 1;
/// Warnings about refusals come at most this often.
const WARN_EVERY: Duration = Duration::from_secs(60);

/// The connection counts, shared by the accept loop and `/metrics`. Clones share them.
#[derive(Clone)]
pub(crate) struct ConnectionLimit {
    inner: Arc<Inner>,
}

struct Inner {
    open: Arc<Semaphore>,
    busy: Arc<Semaphore>,
    max: usize,
    answered_busy: AtomicU64,
    closed_unanswered: AtomicU64,
    started: Instant,
    /// Milliseconds since `started` of the last warning, plus one (0: none yet).
    last_warning: AtomicU64,
}

/// What to do with a connection just accepted.
pub(crate) enum Admission {
    /// Serve it; it holds this place until it (or the websocket it became) ends.
    Serve(ConnectionSlot),
    /// Past the cap: answer one request with 503 (`/healthz` with 200), then close.
    Busy(OwnedSemaphorePermit),
    /// Past the cap and the busy answers' cap: close it now.
    Close,
}

/// One connection's place under the cap, released when the last clone drops. The connection's
/// service holds one; an upgraded websocket's session holds another from the request.
#[derive(Clone)]
pub(crate) struct ConnectionSlot(#[allow(dead_code)] Arc<OwnedSemaphorePermit>);

impl ConnectionLimit {
    /// At most `max` connections, and never more than fit in `open_files` (the process's limit on
    /// open files, when known) less a reserve for Seam, Redis and the busy answers.
    pub(crate) fn new(max: usize, open_files: Option<u64>) -> Self {
        let max = effective_max(max, open_files);
        Self {
            inner: Arc::new(Inner {
                open: Arc::new(Semaphore::new(max)),
                busy: Arc::new(Semaphore::new(BUSY_ANSWERS)),
                max,
                answered_busy: AtomicU64::new(0),
                closed_unanswered: AtomicU64::new(0),
                started: Instant::now(),
                last_warning: AtomicU64::new(0),
            }),
        }
    }

    /// Connections open now (websockets included).
    pub(crate) fn open(&self) -> usize {
        self.inner.max - self.inner.open.available_permits()
    }

    pub(crate) fn admit(&self) -> Admission {
        if let Ok(permit) = self.inner.open.clone().try_acquire_owned() {
            return Admission::Serve(ConnectionSlot(Arc::new(permit)));
        }
        let admission = match self.inner.busy.clone().try_acquire_owned() {
            Ok(permit) => {
                self.inner.answered_busy.fetch_add(1, Ordering::Relaxed);
                Admission::Busy(permit)
            }
            Err(_) => {
                self.inner.closed_unanswered.fetch_add(1, Ordering::Relaxed);
                Admission::Close
            }
        };
        self.warn_now_and_then();
        admission
    }

    /// Answers one request on a connection past the cap, then closes it.
    pub(crate) async fn answer_busy(&self, stream: TcpStream, permit: OwnedSemaphorePermit) {
        let max = self.inner.max;
        let service = hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
            std::future::ready(Ok::<_, Infallible>(busy_response(
                request.uri().path(),
                max,
            )))
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(BUSY_HEAD_TIMEOUT)
            .keep_alive(false)
            .serve_connection(TokioIo::new(stream), service);
        // A client that sends its head and then reads nothing is cut off all the same.
        let _ = tokio::time::timeout(BUSY_HEAD_TIMEOUT * 2, connection).await;
        drop(permit);
    }

    /// Prometheus lines: connections open, the cap, and refusals by how they were answered.
    pub(crate) fn render(&self, out: &mut String) {
        use std::fmt::Write;
        let inner = &self.inner;
        let _ = write!(
            out,
            "# HELP seam_graphql_connections_open Client connections open (websockets and SSE streams included).\n# TYPE seam_graphql_connections_open gauge\nseam_graphql_connections_open {}\n\
             # HELP seam_graphql_connections_max Most client connections held at once (--max-connections, within the open files limit).\n# TYPE seam_graphql_connections_max gauge\nseam_graphql_connections_max {}\n\
             # HELP seam_graphql_connections_refused_total Connections refused past the cap: answered 503 TOO_MANY_CONNECTIONS, or closed unanswered.\n# TYPE seam_graphql_connections_refused_total counter\nseam_graphql_connections_refused_total{{answer=\"503\"}} {}\nseam_graphql_connections_refused_total{{answer=\"closed\"}} {}\n",
            self.open(),
            inner.max,
            inner.answered_busy.load(Ordering::Relaxed),
            inner.closed_unanswered.load(Ordering::Relaxed),
        );
    }

    /// A flood refuses thousands of connections a second: one warning a minute says so.
    fn warn_now_and_then(&self) {
        let inner = &self.inner;
        let now = inner.started.elapsed().as_millis() as u64 + 1;
        let last = inner.last_warning.load(Ordering::Relaxed);
        if last != 0 && now - last < WARN_EVERY.as_millis() as u64 {
            return;
        }
        if inner
            .last_warning
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            tracing::warn!(
                max_connections = inner.max,
                answered_503 = inner.answered_busy.load(Ordering::Relaxed),
                closed_unanswered = inner.closed_unanswered.load(Ordering::Relaxed),
                "client connections at the cap: refusing new ones (--max-connections)"
            );
        }
    }
}

/// The cap: `max`, but with a tenth of the open files limit (at least 256 of them) kept for
/// connections to Seam and Redis, the busy answers, and the process's own files. At least 1.
fn effective_max(max: usize, open_files: Option<u64>) -> usize {
    let fitting = open_files.map_or(usize::MAX, |limit| {
        let reserve = (limit / 10).max(256);
        usize::try_from(limit.saturating_sub(reserve)).unwrap_or(usize::MAX)
    });
    max.min(fitting).max(1)
}

fn busy_response(path: &str, max: usize) -> Response<Body> {
    let (status, body) = if path == "/healthz" {
        (StatusCode::OK, serde_json::json!({ "status": "ok" }))
    } else {
        let message = format!(
            "The gateway already holds as many connections as it may ({max}, --max-connections); \
             retry in {RETRY_AFTER_SECS} s, or through another replica"
        );
        let body = serde_json::json!({ "errors": [{
            "message": message,
            "extensions": {
                "code": ErrorCode::TooManyConnections.as_str(),
                "retryAfter": RETRY_AFTER_SECS,
            },
        }]});
        (StatusCode::SERVICE_UNAVAILABLE, body)
    };
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    if status != StatusCode::OK {
        headers.insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(RETRY_AFTER_SECS),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_keep_a_tenth_of_the_open_files_for_seam_redis_and_refusals() {
        assert_eq!(effective_max(25_000, None), 25_000);
        assert_eq!(effective_max(25_000, Some(1_048_576)), 25_000);
        assert_eq!(effective_max(25_000, Some(20_000)), 18_000);
        assert_eq!(effective_max(25_000, Some(1_024)), 768);
        assert_eq!(effective_max(0, Some(1_024)), 1);
        assert_eq!(effective_max(25_000, Some(100)), 1);
    }

    #[test]
    fn should_hold_a_place_until_every_clone_of_the_slot_drops() {
        let limit = ConnectionLimit::new(2, None);
        let Admission::Serve(first) = limit.admit() else {
            panic!("room for the first");
        };
        let upgraded = first.clone();
        let Admission::Serve(_second) = limit.admit() else {
            panic!("room for the second");
        };
        assert!(matches!(limit.admit(), Admission::Busy(_)));
        drop(first);
        assert_eq!(limit.open(), 2, "the websocket still holds the place");
        drop(upgraded);
        assert_eq!(limit.open(), 1);
        assert!(matches!(limit.admit(), Admission::Serve(_)));
    }

    #[test]
    fn should_close_unanswered_past_the_busy_answers_cap() {
        let limit = ConnectionLimit::new(1, None);
        let _held = limit.admit();
        let busy: Vec<_> = (0..BUSY_ANSWERS).map(|_| limit.admit()).collect();
        assert!(busy.iter().all(|a| matches!(a, Admission::Busy(_))));
        assert!(matches!(limit.admit(), Admission::Close));
        let mut metrics = String::new();
        limit.render(&mut metrics);
        assert!(
            metrics.contains("seam_graphql_connections_open 1\n"),
            "{metrics}"
        );
        assert!(
            metrics.contains("seam_graphql_connections_refused_total{answer=\"503\"} 128\n"),
            "{metrics}"
        );
        assert!(
            metrics.contains("seam_graphql_connections_refused_total{answer=\"closed\"} 1\n"),
            "{metrics}"
        );
    }
}
