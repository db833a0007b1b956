//! `POST /webhooks/seam`: Seam's signed event deliveries. Verified (contract §7) before anything
//! else; refused deliveries have no effect. Accepted ones are queued and answered at once; the
//! hub resolves and publishes them afterwards.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;
use tracing::Instrument;

use super::AppState;
use crate::events::{Source, WebhookRejection};
use crate::metrics::WebhookOutcome;

pub(crate) async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let hub = &state.live;
    let metrics = state.services.client.metrics();
    // The delivery's span lasts until its event is published (the hub keeps a handle on it).
    let span = tracing::debug_span!(
        "webhook",
        otel.name = "webhook seam",
        otel.kind = "server",
        event_id = tracing::field::Empty,
        event_type = tracing::field::Empty,
        outcome = tracing::field::Empty,
    );
    if !hub.webhooks_enabled() {
        metrics.webhook(WebhookOutcome::NotConfigured);
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
            metrics.webhook(rejected(rejection));
            span.record("outcome", "rejected");
            tracing::debug!(%rejection, "webhook refused");
            let status = if rejection.is_malformed() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::UNAUTHORIZED
            };
            return (status, Json(json!({ "error": rejection.to_string() })));
        }
    };
    span.record("event_id", event.event_id.as_str());
    span.record("event_type", event.event_type.as_str());
    match hub
        .receive(event, Source::Webhook)
        .instrument(span.clone())
        .await
    {
        Ok(fresh) => {
            metrics.webhook(if fresh {
                WebhookOutcome::Accepted
            } else {
                WebhookOutcome::Duplicate
            });
            span.record("outcome", if fresh { "accepted" } else { "duplicate" });
            (
                StatusCode::OK,
                Json(json!({ "ok": true, "duplicate": !fresh })),
            )
        }
        Err(_) => {
            metrics.webhook(WebhookOutcome::Busy);
            span.record("outcome", "busy");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "error": "busy; retry later" })),
            )
        }
    }
}

fn rejected(rejection: WebhookRejection) -> WebhookOutcome {
    match rejection {
        WebhookRejection::MissingHeaders => WebhookOutcome::MissingHeaders,
        WebhookRejection::InvalidHeaders => WebhookOutcome::InvalidHeaders,
        WebhookRejection::TooOld => WebhookOutcome::TooOld,
        WebhookRejection::TooNew => WebhookOutcome::TooNew,
        WebhookRejection::NoMatch => WebhookOutcome::BadSignature,
        WebhookRejection::InvalidPayload => WebhookOutcome::InvalidPayload,
    }
}
