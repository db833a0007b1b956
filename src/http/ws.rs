//! `GET /graphql/ws`: GraphQL subscriptions over WebSocket (graphql-transport-ws and the legacy
//! graphql-ws protocol). The key comes from the `connection_init` payload's `Authorization`
//! (`Bearer <seam api key>`), else the gateway's default key, as for HTTP.

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{Data, ErrorExtensions};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::response::IntoResponse;

use super::auth::bearer_from_str;
use super::AppState;
use crate::schema::{ErrorCode, RequestScope};

/// Initial read buffer per socket (it grows for larger frames).
const READ_BUFFER: usize = 4 * 1024;
/// A client this far behind on reading is disconnected rather than buffered for.
const MAX_WRITE_BUFFER: usize = 4 * 1024 * 1024;

pub(crate) async fn subscribe(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> impl IntoResponse {
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        // Subscriptions send small messages and clients send smaller ones: tungstenite's 128 KiB
        // default read buffer per socket would dominate memory with thousands of subscribers.
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .on_upgrade(move |socket| {
            let schema = state.schema.clone();
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| connection_data(state, payload))
                .serve()
        })
}

/// The connection's data: a request scope for its key. A malformed `Authorization` refuses the
/// connection; none at all falls back to the default key (or to no scope: UNAUTHENTICATED later).
async fn connection_data(
    state: AppState,
    payload: serde_json::Value,
) -> async_graphql::Result<Data> {
    let header = payload
        .get("Authorization")
        .or_else(|| payload.get("authorization"))
        .and_then(|v| v.as_str());
    let key = match header.map(bearer_from_str) {
        Some(Ok(key)) => key,
        Some(Err(problem)) => {
            return Err(async_graphql::Error::new(problem)
                .extend_with(|_, ext| ext.set("code", ErrorCode::Unauthenticated.as_str())))
        }
        None => state.default_key.as_deref().cloned(),
    };
    let mut data = Data::default();
    if let Some(key) = key {
        tracing::debug!(tenant = %key.tenant(), "websocket connection initialised");
        data.insert(RequestScope::new(&state.gateway, key));
    }
    Ok(data)
}
