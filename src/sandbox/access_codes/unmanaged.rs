//! `/access_codes/unmanaged/*` and `/access_codes/simulate/create_unmanaged_access_code`: PINs set
//! on a lock outside Seam. They live among the codes (a PIN on the lock is taken either way) with
//! `is_managed: false`; converting one flips the flag and keeps the id.

use serde_json::{json, Value};

use super::super::model::{AccessCode, EventDetail, EventType, Model, Status, Time};
use super::super::pagination;
use super::super::validation::Input;
use super::super::wire::{self, ApiError};
use super::errors::not_found;

/// Seam's simulate route: a PIN appears on the lock as if set in the lock's own app.
pub(crate) fn simulate_create(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let device_id = input.required_string("device_id");
    let name = input.required_string("name");
    let code = input.required_string("code");
    if let Some(c) = &code {
        if !(4..=8).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_digit()) {
            input.field_error("code", "Code must be 4 to 8 digits");
        }
    }
    input.check()?;
    let device = m
        .device(ws, &device_id.unwrap_or_default())
        .cloned()
        .ok_or_else(ApiError::device_not_found)?;
    let code = code.unwrap_or_default();
    if m.pin_taken(&device.device_id, &code, None) {
        return Err(super::errors::duplicate(&code, name.as_deref()));
    }
    let unmanaged = AccessCode {
        access_code_id: uuid::Uuid::new_v4().to_string(),
        workspace_id: ws.to_string(),
        device_id: device.device_id.clone(),
        connected_account_id: device.connected_account_id.clone(),
        name,
        code,
        created_at: now,
        starts_at: None,
        ends_at: None,
        status: Status::Set,
        errors: Vec::new(),
        warnings: Vec::new(),
        common_code_key: None,
        is_scheduled_on_device: false,
        generation: 0,
        failed_once: false,
        set_attempt: None,
        delete_attempt: None,
        is_managed: false,
        is_offline: false,
        is_one_time_use: false,
        backup_available: false,
        pulled_backup_access_code_id: None,
        is_backup: false,
    };
    m.codes.push(unmanaged);
    let idx = m.codes.len() - 1;
    m.emit_for_code(idx, EventType::UnmanagedCreated, now, EventDetail::None);
    Ok(json!({ "access_code": wire::unmanaged_code_json(&m.codes[idx]) }))
}

pub(crate) fn list(m: &Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let device_id = input.required_string("device_id");
    let limit = input.positive_int("limit");
    let cursor = input.string("page_cursor");
    input.check()?;
    let device_id = device_id.unwrap_or_default();
    m.device(ws, &device_id)
        .ok_or_else(ApiError::device_not_found)?;
    let mut codes: Vec<&AccessCode> = m
        .codes
        .iter()
        .filter(|c| c.workspace_id == ws && !c.is_managed && c.device_id == device_id)
        .collect();
    codes.sort_by_key(|c| c.created_at);
    let fingerprint = format!("unmanaged:{device_id}|{limit:?}");
    let (page, pagination) = pagination::page(
        codes,
        limit.unwrap_or(300_000),
        cursor.as_deref(),
        &fingerprint,
    )?;
    let codes: Vec<Value> = page.into_iter().map(wire::unmanaged_code_json).collect();
    Ok(json!({ "access_codes": codes, "pagination": pagination }))
}

pub(crate) fn get(m: &Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let id = input.string("access_code_id");
    let device_id = input.string("device_id");
    let code = input.string("code");
    input.check()?;
    let found = match (&id, &device_id, &code) {
        (Some(id), _, _) => m.unmanaged_index(ws, id).map(|i| &m.codes[i]),
        (None, Some(d), Some(c)) => m
            .codes
            .iter()
            .find(|x| x.workspace_id == ws && !x.is_managed && &x.device_id == d && &x.code == c),
        _ => {
            input
                .refine("Either \"access_code_id\" OR \"code\" and \"device_id\" must be provided");
            input.check()?;
            None
        }
    };
    let code = found.ok_or_else(not_found)?;
    Ok(json!({ "access_code": wire::unmanaged_code_json(code) }))
}

pub(crate) fn convert_to_managed(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let id = input.required_string("access_code_id");
    let _allow = input.boolean("allow_external_modification");
    let _allow_alias = input.boolean("is_external_modification_allowed");
    let _force = input.boolean("force");
    let _sync = input.boolean("sync");
    input.check()?;
    convert(m, ws, now, &id.unwrap_or_default())?;
    Ok(json!({}))
}

/// `/access_codes/unmanaged/update`: `is_managed: true` converts the code.
pub(crate) fn update(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let id = input.required_string("access_code_id");
    let is_managed = input.boolean("is_managed");
    if !input.has("is_managed") {
        input.field_error("is_managed", "Required");
    }
    let _allow = input.boolean("allow_external_modification");
    let _allow_alias = input.boolean("is_external_modification_allowed");
    let _force = input.boolean("force");
    input.check()?;
    let id = id.unwrap_or_default();
    if is_managed == Some(true) {
        convert(m, ws, now, &id)?;
    } else {
        m.unmanaged_index(ws, &id)
            .ok_or_else(|| ApiError::access_code_not_found(&id))?;
    }
    Ok(json!({}))
}

fn convert(m: &mut Model, ws: &str, now: Time, id: &str) -> Result<(), ApiError> {
    let idx = m
        .unmanaged_index(ws, id)
        .ok_or_else(|| ApiError::access_code_not_found(id))?;
    // Already on the lock: it stays `set`, now under Seam's management.
    m.codes[idx].is_managed = true;
    m.emit_for_code(
        idx,
        EventType::UnmanagedConvertedToManaged,
        now,
        EventDetail::None,
    );
    Ok(())
}

/// `/access_codes/unmanaged/delete`: the PIN is taken off the lock.
pub(crate) fn delete(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let id = input.required_string("access_code_id");
    let _sync = input.boolean("sync");
    input.check()?;
    let id = id.unwrap_or_default();
    let idx = m
        .unmanaged_index(ws, &id)
        .ok_or_else(|| ApiError::access_code_not_found(&id))?;
    m.emit_for_code(idx, EventType::UnmanagedRemoved, now, EventDetail::None);
    m.codes.remove(idx);
    let attempt = m.new_attempt(ws, "DELETE_ACCESS_CODE");
    m.finish_attempt_later(&attempt, now);
    let attempt = m.attempts.get(&attempt).map(wire::attempt_json);
    Ok(json!({ "action_attempt": attempt }))
}
