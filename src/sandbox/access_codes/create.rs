//! `/access_codes/create`: one code on one device.

use serde_json::{json, Value};

use super::super::model::{Model, Time};
use super::super::validation::Input;
use super::super::wire::{self, ApiError};
use super::checks::{check_pin, check_window, random_pin, CodeFields};
use super::errors::capability_check;
use super::new_code::{attempt_value, insert_code, track_attempt, NewCode};

pub(crate) fn create(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let device_id = input.required_string("device_id");
    let fields = CodeFields::read(&mut input);
    let preferred = input.positive_int("preferred_code_length");
    let backup = input.boolean("use_backup_access_code_pool");
    input.check()?;
    if backup == Some(true) && fields.starts_at.is_none() && fields.ends_at.is_none() {
        input.refine("Cannot use the backup pool for ongoing codes");
    }
    check_window(&mut input, fields.starts_at, fields.ends_at)?;
    let device_id = device_id.unwrap_or_default();
    let device = m
        .device(ws, &device_id)
        .cloned()
        .ok_or_else(ApiError::device_not_found)?;
    capability_check(&device)?;
    let pin = match fields.pin {
        Some(pin) => {
            let name = fields.name.as_deref();
            check_pin(m, &mut input, &device.device_id, &pin, None, name)?;
            pin
        }
        None => random_pin(m, &device, preferred)?,
    };
    let new_code = NewCode {
        device: &device,
        workspace_id: ws,
        name: fields.name,
        pin,
        starts_at: fields.starts_at,
        ends_at: fields.ends_at,
        common_code_key: None,
    };
    let idx = insert_code(m, now, new_code);
    let attempt = m.new_attempt(ws, "CREATE_ACCESS_CODE");
    let body = json!({
        "access_code": wire::access_code_json(&m.codes[idx]),
        "action_attempt": attempt_value(m, &attempt),
    });
    track_attempt(m, idx, &attempt, now);
    Ok(body)
}
