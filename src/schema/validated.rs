//! Tells a transport that a request passed parsing and validation, before it runs.
//!
//! async-graphql validates inside `execute_stream`, so a transport that must answer "accepted" or
//! "invalid" before the results flow elsewhere (graphql-sse's single connection mode answers a POST
//! with 202 and streams the results on another response) learns the outcome from this signal.

use std::sync::{Mutex, PoisonError};

use async_graphql::extensions::ExtensionContext;
use tokio::sync::oneshot;

/// Request data: fired once the request's document is valid; dropped unfired otherwise.
pub struct ValidationSignal(Mutex<Option<oneshot::Sender<()>>>);

impl ValidationSignal {
    /// The signal to attach to a request, and the receiver that hears it.
    pub fn new() -> (Self, oneshot::Receiver<()>) {
        let (sender, receiver) = oneshot::channel();
        (Self(Mutex::new(Some(sender))), receiver)
    }

    fn fire(&self) {
        let sender = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(sender) = sender {
            let _ = sender.send(());
        }
    }
}

/// Fires the request's [`ValidationSignal`], if it has one: called once validation succeeded.
pub(super) fn signal_valid(ctx: &ExtensionContext<'_>) {
    if let Some(signal) = ctx.data_opt::<ValidationSignal>() {
        signal.fire();
    }
}
