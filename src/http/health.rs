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
    for (path, count) in state.gateway.client.stats().snapshot() {
        out.push_str(&format!(
            "seam_graphql_upstream_calls_total{{path=\"{path}\"}} {count}\n"
        ));
    }
    ([("content-type", "text/plain; version=0.0.4")], out)
}
