//! One request's batch of lookups of a kind, sent when the request's resolvers have had their turn
//! rather than after a timer.
//!
//! async-graphql resolves sibling fields (and list items) by polling their futures together in the
//! request's task. The first resolver to ask for a key leads the batch: it yields, so that every
//! sibling polled after it adds its keys, and sends the batch on the first turn in which no key was
//! added. Others wait for the batch the leader sent. No timer, no other thread, no fixed delay:
//! a lone lookup costs one turn of the task, a page of them one call upstream.
//!
//! The batch in flight is a shared future, so any waiter can drive it: a waiter dropped half-way
//! (its list failed) leaves the rest unharmed, and a leader dropped before sending hands the lead
//! to a waiter that is still there.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};

use async_graphql::dataloader::Loader;
use futures::future::{BoxFuture, FutureExt, Shared};

/// How many turns a leader waits for keys that keep coming before it sends anyway: a bound, so a
/// resolver that adds keys on every turn cannot hold the batch back for ever.
const MAX_TURNS: u32 = 32;

type Found<L> = Arc<HashMap<String, <L as Loader<String>>::Value>>;
type Outcome<L> = Result<Found<L>, <L as Loader<String>>::Error>;
/// A batch on its way upstream (or back): whoever polls it drives it.
type Sent<L> = Shared<BoxFuture<'static, Outcome<L>>>;

/// One request's lookups through loader `L`, gathered into batches. `memo` keeps every answer for
/// the rest of the request, so a key asked for twice is fetched once, whatever the timing.
pub(crate) struct Batch<L: Loader<String>> {
    loader: OnceLock<Arc<L>>,
    memo: bool,
    state: Mutex<State<L>>,
}

struct State<L: Loader<String>> {
    open: Open<L>,
    /// Keys already sent, with the batch that carries them (only with `memo`).
    sent: HashMap<String, Sent<L>>,
}

/// The batch being gathered.
struct Open<L: Loader<String>> {
    keys: Vec<String>,
    asked: HashSet<String>,
    /// Whether a waiter leads this batch (it yields, then sends).
    led: bool,
    /// The other waiters, woken once the batch is sent (or its leader went away).
    waiting: Vec<Waker>,
    /// Set when the batch is sent; every waiter holds it, so each finds the batch it joined.
    sent: Arc<OnceLock<Sent<L>>>,
}

impl<L: Loader<String>> Default for Open<L> {
    fn default() -> Self {
        Self {
            keys: Vec::new(),
            asked: HashSet::new(),
            led: false,
            waiting: Vec::new(),
            sent: Arc::default(),
        }
    }
}

impl<L> Batch<L>
where
    L: Loader<String>,
    L::Error: Sync,
{
    /// Empty until the first lookup: a request that never asks pays for no loader.
    pub(crate) fn new(memo: bool) -> Self {
        Self {
            loader: OnceLock::new(),
            memo,
            state: Mutex::new(State {
                open: Open::default(),
                sent: HashMap::new(),
            }),
        }
    }

    /// The value for `key`, None when the loader did not find it.
    pub(crate) async fn load_one(
        &self,
        key: String,
        make: impl FnOnce() -> L,
    ) -> Result<Option<L::Value>, L::Error> {
        let mut found = self.load_many(std::iter::once(key.clone()), make).await?;
        Ok(found.remove(&key))
    }

    /// The values found for `keys` (keys not found are absent).
    pub(crate) async fn load_many(
        &self,
        keys: impl IntoIterator<Item = String>,
        make: impl FnOnce() -> L,
    ) -> Result<HashMap<String, L::Value>, L::Error> {
        let keys: Vec<String> = keys.into_iter().collect();
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let mut batches: Vec<Sent<L>> = Vec::new();
        let joined = {
            let mut state = self.lock();
            let mut joined = None;
            for key in &keys {
                if let Some(sent) = state.sent.get(key) {
                    if !batches.iter().any(|b| b.ptr_eq(sent)) {
                        batches.push(sent.clone());
                    }
                    continue;
                }
                if !state.open.asked.contains(key) {
                    state.open.asked.insert(key.clone());
                    state.open.keys.push(key.clone());
                }
                joined.get_or_insert_with(|| state.open.sent.clone());
            }
            joined
        };
        if let Some(ticket) = joined {
            self.loader.get_or_init(|| Arc::new(make()));
            batches.push(
                Join {
                    batch: self,
                    ticket,
                    role: Role::Joining,
                }
                .await,
            );
        }
        let mut found = HashMap::with_capacity(keys.len());
        for batch in batches {
            let values = batch.await?;
            for key in &keys {
                if let Some(value) = values.get(key) {
                    found.entry(key.clone()).or_insert_with(|| value.clone());
                }
            }
        }
        Ok(found)
    }

    /// The memo's answer for `key`, if this request has it already: `Some(found)` once the batch
    /// that carried `key` came back (`found` is None when the loader did not find it); None when
    /// `key` was not asked for, is still on its way, or its batch failed (a load then answers, as
    /// it would have).
    pub(crate) fn memoized(&self, key: &str) -> Option<Option<L::Value>> {
        let state = self.lock();
        match state.sent.get(key)?.peek()? {
            Ok(found) => Some(found.get(key).cloned()),
            Err(_) => None,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<L>> {
        // A panic elsewhere cannot leave the state half-changed: every change is a few plain writes.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends the open batch: from now on its keys are answered by this shared future.
    fn send(&self, state: &mut State<L>) -> Sent<L> {
        let open = std::mem::take(&mut state.open);
        let loader = self
            .loader
            .get()
            .expect("the loader is made before anyone joins a batch")
            .clone();
        let keys = Arc::new(open.keys);
        let sent: Sent<L> = {
            let keys = keys.clone();
            async move { loader.load(&keys).await.map(Arc::new) }
                .boxed()
                .shared()
        };
        if self.memo {
            for key in keys.iter() {
                state.sent.insert(key.clone(), sent.clone());
            }
        }
        let _ = open.sent.set(sent.clone());
        for waker in open.waiting {
            waker.wake();
        }
        sent
    }
}

/// Waiting for the open batch to be sent.
struct Join<'a, L: Loader<String>>
where
    L::Error: Sync,
{
    batch: &'a Batch<L>,
    ticket: Arc<OnceLock<Sent<L>>>,
    role: Role,
}

enum Role {
    /// Not yet polled.
    Joining,
    /// Leads the batch; `seen` keys were there at its last turn.
    Leading { seen: usize, turns: u32 },
    /// Waits; its waker is at this index of `Open::waiting`.
    Waiting(usize),
}

impl<L> Future for Join<'_, L>
where
    L: Loader<String>,
    L::Error: Sync,
{
    type Output = Sent<L>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Sent<L>> {
        let this = self.get_mut();
        if let Some(sent) = this.ticket.get() {
            return Poll::Ready(sent.clone());
        }
        let mut state = this.batch.lock();
        // Checked again under the lock: the leader may have sent in between.
        if let Some(sent) = this.ticket.get() {
            return Poll::Ready(sent.clone());
        }
        let open = &mut state.open;
        match &mut this.role {
            Role::Joining | Role::Waiting(_) if !open.led => {
                open.led = true;
                this.role = Role::Leading {
                    seen: open.keys.len(),
                    turns: 1,
                };
                // Yield once: the siblings polled after this one add their keys meanwhile.
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Role::Joining => {
                this.role = Role::Waiting(open.waiting.len());
                open.waiting.push(cx.waker().clone());
                Poll::Pending
            }
            Role::Waiting(at) => {
                match open.waiting.get_mut(*at) {
                    Some(waker) if waker.will_wake(cx.waker()) => {}
                    Some(waker) => *waker = cx.waker().clone(),
                    None => {
                        *at = open.waiting.len();
                        open.waiting.push(cx.waker().clone());
                    }
                }
                Poll::Pending
            }
            Role::Leading { seen, turns } => {
                if open.keys.len() != *seen && *turns < MAX_TURNS {
                    // Keys still arriving: give the others another turn.
                    *seen = open.keys.len();
                    *turns += 1;
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                let sent = this.batch.send(&mut state);
                Poll::Ready(sent)
            }
        }
    }
}

impl<L> Drop for Join<'_, L>
where
    L: Loader<String>,
    L::Error: Sync,
{
    /// A leader dropped before sending (its list failed) passes the lead on: the waiters are woken
    /// and the first to be polled leads.
    fn drop(&mut self) {
        if !matches!(self.role, Role::Leading { .. }) || self.ticket.get().is_some() {
            return;
        }
        let mut state = self.batch.lock();
        if !Arc::ptr_eq(&state.open.sent, &self.ticket) {
            return;
        }
        state.open.led = false;
        // Woken in place: the waiters keep their indices.
        for waker in &state.open.waiting {
            waker.wake_by_ref();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures::stream::{FuturesUnordered, StreamExt};

    use super::*;

    /// Answers every key but "absent" with its length, and records each batch it gets.
    #[derive(Default)]
    struct Recording {
        batches: Mutex<Vec<Vec<String>>>,
        calls: AtomicUsize,
    }

    struct Lengths(Arc<Recording>);

    impl Loader<String> for Lengths {
        type Value = usize;
        type Error = String;

        async fn load(&self, keys: &[String]) -> Result<HashMap<String, usize>, String> {
            self.0.calls.fetch_add(1, Ordering::SeqCst);
            self.0
                .batches
                .lock()
                .expect("batches lock")
                .push(keys.to_vec());
            // An upstream call takes a turn or two of its own.
            tokio::task::yield_now().await;
            Ok(keys
                .iter()
                .filter(|k| *k != "absent")
                .map(|k| (k.clone(), k.len()))
                .collect())
        }
    }

    fn fresh(memo: bool) -> (Batch<Lengths>, Arc<Recording>, impl Fn() -> Lengths) {
        let recording = Arc::new(Recording::default());
        let make = {
            let recording = recording.clone();
            move || Lengths(recording.clone())
        };
        (Batch::new(memo), recording, make)
    }

    #[tokio::test]
    async fn should_send_sibling_lookups_in_one_batch() {
        let (batch, recording, make) = fresh(true);
        let (a, b, c) = tokio::join!(
            batch.load_one("a".into(), &make),
            batch.load_one("bb".into(), &make),
            batch.load_one("absent".into(), &make),
        );
        assert_eq!((a, b, c), (Ok(Some(1)), Ok(Some(2)), Ok(None)));
        assert_eq!(
            *recording.batches.lock().expect("lock"),
            [vec!["a".to_owned(), "bb".into(), "absent".into()]]
        );
    }

    #[tokio::test]
    async fn should_send_a_key_asked_for_three_times_once() {
        let (batch, recording, make) = fresh(true);
        let found =
            futures::future::join_all((0..3).map(|_| batch.load_one("a".into(), &make))).await;
        assert!(found.iter().all(|f| *f == Ok(Some(1))));
        assert_eq!(
            *recording.batches.lock().expect("lock"),
            [vec!["a".to_owned()]]
        );
    }

    #[tokio::test]
    async fn should_gather_five_hundred_lookups_polled_as_async_graphql_polls_fields() {
        let (batch, recording, make) = fresh(true);
        let mut fields: FuturesUnordered<_> = (0..500)
            .map(|i| batch.load_one(format!("key{i}"), &make))
            .collect();
        let mut answered = 0;
        while let Some(found) = fields.next().await {
            assert!(matches!(found, Ok(Some(_))));
            answered += 1;
        }
        assert_eq!(answered, 500);
        assert_eq!(recording.calls.load(Ordering::SeqCst), 1);
        assert_eq!(recording.batches.lock().expect("lock")[0].len(), 500);
    }

    #[tokio::test]
    async fn should_answer_a_repeat_from_the_memo_only_when_asked_to() {
        let (batch, recording, make) = fresh(true);
        assert_eq!(batch.load_one("a".into(), &make).await, Ok(Some(1)));
        assert_eq!(
            batch
                .load_many(["a".to_owned()], &make)
                .await
                .map(|f| f.len()),
            Ok(1)
        );
        assert_eq!(recording.calls.load(Ordering::SeqCst), 1);

        let (batch, recording, make) = fresh(false);
        assert_eq!(batch.load_one("a".into(), &make).await, Ok(Some(1)));
        assert_eq!(batch.load_one("a".into(), &make).await, Ok(Some(1)));
        assert_eq!(recording.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn should_answer_from_the_memo_without_loading_only_once_a_batch_is_back() {
        let (batch, recording, make) = fresh(true);
        assert_eq!(batch.memoized("a"), None, "not asked yet");
        let mut load = Box::pin(batch.load_many(["a".to_owned(), "absent".to_owned()], &make));
        assert!(futures::poll!(&mut load).is_pending());
        assert_eq!(batch.memoized("a"), None, "asked, not sent");
        assert_eq!(load.await.map(|f| f.len()), Ok(1));
        assert_eq!(batch.memoized("a"), Some(Some(1)));
        assert_eq!(batch.memoized("absent"), Some(None), "answered: not found");
        assert_eq!(batch.memoized("b"), None);
        assert_eq!(recording.calls.load(Ordering::SeqCst), 1);

        let (batch, _, make) = fresh(false);
        assert_eq!(batch.load_one("a".into(), &make).await, Ok(Some(1)));
        assert_eq!(batch.memoized("a"), None, "no memo unless asked for");
    }

    #[tokio::test]
    async fn should_still_send_when_the_leader_is_dropped_before_sending() {
        let (batch, recording, make) = fresh(true);
        let mut leader = Box::pin(batch.load_one("a".into(), &make));
        // One poll: it leads, yields, and is then dropped (as when its list item failed).
        assert!(futures::poll!(&mut leader).is_pending());
        let follower = batch.load_one("bb".into(), &make);
        let mut follower = Box::pin(follower);
        assert!(futures::poll!(&mut follower).is_pending());
        drop(leader);
        assert_eq!(follower.await, Ok(Some(2)));
        assert_eq!(recording.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn should_start_a_new_batch_for_keys_asked_after_one_was_sent() {
        let (batch, recording, make) = fresh(true);
        let first = batch.load_one("a".into(), &make);
        let later = async {
            // Asks once the first batch is on its way.
            tokio::task::yield_now().await;
            tokio::task::yield_now().await;
            batch
                .load_many(["a".to_owned(), "ccc".to_owned()], &make)
                .await
        };
        let (first, later) = tokio::join!(first, later);
        assert_eq!(first, Ok(Some(1)));
        assert_eq!(later.map(|f| f.len()), Ok(2));
        assert_eq!(
            *recording.batches.lock().expect("lock"),
            [vec!["a".to_owned()], vec!["ccc".to_owned()]]
        );
    }
}
