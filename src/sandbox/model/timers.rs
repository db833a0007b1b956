//! The timer heap: every pending lifecycle step and delayed attempt completion, earliest first.
//!
//! A code's step carries the code's generation at scheduling time; rescheduling bumps the
//! generation, so an outdated step is recognised and skipped when it is popped.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::Time;

/// A lifecycle step of one access code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Time-bound code: `unset` -> `setting` at `starts_at - set_delay`.
    BeginSetting,
    /// Try to program the code (may succeed, fail once on a flaky lock, or be delayed offline).
    SetAttempt,
    /// Native scheduling: the code is loaded into the lock ahead of `starts_at`.
    Preload,
    /// Native scheduling: the lock activates the code at `starts_at`.
    Activate,
    /// Time-bound code: `ends_at` reached, `removing`.
    StartRemoving,
    /// The code is off the lock and gone.
    RemoveDone,
}

pub(crate) enum TimerKind {
    Code {
        access_code_id: String,
        generation: u64,
        step: Step,
    },
    AttemptSuccess {
        action_attempt_id: String,
    },
}

pub(crate) struct Timer {
    pub(crate) due: Time,
    pub(crate) seq: u64,
    pub(crate) kind: TimerKind,
}

// Ordered so that the max-heap pops the earliest (due, seq) first.
impl Ord for Timer {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}
impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Timer {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}
impl Eq for Timer {}

/// Timers in (due time, scheduling order) order; `seq` breaks ties so equal due times run FIFO.
#[derive(Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Timer>,
    seq: u64,
}

impl Timers {
    pub(crate) fn push(&mut self, due: Time, kind: TimerKind) {
        self.seq += 1;
        self.heap.push(Timer {
            due,
            seq: self.seq,
            kind,
        });
    }

    /// The earliest timer if it is due at `now`.
    pub(crate) fn pop_due(&mut self, now: Time) -> Option<Timer> {
        if self.heap.peek()?.due > now {
            return None;
        }
        self.heap.pop()
    }
}
