//! Ordering: each access code's events go through one queue and are published one at a time, in
//! the order they came; other codes spread over a few queues, so one slow lookup holds up only
//! the codes that share its shard.

use std::collections::hash_map::DefaultHasher;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use tokio::sync::{mpsc, Notify};

use super::Queued;

const SHARDS: usize = 4;
/// Events waiting per shard; past this the sender is told to retry.
const SHARD_QUEUE: usize = 1024;

/// The sending ends of the shard queues.
pub(super) struct Shards(Vec<mpsc::Sender<Queued>>, Arc<Pending>);

/// The receiving ends, until their workers are spawned.
pub(super) struct ShardQueues(Vec<mpsc::Receiver<Queued>>, Arc<Pending>);

/// Events queued or being published, so that shutdown can wait for the ones already accepted.
#[derive(Default)]
struct Pending {
    count: AtomicUsize,
    idle: Notify,
}

impl Pending {
    fn done(&self) {
        if self.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.idle.notify_waiters();
        }
    }
}

/// The shard of the code was full; the event was not queued.
pub(super) struct ShardFull;

impl Shards {
    pub(super) fn new() -> (Self, ShardQueues) {
        let (senders, receivers) = (0..SHARDS).map(|_| mpsc::channel(SHARD_QUEUE)).unzip();
        let pending = Arc::new(Pending::default());
        (
            Self(senders, pending.clone()),
            ShardQueues(receivers, pending),
        )
    }

    /// True while every shard's worker runs (a worker that panicked closes its queue).
    pub(super) fn all_running(&self) -> bool {
        self.0.iter().all(|shard| !shard.is_closed())
    }

    /// Queues `event` behind the earlier events of `access_code_id`.
    pub(super) fn queue(&self, access_code_id: &str, event: Queued) -> Result<(), ShardFull> {
        let mut hasher = DefaultHasher::new();
        access_code_id.hash(&mut hasher);
        let shard = &self.0[(hasher.finish() as usize) % self.0.len()];
        self.1.count.fetch_add(1, Ordering::AcqRel);
        shard.try_send(event).map_err(|_| {
            self.1.done();
            ShardFull
        })
    }

    /// Resolves once every event queued so far has been published (or dropped), and the queues
    /// are empty.
    pub(super) async fn drained(&self) {
        loop {
            let idle = self.1.idle.notified();
            if self.1.count.load(Ordering::Acquire) == 0 {
                return;
            }
            idle.await;
        }
    }
}

impl ShardQueues {
    /// One task per shard, handing each event to `publish` and waiting for it before the next.
    /// The tasks hold the hub weakly: they stop once it is dropped.
    pub(super) fn spawn_workers<H, F, Fut>(self, hub: Weak<H>, publish: F)
    where
        H: Send + Sync + 'static,
        F: Fn(Arc<H>, Queued) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = ()> + Send,
    {
        for mut rx in self.0 {
            let (hub, publish, pending) = (hub.clone(), publish.clone(), self.1.clone());
            tokio::spawn(async move {
                while let Some(event) = rx.recv().await {
                    let Some(hub) = hub.upgrade() else { break };
                    publish(hub, event).await;
                    pending.done();
                }
            });
        }
    }
}
