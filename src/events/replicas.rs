//! The hub's part in a cluster of replicas sharing Redis (`--redis-url`); absent when alone.
//!
//! Per workspace with local subscribers, this replica reads the workspace's changes stream from
//! where it got to and delivers each change to its local channel once; while it holds the
//! workspace's lease it also reads the inbox of accepted webhook events and resolves them (and
//! polls, when the webhook feed is quiet). One task per replica reads every such stream with one
//! blocking `XREAD` (see [`pump`]).
//!
//! While Redis is unreachable, each replica goes on alone: webhooks it receives are resolved and
//! delivered locally, and it polls every workspace it has subscribers of (webhooks are spread over
//! the replicas, so none sees them all). Each change is delivered at most once per replica
//! (`delivered`), whichever way it came.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use crate::cluster::live::{RedisLive, StreamKind};

use super::Inner;

/// Wait after a failed read before reading again (the link backs off reconnects itself).
const RETRY_READ_AFTER: Duration = Duration::from_millis(100);
/// Wait while no workspace has local subscribers.
const IDLE: Duration = Duration::from_millis(50);

/// What this replica is for one workspace's events, as of its last lease renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// No Redis configured: the replica alone, as without a cluster.
    Alone,
    /// Holds the lease: resolves the workspace's webhook events and polls when they are quiet.
    Leader,
    /// Another replica holds the lease; this one only delivers.
    Follower,
    /// Redis is unreachable: on its own until it is back (local webhooks, local polling).
    Degraded,
}

pub(super) struct Replicas {
    pub(super) redis: RedisLive,
    /// Per workspace with local subscribers: where its streams are read from.
    cursors: Mutex<HashMap<String, Cursors>>,
    /// Event ids delivered to local channels, so that a change arriving twice (by the stream, and
    /// by the local path during an outage) is delivered once.
    delivered: moka::sync::Cache<String, ()>,
}

struct Cursors {
    /// After this changes-stream id.
    changes: String,
    /// After this inbox id, while this replica holds the lease.
    inbox: Option<String>,
    /// Inbox entries read while holding the lease, oldest first, with whether each is published
    /// (or dropped) yet: the inbox is recorded done only up to the first that is not, so a holder
    /// that dies with events still being resolved leaves them to the next one.
    in_flight: VecDeque<(String, Arc<AtomicBool>)>,
}

/// Held by an event taken from the inbox until it is published or dropped (see [`Cursors`]).
pub(super) struct InboxTicket(Arc<AtomicBool>);

impl Drop for InboxTicket {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

impl Replicas {
    pub(super) fn new(redis: RedisLive) -> Self {
        Self {
            redis,
            cursors: Mutex::default(),
            delivered: moka::sync::Cache::builder()
                .max_capacity(200_000)
                .time_to_live(Duration::from_secs(3600))
                .build(),
        }
    }

    fn cursors(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cursors>> {
        self.cursors.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// True the first time `event_id` is delivered here.
    pub(super) fn first_delivery(&self, event_id: &str) -> bool {
        self.delivered
            .entry(event_id.to_owned())
            .or_insert(())
            .is_fresh()
    }

    /// Starts reading the workspace's changes from now (before its first local subscriber is
    /// ready), and takes part in its lease.
    pub(super) async fn join(&self, workspace_id: &str) -> Role {
        let tail = match self.redis.changes_tail(workspace_id).await {
            Ok(tail) => tail,
            // Stream ids are Redis's clock in ms: a second back covers a skew between the clocks.
            Err(_) => format!(
                "{}-0",
                (chrono::Utc::now().timestamp_millis() - 1_000).max(0)
            ),
        };
        self.cursors()
            .entry(workspace_id.to_owned())
            .or_insert(Cursors {
                changes: tail,
                inbox: None,
                in_flight: VecDeque::new(),
            });
        self.renew(workspace_id).await
    }

    /// Renews presence and the lease; on taking the lease, starts reading the inbox where the
    /// previous holder stopped.
    pub(super) async fn renew(&self, workspace_id: &str) -> Role {
        match self.redis.hold(workspace_id).await {
            Ok(true) => {
                let leading = self
                    .cursors()
                    .get(workspace_id)
                    .is_some_and(|c| c.inbox.is_some());
                if !leading {
                    let Ok(from) = self.redis.inbox_resume(workspace_id).await else {
                        return Role::Degraded;
                    };
                    if let Some(c) = self.cursors().get_mut(workspace_id) {
                        tracing::debug!(%workspace_id, %from, "took the workspace's lease");
                        c.inbox = Some(from);
                    }
                }
                Role::Leader
            }
            Ok(false) => {
                self.stop_leading(workspace_id);
                Role::Follower
            }
            Err(_) => {
                self.stop_leading(workspace_id);
                Role::Degraded
            }
        }
    }

    fn stop_leading(&self, workspace_id: &str) {
        if let Some(c) = self.cursors().get_mut(workspace_id) {
            c.inbox = None;
            c.in_flight.clear();
        }
    }

    /// A ticket for an inbox entry just read, to travel with its event until it is published.
    fn ticket(&self, workspace_id: &str, id: &str) -> InboxTicket {
        let done = Arc::new(AtomicBool::new(false));
        if let Some(c) = self.cursors().get_mut(workspace_id) {
            if c.inbox.is_some() {
                c.in_flight.push_back((id.to_owned(), done.clone()));
            }
        }
        InboxTicket(done)
    }

    /// Per led workspace, the last inbox entry before which every event is published (or
    /// dropped), if that moved since last asked.
    fn settled(&self) -> Vec<(String, String)> {
        let mut settled = Vec::new();
        for (ws, c) in self.cursors().iter_mut() {
            let mut last = None;
            while c
                .in_flight
                .front()
                .is_some_and(|(_, done)| done.load(Ordering::Acquire))
            {
                last = c.in_flight.pop_front().map(|(id, _)| id);
            }
            if let Some(id) = last {
                settled.push((ws.clone(), id));
            }
        }
        settled
    }

    /// Workspaces led here, for the gauge.
    pub(super) fn leading(&self) -> usize {
        self.cursors()
            .values()
            .filter(|c| c.inbox.is_some())
            .count()
    }

    /// The streams to read now; forgets (and gives up the lease of) workspaces no longer listened
    /// to here.
    fn wanted(&self, listened: impl Fn(&str) -> bool) -> Vec<(String, StreamKind, String)> {
        let mut gone = Vec::new();
        let mut wanted = Vec::new();
        {
            let mut cursors = self.cursors();
            cursors.retain(|ws, c| {
                if !listened(ws) {
                    gone.push(ws.clone());
                    return false;
                }
                wanted.push((ws.clone(), StreamKind::Changes, c.changes.clone()));
                if let Some(inbox) = &c.inbox {
                    wanted.push((ws.clone(), StreamKind::Inbox, inbox.clone()));
                }
                true
            });
        }
        for ws in gone {
            let redis = self.redis.clone();
            tokio::spawn(async move { redis.release(&ws).await });
        }
        wanted
    }

    /// Moves a stream's cursor past an entry read (unless the workspace left, or the lease went).
    fn advance(&self, workspace_id: &str, kind: StreamKind, id: &str) {
        if let Some(c) = self.cursors().get_mut(workspace_id) {
            match kind {
                StreamKind::Changes => c.changes = id.to_owned(),
                StreamKind::Inbox => {
                    if let Some(inbox) = &mut c.inbox {
                        *inbox = id.to_owned();
                    }
                }
            }
        }
    }
}

/// Reads the streams of every workspace with local subscribers, for as long as the hub lives.
pub(super) async fn pump(hub: Weak<Inner>) {
    let mut reader = match hub.upgrade() {
        Some(hub) => match &hub.replicas {
            Some(replicas) => replicas.redis.reader(),
            None => return,
        },
        None => return,
    };
    loop {
        let wanted = {
            let Some(hub) = hub.upgrade() else { return };
            let Some(replicas) = &hub.replicas else {
                return;
            };
            replicas.wanted(|ws| hub.workspaces.live(ws).is_some())
        };
        if wanted.is_empty() {
            tokio::time::sleep(IDLE).await;
            continue;
        }
        let entries = match reader.read(&wanted).await {
            Ok(entries) => entries,
            Err(_) => {
                tokio::time::sleep(RETRY_READ_AFTER).await;
                continue;
            }
        };
        let Some(hub) = hub.upgrade() else { return };
        let Some(replicas) = &hub.replicas else {
            return;
        };
        for entry in &entries {
            let (ws, kind, _) = &wanted[entry.request];
            match kind {
                StreamKind::Changes => hub.deliver_shared(ws, &entry.payload),
                StreamKind::Inbox => {
                    let ticket = replicas.ticket(ws, &entry.id);
                    hub.take_from_inbox(ws, &entry.payload, ticket);
                }
            }
            replicas.advance(ws, *kind, &entry.id);
        }
        // Recorded once published, not once queued: if this replica dies in between, the next
        // lease holder resolves them again (each replica delivers an event once: `delivered`).
        for (ws, id) in replicas.settled() {
            replicas.redis.inbox_done(&ws, &id).await;
        }
    }
}

/// Keeps the hub alive only weakly: used to start the pump.
pub(super) fn spawn_pump(hub: &Arc<Inner>) {
    if hub.replicas.is_some() {
        tokio::spawn(pump(Arc::downgrade(hub)));
    }
}
