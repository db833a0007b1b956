//! Connection lanes: single-threaded runtimes that each serve their share of the client
//! connections.
//!
//! On tokio's multi-thread runtime a task woken on one worker may be stolen by another, and a
//! worker that finds work wakes a parked one to look for more: at one request at a time, about one
//! futex wake and one eventfd write per request, both workers taking turns on every request, and
//! at ten at a time more involuntary switches than requests need (issue 14's traces). A lane is a
//! current-thread runtime on a thread of its own. A connection is handed to one lane when it is
//! accepted; its requests, its calls to Seam (the transport keeps its connections per lane) and its
//! websocket session then run there, woken by that lane's own I/O, with no other thread involved.
//!
//! Each connection goes to the lane with the fewest open, so keep-alive connections and websockets
//! spread evenly. What is not a client connection (the accept loop, webhook resolution workers,
//! the sandbox, Redis) stays on the main runtime. The price of no stealing: a request that keeps
//! its lane busy (a query near the complexity limit) delays the other connections of that lane, not
//! those of the others.

use std::cell::Cell;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

thread_local! {
    /// The lane's number on a lane's thread, 0 elsewhere.
    static CURRENT: Cell<usize> = const { Cell::new(0) };
}

/// The lane the calling thread serves (1, 2, ...), or 0 off the lanes: for state kept per lane,
/// such as pooled connections, whose I/O belongs to the runtime that opened them.
pub(crate) fn current() -> usize {
    CURRENT.with(Cell::get)
}

/// One lane per available core, the default of `--connection-threads`.
pub(crate) fn default_count() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

struct Lane {
    handle: tokio::runtime::Handle,
    open: Arc<AtomicUsize>,
}

/// The lanes of one server. They stop, dropping what still runs on them, when this is dropped.
pub(crate) struct Lanes {
    lanes: Arc<[Lane]>,
    stop: CancellationToken,
}

/// What the lanes carry, for `/metrics` and the tests; empty with no lanes.
#[derive(Clone, Default)]
pub(crate) struct LaneLoads(Option<Arc<[Lane]>>);

impl LaneLoads {
    /// Tasks alive on all lanes together (connections, websocket sessions, what they spawned).
    pub(crate) fn alive_tasks(&self) -> usize {
        self.lanes()
            .map(|lane| lane.handle.metrics().num_alive_tasks())
            .sum()
    }

    /// `/metrics` lines: per lane, the connections counted open on it and its tasks alive.
    pub(crate) fn render(&self, out: &mut String) {
        use std::fmt::Write;
        if self.0.is_none() {
            return;
        }
        out.push_str("# HELP seam_graphql_lane_connections_open Client connections open on each connection thread (--connection-threads), websockets included.\n# TYPE seam_graphql_lane_connections_open gauge\n");
        for (number, lane) in self.lanes().enumerate() {
            let open = lane.open.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "seam_graphql_lane_connections_open{{lane=\"{}\"}} {open}",
                number + 1
            );
        }
        out.push_str("# HELP seam_graphql_lane_tasks_alive Tasks alive on each connection thread.\n# TYPE seam_graphql_lane_tasks_alive gauge\n");
        for (number, lane) in self.lanes().enumerate() {
            let tasks = lane.handle.metrics().num_alive_tasks();
            let _ = writeln!(
                out,
                "seam_graphql_lane_tasks_alive{{lane=\"{}\"}} {tasks}",
                number + 1
            );
        }
    }

    fn lanes(&self) -> impl Iterator<Item = &Lane> {
        self.0.iter().flat_map(|lanes| lanes.iter())
    }
}

impl Lanes {
    /// Starts `count` lanes; with 0, connections run on the caller's runtime.
    pub(crate) fn start(count: usize) -> std::io::Result<Self> {
        let stop = CancellationToken::new();
        let mut lanes = Vec::with_capacity(count);
        for number in 1..=count {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let handle = runtime.handle().clone();
            let stopped = stop.clone();
            std::thread::Builder::new()
                .name(format!("lane-{number}"))
                .spawn(move || {
                    CURRENT.with(|current| current.set(number));
                    runtime.block_on(stopped.cancelled());
                })?;
            lanes.push(Lane {
                handle,
                open: Arc::new(AtomicUsize::new(0)),
            });
        }
        Ok(Self {
            lanes: lanes.into(),
            stop,
        })
    }

    /// A view of the lanes' load; it does not keep them running.
    pub(crate) fn loads(&self) -> LaneLoads {
        LaneLoads((!self.lanes.is_empty()).then(|| self.lanes.clone()))
    }

    /// Whether there are none, so that connections stay on the caller's runtime.
    pub(crate) fn is_empty(&self) -> bool {
        self.lanes.is_empty()
    }

    /// Runs the connection `serve` makes on the lane with the fewest open connections (with no
    /// lanes, on the caller's runtime). `serve` is given the connection's seat on that lane, which
    /// counts it open until the last clone drops: an upgraded websocket's session keeps one.
    /// Sockets must be registered inside the future, on its lane's reactor.
    pub(crate) fn spawn<F, Fut>(&self, serve: F)
    where
        F: FnOnce(Seat) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let Some(lane) = self
            .lanes
            .iter()
            .min_by_key(|lane| lane.open.load(Ordering::Relaxed))
        else {
            tokio::spawn(serve(Seat(None)));
            return;
        };
        let seat = Seat(Some(Arc::new(OpenConnection::new(lane.open.clone()))));
        lane.handle.spawn(serve(seat));
    }
}

impl Drop for Lanes {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// A connection's seat on its lane, held by the connection and by each of its requests.
#[derive(Clone)]
pub(crate) struct Seat(#[allow(dead_code)] Option<Arc<OpenConnection>>);

/// One connection counted on its lane until dropped.
struct OpenConnection(Arc<AtomicUsize>);

impl OpenConnection {
    fn new(open: Arc<AtomicUsize>) -> Self {
        open.fetch_add(1, Ordering::Relaxed);
        Self(open)
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn connections_run_on_lane_threads_spread_by_fewest_open() {
        let lanes = Lanes::start(2).unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let release = CancellationToken::new();
        let (held_tx, held) = std::sync::mpsc::channel();
        for _ in 0..4 {
            let (seen, release, held_tx) = (seen.clone(), release.clone(), held_tx.clone());
            lanes.spawn(move |seat| async move {
                seen.lock().unwrap().push(current());
                // Like a websocket session, something else keeps the seat after the connection.
                held_tx.send(seat).unwrap();
                release.cancelled().await;
            });
        }
        let started = async {
            while seen.lock().unwrap().len() < 4 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(5), started)
            .await
            .expect("all four started");
        let mut lanes_used = seen.lock().unwrap().clone();
        lanes_used.sort();
        assert_eq!(lanes_used, [1, 1, 2, 2], "two open connections per lane");
        assert_eq!(current(), 0, "the caller is no lane");
        // Ended connections count until their seats are dropped too.
        release.cancel();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let open: usize = lanes
            .lanes
            .iter()
            .map(|l| l.open.load(Ordering::Relaxed))
            .sum();
        assert_eq!(open, 4, "the seats held elsewhere keep them open");
        drop(held);
        let drained = async {
            while lanes
                .lanes
                .iter()
                .any(|l| l.open.load(Ordering::Relaxed) > 0)
            {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(5), drained)
            .await
            .expect("every lane back to no open connection");
    }

    #[tokio::test]
    async fn without_lanes_connections_stay_on_the_callers_runtime() {
        let lanes = Lanes::start(0).unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel();
        lanes.spawn(move |_seat| async move {
            let _ = tx.send(current());
        });
        assert_eq!(rx.await.unwrap(), 0);
    }
}
