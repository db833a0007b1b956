//! `POST /graphql` and the GraphiQL playground at `GET /graphql`.
//!
//! The body is read and decoded here rather than by async-graphql-axum's extractor, so that every
//! refusal (malformed JSON, a batch, a body too large or too slow, a cross-site use of the server's
//! key) is a GraphQL error with `extensions.code`, not a line of plain text.

use async_graphql::{ErrorExtensionValues, ServerError};
use async_graphql_axum::GraphQLResponse;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::auth::bearer_key;
use super::{AppState, BODY_LIMIT};
use crate::schema::{ErrorCode, RequestScope};
use crate::seam::ApiKey;

pub(crate) async fn playground() -> impl IntoResponse {
    super::graphiql::page()
}

/// Runs one GraphQL request with the caller's key and a fresh set of loaders.
pub(crate) async fn execute(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let key = match caller_key(&state, &headers) {
        Ok(key) => key,
        Err(refusal) => return refusal.into_response(),
    };
    let bytes = match read_body(&state, body).await {
        Ok(bytes) => bytes,
        Err(refusal) => return refusal.into_response(),
    };
    let mut request = match decode(&bytes) {
        Ok(request) => request,
        Err(refusal) => return refusal.into_response(),
    };
    // Held until the response is built: the tenant's slot.
    let mut _slot = None;
    if let Some(key) = key {
        _slot = match state.tenant_limit.try_enter(key.tenant()) {
            Some(slot) => Some(slot),
            None => return Refusal::busy().into_response(),
        };
        request = request.data(RequestScope::new(&state.services, key));
    }
    let response = state.schema.execute(request).await;
    let retry_after = retry_after(&response);
    let mut http = GraphQLResponse::from(response).into_response();
    if let Some(seconds) = retry_after {
        http.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    http
}

/// The longest `retryAfter` among RATE_LIMITED errors, for the `Retry-After` header.
fn retry_after(response: &async_graphql::Response) -> Option<u64> {
    response
        .errors
        .iter()
        .filter_map(|e| e.extensions.as_ref())
        .filter(|ext| {
            matches!(ext.get("code"), Some(async_graphql::Value::String(c)) if c == ErrorCode::RateLimited.as_str())
        })
        .filter_map(|ext| match ext.get("retryAfter") {
            Some(async_graphql::Value::Number(n)) => n.as_u64(),
            _ => None,
        })
        .max()
}

/// A request refused before it reached the schema.
pub(crate) struct Refusal {
    status: StatusCode,
    code: ErrorCode,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// The key already has as many requests in flight as it may.
    fn busy() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "This API key has too many requests in flight; retry in 1 s",
        )
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut error = ServerError::new(self.message, None);
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", self.code.as_str());
        let rate_limited = self.code == ErrorCode::RateLimited;
        if rate_limited {
            extensions.set("retryAfter", 1);
        }
        error.extensions = Some(extensions);
        let body = async_graphql::Response::from_errors(vec![error]);
        let mut response = (self.status, Json(body)).into_response();
        if rate_limited {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(1u64));
        }
        response
    }
}

/// The key the request acts with: its own `Authorization`, else the gateway's default key, which
/// only same-origin (or allow-listed) browsers and non-browser clients may use.
fn caller_key(state: &AppState, headers: &HeaderMap) -> Result<Option<ApiKey>, Refusal> {
    match bearer_key(headers) {
        Ok(Some(key)) => Ok(Some(key)),
        Ok(None) => {
            if !state.origins.allows(headers) {
                return Err(Refusal::new(
                    StatusCode::FORBIDDEN,
                    ErrorCode::Forbidden,
                    "Requests from other origins must send their own `Authorization: Bearer <seam api key>` \
                     (or be added to SEAM_GRAPHQL_ALLOWED_ORIGINS)",
                ));
            }
            // A browser can send text/plain or a form cross-site without a preflight; only JSON
            // may use the server's key.
            if !is_json(headers) {
                return Err(Refusal::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    ErrorCode::BadRequest,
                    "Send the request as `Content-Type: application/json`",
                ));
            }
            Ok(state.default_key.as_deref().cloned())
        }
        // 200, as for every other GraphQL error about the key.
        Err(problem) => Err(Refusal::new(
            StatusCode::OK,
            ErrorCode::Unauthenticated,
            problem,
        )),
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v == "application/graphql-response+json")
}

/// The whole body, within the size limit and the body read timeout.
async fn read_body(state: &AppState, body: Body) -> Result<Bytes, Refusal> {
    let timeout = state.limits.body_read_timeout;
    match tokio::time::timeout(timeout, axum::body::to_bytes(body, BODY_LIMIT)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!(
                "The request body is over {} KiB, or was cut off",
                BODY_LIMIT / 1024
            ),
        )),
        Err(_) => Err(Refusal::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::BadRequest,
            format!(
                "The request body did not arrive within {} ms",
                timeout.as_millis()
            ),
        )),
    }
}

/// One GraphQL request (`{"query", "variables", "operationName", "extensions"}`).
fn decode(bytes: &[u8]) -> Result<async_graphql::Request, Refusal> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "Batched requests are not supported; send one operation per request",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            format!(
                "The body is not a GraphQL request (JSON with a `query` string): {}",
                e
            ),
        )
    })
}
