//! Single connection mode's reservations. A `PUT` reserves a stream under a fresh token; one
//! `GET` with the token opens it; `POST`s and `DELETE`s with the token start and stop operations
//! whose results the open stream carries.
//!
//! The token is a bearer credential for the stream (a browser's `EventSource` cannot send
//! headers), so it is long, random, never logged, and dies with the stream.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::Engine;
use rand::RngCore;
use tokio::sync::mpsc;

use super::operation::Operation;
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

/// The reserved streams, by token.
#[derive(Clone, Default)]
pub(crate) struct Streams {
    by_token: Arc<Mutex<HashMap<String, Arc<Reserved>>>>,
}

/// One reserved stream.
pub(super) struct Reserved {
    /// The key every operation on the stream acts with (`None`: they answer UNAUTHENTICATED).
    pub(super) key: Option<ApiKey>,
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
    /// Reserves a stream; it is forgotten unless opened within `open_within`.
    pub(super) fn reserve(
        &self,
        key: Option<ApiKey>,
        server_key: bool,
        open_within: Duration,
    ) -> String {
        let mut bytes = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut bytes);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let (commands, receiver) = mpsc::unbounded_channel();
        let reserved = Arc::new(Reserved {
            key,
            server_key,
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
                by_token.remove(&expiring);
            }
        });
        token
    }

    pub(super) fn get(&self, token: &str) -> Option<Arc<Reserved>> {
        self.lock().get(token).cloned()
    }

    /// Forgets a stream (its connection ended).
    pub(super) fn remove(&self, token: &str) {
        self.lock().remove(token);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Reserved>>> {
        self.by_token.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Reserved {
    /// The commands for the connection that opens the stream; `None` when one already has.
    pub(super) fn open(&self) -> Option<mpsc::UnboundedReceiver<Command>> {
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
