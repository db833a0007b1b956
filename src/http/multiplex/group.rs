//! A group of identical subscriptions: one execution in its own task, whose results are
//! broadcast to the group's members. Members join while the group is joinable and leave by being
//! dropped; the last one out stops the execution (and so unregisters it from the live hub).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use async_graphql::Response;
use futures::future::{BoxFuture, FutureExt, Shared as SharedFuture};
use futures::stream::{BoxStream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::task::AbortHandle;

use super::executed::{Executed, Shared};
use crate::events::LiveHub;
use crate::seam::TenantId;

/// What makes subscriptions identical: the same key (by its tenant hash), document, operation,
/// variables and extensions give the same results. Those four are kept as one SHA-256 rather than
/// as text: a document or its variables may be up to a websocket message long (a comment pads any
/// document), and every distinct subscription holds its key.
///
/// Identical subscriptions share per connection lane (`crate::lanes`), not across lanes: the
/// execution's task runs on the lane of its first member, and a result sent to a member on another
/// lane costs that lane's thread a wake-up (an eventfd write) per member and event. One execution
/// per lane wakes each lane once per event, and its members on the lane's own queue.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) struct GroupKey {
    tenant: TenantId,
    request: [u8; 32],
    lane: usize,
}

impl GroupKey {
    /// The variables and extensions go in as JSON, in the client's order: the same values in
    /// another order only miss the sharing, they are never confused.
    pub(super) fn new(tenant: TenantId, request: &async_graphql::Request) -> Self {
        let variables = serde_json::to_vec(&request.variables).unwrap_or_default();
        let extensions = serde_json::to_vec(&request.extensions).unwrap_or_default();
        let operation = request.operation_name.as_deref().map(str::as_bytes);
        let mut digest = Sha256::new();
        // Each part with its length first (and the operation with whether there is one), so no
        // two different requests run together into the same bytes.
        for part in [
            Some(request.query.as_bytes()),
            operation,
            Some(&variables[..]),
            Some(&extensions[..]),
        ] {
            match part {
                Some(bytes) => {
                    digest.update([1]);
                    digest.update((bytes.len() as u64).to_be_bytes());
                    digest.update(bytes);
                }
                None => digest.update([0]),
            }
        }
        Self {
            tenant,
            request: digest.finalize().into(),
            lane: crate::lanes::current(),
        }
    }
}

pub(super) type Registry = Mutex<HashMap<GroupKey, Weak<Group>>>;

pub(super) fn lock(registry: &Registry) -> MutexGuard<'_, HashMap<GroupKey, Weak<Group>>> {
    registry.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(super) struct Group {
    key: GroupKey,
    registry: Weak<Registry>,
    core: Arc<Core>,
    /// Resolves to true once the document has been validated (false if it never will be).
    validated: SharedFuture<BoxFuture<'static, bool>>,
    task: AbortHandle,
}

/// What the group's task shares with the group.
pub(super) struct Core {
    /// Results, then `None` at the end.
    results: broadcast::Sender<Option<Shared>>,
    state: Mutex<State>,
    live: LiveHub,
}

struct State {
    members: usize,
    /// The execution is registered with the live hub: later changes reach it.
    registered: bool,
    /// New members may still join: false once the execution ended, or was refused or failed
    /// before it registered (its one result is then already on its way, and the end follows).
    joinable: bool,
}

impl State {
    /// Members counted as live subscribers on top of the execution's own registration.
    fn riders(&self) -> usize {
        if self.registered {
            self.members.saturating_sub(1)
        } else {
            0
        }
    }
}

impl Core {
    pub(super) fn new(live: LiveHub, buffer: usize) -> Arc<Self> {
        Arc::new(Self {
            results: broadcast::channel(buffer.max(1)).0,
            state: Mutex::new(State {
                members: 0,
                registered: false,
                joinable: true,
            }),
            live,
        })
    }

    /// Changes the state, and the live hub's count of riders with it.
    fn update<R>(&self, change: impl FnOnce(&mut State) -> R) -> R {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let before = state.riders();
        let result = change(&mut state);
        let delta = state.riders() as isize - before as isize;
        if delta != 0 {
            self.live.add_riders(delta);
        }
        result
    }

    /// Called (by the subscription resolver, through its hook) once the execution is registered.
    pub(super) fn registered(&self) {
        self.update(|s| s.registered = true);
    }

    /// A member's receiver, if the group still takes members.
    fn join(&self) -> Option<broadcast::Receiver<Option<Shared>>> {
        self.update(|s| {
            s.joinable.then(|| {
                s.members += 1;
                // Taken under the state lock: a result that closes the group is marked so before
                // it is sent, so every member that got in receives it.
                self.results.subscribe()
            })
        })
    }

    fn leave(&self) {
        self.update(|s| s.members -= 1);
    }
}

impl Group {
    /// Starts the execution of `results` in its own task. The caller's member joins before the
    /// task can produce anything.
    pub(super) fn start(
        key: GroupKey,
        registry: &Arc<Registry>,
        core: Arc<Core>,
        results: BoxStream<'static, Response>,
        validated: BoxFuture<'static, bool>,
    ) -> Member {
        let first = core.join().expect("a new group takes members");
        let task = tokio::spawn(drive(results, core.clone())).abort_handle();
        let group = Arc::new(Self {
            key,
            registry: Arc::downgrade(registry),
            core,
            validated: validated.shared(),
            task,
        });
        lock(registry).insert(group.key.clone(), Arc::downgrade(&group));
        Member::new(group, first)
    }

    /// A new member, if the group still takes members.
    pub(super) fn join(self: Arc<Self>) -> Option<Member> {
        let results = self.core.join()?;
        Some(Member::new(self, results))
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.task.abort();
        if let Some(registry) = self.registry.upgrade() {
            let mut groups = lock(&registry);
            // Only this group's entry: a newer group may have replaced it.
            if groups.get(&self.key).is_some_and(|g| g.strong_count() == 0) {
                groups.remove(&self.key);
            }
        }
    }
}

/// Runs the execution: serialises each result once and hands it to every member.
async fn drive(mut results: BoxStream<'static, Response>, core: Arc<Core>) {
    while let Some(response) = results.next().await {
        let result = Executed::new(response);
        core.update(|s| {
            if !s.registered {
                s.joinable = false;
            }
        });
        // No receiver: every member has just left; the group is being dropped.
        let _ = core.results.send(Some(result));
    }
    // Unregistered from the hub before the members hear the end.
    drop(results);
    core.update(|s| {
        s.registered = false;
        s.joinable = false;
    });
    let _ = core.results.send(None);
}

/// One subscriber's share of a group.
pub(super) struct Member {
    group: Arc<Group>,
    results: broadcast::Receiver<Option<Shared>>,
}

impl Member {
    fn new(group: Arc<Group>, results: broadcast::Receiver<Option<Shared>>) -> Self {
        Self { group, results }
    }

    pub(super) fn validated(&self) -> BoxFuture<'static, bool> {
        self.group.validated.clone().boxed()
    }

    /// The member's results: the group's, and a SUBSCRIPTION_LAGGED result in place of any it
    /// fell too far behind to receive.
    pub(super) fn into_results(self) -> BoxStream<'static, Shared> {
        futures::stream::unfold(self, |mut member| async move {
            match member.results.recv().await {
                Ok(Some(result)) => Some((result, member)),
                Ok(None) | Err(RecvError::Closed) => None,
                Err(RecvError::Lagged(missed)) => Some((Executed::lagged(missed), member)),
            }
        })
        .boxed()
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        self.group.core.leave();
    }
}
