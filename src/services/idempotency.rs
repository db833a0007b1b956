//! Idempotency keys for creates: a client that retries a create (after a timeout, a dropped
//! connection, a double click) with the same key gets the first result instead of a second code.
//!
//! The first request with a key runs; later ones with the same key and the same input share its
//! result, also while it is still in flight. The same key with another input is refused. A first
//! attempt that failed in a way worth retrying (Seam unreachable, rate limited) frees the key.

use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt, Shared};
use moka::ops::compute::Op;

use crate::error::{ErrorCode, GatewayError, GatewayResult};
use crate::seam::TenantId;

/// How long a key is remembered.
pub(crate) const KEY_TTL: Duration = Duration::from_secs(24 * 3600);
/// Most keys remembered, over all tenants.
const CAPACITY: u64 = 100_000;

type Outcome<T> = Shared<BoxFuture<'static, GatewayResult<T>>>;

struct Entry<T: Clone> {
    /// What the first request asked for (its idempotency key aside).
    fingerprint: u64,
    outcome: Outcome<T>,
}

/// Results of keyed operations of one kind, per tenant and key.
#[derive(Clone)]
pub(crate) struct Idempotent<T: Clone + Send + Sync + 'static> {
    entries: moka::sync::Cache<(TenantId, String), Arc<Entry<T>>>,
}

impl<T: Clone + Send + Sync + 'static> Idempotent<T> {
    pub(crate) fn new() -> Self {
        Self {
            entries: moka::sync::Cache::builder()
                .time_to_live(KEY_TTL)
                .max_capacity(CAPACITY)
                .build(),
        }
    }

    /// Runs `operation(input)`: at once without a key; with one, once per (tenant, key), later
    /// calls with the same input sharing its outcome.
    pub(crate) async fn run<I, Fut>(
        &self,
        tenant: &TenantId,
        key: Option<&str>,
        input: I,
        operation: impl FnOnce(I) -> Fut,
    ) -> GatewayResult<T>
    where
        I: Hash,
        Fut: Future<Output = GatewayResult<T>> + Send + 'static,
    {
        let Some(key) = key else {
            return operation(input).await;
        };
        let fingerprint = fingerprint(&input);
        let slot = (tenant.clone(), key.to_owned());
        let entry = self.entries.get_with(slot.clone(), || {
            Arc::new(Entry {
                fingerprint,
                outcome: operation(input).boxed().shared(),
            })
        });
        if entry.fingerprint != fingerprint {
            return Err(GatewayError::new(
                ErrorCode::IdempotencyKeyReused,
                "This `idempotencyKey` was used with another input; use a new key for a new request",
            ));
        }
        let outcome = entry.outcome.clone().await;
        if outcome.as_ref().is_err_and(worth_retrying) {
            // Only this attempt's entry: a newer one may already be running.
            self.entries
                .entry(slot)
                .and_compute_with(|current| match current {
                    Some(current) if Arc::ptr_eq(current.value(), &entry) => Op::Remove,
                    _ => Op::Nop,
                });
        }
        outcome
    }
}

/// Failures after which Seam most likely did nothing, so the key may be used again.
fn worth_retrying(e: &GatewayError) -> bool {
    matches!(
        e.code,
        ErrorCode::UpstreamUnavailable | ErrorCode::RateLimited
    )
}

fn fingerprint(input: &impl Hash) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    input.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn should_run_once_per_key_and_refuse_another_input() {
        let store: Idempotent<u32> = Idempotent::new();
        let tenant = crate::seam::ApiKey::new("k").tenant().clone();
        let runs = Arc::new(AtomicUsize::new(0));
        let op = |runs: Arc<AtomicUsize>| async move {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(7)
        };
        let (a, b) = tokio::join!(
            store.run(&tenant, Some("key"), "input", |_| op(runs.clone())),
            store.run(&tenant, Some("key"), "input", |_| op(runs.clone())),
        );
        assert_eq!((a.unwrap(), b.unwrap()), (7, 7));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        let other = store
            .run(&tenant, Some("key"), "other", |_| op(runs.clone()))
            .await;
        assert_eq!(other.unwrap_err().code, ErrorCode::IdempotencyKeyReused);
    }

    #[tokio::test]
    async fn should_free_a_key_whose_first_attempt_could_not_reach_seam() {
        let store: Idempotent<u32> = Idempotent::new();
        let tenant = crate::seam::ApiKey::new("k").tenant().clone();
        let down = |_| async { Err(GatewayError::new(ErrorCode::UpstreamUnavailable, "down")) };
        assert!(store.run(&tenant, Some("key"), 1, down).await.is_err());
        let again = store
            .run(&tenant, Some("key"), 1, |_| async { Ok(1) })
            .await;
        assert_eq!(again.unwrap(), 1);
    }
}
