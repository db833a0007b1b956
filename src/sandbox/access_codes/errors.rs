//! Seam's error envelopes for access-code requests.

use axum::http::StatusCode;
use serde_json::json;

use super::super::model::Device;
use super::super::validation::Input;
use super::super::wire::ApiError;

/// Error type for a device whose `can_program_online_access_codes` is false.
const CANNOT_PROGRAM: &str = "device_cannot_program_online_access_codes";
/// Error type for create_multiple when a PIN cannot be shared and the behaviour is `throw`.
const CANNOT_SHARE: &str = "cannot_share_code";
/// Error type for update_multiple with an unknown `common_code_key`.
const NO_CODES_FOR_KEY: &str = "access_codes_not_found";

pub(super) fn capability_check(d: &Device) -> Result<(), ApiError> {
    if d.can_program_online_access_codes {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::BAD_REQUEST,
        CANNOT_PROGRAM,
        format!("Device {} cannot program online access codes", d.device_id),
    )
    .with_data(json!({ "device_id": d.device_id })))
}

/// Error type for an offline code on a device whose `can_program_offline_access_codes` is false.
const CANNOT_PROGRAM_OFFLINE: &str = "device_cannot_program_offline_access_codes";
/// Error type for `use_backup_access_code_pool` on a device without a pool.
const NO_BACKUP_POOL: &str = "backup_access_code_pool_not_supported";

pub(super) fn offline_capability_check(d: &Device) -> Result<(), ApiError> {
    if d.can_program_offline_access_codes {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::BAD_REQUEST,
        CANNOT_PROGRAM_OFFLINE,
        format!("Device {} cannot program offline access codes", d.device_id),
    )
    .with_data(json!({ "device_id": d.device_id })))
}

pub(super) fn backup_pool_check(d: &Device) -> Result<(), ApiError> {
    if d.supports_backup_pool {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::BAD_REQUEST,
        NO_BACKUP_POOL,
        format!(
            "Device {} does not support a backup access code pool",
            d.device_id
        ),
    )
    .with_data(json!({ "device_id": d.device_id })))
}

/// A `code` field error, reported with whatever else the input collected.
pub(super) fn bad_code(input: &mut Input, problem: String) -> ApiError {
    input.field_error("code", problem);
    input
        .check()
        .err()
        .unwrap_or_else(|| ApiError::refinement("Invalid code"))
}

pub(super) fn duplicate(pin: &str, name: Option<&str>) -> ApiError {
    let message = match name {
        Some(n) => format!("Cannot set duplicate access code {pin} named {n}"),
        None => format!("Cannot set duplicate access code {pin}"),
    };
    ApiError::new(StatusCode::CONFLICT, "duplicate_access_code", message)
}

pub(super) fn no_pin_available(d: &Device) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "no_available_code",
        format!("Could not generate a free code for device {}", d.device_id),
    )
}

pub(super) fn cannot_share(device_ids: &[String]) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        CANNOT_SHARE,
        format!(
            "The code cannot be shared with device(s): {}",
            device_ids.join(", ")
        ),
    )
    .with_data(json!({ "device_ids": device_ids }))
}

pub(super) fn no_codes_for_key(key: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        NO_CODES_FOR_KEY,
        "Could not find any access_codes with common_code_key",
    )
    .with_data(json!({ "common_code_key": key }))
}

pub(super) fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "Access Code Not Found")
}
