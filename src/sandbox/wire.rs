//! Seam's wire JSON: objects, the `{ok}` envelopes, the error envelope and special responses.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::model::{AccessCode, ActionAttempt, AttemptStatus, Device, Event, Issue, Time};

/// `2030-01-01T15:00:00.000Z`
pub(crate) fn time(t: Time) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn device_issues(issues: &[Issue], key: &str, device_error: bool) -> Value {
    Value::Array(
        issues
            .iter()
            .map(|i| {
                let mut o = Map::new();
                o.insert(key.into(), json!(i.code));
                o.insert("message".into(), json!(i.message));
                if device_error {
                    o.insert("is_device_error".into(), json!(true));
                }
                o.insert("created_at".into(), json!(time(i.created_at)));
                Value::Object(o)
            })
            .collect(),
    )
}

pub(crate) fn device_errors(d: &Device) -> Value {
    device_issues(&d.errors, "error_code", true)
}

pub(crate) fn device_warnings(d: &Device) -> Value {
    device_issues(&d.warnings, "warning_code", false)
}

pub(crate) fn code_errors(c: &AccessCode) -> Value {
    Value::Array(
        c.errors
            .iter()
            .map(|i| {
                json!({"error_code": i.code, "message": i.message,
                       "is_access_code_error": true, "created_at": time(i.created_at)})
            })
            .collect(),
    )
}

pub(crate) fn code_warnings(c: &AccessCode) -> Value {
    device_issues(&c.warnings, "warning_code", false)
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
        "errors": device_errors(d),
        "warnings": device_warnings(d),
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
        "status": c.status.as_str(),
        "errors": code_errors(c),
        "warnings": code_warnings(c),
        "is_backup_access_code_available": false,
        "is_external_modification_allowed": false,
        "is_one_time_use": false,
        "is_offline_access_code": false,
        "code": c.code,
        "device_id": c.device_id,
        "name": c.name,
        "workspace_id": c.workspace_id,
        "type": if c.is_time_bound() { "time_bound" } else { "ongoing" },
        "common_code_key": c.common_code_key,
        "pending_mutations": [],
        "is_scheduled_on_device": c.is_scheduled_on_device,
    });
    if let (Some(s), Some(e)) = (c.starts_at, c.ends_at) {
        o["starts_at"] = json!(time(s));
        o["ends_at"] = json!(time(e));
    }
    o
}

pub(crate) fn attempt_json(a: &ActionAttempt) -> Value {
    let status = match a.status {
        AttemptStatus::Pending => "pending",
        AttemptStatus::Success => "success",
        AttemptStatus::Error => "error",
    };
    json!({
        "action_type": a.action_type,
        "action_attempt_id": a.action_attempt_id,
        "result": a.result,
        "error": a.error.as_ref().map(|(t, m)| json!({"type": t, "message": m})),
        "status": status,
    })
}

pub(crate) fn event_json(e: &Event) -> Value {
    let mut o = Map::new();
    o.insert("event_id".into(), json!(e.event_id));
    o.insert("event_type".into(), json!(e.event_type));
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
    o.insert("created_at".into(), json!(time(e.created_at)));
    o.insert("occurred_at".into(), json!(time(e.occurred_at)));
    o.insert("event_description".into(), json!(e.description));
    for (k, v) in &e.extra {
        o.insert(k.clone(), v.clone());
    }
    Value::Object(o)
}

/// An error answered with Seam's error envelope.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) kind: String,
    pub(crate) message: String,
    pub(crate) validation_errors: Option<Value>,
    pub(crate) data: Option<Value>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind: kind.to_string(),
            message: message.into(),
            validation_errors: None,
            data: None,
        }
    }
    pub(crate) fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
    pub(crate) fn unauthorized(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
    pub(crate) fn device_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "device_not_found",
            "Device not found",
        )
    }
    pub(crate) fn access_code_not_found(access_code_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "access_code_not_found",
            "Could not find an access_code with device_id or access_code_id",
        )
        .with_data(json!({ "access_code_id": access_code_id }))
    }
    pub(crate) fn invalid_input(message: impl Into<String>, validation_errors: Value) -> Self {
        let mut e = Self::new(StatusCode::BAD_REQUEST, "invalid_input", message);
        e.validation_errors = Some(validation_errors);
        e
    }
    /// A form-level (refinement) `invalid_input`.
    pub(crate) fn refinement(message: &str) -> Self {
        Self::invalid_input(message, json!({ "_errors": [message] }))
    }

    pub(crate) fn body(&self) -> Value {
        let mut err = Map::new();
        err.insert("type".into(), json!(self.kind));
        err.insert("message".into(), json!(self.message));
        if let Some(v) = &self.validation_errors {
            err.insert("validation_errors".into(), v.clone());
        }
        if let Some(d) = &self.data {
            err.insert("data".into(), d.clone());
        }
        json!({ "error": Value::Object(err), "ok": false })
    }

    pub(crate) fn into_response(self) -> Response {
        json_response(self.status, &self.body())
    }
}

/// A JSON response with Seam's content type and a fresh `seam-request-id`.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut res = Response::new(Body::from(body.to_string()));
    *res.status_mut() = status;
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        headers.insert("seam-request-id", v);
    }
    res
}

/// `{...fields, "ok": true}` with status 200.
pub(crate) fn ok(mut body: Value) -> Response {
    if let Value::Object(o) = &mut body {
        o.insert("ok".into(), json!(true));
    }
    json_response(StatusCode::OK, &body)
}

/// A bare text response without content type (Seam's `Invalid JSON` and unknown-route `404`).
pub(crate) fn text(status: StatusCode, text: &'static str) -> Response {
    let mut res = Response::new(Body::from(text));
    *res.status_mut() = status;
    res
}

/// The simulated outage: 503 with an empty body.
pub(crate) fn outage() -> Response {
    let mut res = Response::new(Body::empty());
    *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    res
}
