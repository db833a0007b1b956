//! `POST /webhooks/seam`: Seam's signed event deliveries. Verified (contract §7) before anything
//! else; refused deliveries have no effect. Accepted ones are queued and answered at once; the
//! hub resolves and publishes them afterwards.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use super::AppState;
use crate::events::Source;

pub(crate) async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let hub = &state.live;
    if !hub.webhooks_enabled() {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "webhooks are not configured (no webhook secret)" })),
        );
    }
    let now = chrono::Utc::now().timestamp();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let event = match hub.verify_webhook(header, &body, now) {
        Ok(event) => event,
        Err(rejection) => {
            tracing::debug!(%rejection, "webhook refused");
            let status = if rejection.is_malformed() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::UNAUTHORIZED
            };
            return (status, Json(json!({ "error": rejection.to_string() })));
        }
    };
    match hub.receive(event, Source::Webhook).await {
        Ok(fresh) => (
            StatusCode::OK,
            Json(json!({ "ok": true, "duplicate": !fresh })),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "error": "busy; retry later" })),
        ),
    }
}
