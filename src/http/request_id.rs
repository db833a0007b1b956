//! `x-request-id`: taken from the request when it is a sane token, made up otherwise, returned on the
//! response, and known to everything that runs for the request (log lines, the request scope that
//! sends it to Seam) through `telemetry::REQUEST`, together with the caller's `traceparent`.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use crate::telemetry::{RequestTrace, TraceParent, REQUEST};

const HEADER: &str = "x-request-id";
/// Longer ids are replaced: they would bloat every log line.
const MAX_LEN: usize = 128;

pub(crate) async fn request_id(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let parent = request
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .and_then(TraceParent::parse);
    let trace = RequestTrace {
        id: id.as_str().into(),
        parent,
    };
    let mut response = REQUEST.scope(trace, next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

/// Visible ASCII without spaces, not too long: safe to echo and to log.
fn is_sane(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_LEN && id.bytes().all(|b| b.is_ascii_graphic())
}
