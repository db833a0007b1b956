//! The only module that knows axum: routes, layers, and serving with graceful shutdown.

mod auth;
mod graphql;
mod health;
mod webhooks; // live status (issue 6)
mod ws; // live status (issue 6)

use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::schema::{Gateway, GatewaySchema};
use crate::seam::ApiKey;

/// Shared state of the HTTP handlers.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) schema: GatewaySchema,
    pub(crate) gateway: Gateway,
    /// Key for requests without `Authorization` (SEAM_API_KEY, or the sandbox's first workspace).
    pub(crate) default_key: Option<Arc<ApiKey>>,
}

/// Largest request body accepted (GraphQL documents and webhook deliveries).
const BODY_LIMIT: usize = 1024 * 1024;

pub(crate) fn app(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphql::playground).post(graphql::execute))
        // live status (issue 6)
        .route("/graphql/ws", get(ws::subscribe))
        .route("/webhooks/seam", post(webhooks::receive))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::GATEWAY_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(TraceLayer::new_for_http())
}
