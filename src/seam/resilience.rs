//! How the client behaves on a bad day upstream: which calls may be retried, how long to wait
//! between tries, and a circuit breaker that fails fast while Seam is down.
//!
//! Only safe reads (`*/get`, `*/list`) are retried: a create that timed out may still have created
//! the code, and a second one would be a second PIN on the door.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::Rng;

use super::SeamError;

/// Tries of a safe read, the first included.
pub(crate) const READ_ATTEMPTS: u32 = 3;
/// First back-off; each retry doubles it, up to [`MAX_BACKOFF`], with full jitter.
const BASE_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// A `Retry-After` longer than this is handed to the caller (RATE_LIMITED) instead of waited out.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(2);
/// Consecutive failures that open the breaker.
const FAILURES_TO_OPEN: u32 = 5;

/// Whether a call may be repeated without changing anything upstream.
pub(crate) fn is_safe_read(path: &str) -> bool {
    path.ends_with("/get") || path.ends_with("/list")
}

/// How long to wait before try `attempt` (1 = the first retry), or None when `error` must not be
/// retried at all.
pub(crate) fn retry_delay(error: &SeamError, attempt: u32) -> Option<Duration> {
    let transient = match error {
        SeamError::Unavailable(_) => true,
        SeamError::RateLimited { retry_after, .. } => {
            let wait = Duration::from_secs(retry_after.unwrap_or(0));
            if wait > MAX_RETRY_AFTER {
                return None;
            }
            if !wait.is_zero() {
                return Some(wait);
            }
            true
        }
        SeamError::Api { status, .. } => matches!(status, 502..=504),
        SeamError::Timeout(_)
        | SeamError::Decode(_)
        | SeamError::CircuitOpen(_)
        | SeamError::UnprovenKeysBusy(_) => false,
    };
    transient.then(|| jittered_backoff(attempt))
}

fn jittered_backoff(attempt: u32) -> Duration {
    let ceiling = BASE_BACKOFF
        .saturating_mul(1 << attempt.min(10))
        .min(MAX_BACKOFF);
    let millis = rand::thread_rng().gen_range(0..=ceiling.as_millis() as u64);
    Duration::from_millis(millis)
}

/// Whether an outcome counts against the upstream's health (a 4xx is Seam answering fine).
fn is_failure(outcome: &Result<(), &SeamError>) -> bool {
    match outcome {
        Ok(()) => false,
        Err(SeamError::Unavailable(_) | SeamError::Timeout(_)) => true,
        Err(SeamError::Api { status, .. }) => *status >= 500,
        Err(_) => false,
    }
}

/// Closed: calls go through. Open: calls fail at once until the cool-down ends; then one call
/// probes, and its outcome closes or reopens the breaker.
pub(crate) struct Breaker {
    cooldown: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    consecutive_failures: u32,
    open_until: Option<Instant>,
    probing: bool,
}

impl Breaker {
    pub(crate) fn new(cooldown: Duration) -> Self {
        Self {
            cooldown,
            state: Mutex::default(),
        }
    }

    /// True while calls are held back (before the probe).
    pub(crate) fn is_open(&self) -> bool {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.open_until.is_some_and(|until| Instant::now() < until)
    }

    /// A pass for one call when it may go out now; CircuitOpen (with the seconds left) when it
    /// must not. The pass reports the call's outcome with [`Pass::record`].
    pub(crate) fn admit(&self) -> Result<Pass<'_>, SeamError> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Some(until) = state.open_until else {
            return Ok(Pass {
                breaker: self,
                probe: false,
            });
        };
        let now = Instant::now();
        if now < until || state.probing {
            let left = until.saturating_duration_since(now).as_secs().max(1);
            return Err(SeamError::CircuitOpen(left));
        }
        state.probing = true;
        Ok(Pass {
            breaker: self,
            probe: true,
        })
    }

    fn record(&self, outcome: Result<(), &SeamError>, was_probe: bool) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if was_probe {
            state.probing = false;
        }
        if !is_failure(&outcome) {
            if state.open_until.take().is_some() {
                tracing::info!("upstream answered again; circuit closed");
            }
            state.consecutive_failures = 0;
            return;
        }
        state.consecutive_failures += 1;
        if was_probe || state.consecutive_failures >= FAILURES_TO_OPEN {
            if state.open_until.is_none() || was_probe {
                tracing::warn!(
                    failures = state.consecutive_failures,
                    cooldown_ms = self.cooldown.as_millis() as u64,
                    "upstream failing; circuit open"
                );
            }
            state.open_until = Some(Instant::now() + self.cooldown);
        }
    }
}

/// One admitted call. Dropped without a record (the caller went away mid-call), a probe gives its
/// turn back, so the breaker cannot stay open for want of an outcome.
pub(crate) struct Pass<'a> {
    breaker: &'a Breaker,
    probe: bool,
}

impl Pass<'_> {
    /// Reports how the call ended.
    pub(crate) fn record(mut self, outcome: Result<(), &SeamError>) {
        let probe = std::mem::take(&mut self.probe);
        self.breaker.record(outcome, probe);
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        if self.probe {
            let mut state = self.breaker.state.lock().unwrap_or_else(|e| e.into_inner());
            state.probing = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn down() -> SeamError {
        SeamError::Unavailable("connection failed".into())
    }

    #[test]
    fn should_open_after_consecutive_failures_and_close_after_a_good_probe() {
        let breaker = Breaker::new(Duration::from_millis(20));
        for _ in 0..FAILURES_TO_OPEN {
            breaker.admit().expect("closed").record(Err(&down()));
        }
        assert!(matches!(breaker.admit(), Err(SeamError::CircuitOpen(_))));
        std::thread::sleep(Duration::from_millis(30));
        let probe = breaker.admit().expect("one probe");
        assert!(breaker.admit().is_err(), "only one probe at a time");
        probe.record(Ok(()));
        breaker.admit().expect("closed again");
    }

    #[test]
    fn should_reopen_when_the_probe_fails() {
        let breaker = Breaker::new(Duration::from_millis(20));
        for _ in 0..FAILURES_TO_OPEN {
            breaker.admit().expect("closed").record(Err(&down()));
        }
        std::thread::sleep(Duration::from_millis(30));
        breaker.admit().expect("probe").record(Err(&down()));
        assert!(breaker.admit().is_err());
    }

    #[test]
    fn should_give_the_probe_back_when_its_caller_goes_away() {
        let breaker = Breaker::new(Duration::from_millis(20));
        for _ in 0..FAILURES_TO_OPEN {
            breaker.admit().expect("closed").record(Err(&down()));
        }
        std::thread::sleep(Duration::from_millis(30));
        drop(breaker.admit().expect("probe"));
        breaker.admit().expect("another probe may go");
    }

    #[test]
    fn should_retry_only_transient_failures_and_short_retry_afters() {
        let limited = |s| SeamError::RateLimited {
            retry_after: Some(s),
            request_id: None,
        };
        assert!(retry_delay(&down(), 1).is_some());
        assert_eq!(retry_delay(&limited(1), 1), Some(Duration::from_secs(1)));
        assert_eq!(retry_delay(&limited(7), 1), None);
        assert_eq!(retry_delay(&SeamError::Timeout(10), 1), None);
        assert!(is_safe_read("/access_codes/list") && !is_safe_read("/access_codes/create"));
    }
}
