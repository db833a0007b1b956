//! Idempotency keys for creates: a client that retries a create (after a timeout, a dropped
//! connection, a double click) with the same key gets the first result instead of a second code.
//!
//! The first request with a key runs; later ones with the same key and the same input share its
//! result, also while it is still in flight. The same key with another input is refused. A first
//! attempt that failed in a way worth retrying (Seam unreachable, rate limited) frees the key.
//!
//! With Redis (`cluster::idempotency`), this holds across replicas: the first replica to claim the
//! (tenant, key) runs the create (renewing its claim meanwhile) and leaves the ids of what it made;
//! a retry on any replica reads those codes again from Seam with its caller's key (so the answer
//! has its PIN, which Redis never holds). A retry while the first attempt runs elsewhere waits for
//! it, a bounded time. While Redis is down each replica keeps its keys alone, as without Redis: a create never
//! fails for want of Redis. This process's own store stays in front either way.

use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::{BoxFuture, FutureExt, Shared};
use hmac::{Hmac, Mac};
use moka::ops::compute::Op;
use sha2::Sha256;

use crate::cluster::idempotency::{Claim, Receipt, Record, RedisIdempotency};
use crate::error::{ErrorCode, GatewayError, GatewayResult};
use crate::seam::{ApiKey, TenantId};

/// How long a key is remembered.
pub(crate) const KEY_TTL: Duration = Duration::from_secs(24 * 3600);
/// Most keys remembered, over all tenants.
const CAPACITY: u64 = 100_000;
/// How often a retry looks whether the attempt running on another replica has ended.
const POLL_EVERY: Duration = Duration::from_millis(50);

type Outcome<T> = Shared<BoxFuture<'static, GatewayResult<T>>>;

/// A create's result that another replica can read again from Seam: the ids it needs for that.
pub(crate) trait Receipted {
    fn receipt(&self) -> Receipt;
}

struct Entry<T: Clone> {
    /// What the first request asked for (its idempotency key aside).
    fingerprint: u64,
    outcome: Outcome<T>,
}

/// The keys of one kind of create in Redis, and how long a claim lasts.
#[derive(Clone)]
struct InCluster {
    redis: RedisIdempotency,
    /// How long a claim lasts unless renewed (its replica renews it while the create runs, so a
    /// claim that lapses means its replica died, and the key is free again); also how long a
    /// retry waits for the attempt running elsewhere.
    hold: Duration,
}

/// Results of keyed operations of one kind, per tenant and key.
#[derive(Clone)]
pub(crate) struct Idempotent<T: Clone + Send + Sync + 'static> {
    entries: moka::sync::Cache<(TenantId, String), Arc<Entry<T>>>,
    /// With Redis: the keys every replica shares, behind this process's own.
    cluster: Option<InCluster>,
}

impl<T: Clone + Send + Sync + Receipted + 'static> Idempotent<T> {
    pub(crate) fn new() -> Self {
        Self {
            entries: moka::sync::Cache::builder()
                .time_to_live(KEY_TTL)
                .max_capacity(CAPACITY)
                .build(),
            cluster: None,
        }
    }

    /// Shares the keys with the other replicas; a claim lasts `hold` unless renewed.
    pub(crate) fn shared(mut self, redis: RedisIdempotency, hold: Duration) -> Self {
        self.cluster = Some(InCluster { redis, hold });
        self
    }

    /// Runs `operation(input)`: at once without a key; with one, once per (tenant, key), later
    /// calls with the same input sharing its outcome. With Redis, a later call on another replica
    /// gets `replay(receipt)`: the first outcome read again from Seam.
    pub(crate) async fn run<I, Fut, F, R, RFut>(
        &self,
        api_key: &ApiKey,
        key: Option<&str>,
        input: I,
        operation: F,
        replay: R,
    ) -> GatewayResult<T>
    where
        I: Hash + Send + 'static,
        F: FnOnce(I) -> Fut + Send + 'static,
        Fut: Future<Output = GatewayResult<T>> + Send + 'static,
        R: FnOnce(Receipt) -> RFut + Send + 'static,
        RFut: Future<Output = GatewayResult<T>> + Send + 'static,
    {
        let Some(key) = key else {
            return operation(input).await;
        };
        let tenant = api_key.tenant();
        let fingerprint = fingerprint(&input);
        let slot = (tenant.clone(), key.to_owned());
        let entry = self.entries.get_with(slot.clone(), || {
            let outcome = match &self.cluster {
                None => operation(input).boxed(),
                Some(cluster) => cluster
                    .clone()
                    .run(
                        Attempt {
                            tenant: tenant.to_string(),
                            key: key.to_owned(),
                            fingerprint: keyed_fingerprint(api_key, &input),
                        },
                        input,
                        operation,
                        replay,
                    )
                    .boxed(),
            };
            Arc::new(Entry {
                fingerprint,
                outcome: outcome.shared(),
            })
        });
        if entry.fingerprint != fingerprint {
            return Err(reused());
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

/// One keyed call, as Redis knows it: the tenant by hash, the input by keyed fingerprint.
struct Attempt {
    tenant: String,
    key: String,
    fingerprint: String,
}

impl InCluster {
    /// Claims the key and runs the operation, or answers as the attempt that claimed it first did.
    async fn run<T, I, Fut, RFut>(
        self,
        attempt: Attempt,
        input: I,
        operation: impl FnOnce(I) -> Fut,
        replay: impl FnOnce(Receipt) -> RFut,
    ) -> GatewayResult<T>
    where
        T: Receipted,
        Fut: Future<Output = GatewayResult<T>>,
        RFut: Future<Output = GatewayResult<T>>,
    {
        let Attempt {
            tenant,
            key,
            fingerprint,
        } = attempt;
        let give_up_at = Instant::now() + self.hold;
        'claim: loop {
            let mut record = match self
                .redis
                .claim(&tenant, &key, &fingerprint, self.hold)
                .await
            {
                // Alone, as without Redis (the link has logged the outage).
                Err(_) => return operation(input).await,
                Ok(Claim::Won(won)) => {
                    let running = operation(input);
                    tokio::pin!(running);
                    // The claim is renewed while the create runs, so only a dead replica's lapses.
                    let outcome = loop {
                        tokio::select! {
                            outcome = &mut running => break outcome,
                            () = tokio::time::sleep(self.hold / 3) => {
                                self.redis.extend(&won, self.hold).await;
                            }
                        }
                    };
                    match &outcome {
                        Ok(created) => self.redis.succeeded(&won, created.receipt()).await,
                        Err(e) if worth_retrying(e) => self.redis.free(&won).await,
                        Err(e) => self.redis.failed(&won, e.code.as_str()).await,
                    }
                    return outcome;
                }
                Ok(Claim::Taken(record)) => record,
            };
            loop {
                if record.fingerprint() != fingerprint {
                    return Err(reused());
                }
                match record {
                    Record::Done { receipt, .. } => return replay(receipt).await,
                    Record::Failed { code, .. } => return Err(failed_before(&code)),
                    Record::Pending { .. } => {}
                }
                if Instant::now() >= give_up_at {
                    return Err(GatewayError::new(
                        ErrorCode::IdempotencyKeyInFlight,
                        "The first request with this `idempotencyKey` is still running on another replica; retry with the same key in a moment",
                    ));
                }
                tokio::time::sleep(POLL_EVERY).await;
                record = match self.redis.read(&tenant, &key).await {
                    Ok(Some(record)) => record,
                    // Freed (it failed in a way worth retrying) or lapsed: this attempt may run.
                    Ok(None) => continue 'claim,
                    Err(_) => return operation(input).await,
                };
            }
        }
    }
}

fn reused() -> GatewayError {
    GatewayError::new(
        ErrorCode::IdempotencyKeyReused,
        "This `idempotencyKey` was used with another input; use a new key for a new request",
    )
}

/// The answer to a retry of an attempt that failed on another replica: the same error code.
fn failed_before(code: &str) -> GatewayError {
    let code = ErrorCode::from_name(code).unwrap_or(ErrorCode::UpstreamError);
    GatewayError::new(
        code,
        format!(
            "The first request with this `idempotencyKey` failed ({}); a retry with the same key gets the same answer. After a timeout, read the device's codes before creating again with a new key",
            code.as_str()
        ),
    )
}

/// Failures after which Seam most likely did nothing, so the key may be used again.
fn worth_retrying(e: &GatewayError) -> bool {
    matches!(
        e.code,
        ErrorCode::UpstreamUnavailable | ErrorCode::RateLimited | ErrorCode::IdempotencyKeyInFlight
    )
}

fn fingerprint(input: &impl Hash) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    input.hash(&mut hasher);
    hasher.finish()
}

/// The input's fingerprint for Redis: an HMAC keyed with the caller's API key, the same on every
/// replica, yet useless to whoever reads Redis (an input holds a PIN, which a plain hash would let
/// one find by trying every PIN).
fn keyed_fingerprint(api_key: &ApiKey, input: &impl Hash) -> String {
    struct MacHasher(Hmac<Sha256>);
    impl Hasher for MacHasher {
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
        fn finish(&self) -> u64 {
            // Never read: the MAC is.
            0
        }
    }
    let mut hasher = MacHasher(
        Hmac::new_from_slice(api_key.expose().as_bytes()).expect("HMAC takes a key of any length"),
    );
    input.hash(&mut hasher);
    hasher.0.finalize().into_bytes()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    impl Receipted for u32 {
        fn receipt(&self) -> Receipt {
            Receipt {
                ids: vec![self.to_string()],
                action_attempt_id: None,
            }
        }
    }

    async fn never_replayed(_: Receipt) -> GatewayResult<u32> {
        panic!("no replay without Redis")
    }

    #[tokio::test]
    async fn should_run_once_per_key_and_refuse_another_input() {
        let store: Idempotent<u32> = Idempotent::new();
        let key = ApiKey::new("k");
        let runs = Arc::new(AtomicUsize::new(0));
        let op = |runs: Arc<AtomicUsize>| async move {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(7)
        };
        let (r1, r2) = (runs.clone(), runs.clone());
        let (a, b) = tokio::join!(
            store.run(&key, Some("key"), "input", move |_| op(r1), never_replayed),
            store.run(&key, Some("key"), "input", move |_| op(r2), never_replayed),
        );
        assert_eq!((a.unwrap(), b.unwrap()), (7, 7));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        let r3 = runs.clone();
        let other = store
            .run(&key, Some("key"), "other", move |_| op(r3), never_replayed)
            .await;
        assert_eq!(other.unwrap_err().code, ErrorCode::IdempotencyKeyReused);
    }

    #[tokio::test]
    async fn should_free_a_key_whose_first_attempt_could_not_reach_seam() {
        let store: Idempotent<u32> = Idempotent::new();
        let key = ApiKey::new("k");
        let down = |_| async { Err(GatewayError::new(ErrorCode::UpstreamUnavailable, "down")) };
        assert!(store
            .run(&key, Some("key"), 1, down, never_replayed)
            .await
            .is_err());
        let again = store
            .run(&key, Some("key"), 1, |_| async { Ok(1) }, never_replayed)
            .await;
        assert_eq!(again.unwrap(), 1);
    }

    #[test]
    fn keyed_fingerprints_should_agree_per_key_and_differ_across_keys_and_inputs() {
        let (a, b) = (ApiKey::new("seam_key_a"), ApiKey::new("seam_key_b"));
        let input = ("august_device_1", Some("482913"));
        assert_eq!(keyed_fingerprint(&a, &input), keyed_fingerprint(&a, &input));
        assert_ne!(keyed_fingerprint(&a, &input), keyed_fingerprint(&b, &input));
        assert_ne!(
            keyed_fingerprint(&a, &input),
            keyed_fingerprint(&a, &("august_device_1", Some("482914")))
        );
        assert!(!keyed_fingerprint(&a, &input).contains("482913"));
    }

    #[test]
    fn a_failure_replayed_from_another_replica_should_keep_its_code() {
        let e = failed_before("UPSTREAM_TIMEOUT");
        assert_eq!(e.code, ErrorCode::UpstreamTimeout);
        assert!(e.message.contains("UPSTREAM_TIMEOUT"), "{}", e.message);
    }
}
