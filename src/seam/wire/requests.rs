//! Seam's request bodies: fields left out are not sent.

use serde::Serialize;

use crate::seam::pin::Pin;

#[derive(Clone, Debug, Default, Serialize)]
pub struct DeviceListRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_cursor: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct AccessCodeListRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_code_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_cursor: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct CreateAccessCodeRequest {
    pub device_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Pin>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_code_length: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_offline_access_code: Option<bool>,
    /// `1hour` or `1day` (Seam also accepts `1h` / `1d`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_time_rounding: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_one_time_use: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_backup_access_code_pool: Option<bool>,
}

#[derive(Debug, Default, Serialize)]
pub struct CreateMultipleRequest {
    pub device_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Pin>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_code_length: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub behavior_when_code_cannot_be_shared: Option<&'static str>,
}

#[derive(Debug, Default, Serialize)]
pub struct UpdateAccessCodeRequest {
    pub access_code_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Pin>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
}

#[derive(Debug, Default, Serialize)]
pub struct UpdateMultipleRequest {
    pub common_code_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct EventListRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_code_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_types: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// `/access_codes/get_timeline`: a code's events, oldest first, at most `limit` (1 to 200).
#[derive(Debug, Default, Clone, Serialize)]
pub struct TimelineRequest {
    pub access_code_id: String,
    /// Only events that occurred strictly after this instant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_types: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// `/access_codes/unmanaged/list`: one device's unmanaged codes, a page at a time.
#[derive(Debug, Default, Clone, Serialize)]
pub struct UnmanagedListRequest {
    pub device_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_cursor: Option<String>,
}

/// `/access_codes/unmanaged/convert_to_managed`.
#[derive(Debug, Default, Serialize)]
pub struct ConvertToManagedRequest {
    pub access_code_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_external_modification: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
}

/// `/webhooks/create`.
#[derive(Debug, Default, Serialize)]
pub struct WebhookCreateRequest {
    pub url: String,
    pub event_types: Vec<String>,
}
