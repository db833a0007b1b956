//! `/healthz`, `/readyz` and `/metrics`.

use std::fmt::Write;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use super::AppState;
use crate::seam::Reachability;

/// Liveness: the process serves HTTP.
pub(crate) async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// How recent an upstream answer must be for readiness without a probe.
const UPSTREAM_FRESH: Duration = Duration::from_secs(30);

/// Readiness: Seam answers (recently, or to a cheap probe now) and the event tasks run. 503 with
/// the part that is not ready otherwise, so a load balancer stops sending traffic here.
pub(crate) async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let upstream = match state.services.client.reachability(UPSTREAM_FRESH).await {
        Reachability::Answering => json!({ "ready": true }),
        Reachability::CircuitOpen => json!({
            "ready": false,
            "detail": "Seam kept failing; the circuit breaker holds calls back",
        }),
        Reachability::Unreachable(why) => json!({ "ready": false, "detail": why }),
    };
    let events = json!({ "ready": state.live.is_running() });
    let ready = upstream["ready"] == true && events["ready"] == true;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if ready { "ready" } else { "not_ready" },
        "checks": { "upstream": upstream, "events": events },
    });
    (status, Json(body))
}

/// Prometheus text format: the registry's series (see README, "Running in production"), plus the
/// gauges the live hub and the Seam client keep themselves.
pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut own = String::from(
        "# HELP seam_graphql_upstream_calls_total Calls made to the Seam API, per endpoint.\n# TYPE seam_graphql_upstream_calls_total counter\n",
    );
    for (path, count) in state.services.client.stats().snapshot() {
        let _ = writeln!(
            own,
            "seam_graphql_upstream_calls_total{{path=\"{path}\"}} {count}"
        );
    }
    let live = &state.live;
    let _ = write!(
        own,
        "# HELP seam_graphql_live_subscribers Open live status subscriptions.\n# TYPE seam_graphql_live_subscribers gauge\nseam_graphql_live_subscribers {}\n",
        live.subscriber_count()
    );
    let _ = write!(
        own,
        "# HELP seam_graphql_live_workspaces Workspaces with live subscriptions (one poller each).\n# TYPE seam_graphql_live_workspaces gauge\nseam_graphql_live_workspaces {}\n",
        live.workspace_count()
    );
    let body = state.services.client.metrics().render(&own);
    ([("content-type", "text/plain; version=0.0.4")], body)
}
