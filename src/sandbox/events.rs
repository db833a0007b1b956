//! `/events/list` and `/action_attempts/get`.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::model::Model;
use super::validation::{parse_time, Input};
use super::wire::{self, ApiError};

pub(crate) fn list(m: &Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let since = input.datetime("since");
    let between = input.string_list("between");
    let event_type = input.string("event_type");
    let event_types = input.string_list("event_types");
    let device_id = input.string("device_id");
    let device_ids = input.string_list("device_ids");
    let access_code_id = input.string("access_code_id");
    let access_code_ids = input.string_list("access_code_ids");
    let account = input.string("connected_account_id");
    let limit = input.positive_int("limit");
    let mut window = None;
    if let Some(b) = &between {
        let parsed: Vec<_> = b.iter().filter_map(|s| parse_time(s)).collect();
        if b.len() != 2 || parsed.len() != 2 {
            input.field_error("between", "Expected two parsable date strings");
        } else {
            window = Some((parsed[0], parsed[1]));
        }
    }
    input.check()?;
    match (input.has("since"), input.has("between")) {
        (true, true) => input.refine("Cannot specify both since and between"),
        (false, false) => input.refine("Must specify either since or between"),
        _ => {}
    }
    input.check()?;
    let events: Vec<Value> = m
        .events
        .iter()
        .filter(|e| e.workspace_id == ws)
        .filter(|e| since.is_none_or(|s| e.occurred_at >= s))
        .filter(|e| window.is_none_or(|(from, to)| e.occurred_at > from && e.occurred_at < to))
        .filter(|e| event_type.as_ref().is_none_or(|t| &e.event_type == t))
        .filter(|e| {
            event_types
                .as_ref()
                .is_none_or(|ts| ts.contains(&e.event_type))
        })
        .filter(|e| device_id.is_none() || e.device_id == device_id)
        .filter(|e| {
            device_ids
                .as_ref()
                .is_none_or(|ids| e.device_id.as_ref().is_some_and(|d| ids.contains(d)))
        })
        .filter(|e| access_code_id.is_none() || e.access_code_id == access_code_id)
        .filter(|e| {
            access_code_ids
                .as_ref()
                .is_none_or(|ids| e.access_code_id.as_ref().is_some_and(|a| ids.contains(a)))
        })
        .filter(|e| account.is_none() || e.connected_account_id == account)
        .take(limit.unwrap_or(500))
        .map(wire::event_json)
        .collect();
    Ok(json!({ "events": events }))
}

pub(crate) fn get_action_attempt(m: &Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let id = input.required_string("action_attempt_id");
    input.check()?;
    let id = id.unwrap_or_default();
    let attempt = m
        .attempts
        .get(&id)
        .filter(|a| a.workspace_id == ws)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "action_attempt_not_found",
                "action_attempt not found",
            )
            .with_data(json!({ "action_attempt_id": id }))
        })?;
    Ok(json!({ "action_attempt": wire::attempt_json(attempt) }))
}
