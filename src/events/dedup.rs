//! Which events have been taken in already. Webhooks are retried and the poller overlaps them, so
//! the same event id arrives more than once; each must reach subscribers once.

use std::time::Duration;

/// How many ids are remembered, and for how long: longer than Seam retries a delivery.
const CAPACITY: u64 = 200_000;
const REMEMBERED_FOR: Duration = Duration::from_secs(24 * 3600);

/// Event ids already taken in, from either source.
pub(super) struct SeenEvents(moka::sync::Cache<String, ()>);

impl SeenEvents {
    pub(super) fn new() -> Self {
        Self(
            moka::sync::Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(REMEMBERED_FOR)
                .build(),
        )
    }

    /// Records `event_id`; true only the first time it is offered.
    pub(super) fn first_sighting(&self, event_id: &str) -> bool {
        self.0.entry(event_id.to_owned()).or_insert(()).is_fresh()
    }

    /// Records `event_id` without taking its event in (what happened before anyone listened).
    pub(super) fn mark_seen(&self, event_id: &str) {
        self.0.insert(event_id.to_owned(), ());
    }

    /// Forgets `event_id`, so that the sender's retry of an event that could not be queued is
    /// taken in.
    pub(super) fn forget(&self, event_id: &str) {
        self.0.invalidate(event_id);
    }
}
