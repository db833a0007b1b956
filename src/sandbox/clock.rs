//! The sandbox's clock: wall time (plus any advance) or a manual clock that only `advance` moves.

use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

use super::ClockMode;

pub(crate) struct Clock {
    mode: ClockMode,
    state: Mutex<ClockState>,
}

struct ClockState {
    manual_now: DateTime<Utc>,
    offset: Duration,
}

/// Drops sub-millisecond precision, so every instant the sandbox stores round-trips through the wire.
pub(crate) fn truncate_ms(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

impl Clock {
    pub(crate) fn new(mode: ClockMode) -> Self {
        Self {
            mode,
            state: Mutex::new(ClockState {
                manual_now: truncate_ms(Utc::now()),
                offset: Duration::zero(),
            }),
        }
    }

    pub(crate) fn mode(&self) -> ClockMode {
        self.mode
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match self.mode {
            ClockMode::Manual => state.manual_now,
            ClockMode::Real => truncate_ms(Utc::now() + state.offset),
        }
    }

    /// Moves time forward (a real clock gains a permanent offset) and returns the new now.
    pub(crate) fn advance(&self, by: Duration) -> DateTime<Utc> {
        {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            match self.mode {
                ClockMode::Manual => state.manual_now = truncate_ms(state.manual_now + by),
                ClockMode::Real => state.offset += by,
            }
        }
        self.now()
    }
}
