//! The `ActionAttempt` type: Seam's record of an asynchronous action on a device.

use async_graphql::{Enum, Object, SimpleObject, ID};

use crate::seam::{redact_pins, wire};

/// Progress of an action attempt.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ActionAttemptStatus {
    /// Seam is still carrying out the action.
    Pending,
    /// The action completed.
    Success,
    /// The action failed; see `error`.
    Error,
}

/// Why an action attempt failed.
#[derive(SimpleObject, Clone)]
pub(super) struct ActionAttemptError {
    /// Seam's error type.
    #[graphql(name = "type")]
    pub kind: String,
    /// Seam's explanation.
    pub message: String,
}

/// An asynchronous action Seam performs on a device, such as creating, updating or deleting a code.
#[derive(Clone)]
pub(super) struct ActionAttempt(pub wire::ActionAttempt);

/// An asynchronous action Seam performs on a device, such as creating, updating or deleting a code.
#[Object]
impl ActionAttempt {
    /// Seam's action attempt id; pass it to `actionAttempt(id:)` to follow progress.
    async fn id(&self) -> ID {
        ID(self.0.action_attempt_id.clone())
    }
    /// What the action is, e.g. `CREATE_ACCESS_CODE`, `UPDATE_ACCESS_CODE`, `DELETE_ACCESS_CODE`.
    async fn action_type(&self) -> &str {
        &self.0.action_type
    }
    /// Pending, success or error.
    async fn status(&self) -> ActionAttemptStatus {
        match self.0.status.as_str() {
            "success" => ActionAttemptStatus::Success,
            "error" => ActionAttemptStatus::Error,
            _ => ActionAttemptStatus::Pending,
        }
    }
    /// Why the action failed; null unless `status` is `ERROR`.
    async fn error(&self) -> Option<ActionAttemptError> {
        self.0.error.as_ref().map(|e| ActionAttemptError {
            kind: e.kind.clone(),
            message: redact_pins(&e.message),
        })
    }
}
