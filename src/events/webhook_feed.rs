//! Whether a workspace's webhook feed can be trusted to arrive, so that its poller can rest.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

pub(super) struct WebhookFeed {
    /// False without a webhook secret: nothing is delivered, every workspace is polled.
    enabled: bool,
    /// How old the last delivery may be before the workspace is polled again.
    stale_after: Duration,
    /// Workspace id -> when its last verified delivery came.
    last_delivery: Mutex<HashMap<String, Instant>>,
    /// Stands in for the last delivery of a workspace that has had none yet.
    started: Instant,
}

impl WebhookFeed {
    pub(super) fn new(enabled: bool, stale_after: Duration) -> Self {
        Self {
            enabled,
            stale_after,
            last_delivery: Mutex::default(),
            started: Instant::now(),
        }
    }

    /// Records a verified delivery for `workspace_id`.
    pub(super) fn delivered(&self, workspace_id: &str) {
        self.last_delivery
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(workspace_id.to_owned(), Instant::now());
    }

    /// True when this workspace's webhooks can be trusted to arrive (so it need not be polled).
    pub(super) fn is_fresh(&self, workspace_id: &str) -> bool {
        if !self.enabled {
            return false;
        }
        let last = self
            .last_delivery
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(workspace_id)
            .copied()
            .unwrap_or(self.started);
        last.elapsed() < self.stale_after
    }
}
