//! `/access_codes/pull_backup_access_code`: a backup code from the lock's pool stands in for a
//! time-bound code created with `use_backup_access_code_pool`.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::super::model::{AccessCode, EventDetail, EventType, Model, Status, Step, Time};
use super::super::validation::Input;
use super::super::wire::{self, ApiError};
use super::checks::{live_code, random_pin};

pub(crate) fn pull(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let id = input.required_string("access_code_id");
    input.check()?;
    let idx = live_code(m, ws, &id.unwrap_or_default())?;
    if let Some(backup_id) = m.codes[idx].pulled_backup_access_code_id.clone() {
        // Pulling again returns the backup already pulled.
        if let Some(b) = m.code_index(ws, &backup_id) {
            return Ok(json!({
                "access_code": wire::access_code_json(&m.codes[idx]),
                "backup_access_code": wire::access_code_json(&m.codes[b]),
            }));
        }
    }
    let code = m.codes[idx].clone();
    let (Some(starts_at), Some(ends_at)) = (code.starts_at, code.ends_at) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "You can only pull backup access codes for time-bound access codes",
        ));
    };
    if !code.backup_available {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "no_backup_access_code_available",
            "No backup access code is available for this access code; create it with use_backup_access_code_pool",
        ));
    }
    let device = m
        .device_any(&code.device_id)
        .cloned()
        .ok_or_else(ApiError::device_not_found)?;
    // Of the original's length, so a guest's instructions still fit.
    let pin = random_pin(m, &device, Some(code.code.len()))?;
    let backup = AccessCode {
        access_code_id: uuid::Uuid::new_v4().to_string(),
        name: code.name.clone(),
        code: pin,
        created_at: now,
        // Pool codes are on the lock already: they work at once, until the original's end.
        starts_at: Some(starts_at.min(now)),
        ends_at: Some(ends_at),
        status: Status::Set,
        errors: Vec::new(),
        warnings: Vec::new(),
        common_code_key: None,
        is_scheduled_on_device: false,
        generation: 0,
        failed_once: false,
        set_attempt: None,
        delete_attempt: None,
        backup_available: false,
        pulled_backup_access_code_id: None,
        is_backup: true,
        ..code
    };
    let backup_id = backup.access_code_id.clone();
    m.codes.push(backup);
    let b = m.codes.len() - 1;
    m.schedule(b, ends_at.max(now), Step::StartRemoving);
    let original = &mut m.codes[idx];
    original.backup_available = false;
    original.pulled_backup_access_code_id = Some(backup_id.clone());
    m.emit_for_code(
        idx,
        EventType::BackupCodePulled,
        now,
        EventDetail::BackupPulled {
            backup_access_code_id: backup_id,
        },
    );
    Ok(json!({
        "access_code": wire::access_code_json(&m.codes[idx]),
        "backup_access_code": wire::access_code_json(&m.codes[b]),
    }))
}
