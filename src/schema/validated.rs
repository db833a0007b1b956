//! Tells a transport that a request passed parsing and validation, before it runs.
//!
//! async-graphql validates inside `execute_stream`, so a transport that must answer "accepted" or
//! "invalid" before the results flow elsewhere (graphql-sse's single connection mode answers a POST
//! with 202 and streams the results on another response) learns the outcome from this signal.

use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{ServerError, ValidationResult};
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

/// Fires a request's [`ValidationSignal`], if it has one, when validation succeeds.
pub(crate) struct SignalValidation;

impl ExtensionFactory for SignalValidation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SignalValidation)
    }
}

#[async_trait::async_trait]
impl Extension for SignalValidation {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await;
        if result.is_ok() {
            if let Some(signal) = ctx.data_opt::<ValidationSignal>() {
                signal.fire();
            }
        }
        result
    }
}
