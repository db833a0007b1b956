//! `/access_codes/generate_code`: a free PIN that suits the device. Nothing is stored; the answer is
//! shaped as the contract's `access_code` (an ongoing, unset code that does not exist yet).

use serde_json::{json, Value};

use super::super::model::{AccessCode, Model, Status, Time};
use super::super::validation::Input;
use super::super::wire::{self, ApiError};
use super::checks::random_pin;

pub(crate) fn generate_code(
    m: &Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let device_id = input.required_string("device_id");
    input.check()?;
    let device = m
        .device(ws, &device_id.unwrap_or_default())
        .ok_or_else(ApiError::device_not_found)?;
    let pin = random_pin(m, device, None)?;
    let draft = AccessCode {
        access_code_id: uuid::Uuid::new_v4().to_string(),
        workspace_id: ws.to_string(),
        device_id: device.device_id.clone(),
        connected_account_id: device.connected_account_id.clone(),
        name: None,
        code: pin,
        created_at: now,
        starts_at: None,
        ends_at: None,
        status: Status::Unset,
        errors: Vec::new(),
        warnings: Vec::new(),
        common_code_key: None,
        is_scheduled_on_device: false,
        generation: 0,
        failed_once: false,
        set_attempt: None,
        delete_attempt: None,
        is_managed: true,
        is_offline: false,
        is_one_time_use: false,
        backup_available: false,
        pulled_backup_access_code_id: None,
        is_backup: false,
    };
    Ok(json!({ "generated_code": wire::access_code_json(&draft) }))
}
