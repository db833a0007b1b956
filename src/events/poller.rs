//! Polling `/events/list` for one workspace with live subscribers, while its webhook feed is absent
//! (no secret configured) or quiet (no delivery seen recently). One task per workspace; the hub
//! aborts it when the workspace's last subscriber leaves. With Redis, only the replica holding the
//! workspace's lease polls (the task renews it), except while Redis is down, when every replica
//! with subscribers polls for itself.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::replicas::Role;
use super::status::{DEVICE_EVENT_TYPES, STATUS_EVENT_TYPES};
use super::{Inner, Source};
use crate::seam::wire::{format_time, Event, EventListRequest};
use crate::seam::{ApiKey, SeamError};

const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How far back a new workspace's events are skipped: what happened before anyone listened.
const PRIMING_LOOKBACK: chrono::Duration = chrono::Duration::minutes(10);

pub(super) async fn run(hub: Weak<Inner>, workspace_id: String, ready: watch::Sender<bool>) {
    // With Redis: read the workspace's changes from now, and take part in its lease.
    let mut role = match hub.upgrade() {
        Some(hub) => match &hub.replicas {
            Some(replicas) => replicas.join(&workspace_id).await,
            None => Role::Alone,
        },
        None => return,
    };
    // Skip what happened before the first subscriber came: mark it seen, start after it.
    let mut cursor = match hub.upgrade() {
        Some(hub) => prime(&hub, &workspace_id).await,
        None => return,
    };
    let _ = ready.send(true);
    let mut failures: u32 = 0;
    let mut next_poll = Instant::now();
    loop {
        let (interval, tick) = match hub.upgrade() {
            Some(hub) => (hub.options.poll_interval, tick(&hub)),
            None => return,
        };
        tokio::time::sleep(tick).await;
        let Some(hub) = hub.upgrade() else { return };
        let previous = std::mem::replace(&mut role, hub.role(&workspace_id).await);
        // Back from an outage: one last poll, for what reached other replicas meanwhile.
        let catching_up = previous == Role::Degraded && role == Role::Follower;
        let took_over = role == Role::Leader && previous != Role::Leader;
        if role == Role::Follower && !catching_up {
            continue;
        }
        if !(catching_up || took_over) && Instant::now() < next_poll {
            continue;
        }
        let wait = if failures == 0 {
            interval
        } else {
            (interval * 2u32.saturating_pow(failures.min(16))).min(MAX_BACKOFF)
        };
        next_poll = Instant::now() + wait;
        // Webhooks are spread over the replicas while Redis is down: none sees them all.
        let trust_webhooks = matches!(role, Role::Alone | Role::Leader) && !took_over;
        if trust_webhooks && hub.webhook_feed.is_fresh(&workspace_id) {
            continue;
        }
        let Some(key) = key_of(&hub, &workspace_id) else {
            return;
        };
        if took_over {
            cursor = resume_from(&hub, &workspace_id, cursor).await;
        }
        let since = match cursor {
            Some(t) => t,
            None => {
                cursor = prime(&hub, &workspace_id).await;
                continue;
            }
        };
        match list(&hub, &key, since).await {
            Ok(events) => {
                failures = 0;
                for event in events {
                    if let Some(t) = event.occurred_at.or(event.created_at) {
                        cursor = Some(cursor.map_or(t, |c| c.max(t)));
                    }
                    // Busy: leave the rest for the next round (the cursor stops at the last taken).
                    if hub.receive(event, Source::Poll).await.is_err() {
                        tracing::debug!(%workspace_id, "hub busy; polling resumes next round");
                        break;
                    }
                }
                if let (Some(replicas), Some(c), Role::Leader) = (&hub.replicas, cursor, role) {
                    replicas
                        .redis
                        .set_poll_cursor(&workspace_id, &format_time(&c))
                        .await;
                }
            }
            Err(e) => {
                failures += 1;
                tracing::debug!(error = %e, %workspace_id, failures, "polling events failed; backing off");
            }
        }
    }
}

/// How often the loop wakes: the poll interval alone; with Redis, often enough to renew the lease
/// three times per lease period.
fn tick(hub: &Inner) -> Duration {
    match &hub.replicas {
        Some(replicas) => (replicas.redis.lease_ttl() / 3).min(hub.options.poll_interval),
        None => hub.options.poll_interval,
    }
}

/// A new lease holder polls from where the previous one got to, or from its own cursor if that
/// is earlier (events seen twice are claimed once).
async fn resume_from(
    hub: &Inner,
    workspace_id: &str,
    own: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let replicas = hub.replicas.as_ref()?;
    let shared = replicas
        .redis
        .poll_cursor(workspace_id)
        .await
        .and_then(|c| DateTime::parse_from_rfc3339(&c).ok())
        .map(|c| c.with_timezone(&Utc));
    match (own, shared) {
        (Some(own), Some(shared)) => Some(own.min(shared)),
        (own, shared) => own.or(shared),
    }
}

fn key_of(hub: &Inner, workspace_id: &str) -> Option<ApiKey> {
    hub.workspaces.live(workspace_id).map(|(_, key)| key)
}

async fn list(hub: &Inner, key: &ApiKey, since: DateTime<Utc>) -> Result<Vec<Event>, SeamError> {
    hub.client
        .list_events(
            key,
            &EventListRequest {
                since: Some(format_time(&since)),
                event_types: Some(
                    STATUS_EVENT_TYPES
                        .iter()
                        .chain(DEVICE_EVENT_TYPES)
                        .map(|s| s.to_string())
                        .collect(),
                ),
                limit: Some(500),
                ..Default::default()
            },
        )
        .await
}

/// Marks recent events seen and returns the time to poll from; None if Seam could not be asked.
async fn prime(hub: &Arc<Inner>, workspace_id: &str) -> Option<DateTime<Utc>> {
    let key = key_of(hub, workspace_id)?;
    let start = Utc::now() - PRIMING_LOOKBACK;
    match list(hub, &key, start).await {
        Ok(events) => {
            let mut cursor = start;
            for e in &events {
                hub.seen.mark_seen(&e.event_id);
                if let Some(t) = e.occurred_at.or(e.created_at) {
                    cursor = cursor.max(t);
                }
            }
            tracing::debug!(%workspace_id, skipped = events.len(), "poller primed");
            Some(cursor)
        }
        Err(e) => {
            tracing::debug!(error = %e, %workspace_id, "priming the poller failed");
            None
        }
    }
}
