//! The registry of workspaces with live subscribers: each one's broadcast channel, the keys its
//! subscribers act with, and its poller, which lives exactly as long as the workspace has a
//! subscriber. A [`SubscriberGuard`] keeps one subscriber registered until it is dropped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use super::StatusChange;
use crate::seam::{ApiKey, TenantId};

/// A workspace's channel of published changes.
pub(super) type Channel = broadcast::Sender<Arc<StatusChange>>;

pub(super) struct Workspaces {
    live: Mutex<HashMap<String, Workspace>>,
    /// Subscribers that receive every change from now on (see [`SubscriberGuard::count`]).
    subscribers: AtomicUsize,
    /// Subscriptions that ride on a registered one rather than registering themselves (identical
    /// subscriptions share one execution, see `http::multiplex`): counted as subscribers too.
    riders: AtomicUsize,
    /// Changes buffered per channel.
    buffer: usize,
}

/// A workspace with live subscribers: its channel, the keys they use, and its poller.
struct Workspace {
    channel: Channel,
    /// Each tenant's key, and how many of the workspace's subscribers use it.
    keys: HashMap<TenantId, (ApiKey, usize)>,
    /// Turns true once the poller has skipped what happened before the first subscriber.
    ready: watch::Receiver<bool>,
    _poller: AbortOnDrop,
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A subscriber just registered: its receiver, the workspace's readiness, and its guard.
pub(super) struct Joined {
    pub(super) changes: broadcast::Receiver<Arc<StatusChange>>,
    pub(super) ready: watch::Receiver<bool>,
    pub(super) guard: SubscriberGuard,
}

impl Workspaces {
    pub(super) fn new(buffer: usize) -> Self {
        Self {
            live: Mutex::default(),
            subscribers: AtomicUsize::new(0),
            riders: AtomicUsize::new(0),
            buffer: buffer.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Workspace>> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn subscriber_count(&self) -> usize {
        self.subscribers.load(Ordering::Relaxed) + self.riders.load(Ordering::Relaxed)
    }

    /// `n` more (positive) or fewer (negative) riders; see `riders`.
    pub(super) fn add_riders(&self, n: isize) {
        if n >= 0 {
            self.riders.fetch_add(n.unsigned_abs(), Ordering::Relaxed);
        } else {
            self.riders.fetch_sub(n.unsigned_abs(), Ordering::Relaxed);
        }
    }

    pub(super) fn workspace_count(&self) -> usize {
        self.lock().len()
    }

    /// Registers a subscriber of `workspace_id` acting with `key`. A workspace new to the registry
    /// gets a channel and a poller from `start_poller`, which is handed the sender of its
    /// readiness.
    pub(super) fn join(
        self: &Arc<Self>,
        workspace_id: &str,
        key: &ApiKey,
        start_poller: impl FnOnce(watch::Sender<bool>) -> JoinHandle<()>,
    ) -> Joined {
        let (changes, ready) = {
            let mut live = self.lock();
            let ws = live.entry(workspace_id.to_owned()).or_insert_with(|| {
                let (channel, _) = broadcast::channel(self.buffer);
                let (ready_tx, ready) = watch::channel(false);
                Workspace {
                    channel,
                    keys: HashMap::new(),
                    ready,
                    _poller: AbortOnDrop(start_poller(ready_tx)),
                }
            });
            ws.keys
                .entry(key.tenant().clone())
                .or_insert_with(|| (key.clone(), 0))
                .1 += 1;
            (ws.channel.subscribe(), ws.ready.clone())
        };
        let guard = SubscriberGuard {
            workspaces: self.clone(),
            workspace_id: workspace_id.to_owned(),
            tenant: key.tenant().clone(),
            counted: false,
        };
        Joined {
            changes,
            ready,
            guard,
        }
    }

    /// The channel of a workspace with subscribers, and one of their keys to read its codes with.
    pub(super) fn live(&self, workspace_id: &str) -> Option<(Channel, ApiKey)> {
        let live = self.lock();
        let ws = live.get(workspace_id)?;
        let (key, _) = ws.keys.values().next()?;
        Some((ws.channel.clone(), key.clone()))
    }

    /// Unregisters one subscriber's use of `tenant`'s key; the last one out removes the workspace.
    fn leave(&self, workspace_id: &str, tenant: &TenantId) {
        let removed = {
            let mut live = self.lock();
            let Some(ws) = live.get_mut(workspace_id) else {
                return;
            };
            if let Some((_, count)) = ws.keys.get_mut(tenant) {
                *count -= 1;
                if *count == 0 {
                    ws.keys.remove(tenant);
                }
            }
            if ws.keys.is_empty() {
                live.remove(workspace_id)
            } else {
                None
            }
        };
        if removed.is_some() {
            tracing::debug!(%workspace_id, "last subscriber left; poller stopped");
        }
        // `removed` drops here, outside the lock: its poller is aborted.
    }
}

/// Keeps one subscriber registered; dropping it unregisters.
pub(super) struct SubscriberGuard {
    workspaces: Arc<Workspaces>,
    workspace_id: String,
    tenant: TenantId,
    /// Counted in the gauge (once ready).
    counted: bool,
}

impl SubscriberGuard {
    /// Counts the subscriber in the gauge. Called once it receives everything from now on, so a
    /// caller seeing the gauge rise knows that later events reach it.
    pub(super) fn count(&mut self) {
        self.workspaces.subscribers.fetch_add(1, Ordering::Relaxed);
        self.counted = true;
    }
}

impl Drop for SubscriberGuard {
    fn drop(&mut self) {
        if self.counted {
            self.workspaces.subscribers.fetch_sub(1, Ordering::Relaxed);
        }
        self.workspaces.leave(&self.workspace_id, &self.tenant);
    }
}
