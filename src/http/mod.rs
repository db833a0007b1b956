//! The only module that knows axum: routes, layers, and serving with graceful shutdown.

mod auth;
mod graphql;
mod health;
mod origin;

pub(crate) use origin::OriginPolicy;
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
    /// Browser origins that may act with `default_key`.
    pub(crate) origins: origin::OriginPolicy,
    /// Limits and timeouts of the transports.
    pub(crate) limits: Limits,
    /// Cancelled when the server starts shutting down (websockets close with 1001).
    pub(crate) shutdown: tokio_util::sync::CancellationToken,
}

/// Transport limits, from the config.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    /// A websocket must send `connection_init` within this time (else 4408).
    pub(crate) ws_init_timeout: Duration,
    /// Largest websocket message accepted.
    pub(crate) ws_max_message_bytes: usize,
    /// Most operations at once on one websocket.
    pub(crate) ws_max_subscriptions: usize,
    /// A request body must arrive within this time.
    // Not read on this branch: the serving rewrite in main wires it up.
    #[allow(dead_code)]
    pub(crate) body_read_timeout: Duration,
}

impl Limits {
    pub(crate) fn from_config(config: &crate::config::GatewayConfig) -> Self {
        Self {
            ws_init_timeout: Duration::from_millis(config.ws_init_timeout_ms),
            ws_max_message_bytes: config.ws_max_message_bytes.max(1024),
            ws_max_subscriptions: config.ws_max_subscriptions.max(1),
            body_read_timeout: Duration::from_millis(config.body_read_timeout_ms),
        }
    }
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
