//! GraphQL over Server-Sent Events at `/graphql`, per the graphql-sse protocol
//! (<https://github.com/enisdenjo/graphql-sse/blob/master/PROTOCOL.md>), for clients that cannot
//! or may not open websockets.
//!
//! - **Distinct connections mode**: a GET or POST that accepts `text/event-stream` runs its one
//!   operation and streams the results as `next` events, then `complete`. Errors found before the
//!   operation runs (parsing, validation, the key) come as a `next` event too, since a browser's
//!   `EventSource` shows nothing of a refused response.
//! - **Single connection mode**: `PUT` reserves a stream and answers 201 with a token; a GET that
//!   accepts `text/event-stream` with the token (`x-graphql-event-stream-token` or `?token=`)
//!   opens it; a POST (or GET) with the token and `extensions.operationId` starts an operation
//!   (202) whose events name it; `DELETE ?operationId=` with the token stops it (200).
//!
//! The key and origin rules are those of `/graphql` (`Authorization: Bearer`, else the gateway's
//! own key for allowed origins only); in single connection mode the stream keeps the key it was
//! reserved with, and the token stands for it (an `EventSource` cannot send headers). Operations
//! per stream are capped as per websocket (`--ws-max-subscriptions`), keep-alive comments go out
//! every `--ws-keepalive-ms`, and shutdown ends every stream with `complete`.

mod event;
mod operation;
mod session;
mod streams;

use async_graphql::parser::types::OperationType;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

pub(crate) use streams::{PendingLimits, Streams};

use super::auth::bearer_key;
use super::graphql::refusal::Refusal;
use super::graphql::{caller_key, cross_site_without_origin, negotiate, request, respond};
use super::AppState;
use crate::http::key_counts::Full;
use crate::schema::ErrorCode;
use crate::seam::ApiKey;
use operation::Prepared;
use session::Session;
use streams::Reserved;

/// The header that carries a reserved stream's token (graphql-sse's `TOKEN_HEADER_KEY`).
const TOKEN_HEADER: &str = "x-graphql-event-stream-token";
/// The URL parameter that carries it, for `EventSource` (graphql-sse's `TOKEN_QUERY_KEY`).
const TOKEN_PARAM: &str = "token";

/// What a GET or POST on `/graphql` asks of this transport.
pub(crate) enum Ask {
    /// An operation on a stream of its own (distinct connections mode).
    Distinct,
    /// Opening the reserved stream with this token.
    Open(String),
    /// An operation whose results go to the reserved stream with this token.
    Operation(String),
}

/// `None` when the request is plain GraphQL over HTTP: it neither carries a stream token nor
/// prefers `text/event-stream` to JSON.
pub(crate) fn ask(headers: &HeaderMap, raw_query: &str) -> Option<Ask> {
    match (token(headers, raw_query), wants_event_stream(headers)) {
        (Some(token), true) => Some(Ask::Open(token)),
        (Some(token), false) => Some(Ask::Operation(token)),
        (None, true) => Some(Ask::Distinct),
        (None, false) => None,
    }
}

/// Serves a GET or POST that [`ask`] claimed.
pub(crate) async fn serve(
    state: AppState,
    ask: Ask,
    method: Method,
    headers: HeaderMap,
    raw_query: String,
    body: Body,
) -> Response {
    match ask {
        Ask::Distinct => distinct(&state, &method, &headers, &raw_query, body).await,
        Ask::Open(token) => open(&state, &headers, token),
        Ask::Operation(token) => {
            start_operation(&state, &method, &headers, &raw_query, body, &token).await
        }
    }
}

/// `PUT /graphql`: reserves a stream for single connection mode; the body of the 201 is its token.
pub(crate) async fn reserve(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (key, server_key) = match stream_key(&state, &headers) {
        Ok(found) => found,
        Err(refusal) => return refusal.into_response(),
    };
    let open_within = state.limits.ws_init_timeout;
    let token = match state.sse_streams.reserve(key, server_key, open_within) {
        Ok(token) => token,
        Err(refused) => return reserve_refusal(refused, open_within).into_response(),
    };
    (
        StatusCode::CREATED,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        token,
    )
        .into_response()
}

/// RATE_LIMITED, saying which cap was reached and how a client gets under it.
fn reserve_refusal(refused: Full, open_within: std::time::Duration) -> Refusal {
    let secs = open_within.as_secs_f64();
    let message = match refused {
        Full::Key(max) => format!(
            "This API key already has {max} streams reserved and not opened, the most it may: \
             open them (GET with the token), or retry once they expire ({secs} s after their PUT)"
        ),
        Full::Total(max) => format!(
            "The gateway already holds {max} streams reserved and not opened, the most it may; \
             retry in a moment"
        ),
    };
    Refusal::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        message,
    )
}

/// `DELETE /graphql?operationId=<id>` with the stream's token: stops that operation.
pub(crate) async fn stop(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw_query): RawQuery,
) -> Response {
    let raw_query = raw_query.unwrap_or_default();
    let Some(token) = token(&headers, &raw_query) else {
        return no_stream();
    };
    let reserved = match reserved(&state, &headers, &token) {
        Ok(reserved) => reserved,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(id) = param(&raw_query, "operationId") else {
        return Refusal::bad_request("Name the operation to stop: `?operationId=<id>`")
            .into_response();
    };
    reserved.stop(&id);
    StatusCode::OK.into_response()
}

/// Distinct connections mode: the operation's own stream.
async fn distinct(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    raw_query: &str,
    body: Body,
) -> Response {
    let decoded = async {
        let key = caller_key(state, headers)?;
        let request = decode(state, method, headers, raw_query, body).await?;
        Ok::<_, Refusal>((request, key))
    };
    let operation = match decoded.await {
        Ok((request, key)) => operation::ending(operation::execute(state, request, key).results),
        // What GraphQL over HTTP answers as a GraphQL response goes into the stream: an
        // `EventSource` shows nothing of a refused response.
        Err(refusal) if refusal.is_graphql_error() => operation::refused(refusal.to_error()),
        Err(refusal) => return refusal.into_response(),
    };
    event_stream(Session::distinct(state, operation))
}

/// Single connection mode: opens the reserved stream.
fn open(state: &AppState, headers: &HeaderMap, token: String) -> Response {
    let reserved = match reserved(state, headers, &token) {
        Ok(reserved) => reserved,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(commands) = state.sse_streams.open(&reserved) else {
        return Refusal::new(
            StatusCode::CONFLICT,
            ErrorCode::BadRequest,
            "This stream is already open; a reservation serves one connection",
        )
        .into_response();
    };
    event_stream(Session::single(state, token, reserved, commands))
}

/// Single connection mode: an operation whose results go to the reserved stream. Refusals are
/// answered as GraphQL over HTTP answers them; 202 means the results will come on the stream.
async fn start_operation(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    raw_query: &str,
    body: Body,
    token: &str,
) -> Response {
    let Some(media) = negotiate::negotiate(headers) else {
        return Refusal::new(
            StatusCode::NOT_ACCEPTABLE,
            ErrorCode::NotAcceptable,
            "Accept `application/graphql-response+json` or `application/json`",
        )
        .into_response();
    };
    let reserved = match reserved(state, headers, token) {
        Ok(reserved) => reserved,
        Err(refusal) => return refusal.in_media(media).into_response(),
    };
    let claimed = async {
        let request = decode(state, method, headers, raw_query, body).await?;
        let id = operation_id(&request)?;
        let max = state.limits.ws_max_subscriptions;
        reserved.claim(&id, max).map_err(|refused| match refused {
            streams::Refused::Duplicate => Refusal::new(
                StatusCode::CONFLICT,
                ErrorCode::BadRequest,
                format!("An operation with id `{id}` already runs on this stream"),
            ),
            streams::Refused::Full => Refusal::new(
                StatusCode::CONFLICT,
                ErrorCode::TooManySubscriptions,
                format!(
                    "This stream already runs {max} operations, the most it may; stop one first"
                ),
            ),
        })?;
        Ok::<_, Refusal>((request, id))
    };
    let (request, id) = match claimed.await {
        Ok(claimed) => claimed,
        Err(refusal) => return refusal.in_media(media).into_response(),
    };
    let execution = operation::execute(state, request, reserved.key.clone());
    match operation::prepare(execution).await {
        Prepared::Refused(response) => {
            reserved.release(&id);
            respond::respond(*response, media)
        }
        Prepared::Running(results) => {
            if reserved.start(id, operation::ending(results)) {
                StatusCode::ACCEPTED.into_response()
            } else {
                // Stopped (DELETE) while it was being validated.
                StatusCode::NO_CONTENT.into_response()
            }
        }
    }
}

/// The request of a GET (URL parameters) or POST (JSON body), as `/graphql` reads it.
async fn decode(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    raw_query: &str,
    body: Body,
) -> Result<async_graphql::Request, Refusal> {
    let mut request = if method == Method::GET {
        request::from_query_string(raw_query)?
    } else {
        request::from_post(state, headers, body).await?
    };
    state.persisted.resolve(&mut request).await?;
    request::require_query(&request)?;
    if method == Method::GET
        && request::operation_type(&mut request) == Some(OperationType::Mutation)
    {
        return Err(Refusal::post_only(
            "Mutations must be sent with POST, never GET",
        ));
    }
    Ok(request)
}

/// The key a stream is reserved with, and whether it is the gateway's own.
fn stream_key(state: &AppState, headers: &HeaderMap) -> Result<(Option<ApiKey>, bool), Refusal> {
    match bearer_key(headers) {
        Ok(Some(key)) => Ok((Some(key), false)),
        Ok(None) => Ok((caller_key(state, headers)?, true)),
        Err(problem) => Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            problem,
        )),
    }
}

/// The reserved stream `token`, if this request may use it: it must bring the key the stream was
/// reserved with or none; without one, a stream on the gateway's own key keeps the origin rule.
fn reserved(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
) -> Result<std::sync::Arc<Reserved>, Refusal> {
    let reserved = state.sse_streams.get(token).ok_or_else(|| {
        Refusal::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "No stream is reserved under this token (it expired, ended, or never was): \
             reserve one with PUT /graphql",
        )
    })?;
    let forbidden = |message: &str| {
        Refusal::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            message.to_owned(),
        )
    };
    match bearer_key(headers) {
        Ok(Some(key)) if reserved.key.as_ref() == Some(&key) => {}
        Ok(Some(_)) => return Err(forbidden("This stream was reserved with another API key")),
        Ok(None)
            if reserved.server_key
                && (!state.origins.allows(headers) || cross_site_without_origin(headers)) =>
        {
            return Err(forbidden(
                "Requests from other origins must send their own `Authorization: Bearer <seam api key>`",
            ));
        }
        Ok(None) => {}
        Err(problem) => {
            return Err(Refusal::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                problem,
            ))
        }
    }
    Ok(reserved)
}

fn no_stream() -> Response {
    Refusal::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "Send the stream's token (`x-graphql-event-stream-token` or `?token=`); reserve one with PUT /graphql",
    )
    .into_response()
}

/// `extensions.operationId`, which single connection mode requires.
fn operation_id(request: &async_graphql::Request) -> Result<String, Refusal> {
    let id = match request.extensions.get("operationId") {
        Some(async_graphql::Value::String(id)) => id.clone(),
        Some(async_graphql::Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    if id.is_empty() {
        return Err(Refusal::bad_request(
            "An operation on a reserved stream needs `extensions.operationId`",
        ));
    }
    Ok(id)
}

fn event_stream(session: Session) -> Response {
    (event::headers(), session.into_body()).into_response()
}

/// The stream token from the header, else the URL.
fn token(headers: &HeaderMap, raw_query: &str) -> Option<String> {
    headers
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .or_else(|| param(raw_query, TOKEN_PARAM))
}

/// A URL parameter's decoded value, when present and not empty.
fn param(raw_query: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw_query)
        .ok()?
        .into_iter()
        .find(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| v)
}

/// True when `text/event-stream` is the client's first choice among what `/graphql` can answer
/// in (by `q`, then by order): a client that accepts JSON too but prefers it gets JSON.
fn wants_event_stream(headers: &HeaderMap) -> bool {
    let mut best: Option<(f32, bool)> = None;
    let entries = headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','));
    for entry in entries {
        let mut parts = entry.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let stream = match media.as_str() {
            "text/event-stream" => true,
            "application/graphql-response+json" | "application/json" => false,
            _ => continue,
        };
        let q = parts
            .find_map(|p| p.strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(best_q, _)| q > best_q) {
            best = Some((q, stream));
        }
    }
    best.is_some_and(|(_, stream)| stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, value.parse().expect("accept"));
        h
    }

    #[test]
    fn should_stream_only_when_the_client_prefers_event_streams() {
        assert!(wants_event_stream(&accept("text/event-stream")));
        assert!(wants_event_stream(&accept(
            "text/event-stream, application/json;q=0.5"
        )));
        assert!(!wants_event_stream(&accept(
            "application/json, text/event-stream"
        )));
        assert!(!wants_event_stream(&accept("text/event-stream;q=0")));
        assert!(!wants_event_stream(&accept("*/*")));
        assert!(!wants_event_stream(&HeaderMap::new()));
    }

    #[test]
    fn should_find_the_token_in_the_header_or_the_url() {
        let mut h = HeaderMap::new();
        assert_eq!(token(&h, "token=abc&x=1"), Some("abc".into()));
        assert_eq!(token(&h, "token="), None);
        h.insert(TOKEN_HEADER, "def".parse().expect("token"));
        assert_eq!(token(&h, "token=abc"), Some("def".into()));
    }
}
