//! The accept loop: hyper connections with a header read timeout, and a shutdown bounded in time.
//!
//! `axum::serve` has neither: a client that sends half a request head holds its connection (and,
//! after SIGTERM, the whole process) forever. Here every connection is watched by a graceful
//! shutdown handle; on shutdown the listener closes and in-flight requests get until
//! `shutdown_timeout` to finish. Meanwhile the events already taken in (accepted webhooks) are
//! resolved and published while their subscribers still listen; then websockets are told to close
//! (1001). Whatever is left at the end of the timeout is dropped.

use std::future::Future;
use std::time::Duration;

use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use super::{Admission, ConnectionLimit, ConnectionSlot};
use crate::lanes::{Lanes, Seat};

/// Connection timeouts and the shutdown bound.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ServeOptions {
    /// Time to send a request head; also the longest a keep-alive connection may sit idle.
    pub(crate) header_read_timeout: Duration,
    /// Longest wait for in-flight requests and websockets after shutdown begins.
    pub(crate) shutdown_timeout: Duration,
}

/// Serves `app` until `stop` resolves, then shuts down within `options.shutdown_timeout`.
/// `events_drained` resolves once accepted events are published; `shutdown` is cancelled after it
/// (websockets watch it); `sessions` tracks upgraded connections, which hyper no longer sees.
/// `connections` decides which accepted connections are served, `lanes` where (they stop when this
/// returns).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    connections: ConnectionLimit,
    lanes: Lanes,
    options: ServeOptions,
    shutdown: CancellationToken,
    sessions: TaskTracker,
    stop: impl Future<Output = ()>,
    events_drained: impl Future<Output = ()>,
) {
    let builder = connection_builder(options);
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let slot = match connections.admit() {
                    Admission::Serve(slot) => slot,
                    Admission::Busy(permit) => {
                        let connections = connections.clone();
                        tokio::spawn(async move { connections.answer_busy(stream, permit).await });
                        continue;
                    }
                    Admission::Close => continue,
                };
                let _ = stream.set_nodelay(true);
                let Some(stream) = Accepted::for_lanes(stream, &lanes) else {
                    continue;
                };
                let builder = builder.clone();
                let watcher = graceful.watcher();
                let app = app.clone();
                lanes.spawn(move |seat| {
                    // Each request carries what the connection holds, so that a websocket keeps it.
                    let hold = ConnectionHold { _slot: slot, _seat: seat };
                    let service = TowerToHyperService::new(app.map_request(
                        move |mut request: Request<Incoming>| {
                            request.extensions_mut().insert(hold.clone());
                            request
                        },
                    ));
                    async move {
                        let Some(stream) = stream.register() else {
                            return;
                        };
                        let connection = builder
                            .serve_connection_with_upgrades(TokioIo::new(stream), service)
                            .into_owned();
                        let _ = watcher.watch(connection).await;
                    }
                });
            }
            _ = &mut stop => break,
        }
    }
    drop(listener);
    tracing::info!(
        timeout_ms = options.shutdown_timeout.as_millis() as u64,
        "shutting down: no new connections; finishing requests and accepted webhooks"
    );
    let deadline = tokio::time::Instant::now() + options.shutdown_timeout;
    // Websockets get at least this long to receive their 1001, whatever the events took.
    let close_reserve = (options.shutdown_timeout / 2).min(Duration::from_secs(1));
    sessions.close();
    let events_then_sockets = async {
        if tokio::time::timeout_at(deadline - close_reserve, events_drained)
            .await
            .is_err()
        {
            tracing::warn!("accepted events still unpublished at shutdown; dropping them");
        }
        shutdown.cancel();
        sessions.wait().await;
    };
    let drained = async {
        tokio::join!(graceful.shutdown(), events_then_sockets);
    };
    if tokio::time::timeout_at(deadline, drained).await.is_err() {
        tracing::warn!(
            timeout_ms = options.shutdown_timeout.as_millis() as u64,
            "connections still open at the end of the shutdown timeout; closing them"
        );
    }
    // If the deadline came first, the sockets are told now; dropping them follows.
    shutdown.cancel();
}

/// What a connection holds until its last user is done: its place under `--max-connections` and
/// its seat on its lane. An upgraded websocket's session keeps a clone from the upgrade request.
#[derive(Clone)]
pub(crate) struct ConnectionHold {
    _slot: ConnectionSlot,
    _seat: Seat,
}

/// An accepted socket on its way to the runtime that serves it: registered with the accepting
/// runtime's reactor when it stays there, taken off it when it goes to a lane (whose reactor
/// registers it on arrival).
enum Accepted {
    Here(TcpStream),
    Moving(std::net::TcpStream),
}

impl Accepted {
    fn for_lanes(stream: TcpStream, lanes: &Lanes) -> Option<Self> {
        if lanes.is_empty() {
            return Some(Self::Here(stream));
        }
        match stream.into_std() {
            Ok(stream) => Some(Self::Moving(stream)),
            Err(e) => {
                tracing::warn!(error = %e, "could not hand a connection to a lane; closing it");
                None
            }
        }
    }

    /// The socket on the current runtime's reactor.
    fn register(self) -> Option<TcpStream> {
        match self {
            Self::Here(stream) => Some(stream),
            Self::Moving(stream) => TcpStream::from_std(stream)
                .inspect_err(|e| tracing::warn!(error = %e, "a lane could not take a connection"))
                .ok(),
        }
    }
}

fn connection_builder(options: ServeOptions) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(options.header_read_timeout))
        .keep_alive_timeout(options.header_read_timeout);
    builder
}
