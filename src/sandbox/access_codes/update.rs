//! `/access_codes/update` (one code) and `/access_codes/update_multiple` (a create_multiple group).

use serde_json::{json, Value};

use super::super::lifecycle;
use super::super::model::{Change, EventDetail, EventType, Model, Status, Time};
use super::super::validation::Input;
use super::super::wire::ApiError;
use super::checks::{check_pin, check_window, live_code, read_code_id, CodeFields};
use super::errors::no_codes_for_key;
use super::new_code::{attempt_value, track_attempt};

type Window = (Option<Time>, Option<Time>);

pub(crate) fn update(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let id = read_code_id(&mut input);
    let fields = CodeFields::read(&mut input);
    let kind = input.one_of("type", &["ongoing", "time_bound"]);
    input.check()?;
    check_type(&mut input, kind.as_deref(), &fields)?;
    let id = id.unwrap_or_default();
    let idx = live_code(m, ws, &id)?;
    let current = m.codes[idx].clone();
    let old_window = (current.starts_at, current.ends_at);
    let new_window = updated_window(kind.as_deref(), &fields, old_window);
    check_window(&mut input, new_window.0, new_window.1)?;
    let new_pin = fields.pin.filter(|c| *c != current.code);
    if let Some(pin) = &new_pin {
        let name = fields.name.as_deref().or(current.name.as_deref());
        let except = Some(current.access_code_id.as_str());
        check_pin(m, &mut input, &current.device_id, pin, except, name)?;
    }
    let mut changes: Vec<Change> = name_change(&current.name, &fields.name)
        .into_iter()
        .collect();
    if new_pin.is_some() {
        changes.push(Change::Code);
    }
    changes.extend(window_changes(old_window, new_window));
    let reprogram = new_pin.is_some() || new_window != old_window;
    let c = &mut m.codes[idx];
    if let Some(n) = fields.name {
        c.name = Some(n);
    }
    if let Some(pin) = new_pin {
        c.code = pin;
    }
    (c.starts_at, c.ends_at) = new_window;
    let attempt = m.new_attempt(ws, "UPDATE_ACCESS_CODE");
    let body = json!({ "action_attempt": attempt_value(m, &attempt) });
    if reprogram {
        lifecycle::plan(m, idx, now, true);
        track_attempt(m, idx, &attempt, now);
    } else {
        m.finish_attempt_later(&attempt, now);
    }
    emit_changes(m, idx, now, changes);
    Ok(body)
}

/// `ongoing` clears the window; a time sent replaces that end only; otherwise it stays.
fn updated_window(kind: Option<&str>, fields: &CodeFields, old: Window) -> Window {
    if kind == Some("ongoing") {
        (None, None)
    } else if fields.starts_at.is_some() || fields.ends_at.is_some() {
        (fields.starts_at.or(old.0), fields.ends_at.or(old.1))
    } else {
        old
    }
}

/// `type` must agree with the times sent alongside it.
fn check_type(input: &mut Input, kind: Option<&str>, fields: &CodeFields) -> Result<(), ApiError> {
    let (starts_at, ends_at) = (fields.starts_at, fields.ends_at);
    match kind {
        Some("time_bound") if starts_at.is_none() || ends_at.is_none() => {
            input.refine("'time_bound' Access codes must include both starts_at and ends_at")
        }
        Some("ongoing") if starts_at.is_some() || ends_at.is_some() => {
            input.refine("'ongoing' Access codes cannot include starts_at or ends_at")
        }
        _ => {}
    }
    input.check()
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
        return Err(no_codes_for_key(&key));
    }
    for id in ids {
        let Some(idx) = m.code_index(ws, &id) else {
            continue;
        };
        let current = m.codes[idx].clone();
        let old_window = (current.starts_at, current.ends_at);
        // Times are sent both or neither (checked above); without them the window stays.
        let new_window = if starts_at.is_some() {
            (starts_at, ends_at)
        } else {
            old_window
        };
        let mut changes: Vec<Change> = name_change(&current.name, &name).into_iter().collect();
        if !changes.is_empty() {
            m.codes[idx].name = name.clone();
        }
        changes.extend(window_changes(old_window, new_window));
        if new_window != old_window {
            (m.codes[idx].starts_at, m.codes[idx].ends_at) = new_window;
            lifecycle::plan(m, idx, now, true);
        }
        emit_changes(m, idx, now, changes);
    }
    Ok(json!({}))
}

/// A name sent and different from the current one.
fn name_change(current: &Option<String>, sent: &Option<String>) -> Option<Change> {
    let to = sent.as_ref().filter(|n| Some(*n) != current.as_ref())?;
    Some(Change::Name {
        from: current.clone(),
        to: to.clone(),
    })
}

/// The window's changed ends, and its type if it switched between ongoing and time-bound.
fn window_changes(from: Window, to: Window) -> Vec<Change> {
    let mut changes = Vec::new();
    if from.0 != to.0 {
        changes.push(Change::StartsAt {
            from: from.0,
            to: to.0,
        });
    }
    if from.1 != to.1 {
        changes.push(Change::EndsAt {
            from: from.1,
            to: to.1,
        });
    }
    let time_bound = |w: Window| w.0.is_some() && w.1.is_some();
    if time_bound(from) != time_bound(to) {
        changes.push(Change::Type {
            was_time_bound: time_bound(from),
        });
    }
    changes
}

/// `access_code.changed` with the update's changes, if there were any.
fn emit_changes(m: &mut Model, idx: usize, now: Time, changes: Vec<Change>) {
    if !changes.is_empty() {
        let detail = EventDetail::Updated(changes);
        m.emit_for_code(idx, EventType::CodeChanged, now, detail);
    }
}
