//! `/access_codes/*`: create, create_multiple, update, update_multiple, delete, get, list.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::lifecycle;
use super::model::{AccessCode, Device, Model, Status, Step, Time};
use super::pagination;
use super::pins;
use super::validation::Input;
use super::wire::{self, ApiError};

/// Error type for a device whose `can_program_online_access_codes` is false.
pub(crate) const CANNOT_PROGRAM: &str = "device_cannot_program_online_access_codes";
/// Error type for create_multiple when a PIN cannot be shared and the behaviour is `throw`.
pub(crate) const CANNOT_SHARE: &str = "cannot_share_code";
/// Error type for update_multiple with an unknown `common_code_key`.
pub(crate) const NO_CODES_FOR_KEY: &str = "access_codes_not_found";

/// Both-or-neither and `ends_at > starts_at`.
fn check_window(
    input: &mut Input,
    starts_at: Option<Time>,
    ends_at: Option<Time>,
) -> Result<(), ApiError> {
    match (starts_at, ends_at) {
        (Some(s), Some(e)) if e <= s => input.refine("ends_at must be later than starts_at"),
        (Some(_), None) | (None, Some(_)) => {
            input.refine("Both starts_at and ends_at must be provided if one is")
        }
        _ => {}
    }
    input.check()
}

fn capability_check(d: &Device) -> Result<(), ApiError> {
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

fn bad_code(input: &mut Input, problem: String) -> ApiError {
    input.field_error("code", problem);
    input
        .check()
        .err()
        .unwrap_or_else(|| ApiError::refinement("Invalid code"))
}

fn duplicate(pin: &str, name: Option<&str>) -> ApiError {
    let message = match name {
        Some(n) => format!("Cannot set duplicate access code {pin} named {n}"),
        None => format!("Cannot set duplicate access code {pin}"),
    };
    ApiError::new(StatusCode::CONFLICT, "duplicate_access_code", message)
}

fn no_pin_available(d: &Device) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "no_available_code",
        format!("Could not generate a free code for device {}", d.device_id),
    )
}

struct NewCode<'a> {
    device: &'a Device,
    workspace_id: &'a str,
    name: Option<String>,
    pin: String,
    starts_at: Option<Time>,
    ends_at: Option<Time>,
    common_code_key: Option<String>,
}

/// Stores a code, plans its lifecycle and emits `access_code.created`. Returns its index.
fn insert_code(m: &mut Model, now: Time, n: NewCode<'_>) -> usize {
    let code = AccessCode {
        access_code_id: uuid::Uuid::new_v4().to_string(),
        workspace_id: n.workspace_id.to_string(),
        device_id: n.device.device_id.clone(),
        connected_account_id: n.device.connected_account_id.clone(),
        name: n.name,
        code: n.pin,
        created_at: now,
        starts_at: n.starts_at,
        ends_at: n.ends_at,
        status: Status::Setting,
        errors: Vec::new(),
        warnings: Vec::new(),
        common_code_key: n.common_code_key,
        is_scheduled_on_device: false,
        generation: 0,
        failed_once: false,
        set_attempt: None,
        delete_attempt: None,
    };
    tracing::debug!(access_code_id = %code.access_code_id, device_id = %code.device_id, "sandbox code created");
    m.codes.push(code);
    let idx = m.codes.len() - 1;
    lifecycle::plan(m, idx, now, true);
    m.emit_for_code(idx, "access_code.created", now, Map::new());
    idx
}

/// Ties an action attempt to the code's next programming step, or completes it after `set_delay`.
fn track_attempt(m: &mut Model, idx: usize, attempt: &str, now: Time) {
    if m.codes[idx].status == Status::Setting {
        // A newer programming request supersedes the previous one, which counts as done.
        if let Some(old) = m.codes[idx].set_attempt.replace(attempt.to_string()) {
            m.finish_attempt(&old, None);
        }
    } else {
        m.finish_attempt_later(attempt, now);
    }
}

fn attempt_value(m: &Model, id: &str) -> Value {
    m.attempts
        .get(id)
        .map(wire::attempt_json)
        .unwrap_or(Value::Null)
}

pub(crate) fn create(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let device_id = input.required_string("device_id");
    let name = input.string("name");
    let code = input.string("code");
    let starts_at = input.datetime("starts_at");
    let ends_at = input.datetime("ends_at");
    let preferred = input.positive_int("preferred_code_length");
    let backup = input.boolean("use_backup_access_code_pool");
    input.check()?;
    if backup == Some(true) && starts_at.is_none() && ends_at.is_none() {
        input.refine("Cannot use the backup pool for ongoing codes");
    }
    check_window(&mut input, starts_at, ends_at)?;
    let device_id = device_id.unwrap_or_default();
    let device = m
        .device(ws, &device_id)
        .cloned()
        .ok_or_else(ApiError::device_not_found)?;
    capability_check(&device)?;
    let pin = match code {
        Some(pin) => {
            if let Some(problem) = pins::pin_problem(&device, &pin) {
                return Err(bad_code(&mut input, problem));
            }
            if m.pin_taken(&device.device_id, &pin, None) {
                return Err(duplicate(&pin, name.as_deref()));
            }
            pin
        }
        None => {
            let len = pins::default_length(&device, preferred);
            let taken = m.pins_on(&device.device_id);
            pins::generate(len, &[(&device, taken)]).ok_or_else(|| no_pin_available(&device))?
        }
    };
    let idx = insert_code(
        m,
        now,
        NewCode {
            device: &device,
            workspace_id: ws,
            name,
            pin,
            starts_at,
            ends_at,
            common_code_key: None,
        },
    );
    let attempt = m.new_attempt(ws, "CREATE_ACCESS_CODE");
    let body = json!({
        "access_code": wire::access_code_json(&m.codes[idx]),
        "action_attempt": attempt_value(m, &attempt),
    });
    track_attempt(m, idx, &attempt, now);
    Ok(body)
}

/// The PIN length a group shares: the preferred one, else one every device supports (4 first),
/// else the length most devices support.
fn shared_length(devices: &[Device], preferred: Option<usize>) -> usize {
    if let Some(p) = preferred {
        return p;
    }
    let mut support: BTreeMap<usize, usize> = BTreeMap::new();
    for d in devices {
        for l in pins::allowed_lengths(d) {
            *support.entry(l).or_insert(0) += 1;
        }
    }
    let best = support.values().copied().max().unwrap_or(0);
    if support.get(&4) == Some(&best) {
        return 4;
    }
    support
        .iter()
        .find(|(_, n)| **n == best)
        .map(|(l, _)| *l)
        .unwrap_or(4)
}

pub(crate) fn create_multiple(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let device_ids = input.string_list("device_ids");
    if !input.has("device_ids") {
        input.field_error("device_ids", "Required");
    }
    let behavior = input.one_of(
        "behavior_when_code_cannot_be_shared",
        &["throw", "create_random_code"],
    );
    let name = input.string("name");
    let code = input.string("code");
    let starts_at = input.datetime("starts_at");
    let ends_at = input.datetime("ends_at");
    let preferred = input.positive_int("preferred_code_length");
    input.check()?;
    check_window(&mut input, starts_at, ends_at)?;
    let mut ids: Vec<String> = Vec::new();
    for id in device_ids.unwrap_or_default() {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let mut devices = Vec::new();
    for id in &ids {
        let d = m
            .device(ws, id)
            .cloned()
            .ok_or_else(|| ApiError::device_not_found().with_data(json!({ "device_id": id })))?;
        capability_check(&d)?;
        devices.push(d);
    }
    if devices.is_empty() {
        return Ok(json!({ "access_codes": [] }));
    }
    let mut pins_for: Vec<Option<String>> = vec![None; devices.len()];
    let common_code_key = match &code {
        Some(pin) => {
            if !pin.bytes().all(|b| b.is_ascii_digit()) || pin.is_empty() {
                return Err(bad_code(&mut input, "Code must contain only digits".into()));
            }
            for (i, d) in devices.iter().enumerate() {
                if pins::pin_problem(d, pin).is_none() {
                    if m.pin_taken(&d.device_id, pin, None) {
                        return Err(duplicate(pin, name.as_deref()));
                    }
                    pins_for[i] = Some(pin.clone());
                }
            }
            None
        }
        None => {
            let len = shared_length(&devices, preferred);
            let fitting: Vec<(&Device, Vec<String>)> = devices
                .iter()
                .filter(|d| pins::allowed_lengths(d).contains(&len))
                .map(|d| (d, m.pins_on(&d.device_id)))
                .collect();
            if let Some(pin) = pins::generate(len, &fitting) {
                for (i, d) in devices.iter().enumerate() {
                    if fitting.iter().any(|(f, _)| f.device_id == d.device_id) {
                        pins_for[i] = Some(pin.clone());
                    }
                }
            }
            Some(format!(
                "auto_set_by_create_multiple_{}",
                uuid::Uuid::new_v4()
            ))
        }
    };
    let unsharable: Vec<String> = devices
        .iter()
        .zip(&pins_for)
        .filter(|(_, p)| p.is_none())
        .map(|(d, _)| d.device_id.clone())
        .collect();
    if !unsharable.is_empty() && behavior.as_deref() != Some("create_random_code") {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            CANNOT_SHARE,
            format!(
                "The code cannot be shared with device(s): {}",
                unsharable.join(", ")
            ),
        )
        .with_data(json!({ "device_ids": unsharable })));
    }
    let mut final_pins = Vec::new();
    for (d, p) in devices.iter().zip(pins_for) {
        let pin = match p {
            Some(p) => p,
            None => {
                let len = pins::default_length(d, preferred);
                let taken = m.pins_on(&d.device_id);
                pins::generate(len, &[(d, taken)]).ok_or_else(|| no_pin_available(d))?
            }
        };
        final_pins.push(pin);
    }
    let mut out = Vec::new();
    for (d, pin) in devices.iter().zip(final_pins) {
        let idx = insert_code(
            m,
            now,
            NewCode {
                device: d,
                workspace_id: ws,
                name: name.clone(),
                pin,
                starts_at,
                ends_at,
                common_code_key: common_code_key.clone(),
            },
        );
        out.push(wire::access_code_json(&m.codes[idx]));
    }
    Ok(json!({ "access_codes": out }))
}

fn live_code(m: &Model, ws: &str, id: &str) -> Result<usize, ApiError> {
    m.code_index(ws, id)
        .filter(|&i| m.codes[i].status != Status::Removing)
        .ok_or_else(|| ApiError::access_code_not_found(id))
}

fn changed_event(props: Vec<Value>) -> Map<String, Value> {
    let mut extra = Map::new();
    extra.insert("change_reason".into(), json!("updated"));
    extra.insert("changed_properties".into(), Value::Array(props));
    extra
}

fn window_props(
    from: (Option<Time>, Option<Time>),
    to: (Option<Time>, Option<Time>),
) -> Vec<Value> {
    let t = |x: Option<Time>| x.map(wire::time);
    let mut props = Vec::new();
    if from.0 != to.0 {
        props.push(json!({"property": "starts_at", "from": t(from.0), "to": t(to.0)}));
    }
    if from.1 != to.1 {
        props.push(json!({"property": "ends_at", "from": t(from.1), "to": t(to.1)}));
    }
    let kind = |w: (Option<Time>, Option<Time>)| {
        if w.0.is_some() && w.1.is_some() {
            "time_bound"
        } else {
            "ongoing"
        }
    };
    if kind(from) != kind(to) {
        props.push(json!({"property": "type", "from": kind(from), "to": kind(to)}));
    }
    props
}

pub(crate) fn update(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let id = input.required_string("access_code_id");
    let _device_id = input.string("device_id");
    let name = input.string("name");
    let code = input.string("code");
    let starts_at = input.datetime("starts_at");
    let ends_at = input.datetime("ends_at");
    let kind = input.one_of("type", &["ongoing", "time_bound"]);
    input.check()?;
    match kind.as_deref() {
        Some("time_bound") if starts_at.is_none() || ends_at.is_none() => {
            input.refine("'time_bound' Access codes must include both starts_at and ends_at")
        }
        Some("ongoing") if starts_at.is_some() || ends_at.is_some() => {
            input.refine("'ongoing' Access codes cannot include starts_at or ends_at")
        }
        _ => {}
    }
    input.check()?;
    let id = id.unwrap_or_default();
    let idx = live_code(m, ws, &id)?;
    let current = m.codes[idx].clone();
    let old_window = (current.starts_at, current.ends_at);
    let new_window = if kind.as_deref() == Some("ongoing") {
        (None, None)
    } else if starts_at.is_some() || ends_at.is_some() {
        (starts_at.or(current.starts_at), ends_at.or(current.ends_at))
    } else {
        old_window
    };
    check_window(&mut input, new_window.0, new_window.1)?;
    let new_pin = code.filter(|c| *c != current.code);
    if let Some(pin) = &new_pin {
        if let Some(d) = m.device_any(&current.device_id) {
            if let Some(problem) = pins::pin_problem(d, pin) {
                return Err(bad_code(&mut input, problem));
            }
        }
        if m.pin_taken(&current.device_id, pin, Some(&current.access_code_id)) {
            return Err(duplicate(pin, name.as_deref().or(current.name.as_deref())));
        }
    }
    let mut props = Vec::new();
    if let Some(n) = &name {
        if Some(n) != current.name.as_ref() {
            props.push(json!({"property": "name", "from": current.name, "to": n}));
        }
    }
    if new_pin.is_some() {
        props.push(json!({"property": "code"}));
    }
    props.extend(window_props(old_window, new_window));
    let reprogram = new_pin.is_some() || new_window != old_window;
    {
        let c = &mut m.codes[idx];
        if let Some(n) = name {
            c.name = Some(n);
        }
        if let Some(pin) = new_pin {
            c.code = pin;
        }
        c.starts_at = new_window.0;
        c.ends_at = new_window.1;
    }
    let attempt = m.new_attempt(ws, "UPDATE_ACCESS_CODE");
    let body = json!({ "action_attempt": attempt_value(m, &attempt) });
    if reprogram {
        lifecycle::plan(m, idx, now, true);
        track_attempt(m, idx, &attempt, now);
    } else {
        m.finish_attempt_later(&attempt, now);
    }
    if !props.is_empty() {
        m.emit_for_code(idx, "access_code.changed", now, changed_event(props));
    }
    Ok(body)
}

pub(crate) fn update_multiple(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let key = input.required_string("common_code_key");
    let name = input.string("name");
    let starts_at = input.datetime("starts_at");
    let ends_at = input.datetime("ends_at");
    input.check()?;
    check_window(&mut input, starts_at, ends_at)?;
    let key = key.unwrap_or_default();
    let ids: Vec<String> = m
        .codes
        .iter()
        .filter(|c| c.workspace_id == ws && c.status != Status::Removing)
        .filter(|c| c.common_code_key.as_deref() == Some(key.as_str()))
        .map(|c| c.access_code_id.clone())
        .collect();
    if ids.is_empty() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            NO_CODES_FOR_KEY,
            "Could not find any access_codes with common_code_key",
        )
        .with_data(json!({ "common_code_key": key })));
    }
    for id in ids {
        let Some(idx) = m.code_index(ws, &id) else {
            continue;
        };
        let current = m.codes[idx].clone();
        let old_window = (current.starts_at, current.ends_at);
        let new_window = if starts_at.is_some() {
            (starts_at, ends_at)
        } else {
            old_window
        };
        let mut props = Vec::new();
        if let Some(n) = &name {
            if Some(n) != current.name.as_ref() {
                props.push(json!({"property": "name", "from": current.name, "to": n}));
                m.codes[idx].name = Some(n.clone());
            }
        }
        props.extend(window_props(old_window, new_window));
        if new_window != old_window {
            m.codes[idx].starts_at = new_window.0;
            m.codes[idx].ends_at = new_window.1;
            lifecycle::plan(m, idx, now, true);
        }
        if !props.is_empty() {
            m.emit_for_code(idx, "access_code.changed", now, changed_event(props));
        }
    }
    Ok(json!({}))
}

pub(crate) fn delete(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let id = input.required_string("access_code_id");
    let _device_id = input.string("device_id");
    input.check()?;
    let id = id.unwrap_or_default();
    let idx = live_code(m, ws, &id)?;
    let attempt = m.new_attempt(ws, "DELETE_ACCESS_CODE");
    let code = m.codes[idx].code.clone();
    m.codes[idx].status = Status::Removing;
    m.codes[idx].delete_attempt = Some(attempt.clone());
    let mut extra = Map::new();
    extra.insert("code".into(), json!(code));
    m.emit_for_code(idx, "access_code.deleted", now, extra);
    m.schedule(idx, now + m.set_delay, Step::RemoveDone);
    Ok(json!({ "action_attempt": attempt_value(m, &attempt) }))
}

pub(crate) fn get(m: &Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let id = input.string("access_code_id");
    let device_id = input.string("device_id");
    let code = input.string("code");
    input.check()?;
    let found = match (&id, &device_id, &code) {
        (Some(id), _, _) => m.code_index(ws, id).map(|i| &m.codes[i]),
        (None, Some(d), Some(c)) => m
            .codes
            .iter()
            .find(|x| x.workspace_id == ws && &x.device_id == d && &x.code == c),
        _ => {
            input
                .refine("Either \"access_code_id\" OR \"code\" and \"device_id\" must be provided");
            input.check()?;
            None
        }
    };
    let code = found.ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "Access Code Not Found")
    })?;
    Ok(json!({ "access_code": wire::access_code_json(code) }))
}

pub(crate) fn list(m: &Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let device_id = input.string("device_id");
    let ids = input.string_list("access_code_ids");
    let limit = input.positive_int("limit");
    let cursor = input.string("page_cursor");
    input.check()?;
    if device_id.is_none() && ids.is_none() {
        input.refine("Either 'device_id' or 'access_code_ids' is required");
        input.check()?;
    }
    if let Some(d) = &device_id {
        m.device(ws, d).ok_or_else(ApiError::device_not_found)?;
    }
    let mut codes: Vec<&AccessCode> = m
        .codes
        .iter()
        .filter(|c| c.workspace_id == ws)
        .filter(|c| device_id.as_ref().is_none_or(|d| &c.device_id == d))
        .filter(|c| {
            ids.as_ref()
                .is_none_or(|ids| ids.contains(&c.access_code_id))
        })
        .collect();
    codes.sort_by_key(|c| c.created_at);
    let fingerprint = format!("access_codes:{device_id:?}|{ids:?}|{limit:?}");
    let (page, pagination) = pagination::page(
        codes,
        limit.unwrap_or(55_000),
        cursor.as_deref(),
        &fingerprint,
    )?;
    let codes: Vec<Value> = page.into_iter().map(wire::access_code_json).collect();
    Ok(json!({ "access_codes": codes, "pagination": pagination }))
}
