//! Seam's event objects, as listed by `/events/list` and posted to webhooks.

use serde_json::{json, Map, Value};

use super::super::model::{Change, Event, EventDetail, EventType, Time};
use super::objects::{code_errors, code_type, device_errors, status_name, warnings};
use super::time;

pub(crate) fn event_type_name(event_type: EventType) -> &'static str {
    match event_type {
        EventType::CodeCreated => "access_code.created",
        EventType::CodeChanged => "access_code.changed",
        EventType::CodeScheduledOnDevice => "access_code.scheduled_on_device",
        EventType::CodeSetOnDevice => "access_code.set_on_device",
        EventType::CodeRemovedFromDevice => "access_code.removed_from_device",
        EventType::CodeFailedToSetOnDevice => "access_code.failed_to_set_on_device",
        EventType::CodeDelayInSettingOnDevice => "access_code.delay_in_setting_on_device",
        EventType::CodeDeleted => "access_code.deleted",
        EventType::BackupCodePulled => "access_code.backup_access_code_pulled",
        EventType::UnmanagedCreated => "access_code.unmanaged.created",
        EventType::UnmanagedConvertedToManaged => "access_code.unmanaged.converted_to_managed",
        EventType::UnmanagedRemoved => "access_code.unmanaged.removed",
        EventType::DeviceRemoved => "device.removed",
    }
}

pub(crate) fn description(event_type: EventType) -> &'static str {
    match event_type {
        EventType::CodeCreated => "An access code has been created.",
        EventType::CodeChanged => "An access code has been changed.",
        EventType::CodeScheduledOnDevice => "An access code has been scheduled on the device.",
        EventType::CodeSetOnDevice => "An access code has been set on the device.",
        EventType::CodeRemovedFromDevice => "An access code has been removed from the device.",
        EventType::CodeFailedToSetOnDevice => "An access code failed to be set on the device.",
        EventType::CodeDelayInSettingOnDevice => {
            "There is a delay in setting an access code on the device."
        }
        EventType::CodeDeleted => "An access code has been deleted.",
        EventType::BackupCodePulled => "A backup access code has been pulled.",
        EventType::UnmanagedCreated => "An unmanaged access code has been created.",
        EventType::UnmanagedConvertedToManaged => {
            "An unmanaged access code has been converted to managed."
        }
        EventType::UnmanagedRemoved => "An unmanaged access code has been removed.",
        EventType::DeviceRemoved => "A device has been removed.",
    }
}

pub(crate) fn event_json(e: &Event) -> Value {
    let mut o = Map::new();
    o.insert("event_id".into(), json!(e.event_id));
    o.insert("event_type".into(), json!(event_type_name(e.event_type)));
    o.insert("workspace_id".into(), json!(e.workspace_id));
    if let Some(d) = &e.device_id {
        o.insert("device_id".into(), json!(d));
    }
    if let Some(a) = &e.access_code_id {
        o.insert("access_code_id".into(), json!(a));
    }
    if let Some(c) = &e.connected_account_id {
        o.insert("connected_account_id".into(), json!(c));
    }
    // An event is created the moment it occurs.
    o.insert("created_at".into(), json!(time(e.occurred_at)));
    o.insert("occurred_at".into(), json!(time(e.occurred_at)));
    o.insert("event_description".into(), json!(description(e.event_type)));
    o.extend(detail_fields(&e.detail));
    Value::Object(o)
}

/// The event-specific fields, appended after the common ones.
fn detail_fields(detail: &EventDetail) -> Map<String, Value> {
    let mut o = Map::new();
    match detail {
        EventDetail::None => {}
        EventDetail::Pin(pin) => {
            o.insert("code".into(), json!(pin));
        }
        EventDetail::BackupPulled {
            backup_access_code_id,
        } => {
            o.insert("backup_access_code_id".into(), json!(backup_access_code_id));
        }
        EventDetail::StatusChanged { from, to } => {
            let change =
                json!({"property": "status", "from": status_name(*from), "to": status_name(*to)});
            o.insert("change_reason".into(), json!("status_changed"));
            o.insert("changed_properties".into(), json!([change]));
        }
        EventDetail::Updated(changes) => {
            let changes: Vec<Value> = changes.iter().map(change_json).collect();
            o.insert("change_reason".into(), json!("updated"));
            o.insert("changed_properties".into(), Value::Array(changes));
        }
        EventDetail::Trouble {
            code_errors: errors,
            code_warnings,
            device_errors: dev_errors,
            device_warnings,
        } => {
            o.insert("access_code_errors".into(), code_errors(errors));
            o.insert("access_code_warnings".into(), warnings(code_warnings));
            o.insert("connected_account_errors".into(), json!([]));
            o.insert("connected_account_warnings".into(), json!([]));
            o.insert("device_errors".into(), device_errors(dev_errors));
            o.insert("device_warnings".into(), warnings(device_warnings));
        }
    }
    o
}

fn change_json(change: &Change) -> Value {
    let t = |x: &Option<Time>| x.map(time);
    match change {
        Change::Name { from, to } => json!({"property": "name", "from": from, "to": to}),
        Change::Code => json!({"property": "code"}),
        Change::StartsAt { from, to } => {
            json!({"property": "starts_at", "from": t(from), "to": t(to)})
        }
        Change::EndsAt { from, to } => json!({"property": "ends_at", "from": t(from), "to": t(to)}),
        Change::Type { was_time_bound } => json!({
            "property": "type",
            "from": code_type(*was_time_bound),
            "to": code_type(!*was_time_bound),
        }),
    }
}
