//! Device fetches under way: shared by every request that misses the same device, and gathered
//! across the requests of one connection lane so that concurrent misses of different devices go
//! upstream in one `devices/list` call.
//!
//! A request's own lookups are already one batch (`loaders/batch.rs`). Under load, though, several
//! requests on a lane miss at the same moment, each for a device of its own: one call each is as
//! many HTTP exchanges with Seam, as many wake-ups, and as much of Seam's rate limit. A fetch that
//! starts here first lets the lane's other ready tasks run (a turn, more while ids keep coming),
//! and takes the ids they add before it goes upstream. A lone request pays one turn of its task;
//! no timer, no other thread. Only requests of one tenant (one API key) share a fetch, and only on
//! one lane, whose runtime owns the pooled connection the call goes out on.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use futures::future::{BoxFuture, FutureExt, Shared, WeakShared};
use moka::sync::Cache;

use super::Key;
use crate::seam::{wire::Device, SeamError, TenantId};

/// What one upstream fetch gives: the devices found, by id.
type Fetching = BoxFuture<'static, Result<Arc<HashMap<String, Arc<Device>>>, Failed>>;
/// One upstream fetch that several requests may wait on.
pub(super) type Fetch = Shared<Fetching>;

/// A fetch that failed, and whether it carried the ids of more than one request.
#[derive(Clone, Debug)]
pub(super) struct Failed {
    pub(super) error: SeamError,
    gathered: bool,
}

impl Failed {
    /// Whether Seam refused the call as a bad request (400) with other requests' ids in it: the
    /// fault may be theirs (an id Seam will not take), so each request's own ids are to be asked
    /// for again, alone. Anything else (the key refused, Seam down) is everyone's answer.
    pub(super) fn may_be_another_requests(&self) -> bool {
        self.gathered && matches!(self.error, SeamError::Api { status: 400, .. })
    }
}

/// Most turns a fetch waits for more ids while they keep coming: a bound, so that a lane busy with
/// ever new misses still sends.
const MAX_TURNS: u32 = 8;

/// The fetches under way, and those still gathering ids, under one lock.
#[derive(Clone, Default)]
pub(super) struct Fetches(Arc<Mutex<State>>);

#[derive(Default)]
struct State {
    /// Each device being fetched, and by which fetch.
    inflight: HashMap<Key, InFlight>,
    /// Per lane and tenant, the fetch that still takes ids.
    gathering: HashMap<(usize, TenantId), Gathering>,
}

/// A fetch under way, as the in-flight map holds it: weakly, so that it lives only as long as
/// someone waits for it. A fetch every waiter left (their clients hung up) is dropped with them;
/// kept alive by the map, the next request for one of its devices, seconds later, resumed it past
/// its 10 s deadline: UPSTREAM_TIMEOUT in under a millisecond.
struct InFlight {
    /// Which fetch this is, so that a finished or dropped fetch removes only its own entries.
    fetch_id: u64,
    fetch: WeakShared<Fetching>,
}

/// A fetch that has not gone upstream yet: the ids it will ask for.
struct Gathering {
    fetch_id: u64,
    ids: Vec<String>,
    /// How many requests added ids.
    requests: usize,
    fetch: WeakShared<Fetching>,
}

impl Fetches {
    /// The fetches that will answer `missing` (ids the cache did not have), one per id: one
    /// already under way for the id, else the lane's gathering fetch for this tenant, else a new
    /// one made with a clone of `fetch` (only then cloned), which is called with every id gathered
    /// once the fetch goes upstream. Found devices go into `cache`.
    pub(super) fn join<F, Fut>(
        &self,
        cache: &Cache<Key, Arc<Device>>,
        tenant: &TenantId,
        missing: Vec<String>,
        fetch: &F,
    ) -> Vec<(String, Fetch)>
    where
        F: FnOnce(Vec<String>) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = Result<Vec<Device>, SeamError>> + Send + 'static,
    {
        let mut waits = Vec::with_capacity(missing.len());
        let mut state = self.lock();
        let mut mine = Vec::new();
        for id in missing {
            let key = (tenant.clone(), id);
            match state.inflight.get(&key).and_then(|f| f.fetch.upgrade()) {
                Some(fetching) => waits.push((key.1, fetching)),
                None => mine.push(key.1),
            }
        }
        if mine.is_empty() {
            return waits;
        }
        let lane = crate::lanes::current();
        let open = state
            .gathering
            .get_mut(&(lane, tenant.clone()))
            .and_then(|g| Some((g.fetch.upgrade()?, g)));
        let (fetch_id, shared) = match open {
            Some((shared, gathering)) => {
                gathering.ids.extend(mine.iter().cloned());
                gathering.requests += 1;
                (gathering.fetch_id, shared)
            }
            None => {
                let (fetch_id, shared) =
                    self.gather(cache.clone(), lane, tenant.clone(), fetch.clone());
                if let Some(weak) = shared.downgrade() {
                    let gathering = Gathering {
                        fetch_id,
                        ids: mine.clone(),
                        requests: 1,
                        fetch: weak,
                    };
                    state.gathering.insert((lane, tenant.clone()), gathering);
                }
                (fetch_id, shared)
            }
        };
        if let Some(weak) = shared.downgrade() {
            for id in &mine {
                let entry = InFlight {
                    fetch_id,
                    fetch: weak.clone(),
                };
                state.inflight.insert((tenant.clone(), id.clone()), entry);
            }
        }
        // The strong handles leave the lock with the caller: dropping the last one drops the
        // fetch, whose clean-up takes the lock.
        drop(state);
        waits.extend(mine.into_iter().map(|id| (id, shared.clone())));
        waits
    }

    /// A new fetch for `tenant` on `lane`: it gathers ids while the lane's other tasks take their
    /// turns, then calls `fetch` once for all of them and fills the cache. It runs in the tasks
    /// of the requests waiting for it (a task of its own cost a spawn and a wake-up per miss), and
    /// takes its entries out of the in-flight map when it ends, finished or dropped.
    fn gather<F, Fut>(
        &self,
        cache: Cache<Key, Arc<Device>>,
        lane: usize,
        tenant: TenantId,
        fetch: F,
    ) -> (u64, Fetch)
    where
        F: FnOnce(Vec<String>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Vec<Device>, SeamError>> + Send + 'static,
    {
        static FETCHES: AtomicU64 = AtomicU64::new(0);
        let fetch_id = FETCHES.fetch_add(1, Ordering::Relaxed);
        let mut leave = Leave {
            fetches: self.clone(),
            lane,
            tenant: tenant.clone(),
            ids: Vec::new(),
            fetch_id,
            closed: false,
        };
        let fetching = async move {
            WhileIdsCome {
                fetches: &leave.fetches,
                key: (lane, tenant.clone()),
                fetch_id,
                seen: 0,
                turns: 0,
            }
            .await;
            let (ids, requests) = leave.close();
            // Never an empty `device_ids`, which Seam would read as no filter at all.
            if ids.is_empty() {
                return Ok(Arc::default());
            }
            let devices = fetch(ids).await.map_err(|error| Failed {
                error,
                gathered: requests > 1,
            })?;
            let devices = super::asked_for(&leave.ids, devices);
            leave.finish(&cache, &devices);
            Ok(Arc::new(devices))
        };
        (fetch_id, fetching.boxed().shared())
    }

    /// Lets reads that start from now on not join the fetches under way for these devices, nor
    /// those fetches fill the cache with them: after a mutation or a `device.*` event, a fetch
    /// sent before may bring the device as it was.
    pub(super) fn forget(&self, stale: impl Fn(&Key) -> bool) {
        self.lock().inflight.retain(|key, _| !stale(key));
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every change under this lock is a few plain inserts and removes.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether nothing is under way or gathering (tests).
    #[cfg(test)]
    pub(super) fn is_idle(&self) -> bool {
        let state = self.lock();
        state.inflight.is_empty() && state.gathering.is_empty()
    }
}

/// Yields while other tasks add ids to the gathering fetch: once, then again for as long as each
/// turn brought more (up to [`MAX_TURNS`]).
struct WhileIdsCome<'a> {
    fetches: &'a Fetches,
    key: (usize, TenantId),
    fetch_id: u64,
    seen: usize,
    turns: u32,
}

impl Future for WhileIdsCome<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let gathered = {
            let state = this.fetches.lock();
            match state.gathering.get(&this.key) {
                Some(g) if g.fetch_id == this.fetch_id => g.ids.len(),
                _ => return Poll::Ready(()),
            }
        };
        if this.turns >= MAX_TURNS || (this.turns > 0 && gathered == this.seen) {
            return Poll::Ready(());
        }
        this.seen = gathered;
        this.turns += 1;
        // To the back of the lane's run queue: the tasks ready now run before this one again.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// A fetch's place in the maps, given up when the fetch ends (dropped with it, whether it finished
/// or every waiter left): its gathering entry if it never went upstream, and the in-flight entries
/// of its ids that no newer fetch has taken over.
struct Leave {
    fetches: Fetches,
    lane: usize,
    tenant: TenantId,
    ids: Vec<String>,
    fetch_id: u64,
    /// Set once the fetch stopped gathering.
    closed: bool,
}

impl Leave {
    /// Stops gathering: the ids gathered, which the fetch now asks for, and how many requests
    /// they came from.
    fn close(&mut self) -> (Vec<String>, usize) {
        let fetches = self.fetches.clone();
        let mut state = fetches.lock();
        let requests = self.take_gathering(&mut state);
        self.closed = true;
        (self.ids.clone(), requests)
    }

    /// Puts the devices found in the cache, those still this fetch's (not forgotten meanwhile),
    /// and gives up the fetch's entries, under one lock.
    fn finish(mut self, cache: &Cache<Key, Arc<Device>>, devices: &HashMap<String, Arc<Device>>) {
        let fetches = self.fetches.clone();
        let mut state = fetches.lock();
        for (id, device) in devices {
            let key = (self.tenant.clone(), id.clone());
            if state
                .inflight
                .get(&key)
                .is_some_and(|f| f.fetch_id == self.fetch_id)
            {
                cache.insert(key, device.clone());
            }
        }
        self.leave(&mut state);
    }

    /// Takes the fetch's entries out of the maps: its gathering entry if it is still gathering,
    /// and the in-flight entries of its ids that no newer fetch has taken over.
    fn leave(&mut self, state: &mut State) {
        if !self.closed {
            self.take_gathering(state);
            self.closed = true;
        }
        for id in self.ids.drain(..) {
            let key = (self.tenant.clone(), id);
            if state
                .inflight
                .get(&key)
                .is_some_and(|f| f.fetch_id == self.fetch_id)
            {
                state.inflight.remove(&key);
            }
        }
    }

    fn take_gathering(&mut self, state: &mut State) -> usize {
        let key = (self.lane, self.tenant.clone());
        // Only its own entry: a newer fetch may be gathering for this lane and tenant already.
        match state.gathering.get(&key) {
            Some(g) if g.fetch_id == self.fetch_id => {}
            _ => return 0,
        }
        let Some(gathering) = state.gathering.remove(&key) else {
            return 0;
        };
        self.ids.extend(gathering.ids);
        gathering.requests
    }
}

impl Drop for Leave {
    fn drop(&mut self) {
        // Nothing left to give up once `finish` has run.
        if self.closed && self.ids.is_empty() {
            return;
        }
        let fetches = self.fetches.clone();
        self.leave(&mut fetches.lock());
    }
}
