//! Seam's response bodies, as far as the gateway reads them.

use serde::Deserialize;
use serde_json::Value;

use super::*;

#[derive(Debug, Deserialize)]
pub struct DeviceResponse {
    pub device: Device,
}

#[derive(Debug, Deserialize)]
pub struct DeviceListResponse {
    pub devices: Vec<Device>,
    #[serde(default)]
    pub pagination: Option<Pagination>,
}

#[derive(Debug, Deserialize)]
pub struct AccessCodeResponse {
    pub access_code: AccessCode,
    #[serde(default)]
    pub action_attempt: Option<ActionAttempt>,
}

#[derive(Debug, Deserialize)]
pub struct AccessCodeListResponse {
    pub access_codes: Vec<AccessCode>,
    #[serde(default)]
    pub pagination: Option<Pagination>,
}

#[derive(Debug, Deserialize)]
pub struct ActionAttemptResponse {
    #[serde(default)]
    pub action_attempt: Option<ActionAttempt>,
}

#[derive(Debug, Deserialize)]
pub struct EventListResponse {
    pub events: Vec<Event>,
}

/// `/access_codes/generate_code`: the contract types `generated_code` as an access code; only its
/// device and PIN are read.
#[derive(Debug, Deserialize)]
pub struct GenerateCodeResponse {
    pub generated_code: GeneratedCode,
}

#[derive(Debug, Deserialize)]
pub struct GeneratedCode {
    #[serde(default)]
    pub device_id: Option<String>,
    #[serde(default)]
    pub code: Option<Pin>,
}

/// `/access_codes/pull_backup_access_code`.
#[derive(Debug, Deserialize)]
pub struct PullBackupResponse {
    pub access_code: AccessCode,
    pub backup_access_code: AccessCode,
}

#[derive(Debug, Deserialize)]
pub struct UnmanagedListResponse {
    pub access_codes: Vec<UnmanagedAccessCode>,
    #[serde(default)]
    pub pagination: Option<Pagination>,
}

#[derive(Debug, Deserialize)]
pub struct UnmanagedResponse {
    pub access_code: UnmanagedAccessCode,
}

/// `/access_codes/get_timeline`.
#[derive(Debug, Deserialize)]
pub struct TimelineResponse {
    pub timeline_events: Vec<TimelineEvent>,
    #[serde(default)]
    pub pagination: Option<TimelinePagination>,
}

#[derive(Debug, Default, Deserialize)]
pub struct TimelinePagination {
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct WorkspaceResponse {
    pub workspace: Workspace,
}

#[derive(Debug, Deserialize)]
pub struct WebhookResponse {
    pub webhook: Webhook,
}

#[derive(Debug, Deserialize)]
pub struct WebhookListResponse {
    pub webhooks: Vec<Webhook>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub data: Option<Value>,
    #[serde(default)]
    pub validation_errors: Option<Value>,
}
