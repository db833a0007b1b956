//! The process-wide device cache, shared by every request and keyed by tenant so that two API keys
//! never share an entry. A TTL of zero turns it off. It is bounded by entries and by bytes (an
//! estimate per device), and a sweeper drops expired devices while the gateway is idle.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

// The synchronous cache: its lookups are a hash probe and an atomic or two, where the future cache
// made every lookup and insert an async call (3% of a cold request's CPU together with its upkeep).
use moka::sync::Cache;

use crate::metrics::Metrics;
use crate::seam::{wire::Device, SeamError, TenantId};

mod fetches;

use fetches::Fetches;

type Key = (TenantId, String);

/// The bytes the device cache may hold (estimated per device, see [`device_weight`]) unless
/// configured: about 1,500 devices of the size Seam returns for a lock. With the default 5 s TTL
/// that holds every device of 300 new lookups a second; past that, the oldest are fetched again.
pub(crate) const DEFAULT_MAX_BYTES: u64 = 2 * 1024 * 1024;

/// How often the sweeper drops expired devices. moka only does its upkeep when the cache is used,
/// so without this an idle gateway would keep every expired device (and its memory) until the
/// next request.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub(crate) struct DeviceCache {
    inner: Option<Cache<Key, Arc<Device>>>,
    /// Stops the sweeper when the last clone of this cache is dropped.
    _sweeper: Option<Arc<Sweeper>>,
    /// Devices being fetched right now, so that concurrent misses share upstream calls.
    fetches: Fetches,
    /// Counts hits and misses, for `/metrics`.
    metrics: Arc<Metrics>,
}

impl DeviceCache {
    /// This cache, counting its hits and misses in `metrics`.
    pub(crate) fn observed_by(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// A cache of at most `capacity` devices in at most [`DEFAULT_MAX_BYTES`] (tests).
    #[cfg(test)]
    pub(crate) fn new(ttl: Duration, capacity: u64) -> Self {
        Self::bounded(ttl, capacity, DEFAULT_MAX_BYTES)
    }

    /// A cache of at most `capacity` devices whose estimated size stays within `max_bytes`.
    pub(crate) fn bounded(ttl: Duration, capacity: u64, max_bytes: u64) -> Self {
        let inner = (!ttl.is_zero() && capacity > 0 && max_bytes > 0).then(|| {
            // moka has one bound, a total weight: weighing each device at no less than
            // max_bytes / capacity keeps both bounds with it.
            let floor = (max_bytes / capacity).min(u64::from(u32::MAX)) as u32;
            Cache::builder()
                .time_to_live(ttl)
                .max_capacity(max_bytes)
                .weigher(move |key: &Key, device: &Arc<Device>| {
                    device_weight(key, device).max(floor)
                })
                .build()
        });
        let sweeper = inner.as_ref().and_then(Sweeper::start);
        Self {
            inner,
            _sweeper: sweeper,
            fetches: Fetches::default(),
            metrics: Arc::default(),
        }
    }

    /// The devices with these ids: from the cache, from a fetch already under way for another
    /// request, or else from one call to `fetch` for all the rest, which other requests of this
    /// tenant on this lane may add their misses to (`cache/fetches.rs`). Ids `fetch` does not
    /// return are absent from the result. With the cache off, every call goes to `fetch`.
    /// When Seam refuses a gathered call as a bad request, this request's ids are asked for
    /// again alone (another request's id may have been the one refused).
    pub(crate) async fn get_many<F, Fut>(
        &self,
        tenant: &TenantId,
        ids: &[String],
        fetch: F,
    ) -> Result<HashMap<String, Arc<Device>>, SeamError>
    where
        F: Fn(Vec<String>) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = Result<Vec<Device>, SeamError>> + Send + 'static,
    {
        let Some(cache) = &self.inner else {
            self.metrics.device_cache(0, ids.len());
            return Ok(asked_for(ids, fetch(ids.to_vec()).await?));
        };
        let mut found = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        for id in ids {
            match cache.get(&(tenant.clone(), id.clone())) {
                Some(device) => {
                    found.insert(id.clone(), device);
                }
                None => missing.push(id.clone()),
            }
        }
        self.metrics.device_cache(found.len(), missing.len());
        let waits = if missing.is_empty() {
            Vec::new()
        } else {
            self.fetches.join(cache, tenant, missing, &fetch)
        };
        tracing::debug!(%tenant, requested = ids.len(), cached = found.len(), waiting = waits.len(), "device cache lookup");
        let mut again = Vec::new();
        for (id, fetching) in waits {
            match fetching.await {
                Ok(devices) => {
                    if let Some(device) = devices.get(&id) {
                        found.insert(id, device.clone());
                    }
                }
                Err(failed) if failed.may_be_another_requests() => again.push(id),
                Err(failed) => return Err(failed.error),
            }
        }
        if !again.is_empty() {
            // Answered, not cached: this call is not in the in-flight map, so an invalidation
            // meanwhile could not stop it putting back a device as it was (a rare path: only
            // after Seam refused a gathered call).
            found.extend(asked_for(&again, fetch(again.clone()).await?));
        }
        Ok(found)
    }

    /// A cached device, without fetching.
    pub(crate) async fn get(&self, tenant: &TenantId, device_id: &str) -> Option<Arc<Device>> {
        let cache = self.inner.as_ref()?;
        cache.get(&(tenant.clone(), device_id.to_owned()))
    }

    pub(crate) async fn insert(&self, tenant: &TenantId, device: Arc<Device>) {
        if let Some(cache) = &self.inner {
            cache.insert((tenant.clone(), device.device_id.clone()), device);
        }
    }

    /// Drops a device for every tenant, after a `device.*` event. Device ids are unique across
    /// workspaces, so this can only cost other tenants a refetch, never show them another's data.
    /// (One walk over the bounded cache: device events are rare.)
    pub(crate) async fn invalidate_everywhere(&self, device_id: &str) {
        self.fetches.forget(|key| key.1 == device_id);
        if let Some(cache) = &self.inner {
            let stale: Vec<Key> = cache
                .iter()
                .filter(|(key, _)| key.1 == device_id)
                .map(|(key, _)| (*key).clone())
                .collect();
            for key in stale {
                cache.invalidate(&key);
            }
        }
    }

    /// Drops one device of the tenant with this hash (an invalidation from another replica).
    pub(crate) async fn invalidate_by_hash(&self, tenant_hash: &str, device_id: &str) {
        self.fetches
            .forget(|key| key.1 == device_id && key.0.to_string() == tenant_hash);
        if let Some(cache) = &self.inner {
            let stale: Vec<Key> = cache
                .iter()
                .filter(|(key, _)| key.1 == device_id && key.0.to_string() == tenant_hash)
                .map(|(key, _)| (*key).clone())
                .collect();
            for key in stale {
                cache.invalidate(&key);
            }
        }
    }

    /// Drops one device, after a mutation or event touched it.
    pub(crate) async fn invalidate(&self, tenant: &TenantId, device_id: &str) {
        self.fetches
            .forget(|key| key.1 == device_id && &key.0 == tenant);
        if let Some(cache) = &self.inner {
            cache.invalidate(&(tenant.clone(), device_id.to_owned()));
        }
    }
}

/// The devices among `devices` whose ids are in `ids`, by id: what Seam returned beyond what was
/// asked for is not trusted into an answer or the cache.
fn asked_for(ids: &[String], devices: Vec<Device>) -> HashMap<String, Arc<Device>> {
    let wanted: HashSet<&String> = ids.iter().collect();
    devices
        .into_iter()
        .filter(|d| wanted.contains(&d.device_id))
        .map(|d| (d.device_id.clone(), Arc::new(d)))
        .collect()
}

/// The estimated bytes one cached device costs: the device and what it points to, its key, and
/// moka's own bookkeeping per entry. Calibrated against the process's RSS: 10,000 devices as the
/// benchmark stub returns them cost about 1.4 KiB each.
pub(crate) fn device_weight(key: &Key, device: &Device) -> u32 {
    const PER_ENTRY: usize = 400; // moka: entry, its info, deque nodes, hash table slot
    const PER_ALLOCATION: usize = 16; // malloc's header and rounding, on average
    let text = |s: &str| {
        if s.is_empty() {
            0
        } else {
            s.len() + PER_ALLOCATION
        }
    };
    let maybe = |s: &Option<String>| s.as_deref().map_or(0, text);
    let issues = |v: &[crate::seam::wire::Issue]| {
        v.iter()
            .map(|i| {
                std::mem::size_of::<crate::seam::wire::Issue>()
                    + text(&i.error_code)
                    + text(&i.message)
            })
            .sum::<usize>()
    };
    let p = &device.properties;
    let bytes = PER_ENTRY
        + std::mem::size_of::<Device>()
        + PER_ALLOCATION
        + text(&key.1)
        + text(&device.device_id)
        + text(&device.device_type)
        + text(&device.display_name)
        + maybe(&device.nickname)
        + maybe(&device.connected_account_id)
        + maybe(&device.workspace_id)
        + device
            .capabilities_supported
            .iter()
            .map(|c| std::mem::size_of::<String>() + text(c))
            .sum::<usize>()
        + issues(&device.errors)
        + issues(&device.warnings)
        + maybe(&p.name)
        + maybe(&p.manufacturer)
        + maybe(&p.serial_number)
        + p.model.as_ref().map_or(0, |m| {
            maybe(&m.display_name) + maybe(&m.manufacturer_display_name)
        })
        + p.battery.as_ref().map_or(0, |b| maybe(&b.status))
        + p.supported_code_lengths
            .as_ref()
            .map_or(0, |v| v.len() * 4 + PER_ALLOCATION)
        + p.code_constraints.as_ref().map_or(0, |v| {
            v.iter()
                .map(|c| std::mem::size_of_val(c) + text(&c.constraint_type))
                .sum::<usize>()
        });
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

/// The task that keeps an idle process small: every [`SWEEP_EVERY`] it lets moka drop expired
/// devices, then has the allocator hand the memory freed since back to the system (`memory.rs`).
struct Sweeper(tokio::task::AbortHandle);

impl Sweeper {
    /// Starts the sweeper on the current tokio runtime (none outside one, as in plain unit tests).
    fn start(cache: &Cache<Key, Arc<Device>>) -> Option<Arc<Self>> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let cache = cache.clone();
        let task = runtime.spawn(async move {
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                cache.run_pending_tasks();
                crate::memory::release_free_memory();
            }
        });
        Some(Arc::new(Self(task.abort_handle())))
    }
}

impl Drop for Sweeper {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Remembers which access codes form a linked group (`common_code_key` -> ids), so that reading a
/// group costs one `access_codes/list` instead of a scan of every device. Filled by
/// `createLinkedAccessCodes` and by scans; entries are checked against the codes they name.
#[derive(Clone)]
pub(crate) struct LinkedGroupIndex {
    inner: moka::future::Cache<Key, Arc<Vec<String>>>,
    /// With Redis: the index every replica shares, behind this process's own.
    shared: Option<crate::cluster::groups::RedisGroups>,
    /// Keys a scan found no code for. Without this, asking for a made-up key rescans the whole
    /// workspace on every request; with it, for [`ABSENT_TTL`].
    absent: moka::future::Cache<Key, ()>,
}

/// How long a key that no code has is answered NOT_FOUND without another scan. A group created
/// outside this gateway in that time is seen once it passes.
pub(crate) const ABSENT_TTL: Duration = Duration::from_secs(30);

impl LinkedGroupIndex {
    pub(crate) fn new(ttl: Duration, capacity: u64) -> Self {
        Self {
            inner: moka::future::Cache::builder()
                .time_to_live(ttl)
                .max_capacity(capacity)
                .build(),
            absent: moka::future::Cache::builder()
                .time_to_live(ABSENT_TTL)
                .max_capacity(capacity)
                .build(),
            shared: None,
        }
    }

    /// Shares the index with other replicas through Redis.
    pub(crate) fn shared(mut self, redis: crate::cluster::groups::RedisGroups) -> Self {
        self.shared = Some(redis);
        self
    }

    /// True when a recent scan found no code with this key.
    pub(crate) async fn known_absent(&self, tenant: &TenantId, common_code_key: &str) -> bool {
        self.absent
            .contains_key(&(tenant.clone(), common_code_key.to_owned()))
    }

    pub(crate) async fn mark_absent(&self, tenant: &TenantId, common_code_key: &str) {
        self.absent
            .insert((tenant.clone(), common_code_key.to_owned()), ())
            .await;
    }

    pub(crate) async fn get(
        &self,
        tenant: &TenantId,
        common_code_key: &str,
    ) -> Option<Arc<Vec<String>>> {
        let key = (tenant.clone(), common_code_key.to_owned());
        if let Some(ids) = self.inner.get(&key).await {
            return Some(ids);
        }
        let shared = self.shared.as_ref()?;
        let ids = Arc::new(
            shared
                .get(&tenant.to_string(), common_code_key)
                .await
                .ok()??,
        );
        self.absent.invalidate(&key).await;
        self.inner.insert(key, ids.clone()).await;
        Some(ids)
    }

    pub(crate) async fn insert(&self, tenant: &TenantId, common_code_key: &str, ids: Vec<String>) {
        if let Some(shared) = &self.shared {
            shared
                .insert(&tenant.to_string(), common_code_key, &ids)
                .await;
        }
        let key = (tenant.clone(), common_code_key.to_owned());
        self.absent.invalidate(&key).await;
        self.inner.insert(key, Arc::new(ids)).await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Mutex;

    use futures::future::{BoxFuture, FutureExt};

    use super::*;
    use crate::seam::ApiKey;

    fn device(id: &str) -> Device {
        serde_json::from_value(serde_json::json!({ "device_id": id })).expect("device")
    }

    #[tokio::test]
    async fn should_drop_a_device_for_every_tenant() {
        let cache = DeviceCache::new(Duration::from_secs(60), 100);
        let (a, b) = (ApiKey::new("a"), ApiKey::new("b"));
        cache.insert(a.tenant(), Arc::new(device("d1"))).await;
        cache.insert(b.tenant(), Arc::new(device("d1"))).await;
        cache.insert(a.tenant(), Arc::new(device("d2"))).await;
        cache.invalidate_everywhere("d1").await;
        assert!(cache.get(a.tenant(), "d1").await.is_none());
        assert!(cache.get(b.tenant(), "d1").await.is_none());
        assert!(cache.get(a.tenant(), "d2").await.is_some());
    }

    /// A lock as Seam (and the benchmark stub) returns it.
    fn lock(id: &str) -> Device {
        serde_json::from_value(serde_json::json!({
            "device_id": id, "device_type": "august_lock", "display_name": "Door 0001",
            "nickname": "Front Door", "capabilities_supported": ["access_code", "lock"],
            "properties": { "name": "Front Door", "online": true, "locked": true },
            "connected_account_id": "11111111-1111-4111-8111-111111111111",
            "workspace_id": "22222222-2222-4222-8222-222222222222",
            "errors": [], "warnings": [], "created_at": "2025-01-01T00:00:00.000Z", "is_managed": true,
            "can_program_online_access_codes": true, "can_remotely_lock": true
        }))
        .expect("device")
    }

    fn inner(cache: &DeviceCache) -> &Cache<Key, Arc<Device>> {
        cache.inner.as_ref().expect("cache on")
    }

    #[test]
    fn should_weigh_a_lock_near_what_it_costs_in_memory() {
        // 10,000 such devices raised the gateway's RSS by about 14.5 MB.
        let id = "33333333-0001-4333-8333-000000000001";
        let key = (ApiKey::new("k").tenant().clone(), id.to_owned());
        let weight = device_weight(&key, &lock(id));
        assert!((1_100..=1_700).contains(&weight), "weight {weight}");
        let bigger = Device {
            display_name: "x".repeat(1_000),
            ..lock(id)
        };
        assert!(device_weight(&key, &bigger) >= weight + 950);
    }

    #[tokio::test]
    async fn should_keep_its_size_within_the_byte_budget() {
        let budget = 64 * 1024;
        let cache = DeviceCache::bounded(Duration::from_secs(60), 10_000, budget);
        let key = ApiKey::new("k");
        for n in 0..500 {
            let id = format!("33333333-0001-4333-8333-{n:012}");
            cache.insert(key.tenant(), Arc::new(lock(&id))).await;
        }
        inner(&cache).run_pending_tasks();
        let (size, count) = (inner(&cache).weighted_size(), inner(&cache).entry_count());
        assert!(size <= budget, "{size} bytes cached");
        assert!((20..=60).contains(&count), "{count} devices cached");
    }

    #[tokio::test]
    async fn should_keep_the_entry_bound_when_devices_are_small() {
        let cache = DeviceCache::bounded(Duration::from_secs(60), 10, 1024 * 1024);
        let key = ApiKey::new("k");
        for n in 0..50 {
            cache
                .insert(key.tenant(), Arc::new(device(&format!("d{n}"))))
                .await;
        }
        inner(&cache).run_pending_tasks();
        assert!(inner(&cache).entry_count() <= 10);
    }

    /// A fetch of device `d1` that takes `delay` and counts its calls in `calls`.
    fn counted_fetch(
        calls: Arc<AtomicU64>,
        delay: Duration,
    ) -> impl Fn(Vec<String>) -> BoxFuture<'static, Result<Vec<Device>, SeamError>> + Clone {
        move |_| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
                Ok(vec![device("d1")])
            }
            .boxed()
        }
    }

    #[tokio::test]
    async fn should_drop_a_fetch_whose_waiters_all_left_and_start_afresh() {
        let cache = DeviceCache::bounded(Duration::from_secs(60), 100, 1024 * 1024);
        let key = ApiKey::new("k");
        let ids = vec!["d1".to_owned()];
        let calls = Arc::new(AtomicU64::new(0));
        let slow = |calls| counted_fetch(calls, Duration::from_millis(100));
        // The only waiter gives up (its client hung up) while the fetch is under way.
        let gone = tokio::time::timeout(
            Duration::from_millis(10),
            cache.get_many(key.tenant(), &ids, slow(calls.clone())),
        )
        .await;
        assert!(gone.is_err());
        // The fetch went with it, and took its entry out of the in-flight map at once.
        assert!(cache.fetches.is_idle());
        // A later request does not resume the abandoned fetch: it makes its own, with its own
        // deadline, and that one fills the cache.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let again = cache
            .get_many(key.tenant(), &ids, slow(calls.clone()))
            .await
            .expect("fetched again");
        assert!(again.contains_key("d1"));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert!(cache.fetches.is_idle());
        assert!(cache.get(key.tenant(), "d1").await.is_some());
    }

    #[tokio::test]
    async fn should_share_one_fetch_between_concurrent_misses_and_survive_one_leaving() {
        let cache = DeviceCache::bounded(Duration::from_secs(60), 100, 1024 * 1024);
        let key = ApiKey::new("k");
        let ids = vec!["d1".to_owned()];
        let calls = Arc::new(AtomicU64::new(0));
        let fetch = |calls| counted_fetch(calls, Duration::from_millis(50));
        let first = cache.get_many(key.tenant(), &ids, fetch(calls.clone()));
        let second = cache.get_many(key.tenant(), &ids, fetch(calls.clone()));
        let mut first = Box::pin(first);
        // The first starts the fetch, then leaves; the second, which joined it, still gets it.
        assert!(futures::poll!(first.as_mut()).is_pending());
        let mut second = Box::pin(second);
        assert!(futures::poll!(second.as_mut()).is_pending());
        drop(first);
        let found = second.await.expect("the shared fetch");
        assert!(found.contains_key("d1"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(cache.fetches.is_idle());
    }

    /// A fetch that answers every id asked for but "absent", and records each call's ids. Like
    /// Seam with an id that is not a UUID, it refuses the whole call (400) if one id is "bad".
    fn recorded_fetch(
        calls: Arc<Mutex<Vec<Vec<String>>>>,
    ) -> impl Fn(Vec<String>) -> BoxFuture<'static, Result<Vec<Device>, SeamError>> + Clone {
        move |ids| {
            let calls = calls.clone();
            async move {
                calls.lock().expect("calls").push(ids.clone());
                tokio::task::yield_now().await;
                if ids.iter().any(|id| id == "bad") {
                    let message = "device_ids: invalid uuid";
                    return Err(SeamError::api(
                        400,
                        "invalid_input".into(),
                        message,
                        None,
                        None,
                        None,
                    ));
                }
                Ok(ids
                    .iter()
                    .filter(|id| *id != "absent")
                    .map(|id| device(id))
                    .collect())
            }
            .boxed()
        }
    }

    #[tokio::test]
    async fn should_gather_the_concurrent_misses_of_one_tenant_into_one_fetch() {
        let cache = DeviceCache::bounded(Duration::from_secs(60), 100, 1024 * 1024);
        let key = ApiKey::new("k");
        let calls = Arc::new(Mutex::new(Vec::new()));
        // Three requests miss at once, each for devices of its own (one of them asked twice).
        let asks = [["d1", "d2"], ["d3", "d1"], ["absent", "d4"]]
            .map(|ids| ids.map(str::to_owned).to_vec());
        let found = futures::future::join_all(
            asks.iter()
                .map(|ids| cache.get_many(key.tenant(), ids, recorded_fetch(calls.clone()))),
        )
        .await;
        let calls = calls.lock().expect("calls").clone();
        assert_eq!(calls.len(), 1, "one upstream call: {calls:?}");
        let mut asked = calls[0].clone();
        asked.sort();
        assert_eq!(asked, ["absent", "d1", "d2", "d3", "d4"], "each id once");
        // Each request gets exactly the devices it asked for.
        for (ids, found) in asks.iter().zip(found) {
            let found = found.expect("fetched");
            let mut got: Vec<&String> = found.keys().collect();
            got.sort();
            let mut wanted: Vec<&String> = ids.iter().filter(|id| *id != "absent").collect();
            wanted.sort();
            assert_eq!(got, wanted);
        }
        assert!(cache.fetches.is_idle());
    }

    #[tokio::test]
    async fn should_ask_again_alone_when_a_gathered_call_is_refused_for_another_requests_id() {
        let cache = DeviceCache::bounded(Duration::from_secs(60), 100, 1024 * 1024);
        let key = ApiKey::new("k");
        let calls = Arc::new(Mutex::new(Vec::new()));
        let (good, bad) = (["d1".to_owned()], ["bad".to_owned()]);
        let (good, bad) = futures::join!(
            cache.get_many(key.tenant(), &good, recorded_fetch(calls.clone())),
            cache.get_many(key.tenant(), &bad, recorded_fetch(calls.clone())),
        );
        // The request with the good id is not failed by the other's.
        assert!(good.expect("its own device").contains_key("d1"));
        match bad {
            Err(SeamError::Api { status: 400, .. }) => {}
            other => panic!("the bad id gets Seam's refusal: {other:?}"),
        }
        let calls = calls.lock().expect("calls").clone();
        assert_eq!(calls.len(), 3, "gathered, then each alone: {calls:?}");
        assert_eq!(calls[0].len(), 2, "{calls:?}");
        assert!(cache.fetches.is_idle());
    }

    #[tokio::test]
    async fn should_not_ask_again_when_a_lone_request_is_refused() {
        let cache = DeviceCache::bounded(Duration::from_secs(60), 100, 1024 * 1024);
        let key = ApiKey::new("k");
        let calls = Arc::new(Mutex::new(Vec::new()));
        let ids = ["d1".to_owned(), "bad".to_owned()];
        let refused = cache
            .get_many(key.tenant(), &ids, recorded_fetch(calls.clone()))
            .await;
        assert!(matches!(refused, Err(SeamError::Api { status: 400, .. })));
        assert_eq!(calls.lock().expect("calls").len(), 1);
    }

    #[tokio::test]
    async fn should_not_let_reads_after_an_invalidation_join_a_fetch_sent_before_it() {
        let cache = DeviceCache::bounded(Duration::from_secs(60), 100, 1024 * 1024);
        let key = ApiKey::new("k");
        let ids = vec!["d1".to_owned()];
        let calls = Arc::new(AtomicU64::new(0));
        let fetch = |calls| counted_fetch(calls, Duration::from_millis(50));
        let mut before = Box::pin(cache.get_many(key.tenant(), &ids, fetch(calls.clone())));
        // Polled until its fetch has gone upstream.
        while calls.load(Ordering::SeqCst) == 0 {
            assert!(futures::poll!(before.as_mut()).is_pending());
            tokio::task::yield_now().await;
        }
        // A mutation touched the device meanwhile: a read from now on makes its own call.
        cache.invalidate(key.tenant(), "d1").await;
        let (before, after) = futures::join!(
            before,
            cache.get_many(key.tenant(), &ids, fetch(calls.clone()))
        );
        assert!(before.expect("the old read").contains_key("d1"));
        assert!(after.expect("the new read").contains_key("d1"));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert!(cache.fetches.is_idle());
    }

    #[tokio::test]
    async fn should_not_fill_the_cache_from_a_fetch_sent_before_an_invalidation() {
        let cache = DeviceCache::bounded(Duration::from_secs(60), 100, 1024 * 1024);
        let key = ApiKey::new("k");
        let ids = vec!["d1".to_owned()];
        let calls = Arc::new(AtomicU64::new(0));
        let mut read = Box::pin(cache.get_many(
            key.tenant(),
            &ids,
            counted_fetch(calls.clone(), Duration::from_millis(50)),
        ));
        while calls.load(Ordering::SeqCst) == 0 {
            assert!(futures::poll!(read.as_mut()).is_pending());
            tokio::task::yield_now().await;
        }
        cache.invalidate_everywhere("d1").await;
        assert!(read.await.expect("answered").contains_key("d1"));
        assert!(cache.get(key.tenant(), "d1").await.is_none(), "not cached");
    }

    #[tokio::test]
    async fn should_never_gather_the_misses_of_two_tenants_together() {
        let cache = DeviceCache::bounded(Duration::from_secs(60), 100, 1024 * 1024);
        let (one, two) = (ApiKey::new("k1"), ApiKey::new("k2"));
        let (calls_one, calls_two) = (Arc::default(), Arc::default());
        let ids = ["d1".to_owned()];
        let (a, b) = futures::join!(
            cache.get_many(one.tenant(), &ids, recorded_fetch(Arc::clone(&calls_one))),
            cache.get_many(two.tenant(), &ids, recorded_fetch(Arc::clone(&calls_two))),
        );
        assert!(a.expect("one").contains_key("d1") && b.expect("two").contains_key("d1"));
        assert_eq!(calls_one.lock().expect("calls").len(), 1);
        assert_eq!(calls_two.lock().expect("calls").len(), 1);
    }

    #[tokio::test]
    async fn should_forget_a_gathering_fetch_whose_waiters_all_left() {
        let cache = DeviceCache::bounded(Duration::from_secs(60), 100, 1024 * 1024);
        let key = ApiKey::new("k");
        let calls = Arc::new(Mutex::new(Vec::new()));
        let ids = ["d1".to_owned()];
        let mut gone = Box::pin(cache.get_many(key.tenant(), &ids, recorded_fetch(calls.clone())));
        // Still gathering when its only waiter leaves: nothing went upstream, nothing stays behind.
        assert!(futures::poll!(gone.as_mut()).is_pending());
        drop(gone);
        assert!(calls.lock().expect("calls").is_empty());
        assert!(cache.fetches.is_idle());
        let found = cache
            .get_many(key.tenant(), &ids, recorded_fetch(calls.clone()))
            .await
            .expect("fetched afresh");
        assert!(found.contains_key("d1"));
        assert_eq!(calls.lock().expect("calls").len(), 1);
    }

    #[tokio::test]
    async fn should_drop_expired_devices_while_idle() {
        let cache = DeviceCache::bounded(Duration::from_millis(50), 100, 1024 * 1024);
        let key = ApiKey::new("k");
        for n in 0..20 {
            cache
                .insert(key.tenant(), Arc::new(lock(&format!("d{n}"))))
                .await;
        }
        inner(&cache).run_pending_tasks();
        assert_eq!(inner(&cache).entry_count(), 20);
        // No lookups from here on: only the sweeper can drop them.
        tokio::time::sleep(SWEEP_EVERY + Duration::from_millis(500)).await;
        assert_eq!(inner(&cache).entry_count(), 0);
        assert_eq!(inner(&cache).weighted_size(), 0);
    }
}
