//! Responses: the `{ok}` envelope, Seam's error envelope and the special bare responses.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

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
