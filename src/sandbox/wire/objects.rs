//! Seam's JSON objects: device, access code (with their errors and warnings) and action attempt.

use serde_json::{json, Map, Value};

use super::super::model::{AccessCode, ActionAttempt, AttemptStatus, Device, Issue, Status};
use super::time;

/// `[{<code_key>, message, <flag>: true, created_at}]`; `flag` tells whose error it is.
fn issues_json(issues: &[Issue], code_key: &str, flag: Option<&str>) -> Value {
    Value::Array(
        issues
            .iter()
            .map(|i| {
                let mut o = Map::new();
                o.insert(code_key.into(), json!(i.code));
                o.insert("message".into(), json!(i.message));
                if let Some(flag) = flag {
                    o.insert(flag.into(), json!(true));
                }
                o.insert("created_at".into(), json!(time(i.created_at)));
                Value::Object(o)
            })
            .collect(),
    )
}

pub(crate) fn device_errors(errors: &[Issue]) -> Value {
    issues_json(errors, "error_code", Some("is_device_error"))
}

pub(crate) fn code_errors(errors: &[Issue]) -> Value {
    issues_json(errors, "error_code", Some("is_access_code_error"))
}

/// Device and code warnings share one shape.
pub(crate) fn warnings(warnings: &[Issue]) -> Value {
    issues_json(warnings, "warning_code", None)
}

pub(crate) fn status_name(status: Status) -> &'static str {
    match status {
        Status::Setting => "setting",
        Status::Set => "set",
        Status::Unset => "unset",
        Status::Removing => "removing",
    }
}

/// An access code's `type`.
pub(crate) fn code_type(time_bound: bool) -> &'static str {
    if time_bound {
        "time_bound"
    } else {
        "ongoing"
    }
}

pub(crate) fn device_json(d: &Device) -> Value {
    let mut props = Map::new();
    props.insert("name".into(), json!(d.name));
    props.insert("appearance".into(), json!({ "name": d.appearance_name }));
    props.insert("online".into(), json!(d.online));
    props.insert("manufacturer".into(), json!(d.manufacturer));
    props.insert("locked".into(), json!(d.locked));
    if let Some(lengths) = &d.supported_code_lengths {
        props.insert("supported_code_lengths".into(), json!(lengths));
    }
    if d.supports_backup_pool {
        props.insert("supports_backup_access_code_pool".into(), json!(true));
        props.insert("backup_access_code_pool_enabled".into(), json!(true));
    }
    if let Some(max) = d.max_active_codes_supported {
        props.insert("max_active_codes_supported".into(), json!(max));
    }
    if !d.code_constraints.is_empty() {
        let constraints: Vec<Value> = d
            .code_constraints
            .iter()
            .map(|c| json!({ "constraint_type": c }))
            .collect();
        props.insert("code_constraints".into(), Value::Array(constraints));
    }
    props.insert(
        "model".into(),
        json!({"display_name": d.model_display_name,
               "manufacturer_display_name": d.manufacturer_display_name}),
    );
    props.insert("battery".into(), json!({"level": 1, "status": "full"}));
    props.insert(
        "online_access_codes_enabled".into(),
        json!(d.can_program_online_access_codes),
    );
    props.insert(
        "offline_access_codes_enabled".into(),
        json!(d.can_program_offline_access_codes),
    );
    props.insert("currently_triggering_noise_threshold_ids".into(), json!([]));
    json!({
        "device_id": d.device_id,
        "is_managed": true,
        "device_type": d.device_type,
        "display_name": d.display_name,
        "connected_account_id": d.connected_account_id,
        "capabilities_supported": ["lock", "access_code"],
        "created_at": time(d.created_at),
        "properties": Value::Object(props),
        "workspace_id": d.workspace_id,
        "errors": device_errors(&d.errors),
        "warnings": warnings(&d.warnings),
        "custom_metadata": {},
        "can_remotely_lock": true,
        "can_remotely_unlock": true,
        "can_program_online_access_codes": d.can_program_online_access_codes,
        "can_program_offline_access_codes": d.can_program_offline_access_codes,
        "space_ids": [],
    })
}

pub(crate) fn access_code_json(c: &AccessCode) -> Value {
    let mut o = json!({
        "access_code_id": c.access_code_id,
        "created_at": time(c.created_at),
        "is_managed": true,
        "status": status_name(c.status),
        "errors": code_errors(&c.errors),
        "warnings": warnings(&c.warnings),
        "is_backup_access_code_available": c.backup_available,
        "is_external_modification_allowed": false,
        "is_one_time_use": c.is_one_time_use,
        "is_offline_access_code": c.is_offline,
        "code": c.code,
        "device_id": c.device_id,
        "name": c.name,
        "workspace_id": c.workspace_id,
        "type": code_type(c.is_time_bound()),
        "common_code_key": c.common_code_key,
        "pending_mutations": [],
        "is_scheduled_on_device": c.is_scheduled_on_device,
    });
    if let (Some(s), Some(e)) = (c.starts_at, c.ends_at) {
        o["starts_at"] = json!(time(s));
        o["ends_at"] = json!(time(e));
    }
    if let Some(id) = &c.pulled_backup_access_code_id {
        o["pulled_backup_access_code_id"] = json!(id);
    }
    if c.is_backup {
        o["is_backup"] = json!(true);
    }
    o
}

/// An unmanaged code (`unmanaged_access_code`): a PIN set on the lock outside Seam.
pub(crate) fn unmanaged_code_json(c: &AccessCode) -> Value {
    let status = if c.status == Status::Set {
        "set"
    } else {
        "unset"
    };
    let mut o = json!({
        "access_code_id": c.access_code_id,
        "created_at": time(c.created_at),
        "is_managed": false,
        "status": status,
        "errors": code_errors(&c.errors),
        "warnings": warnings(&c.warnings),
        "code": c.code,
        "device_id": c.device_id,
        "name": c.name,
        "workspace_id": c.workspace_id,
        "type": code_type(c.is_time_bound()),
    });
    if let (Some(s), Some(e)) = (c.starts_at, c.ends_at) {
        o["starts_at"] = json!(time(s));
        o["ends_at"] = json!(time(e));
    }
    o
}

pub(crate) fn attempt_json(a: &ActionAttempt) -> Value {
    let (status, result) = match a.status {
        AttemptStatus::Pending => ("pending", Value::Null),
        AttemptStatus::Success => ("success", json!({})),
        AttemptStatus::Error => ("error", Value::Null),
    };
    json!({
        "action_type": a.action_type,
        "action_attempt_id": a.action_attempt_id,
        "result": result,
        "error": a.error.as_ref().map(|e| json!({"type": e.error_type, "message": e.message})),
        "status": status,
    })
}
