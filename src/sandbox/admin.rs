//! Non-Seam helper routes under `/_sandbox/` (no auth, not counted): clock, call counters,
//! device removal and the simulated outage.

use std::sync::atomic::Ordering;
use std::sync::PoisonError;

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::wire::{self, ApiError};
use super::{ClockMode, Shared};

pub(crate) async fn handle(shared: &Shared, method: Method, rest: &str, req: Request) -> Response {
    let body: Value = match to_bytes(req.into_body(), 64 * 1024).await {
        Ok(b) if b.iter().all(u8::is_ascii_whitespace) => json!({}),
        Ok(b) => match serde_json::from_slice(&b) {
            Ok(v) => v,
            Err(_) => return wire::text(StatusCode::BAD_REQUEST, "Invalid JSON"),
        },
        Err(_) => return wire::text(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large"),
    };
    match (method, rest.trim_end_matches('/')) {
        (Method::POST, "advance") => advance(shared, &body),
        (Method::GET, "calls") => {
            let calls = shared
                .calls
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            wire::ok(json!({ "calls": calls }))
        }
        (Method::POST, "calls/reset") => {
            shared
                .calls
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clear();
            wire::ok(json!({}))
        }
        (Method::POST, "devices/remove") => remove_device(shared, &body),
        (Method::POST, "outage") => set_outage(shared, &body),
        _ => wire::text(StatusCode::NOT_FOUND, "404"),
    }
}

fn bad_input(message: &str) -> Response {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_input", message).into_response()
}

fn advance(shared: &Shared, body: &Value) -> Response {
    if shared.clock.mode() != ClockMode::Manual {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            "clock_not_manual",
            "The sandbox clock is real; /_sandbox/advance needs the manual clock",
        )
        .into_response();
    }
    let Some(seconds) = body["seconds"]
        .as_f64()
        .filter(|s| *s >= 0.0 && s.is_finite())
    else {
        return bad_input("seconds must be a non-negative number");
    };
    let now = shared.advance(std::time::Duration::from_secs_f64(seconds));
    wire::ok(json!({ "now": wire::time(now) }))
}

fn remove_device(shared: &Shared, body: &Value) -> Response {
    let Some(id) = body["device_id"].as_str() else {
        return bad_input("device_id is required");
    };
    if shared.with_model(|m, now| m.remove_device(id, now)) {
        wire::ok(json!({}))
    } else {
        ApiError::device_not_found().into_response()
    }
}

fn set_outage(shared: &Shared, body: &Value) -> Response {
    let Some(enabled) = body["enabled"].as_bool() else {
        return bad_input("enabled must be a boolean");
    };
    shared.outage.store(enabled, Ordering::SeqCst);
    wire::ok(json!({ "outage": enabled }))
}
