//! `/events/list`: the workspace's events, oldest first, filtered by time and by what they concern.

use serde_json::{json, Value};

use super::model::{Event, Model, Time};
use super::validation::{parse_time, Input};
use super::wire::{self, ApiError};

/// The filters of one `/events/list` request; unset ones let every event through.
struct EventFilter {
    since: Option<Time>,
    /// Exclusive bounds.
    between: Option<(Time, Time)>,
    event_type: Option<String>,
    event_types: Option<Vec<String>>,
    device_id: Option<String>,
    device_ids: Option<Vec<String>>,
    access_code_id: Option<String>,
    access_code_ids: Option<Vec<String>>,
    connected_account_id: Option<String>,
}

impl EventFilter {
    fn matches(&self, e: &Event) -> bool {
        let event_type = wire::event_type_name(e.event_type);
        self.since.is_none_or(|s| e.occurred_at >= s)
            && self
                .between
                .is_none_or(|(from, to)| e.occurred_at > from && e.occurred_at < to)
            && self.event_type.as_ref().is_none_or(|t| event_type == t)
            && one_of(&self.event_types, Some(event_type))
            && (self.device_id.is_none() || e.device_id == self.device_id)
            && one_of(&self.device_ids, e.device_id.as_deref())
            && (self.access_code_id.is_none() || e.access_code_id == self.access_code_id)
            && one_of(&self.access_code_ids, e.access_code_id.as_deref())
            && (self.connected_account_id.is_none()
                || e.connected_account_id == self.connected_account_id)
    }
}

/// No list, or a value that is in it.
fn one_of(list: &Option<Vec<String>>, value: Option<&str>) -> bool {
    list.as_ref()
        .is_none_or(|l| value.is_some_and(|v| l.iter().any(|x| x == v)))
}

pub(crate) fn list(m: &Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let since = input.datetime("since");
    let between = input.string_list("between");
    let mut filter = EventFilter {
        since,
        between: None,
        event_type: input.string("event_type"),
        event_types: input.string_list("event_types"),
        device_id: input.string("device_id"),
        device_ids: input.string_list("device_ids"),
        access_code_id: input.string("access_code_id"),
        access_code_ids: input.string_list("access_code_ids"),
        connected_account_id: input.string("connected_account_id"),
    };
    let limit = input.positive_int("limit");
    if let Some(b) = &between {
        let parsed: Vec<_> = b.iter().filter_map(|s| parse_time(s)).collect();
        if b.len() != 2 || parsed.len() != 2 {
            input.field_error("between", "Expected two parsable date strings");
        } else {
            filter.between = Some((parsed[0], parsed[1]));
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
        .filter(|e| e.workspace_id == ws && filter.matches(e))
        .take(limit.unwrap_or(500))
        .map(wire::event_json)
        .collect();
    Ok(json!({ "events": events }))
}
