//! Single connection mode's reservations. A `PUT` reserves a stream under a fresh token; one
//! `GET` with the token opens it; `POST`s and `DELETE`s with the token start and stop operations
//! whose results the open stream carries.
//!
//! The token is a bearer credential for the stream (a browser's `EventSource` cannot send
//! headers), so it is long, random, never logged, and dies with the stream.
//!
//! A reservation costs memory until it is opened or expires, and a `PUT` costs the client
//! nothing, so reservations not yet opened are capped per API key and in total: a client
//! reserving in a loop is refused (RATE_LIMITED) instead of growing the process. The key is not
//! checked with Seam before a stream is opened, so the total cap is what holds against made-up keys.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::Engine;
use rand::RngCore;
use tokio::sync::mpsc;

use super::operation::Operation;
use crate::http::key_counts::{Full, Held, KeyCounts};
use crate::seam::ApiKey;

/// What the requests on a stream ask of the connection that carries it.
pub(super) enum Command {
    Start(String, Operation),
    Stop(String),
}

/// Why an operation cannot start.
pub(super) enum Refused {
    /// An operation with this id is running on the stream.
    Duplicate,
    /// The stream already runs as many operations as it may.
    Full,
}

/// How many reservations may wait to be opened: per key, and in all.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PendingLimits {
    pub(crate) per_key: usize,
    pub(crate) total: usize,
}

/// The reserved streams, by token.
#[derive(Clone)]
pub(crate) struct Streams {
    by_token: Arc<Mutex<HashMap<String, Arc<Reserved>>>>,
    /// Reservations not opened yet, by key, against [`PendingLimits`].
    pending: KeyCounts,
}

/// One reserved stream.
pub(super) struct Reserved {
    /// The key every operation on the stream acts with (`None`: they answer UNAUTHENTICATED).
    pub(super) key: Option<ApiKey>,
    /// Its place among its key's unopened reservations, until it is opened or expires.
    pending: Mutex<Option<Held>>,
    /// Reserved without `Authorization`, so with the gateway's own key: every request on the
    /// stream must then pass the origin rule as well.
    pub(super) server_key: bool,
    /// Operations started and neither stopped nor finished. Checked here, not by the connection,
    /// so that a POST can be answered 409 before its operation is handed over.
    operations: Mutex<HashSet<String>>,
    /// Unbounded, yet bounded in fact: a `Start` is sent only for a claimed id (at most the
    /// stream's limit), a `Stop` only for one that was claimed.
    commands: mpsc::UnboundedSender<Command>,
    /// Taken by the one connection that opens the stream.
    receiver: Mutex<Option<mpsc::UnboundedReceiver<Command>>>,
}

impl Streams {
    pub(crate) fn new(limits: PendingLimits) -> Self {
        Self {
            by_token: Arc::default(),
            pending: KeyCounts::new(limits.per_key, limits.total),
        }
    }

    /// Reserves a stream; it is forgotten unless opened within `open_within`. Refused with the cap
    /// reached when the key, or the gateway, already holds as many unopened reservations as it may.
    pub(super) fn reserve(
        &self,
        key: Option<ApiKey>,
        server_key: bool,
        open_within: Duration,
    ) -> Result<String, Full> {
        let held = self.pending.take(key.as_ref().map(ApiKey::tenant))?;
        let mut bytes = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut bytes);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let (commands, receiver) = mpsc::unbounded_channel();
        let reserved = Arc::new(Reserved {
            key,
            server_key,
            pending: Mutex::new(Some(held)),
            operations: Mutex::default(),
            commands,
            receiver: Mutex::new(Some(receiver)),
        });
        self.lock().insert(token.clone(), reserved);
        let streams = self.clone();
        let expiring = token.clone();
        tokio::spawn(async move {
            tokio::time::sleep(open_within).await;
            let mut by_token = streams.lock();
            if by_token.get(&expiring).is_some_and(|r| !r.is_open()) {
                if let Some(reserved) = by_token.remove(&expiring) {
                    reserved.leave_pending();
                }
            }
        });
        Ok(token)
    }

    pub(super) fn get(&self, token: &str) -> Option<Arc<Reserved>> {
        self.lock().get(token).cloned()
    }

    /// Opens a reserved stream: the commands for its connection, or `None` when one already has.
    pub(super) fn open(&self, reserved: &Reserved) -> Option<mpsc::UnboundedReceiver<Command>> {
        // Under the streams' lock: the expiry checks `is_open` under it too.
        let _by_token = self.lock();
        let commands = reserved.take_receiver()?;
        reserved.leave_pending();
        Some(commands)
    }

    /// Forgets a stream (its connection ended).
    pub(super) fn remove(&self, token: &str) {
        self.lock().remove(token);
    }

    /// Reservations waiting to be opened, in all.
    #[cfg(test)]
    fn pending(&self) -> usize {
        self.pending.total()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Reserved>>> {
        self.by_token.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Reserved {
    /// Gives its place among the key's unopened reservations back (once).
    fn leave_pending(&self) {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// The commands for the connection that opens the stream; `None` when one already has.
    fn take_receiver(&self) -> Option<mpsc::UnboundedReceiver<Command>> {
        self.receiver
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    fn is_open(&self) -> bool {
        self.receiver
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }

    /// Claims `id` for a new operation.
    pub(super) fn claim(&self, id: &str, max: usize) -> Result<(), Refused> {
        let mut operations = self.operations();
        if operations.contains(id) {
            return Err(Refused::Duplicate);
        }
        if operations.len() >= max {
            return Err(Refused::Full);
        }
        operations.insert(id.to_owned());
        Ok(())
    }

    /// Hands a claimed operation to the stream; false when it was stopped in the meantime.
    pub(super) fn start(&self, id: String, operation: Operation) -> bool {
        if !self.operations().contains(&id) {
            return false;
        }
        // Fails only when the stream is gone, which ends the operation as well.
        let _ = self.commands.send(Command::Start(id, operation));
        true
    }

    /// Stops an operation (the client's DELETE); nothing happens for an unknown id.
    pub(super) fn stop(&self, id: &str) {
        if self.operations().remove(id) {
            let _ = self.commands.send(Command::Stop(id.to_owned()));
        }
    }

    /// Releases an id: its operation finished, or never started.
    pub(super) fn release(&self, id: &str) {
        self.operations().remove(id);
    }

    fn operations(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.operations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    //! The count of unopened reservations, which the caps rest on: up by a PUT, down once by the
    //! GET that opens the stream or by its expiry, never both.

    use std::time::Duration;

    use super::{PendingLimits, Streams};
    use crate::http::key_counts::Full;
    use crate::seam::ApiKey;

    /// Long enough that nothing expires before the test means it to, even on a loaded machine.
    const OPEN_WITHIN: Duration = Duration::from_secs(1);

    fn key(name: &str) -> Option<ApiKey> {
        Some(ApiKey::new(name.to_owned()))
    }

    #[tokio::test]
    async fn should_cap_unopened_reservations_per_key_and_in_all_until_opened_or_expired() {
        let streams = Streams::new(PendingLimits {
            per_key: 2,
            total: 3,
        });
        let reserve = |name: &str| Streams::reserve(&streams, key(name), false, OPEN_WITHIN);

        let first = reserve("seam_a").expect("under the caps");
        reserve("seam_a").expect("under the caps");
        assert_eq!(reserve("seam_a"), Err(Full::Key(2)));
        reserve("seam_b").expect("another key has its own count");
        assert_eq!(reserve("seam_c"), Err(Full::Total(3)));
        assert_eq!(streams.pending(), 3);

        // Opening takes a reservation out of the count, once.
        let opened = streams.get(&first).expect("reserved");
        assert!(streams.open(&opened).is_some());
        assert!(streams.open(&opened).is_none());
        assert_eq!(streams.pending(), 2);
        reserve("seam_a").expect("room again for this key");

        // The others expire, and their room comes back; the opened stream stays.
        tokio::time::sleep(OPEN_WITHIN + Duration::from_millis(200)).await;
        assert_eq!(streams.pending(), 0);
        assert!(
            streams.get(&first).is_some(),
            "an open stream does not expire"
        );
        reserve("seam_c").expect("room after expiry");
    }
}
