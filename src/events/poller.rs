//! Polling `/events/list` for one workspace with live subscribers, while its webhook feed is absent
//! (no secret configured) or quiet (no delivery seen recently). One task per workspace; the hub
//! aborts it when the workspace's last subscriber leaves.

use std::sync::{Arc, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::status::{DEVICE_EVENT_TYPES, STATUS_EVENT_TYPES};
use super::{Inner, Source};
use crate::seam::wire::{format_time, Event, EventListRequest};
use crate::seam::{ApiKey, SeamError};

const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How far back a new workspace's events are skipped: what happened before anyone listened.
const PRIMING_LOOKBACK: chrono::Duration = chrono::Duration::minutes(10);

pub(super) async fn run(hub: Weak<Inner>, workspace_id: String, ready: watch::Sender<bool>) {
    // Skip what happened before the first subscriber came: mark it seen, start after it.
    let mut cursor = match hub.upgrade() {
        Some(hub) => prime(&hub, &workspace_id).await,
        None => return,
    };
    let _ = ready.send(true);
    let mut failures: u32 = 0;
    loop {
        let interval = match hub.upgrade() {
            Some(hub) => hub.options.poll_interval,
            None => return,
        };
        let wait = if failures == 0 {
            interval
        } else {
            (interval * 2u32.saturating_pow(failures.min(16))).min(MAX_BACKOFF)
        };
        tokio::time::sleep(wait).await;
        let Some(hub) = hub.upgrade() else { return };
        if hub.webhook_feed.is_fresh(&workspace_id) {
            continue;
        }
        let Some(key) = key_of(&hub, &workspace_id) else {
            return;
        };
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
                    if hub.receive(event, Source::Poll).is_err() {
                        tracing::debug!(%workspace_id, "hub busy; polling resumes next round");
                        break;
                    }
                }
            }
            Err(e) => {
                failures += 1;
                tracing::debug!(error = %e, %workspace_id, failures, "polling events failed; backing off");
            }
        }
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
