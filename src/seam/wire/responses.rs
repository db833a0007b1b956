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
