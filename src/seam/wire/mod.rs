//! Seam's JSON objects as the gateway reads them. Lenient where real Seam and its fake differ
//! (missing `pagination`, missing `pending_mutations`, ids that are not UUIDs); every field the
//! contract marks required but a server may omit is optional or defaulted here.

mod requests;
mod responses;
mod time;

pub use requests::*;
pub use responses::*;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::pin::Pin;
use super::status::CodeStatus;

#[derive(Clone, Debug, Deserialize)]
pub struct Device {
    pub device_id: String,
    #[serde(default)]
    pub device_type: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub nickname: Option<String>,
    #[serde(default)]
    pub connected_account_id: Option<String>,
    #[serde(default)]
    pub workspace_id: Option<String>,
    #[serde(default, deserialize_with = "time::optional")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub is_managed: Option<bool>,
    #[serde(default)]
    pub capabilities_supported: Vec<String>,
    #[serde(default)]
    pub properties: DeviceProperties,
    #[serde(default)]
    pub errors: Vec<Issue>,
    #[serde(default)]
    pub warnings: Vec<Issue>,
    #[serde(default)]
    pub can_program_online_access_codes: Option<bool>,
    #[serde(default)]
    pub can_program_offline_access_codes: Option<bool>,
    #[serde(default)]
    pub can_remotely_lock: Option<bool>,
    #[serde(default)]
    pub can_remotely_unlock: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct DeviceProperties {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub online: Option<bool>,
    #[serde(default)]
    pub manufacturer: Option<String>,
    #[serde(default)]
    pub model: Option<DeviceModel>,
    #[serde(default)]
    pub locked: Option<bool>,
    #[serde(default)]
    pub battery_level: Option<f64>,
    #[serde(default)]
    pub battery: Option<Battery>,
    #[serde(default)]
    pub supported_code_lengths: Option<Vec<u32>>,
    #[serde(default)]
    pub code_constraints: Option<Vec<CodeConstraint>>,
    #[serde(default)]
    pub max_active_codes_supported: Option<u32>,
    #[serde(default)]
    pub serial_number: Option<String>,
    /// The lock keeps a pool of backup codes (`use_backup_access_code_pool` on create).
    #[serde(default)]
    pub supports_backup_access_code_pool: Option<bool>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DeviceModel {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub manufacturer_display_name: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Battery {
    #[serde(default)]
    pub level: Option<f64>,
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CodeConstraint {
    pub constraint_type: String,
    #[serde(default)]
    pub min_length: Option<u32>,
    #[serde(default)]
    pub max_length: Option<u32>,
}

/// An error or warning on a device or an access code (`error_code` or `warning_code`).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Issue {
    #[serde(default, alias = "warning_code")]
    pub error_code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, deserialize_with = "time::optional")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub is_device_error: Option<bool>,
    #[serde(default)]
    pub is_connected_account_error: Option<bool>,
    #[serde(default)]
    pub is_access_code_error: Option<bool>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct AccessCode {
    pub access_code_id: String,
    pub device_id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Never serialized: what the gateway writes out (to Redis, for other replicas) carries no PIN.
    #[serde(default, skip_serializing)]
    pub code: Option<Pin>,
    #[serde(default, rename = "type")]
    pub kind: String,
    /// A status this gateway does not know, or none, reads as `Unknown`.
    #[serde(default)]
    pub status: CodeStatus,
    #[serde(default, deserialize_with = "time::optional")]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time::optional")]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time::optional")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub common_code_key: Option<String>,
    #[serde(default)]
    pub workspace_id: Option<String>,
    #[serde(default)]
    pub errors: Vec<Issue>,
    #[serde(default)]
    pub warnings: Vec<Issue>,
    #[serde(default)]
    pub is_managed: Option<bool>,
    #[serde(default)]
    pub is_scheduled_on_device: Option<bool>,
    #[serde(default)]
    pub is_backup_access_code_available: Option<bool>,
    #[serde(default)]
    pub is_external_modification_allowed: Option<bool>,
    #[serde(default)]
    pub is_one_time_use: Option<bool>,
    #[serde(default)]
    pub is_offline_access_code: Option<bool>,
    #[serde(default)]
    pub is_waiting_for_code_assignment: Option<bool>,
    #[serde(default)]
    pub pulled_backup_access_code_id: Option<String>,
    #[serde(default)]
    pub pending_mutations: Vec<PendingMutation>,
}

impl AccessCode {
    /// Time-bound by its `type`, or (when a server leaves the type stale) by carrying both times.
    pub fn is_time_bound(&self) -> bool {
        self.kind == "time_bound"
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct PendingMutation {
    #[serde(default)]
    pub mutation_code: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "time::optional")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time::optional")]
    pub scheduled_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ActionAttempt {
    pub action_attempt_id: String,
    #[serde(default)]
    pub action_type: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub error: Option<ActionAttemptError>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ActionAttemptError {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub message: String,
}

/// A Seam event. Only the fields the gateway acts on are typed; `code` is deliberately not read.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Event {
    pub event_id: String,
    pub event_type: String,
    #[serde(default)]
    pub workspace_id: Option<String>,
    #[serde(default)]
    pub device_id: Option<String>,
    #[serde(default)]
    pub access_code_id: Option<String>,
    #[serde(default, deserialize_with = "time::optional")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time::optional")]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub access_code_errors: Vec<Issue>,
    #[serde(default)]
    pub access_code_warnings: Vec<Issue>,
    /// On `access_code.changed`: which properties changed, e.g. `status` from `unset` to `setting`.
    #[serde(default)]
    pub changed_properties: Vec<ChangedProperty>,
}

/// One entry of an event's `changed_properties`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ChangedProperty {
    pub property: String,
    #[serde(default)]
    pub from: Option<Value>,
    #[serde(default)]
    pub to: Option<Value>,
}

/// A PIN set on a lock outside Seam (`unmanaged_access_code`): Seam sees it but does not manage it.
#[derive(Clone, Debug, Deserialize)]
pub struct UnmanagedAccessCode {
    pub access_code_id: String,
    pub device_id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub code: Option<Pin>,
    #[serde(default, rename = "type")]
    pub kind: String,
    /// `set` or `unset`.
    #[serde(default)]
    pub status: CodeStatus,
    #[serde(default, deserialize_with = "time::optional")]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time::optional")]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time::optional")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub workspace_id: Option<String>,
    #[serde(default)]
    pub errors: Vec<Issue>,
    #[serde(default)]
    pub warnings: Vec<Issue>,
}

/// One entry of a code's timeline. Its `details` (which may hold the code, PIN included) are not read.
#[derive(Clone, Debug, Deserialize)]
pub struct TimelineEvent {
    pub timeline_event_id: String,
    pub event_type: String,
    #[serde(deserialize_with = "time::required")]
    pub occurred_at: DateTime<Utc>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub actor: Option<TimelineActor>,
    #[serde(default)]
    pub related_resource_ids: Option<RelatedResourceIds>,
}

/// Who or what caused a timeline event.
#[derive(Clone, Debug, Deserialize)]
pub struct TimelineActor {
    /// `api_key`, `console_user`, `system` or `external`.
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct RelatedResourceIds {
    #[serde(default)]
    pub event_id: Option<String>,
    #[serde(default)]
    pub action_attempt_id: Option<String>,
    #[serde(default)]
    pub device_id: Option<String>,
    #[serde(default)]
    pub connected_account_id: Option<String>,
}

/// The workspace an API key acts in (`workspaces/get`).
#[derive(Clone, Debug, Deserialize)]
pub struct Workspace {
    pub workspace_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub is_sandbox: bool,
    #[serde(default)]
    pub is_suspended: bool,
}

/// A webhook registration. `Debug` leaves the signing secret out.
#[derive(Clone, Deserialize)]
pub struct Webhook {
    pub webhook_id: String,
    pub url: String,
    #[serde(default)]
    pub event_types: Vec<String>,
    #[serde(default)]
    pub secret: Option<String>,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("webhook_id", &self.webhook_id)
            .field("url", &self.url)
            .field("event_types", &self.event_types)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Pagination {
    #[serde(default)]
    pub has_next_page: bool,
    #[serde(default)]
    pub next_page_cursor: Option<String>,
}

/// Seam's timestamp form: UTC, milliseconds, `Z`.
pub fn format_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
