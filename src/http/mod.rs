//! The only module that knows axum: routes, layers, and serving with graceful shutdown.

mod auth;
mod connection_limit;
mod cors;
mod graphiql;
mod graphql;
mod health;
mod key_counts;
mod multiplex;
mod origin;
mod request_id;
mod serve;
mod sse;
mod tenant_limit;

pub(crate) use connection_limit::{Admission, ConnectionLimit, ConnectionSlot};
pub(crate) use graphql::PersistedQueries;
pub(crate) use multiplex::Multiplexer;
pub(crate) use origin::OriginPolicy;
pub(crate) use serve::{serve, ConnectionHold, ServeOptions};
pub(crate) use sse::{PendingLimits as SsePendingLimits, Streams as SseStreams};
pub(crate) use tenant_limit::TenantLimiter;
mod webhooks;
mod ws;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::response::Redirect;
use axum::routing::{get, post};
use axum::Router;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::events::LiveHub;
use crate::schema::GatewaySchema;
use crate::seam::ApiKey;
use crate::services::Services;

/// Shared state of the HTTP handlers. axum clones it for every request (and every extractor and
/// middleware that takes it), so it is one `Arc`: one count, not one per service handle inside.
#[derive(Clone)]
pub(crate) struct AppState(Arc<SharedState>);

impl AppState {
    pub(crate) fn new(shared: SharedState) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

/// What [`AppState`] shares.
pub(crate) struct SharedState {
    pub(crate) schema: GatewaySchema,
    pub(crate) services: Services,
    pub(crate) live: LiveHub,
    /// Key for requests without `Authorization` (SEAM_API_KEY, or the sandbox's first workspace).
    pub(crate) default_key: Option<Arc<ApiKey>>,
    /// Browser origins that may act with `default_key`.
    pub(crate) origins: origin::OriginPolicy,
    /// Limits and timeouts of the transports.
    pub(crate) limits: Limits,
    /// Cancelled when the server starts shutting down (websockets close with 1001).
    pub(crate) shutdown: tokio_util::sync::CancellationToken,
    /// Upgraded (websocket) connections, which the server waits for on shutdown.
    pub(crate) sessions: tokio_util::task::TaskTracker,
    /// Requests in flight per API key.
    pub(crate) tenant_limit: TenantLimiter,
    /// Documents of automatic persisted queries, by hash.
    pub(crate) persisted: graphql::PersistedQueries,
    /// Origins whose browsers may read `/graphql`'s responses (CORS); empty: no CORS headers.
    pub(crate) cors_origins: Arc<[String]>,
    /// Event streams reserved for graphql-sse's single connection mode, by token.
    pub(crate) sse_streams: sse::Streams,
    /// Operations of the websocket and SSE transports; identical subscriptions share one execution.
    pub(crate) multiplex: multiplex::Multiplexer,
    /// Client connections open, and the cap on them.
    pub(crate) connections: ConnectionLimit,
    /// The connection threads' load, for `/metrics` (empty until served, and without them).
    pub(crate) lanes: crate::lanes::LaneLoads,
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
    /// How often a websocket gets a keep-alive; a client silent for two of them is closed.
    pub(crate) ws_keepalive: Duration,
    /// A request body must arrive within this time.
    pub(crate) body_read_timeout: Duration,
}

impl Limits {
    pub(crate) fn from_config(config: &crate::config::GatewayConfig) -> Self {
        Self {
            ws_init_timeout: Duration::from_millis(config.ws_init_timeout_ms),
            ws_max_message_bytes: config.ws_max_message_bytes.max(1024),
            ws_max_subscriptions: config.ws_max_subscriptions.max(1),
            ws_keepalive: Duration::from_millis(config.ws_keepalive_ms.max(10)),
            body_read_timeout: Duration::from_millis(config.body_read_timeout_ms),
        }
    }
}

/// Largest request body accepted (GraphQL documents and webhook deliveries).
pub(crate) const BODY_LIMIT: usize = 1024 * 1024;

pub(crate) fn app(state: AppState) -> Router {
    // GET and POST also serve SSE (distinct connections, and the reserved stream of single
    // connection mode); PUT reserves such a stream and DELETE stops one of its operations.
    let mut graphql = get(graphql::get)
        .post(graphql::post)
        .put(sse::reserve)
        .delete(sse::stop);
    if let Some(cors) = cors::layer(&state.cors_origins) {
        // On the method router, so that it also answers the preflight (OPTIONS) it has no handler for.
        graphql = graphql.layer(cors);
    }
    Router::new()
        // The root has nothing of its own: send a browser to GraphiQL.
        .route("/", get(|| async { Redirect::temporary("/graphql") }))
        .route("/graphql", graphql)
        .route("/graphql/ws", get(ws::subscribe))
        .route("/graphiql/assets/{*path}", get(graphiql::asset))
        .route("/webhooks/seam", post(webhooks::receive))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .with_state(state)
        // Extractors (webhook bodies) stop at the limit; `/graphql` reads its body itself, under
        // the same limit, so that its refusal is a coded GraphQL error.
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::GATEWAY_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(axum::middleware::from_fn(request_id::request_id))
}

/// The request's span: method and path only. The query string can carry a whole GraphQL document,
/// PINs included (`GET /graphql?query=...`), so it is never logged. Exported, it continues the
/// caller's trace (`traceparent`).
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let span = tracing::debug_span!(
        "request",
        otel.name = %format_args!("{} {}", request.method(), request.uri().path()),
        otel.kind = "server",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = tracing::field::Empty,
    );
    if !span.is_disabled() {
        let caller = crate::telemetry::current_request();
        if let Some(caller) = &caller {
            span.record("request_id", &*caller.id);
        }
        crate::telemetry::continue_trace(&span, caller.as_ref().and_then(|c| c.parent.as_ref()));
    }
    span
}
