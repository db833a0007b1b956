//! `/access_codes/get_timeline`: the events of one code, oldest first, as timeline entries.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::super::model::{Event, EventType, Model};
use super::super::validation::Input;
use super::super::wire::{self, ApiError};

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 200;

pub(crate) fn get_timeline(m: &Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let id = input.required_string("access_code_id");
    let after = input.datetime("after");
    let before = input.datetime("before");
    let event_types = input.string_list("event_types");
    let limit = input.positive_int("limit");
    if limit.is_some_and(|l| l > MAX_LIMIT) {
        input.field_error("limit", "Number must be less than or equal to 200");
    }
    input.check()?;
    let id = id.unwrap_or_default();
    let about_code =
        |e: &&Event| e.workspace_id == ws && e.access_code_id.as_deref() == Some(id.as_str());
    let known = m
        .codes
        .iter()
        .any(|c| c.workspace_id == ws && c.access_code_id == id)
        || m.events.iter().any(|e| about_code(&e));
    if !known {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "access_code_not_found",
            "Access code not found",
        )
        .with_data(json!({ "access_code_id": id })));
    }
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    let matching: Vec<&Event> = m
        .events
        .iter()
        .filter(about_code)
        .filter(|e| after.is_none_or(|a| e.occurred_at > a))
        .filter(|e| before.is_none_or(|b| e.occurred_at < b))
        .filter(|e| {
            event_types.as_ref().is_none_or(|types| {
                types
                    .iter()
                    .any(|t| t == wire::event_type_name(e.event_type))
            })
        })
        .collect();
    let has_more = matching.len() > limit;
    let entries: Vec<Value> = matching.into_iter().take(limit).map(entry).collect();
    Ok(json!({
        "timeline_events": entries,
        "pagination": { "has_more": has_more, "next_cursor": null, "prev_cursor": null },
    }))
}

/// One timeline entry for an event: who caused it is the API key for what a client asked for,
/// the system for what the lifecycle did.
fn entry(e: &Event) -> Value {
    let actor = match e.event_type {
        EventType::CodeCreated
        | EventType::CodeDeleted
        | EventType::BackupCodePulled
        | EventType::UnmanagedConvertedToManaged => json!({ "type": "api_key" }),
        EventType::UnmanagedCreated | EventType::UnmanagedRemoved => json!({ "type": "external" }),
        _ => json!({ "type": "system" }),
    };
    let mut related = json!({ "event_id": e.event_id });
    if let Some(d) = &e.device_id {
        related["device_id"] = json!(d);
    }
    if let Some(c) = &e.connected_account_id {
        related["connected_account_id"] = json!(c);
    }
    json!({
        "timeline_event_id": e.event_id,
        "event_type": wire::event_type_name(e.event_type),
        "occurred_at": wire::time(e.occurred_at),
        "description": wire::description(e.event_type),
        "actor": actor,
        "related_resource_ids": related,
    })
}
