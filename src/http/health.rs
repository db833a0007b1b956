//! `/healthz` and `/metrics`.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use super::AppState;

pub(crate) async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// Prometheus text format: upstream calls per Seam endpoint.
pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut out = String::from(
        "# HELP seam_graphql_upstream_calls_total Calls made to the Seam API, per endpoint.\n# TYPE seam_graphql_upstream_calls_total counter\n",
    );
    for (path, count) in state.services.client.stats().snapshot() {
        out.push_str(&format!(
            "seam_graphql_upstream_calls_total{{path=\"{path}\"}} {count}\n"
        ));
    }
    let live = &state.live;
    out.push_str(&format!(
        "# HELP seam_graphql_live_subscribers Open live status subscriptions.\n# TYPE seam_graphql_live_subscribers gauge\nseam_graphql_live_subscribers {}\n",
        live.subscriber_count()
    ));
    out.push_str(&format!(
        "# HELP seam_graphql_live_workspaces Workspaces with live subscriptions (one poller each).\n# TYPE seam_graphql_live_workspaces gauge\nseam_graphql_live_workspaces {}\n",
        live.workspace_count()
    ));
    ([("content-type", "text/plain; version=0.0.4")], out)
}
