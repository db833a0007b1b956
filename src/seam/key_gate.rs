//! Calls made with API keys Seam has not accepted yet, bounded.
//!
//! Anyone may send the gateway a made-up key, and each request with one costs a call to Seam
//! (answered 401). A flood of random keys would turn into a flood of 401s from the gateway's own
//! address, which Seam may throttle for every tenant behind it. So a key is "accepted" once Seam
//! answered one of its calls with anything but 401 (until unused for `ACCEPTED_FOR`). Until then one call at a
//! time finds out for the key (the others with it wait for the answer), and those calls, over all
//! keys, share `--unproven-key-max-in-flight` places; past them, RATE_LIMITED at once, without a
//! call. A key Seam answered 401 gets the same answer again without a call for `REJECTED_FOR`.
//! Accepted keys never wait.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use moka::sync::Cache;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

use super::api_key::TenantId;
use super::{ApiKey, SeamError};

/// How long a key stays accepted without being used (a key in use stays accepted until Seam answers
/// it 401: no periodic re-check that would hold a busy key's calls back).
const ACCEPTED_FOR: Duration = Duration::from_secs(10 * 60);
/// How long a 401 is answered without asking Seam again (short: a key may be fixed meanwhile).
const REJECTED_FOR: Duration = Duration::from_secs(10);
/// Keys remembered either way (least recently used go first).
const REMEMBERED: u64 = 10_000;

pub(crate) struct KeyGate {
    accepted: Cache<TenantId, ()>,
    rejected: Cache<TenantId, SeamError>,
    /// Keys whose first call is in flight; the receiver ends when that call has its answer.
    probing: Arc<Mutex<HashMap<TenantId, watch::Receiver<()>>>>,
    unproven: Arc<Semaphore>,
    max_unproven: usize,
}

/// Leave to call Seam. For a key not yet accepted: one of the places, and the lead on finding out
/// about the key, both given back when it drops (after the call's answer is recorded).
pub(crate) struct Pass(#[allow(dead_code)] Option<(OwnedSemaphorePermit, Probe)>);

/// Removes the key from `probing` when dropped, which wakes the calls waiting on it.
pub(crate) struct Probe {
    probing: Arc<Mutex<HashMap<TenantId, watch::Receiver<()>>>>,
    tenant: TenantId,
    _done: watch::Sender<()>,
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.probing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.tenant);
        // `_done` drops after this: the waiters wake to a map without the key.
    }
}

impl KeyGate {
    pub(crate) fn new(max_unproven: usize) -> Self {
        let max_unproven = max_unproven.max(1);
        Self {
            accepted: Cache::builder()
                .max_capacity(REMEMBERED)
                .time_to_idle(ACCEPTED_FOR)
                .build(),
            rejected: Cache::builder()
                .max_capacity(REMEMBERED)
                .time_to_live(REJECTED_FOR)
                .build(),
            probing: Arc::default(),
            unproven: Arc::new(Semaphore::new(max_unproven)),
            max_unproven,
        }
    }

    /// Whether `key` may call Seam now: at once if accepted; the 401 again if just rejected; after
    /// the answer of the call already finding out about it; else as the one finding out, if a place
    /// is free.
    pub(crate) async fn enter(&self, key: &ApiKey) -> Result<Pass, SeamError> {
        let tenant = key.tenant();
        loop {
            // `get`, not `contains_key`: it is what keeps a key in use from going idle.
            if self.accepted.get(tenant).is_some() {
                return Ok(Pass(None));
            }
            if let Some(rejection) = self.rejected.get(tenant) {
                return Err(rejection);
            }
            let mut waiting = {
                let mut probing = self.probing.lock().unwrap_or_else(PoisonError::into_inner);
                match probing.get(tenant) {
                    Some(probe) => probe.clone(),
                    None => {
                        let place = self
                            .unproven
                            .clone()
                            .try_acquire_owned()
                            .map_err(|_| SeamError::UnprovenKeysBusy(self.max_unproven))?;
                        let (done, waiting) = watch::channel(());
                        probing.insert(tenant.clone(), waiting);
                        let probe = Probe {
                            probing: self.probing.clone(),
                            tenant: tenant.clone(),
                            _done: done,
                        };
                        return Ok(Pass(Some((place, probe))));
                    }
                }
            };
            // Ends when the call finding out drops its probe; then look again.
            let _ = waiting.changed().await;
        }
    }

    /// Seam answered a call made with `key` with `status` (`rejection`: its error, for a 401).
    pub(crate) fn answered(&self, key: &ApiKey, status: u16, rejection: Option<&SeamError>) {
        match (status, rejection) {
            (401, Some(rejection)) => {
                self.accepted.invalidate(key.tenant());
                self.rejected
                    .insert(key.tenant().clone(), rejection.without_request_id());
            }
            // A 429 or a 5xx says nothing about the key.
            (429, _) | (500.., _) => {}
            _ if !self.accepted.contains_key(key.tenant()) => {
                self.accepted.insert(key.tenant().clone(), ());
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unauthorized() -> SeamError {
        SeamError::Api {
            status: 401,
            kind: "unauthorized".into(),
            message: "Unauthorized".into(),
            data: None,
            validation_errors: None,
            request_id: Some("req_1".into()),
        }
    }

    #[tokio::test]
    async fn should_bound_unproven_keys_and_never_accepted_ones() {
        let gate = KeyGate::new(2);
        let accepted = ApiKey::new("seam_accepted");
        gate.answered(&accepted, 200, None);
        let first = gate.enter(&ApiKey::new("seam_a")).await.expect("a place");
        let _second = gate.enter(&ApiKey::new("seam_b")).await.expect("a place");
        assert!(matches!(
            gate.enter(&ApiKey::new("seam_c")).await,
            Err(SeamError::UnprovenKeysBusy(2))
        ));
        assert!(
            gate.enter(&accepted).await.is_ok(),
            "accepted keys never wait"
        );
        drop(first);
        assert!(gate.enter(&ApiKey::new("seam_c")).await.is_ok());
    }

    #[tokio::test]
    async fn should_let_one_call_find_out_about_a_new_key_and_the_others_wait_for_it() {
        let gate = Arc::new(KeyGate::new(1));
        let key = ApiKey::new("seam_new");
        let probe = gate.enter(&key).await.expect("the lead");
        let waiting = tokio::spawn({
            let (gate, key) = (gate.clone(), key.clone());
            async move { gate.enter(&key).await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "waits for the first call's answer");
        gate.answered(&key, 200, None);
        drop(probe);
        assert!(waiting.await.expect("task").is_ok());
        assert!(
            gate.enter(&ApiKey::new("seam_other")).await.is_ok(),
            "the place came back"
        );
    }

    #[tokio::test]
    async fn should_answer_a_rejected_key_again_without_its_old_request_id() {
        let gate = KeyGate::new(2);
        let key = ApiKey::new("seam_bad");
        gate.answered(&key, 401, Some(&unauthorized()));
        match gate.enter(&key).await {
            Err(SeamError::Api {
                status: 401,
                request_id: None,
                ..
            }) => {}
            Err(other) => panic!("expected the 401 again, got {other:?}"),
            Ok(_) => panic!("expected the 401 again, got a pass"),
        }
        gate.answered(&key, 429, None);
        assert!(gate.enter(&key).await.is_err(), "a 429 accepts no key");
    }
}
