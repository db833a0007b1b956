//! `GET /graphql/ws`: GraphQL over WebSocket, graphql-transport-ws and the legacy graphql-ws
//! protocol. The key comes from the `connection_init` payload's `Authorization`
//! (`Bearer <seam api key>`), else the gateway's default key for allowed origins only.
//!
//! The protocol layer is our own rather than async-graphql's `GraphQLWebSocket`: that one has no
//! init timeout or operation cap, and answers protocol violations with close codes clients do not
//! expect.

mod init;
mod protocol;
mod session;
mod woken;

use axum::extract::{State, WebSocketUpgrade};
use axum::http::header::SEC_WEBSOCKET_PROTOCOL;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::{AppState, ConnectionHold};
use protocol::Protocol;
use session::Session;

/// Initial read buffer per socket (it grows for larger frames, up to the message limit).
const READ_BUFFER: usize = 4 * 1024;
/// A client this far behind on reading is disconnected rather than buffered for.
const MAX_WRITE_BUFFER: usize = 4 * 1024 * 1024;

pub(crate) async fn subscribe(
    State(state): State<AppState>,
    // The connection's place under `--max-connections` and seat on its lane, kept until the
    // session ends.
    hold: Option<Extension<ConnectionHold>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let offered = headers
        .get(SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok());
    let Some(protocol) = offered.and_then(Protocol::negotiate) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    // The upgrade goes ahead either way: a cross-site page may still use its own key.
    let origin_allowed = state.origins.allows(&headers);
    let max_message = state.limits.ws_max_message_bytes;
    // Tracked so that shutdown waits for each socket's 1001 close frame to go out.
    let sessions = state.sessions.clone();
    // The upgraded connection runs in a task of its own: it keeps the upgrade request's id (and
    // trace), for its log lines and its calls to Seam.
    let request = crate::telemetry::current_request();
    upgrade
        .protocols([protocol.name()])
        // Subscriptions send small messages and clients send smaller ones: tungstenite's 128 KiB
        // default read buffer per socket would dominate memory with thousands of subscribers.
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        // The frame limit too, so an oversized frame is refused from its header, unread.
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .on_upgrade(move |socket| {
            let session = Session::new(socket, state, protocol, origin_allowed).run();
            sessions.track_future(async move {
                let _hold = hold;
                match request {
                    Some(request) => crate::telemetry::REQUEST.scope(request, session).await,
                    None => session.await,
                }
            })
        })
}
