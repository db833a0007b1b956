//! Errors and warnings Seam reports on devices and access codes.

use async_graphql::SimpleObject;

use super::scalars::DateTime;
use crate::seam::{redact_pins, wire};

/// A problem Seam reports on a device or an access code; while an error is present the PIN may not
/// work on the lock.
#[derive(SimpleObject, Clone)]
pub(super) struct SeamIssueError {
    /// Seam's machine-readable code, e.g. `device_offline` or `failed_to_set_on_device`.
    pub error_code: String,
    /// Seam's human-readable explanation.
    pub message: String,
    /// When Seam first reported it.
    pub created_at: Option<DateTime>,
    /// True when the error is about the device rather than the code.
    pub is_device_error: bool,
    /// True when the error is about the connected account (e.g. it was disconnected).
    pub is_connected_account_error: bool,
}

/// Something worth knowing that does not stop the PIN from working, e.g. `delay_in_setting_on_device`.
#[derive(SimpleObject, Clone)]
pub(super) struct SeamIssueWarning {
    /// Seam's machine-readable code, e.g. `delay_in_setting_on_device`.
    pub warning_code: String,
    /// Seam's human-readable explanation.
    pub message: String,
    /// When Seam first reported it.
    pub created_at: Option<DateTime>,
}

impl From<&wire::Issue> for SeamIssueError {
    fn from(i: &wire::Issue) -> Self {
        Self {
            error_code: i.error_code.clone(),
            message: redact_pins(&i.message),
            created_at: i.created_at.map(DateTime),
            is_device_error: i.is_device_error.unwrap_or(false),
            is_connected_account_error: i.is_connected_account_error.unwrap_or(false),
        }
    }
}

impl From<&wire::Issue> for SeamIssueWarning {
    fn from(i: &wire::Issue) -> Self {
        Self {
            warning_code: i.error_code.clone(),
            message: redact_pins(&i.message),
            created_at: i.created_at.map(DateTime),
        }
    }
}

pub(super) fn errors(issues: &[wire::Issue]) -> Vec<SeamIssueError> {
    issues.iter().map(SeamIssueError::from).collect()
}

pub(super) fn warnings(issues: &[wire::Issue]) -> Vec<SeamIssueWarning> {
    issues.iter().map(SeamIssueWarning::from).collect()
}
