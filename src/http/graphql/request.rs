//! Turning an HTTP request into one GraphQL request: a JSON body (POST) or URL parameters (GET),
//! and which kind of operation it asks for, since GET may only run queries.

use async_graphql::parser::types::OperationType;
use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;

use super::refusal::Refusal;
use crate::http::{AppState, BODY_LIMIT};
use crate::schema::ErrorCode;

/// The body of a POST: JSON with a `query`, within the size limit and the body read timeout.
pub(crate) async fn from_post(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<async_graphql::Request, Refusal> {
    // Also what keeps a cross-site form or `text/plain` POST from using the server's key: neither
    // can be sent as JSON without a CORS preflight.
    if !is_json(headers) {
        return Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadRequest,
            "Send the request as `Content-Type: application/json`",
        ));
    }
    decode(&read_body(state, body).await?)
}

/// The parameters of a GET: `query`, `operationName`, and `variables` and `extensions` as
/// URL-encoded JSON.
pub(crate) fn from_query_string(raw: &str) -> Result<async_graphql::Request, Refusal> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Params {
        #[serde(default)]
        query: String,
        operation_name: Option<String>,
        variables: Option<String>,
        extensions: Option<String>,
    }
    let params: Params = serde_urlencoded::from_str(raw)
        .map_err(|e| Refusal::bad_request(format!("The URL parameters are invalid: {e}")))?;
    let mut request = async_graphql::Request::new(params.query);
    request.operation_name = params.operation_name.filter(|n| !n.is_empty());
    request.variables = json_param("variables", params.variables)?.unwrap_or_default();
    request.extensions = json_param("extensions", params.extensions)?.unwrap_or_default();
    Ok(request)
}

/// A URL parameter holding JSON; absent or empty is `None`.
fn json_param<T: serde::de::DeserializeOwned>(
    name: &str,
    text: Option<String>,
) -> Result<Option<T>, Refusal> {
    text.filter(|t| !t.is_empty())
        .map(|t| serde_json::from_str(&t))
        .transpose()
        .map_err(|e| Refusal::bad_request(format!("`{name}` is not a JSON object: {e}")))
}

/// A request must carry a document (or, with a persisted query, its hash).
pub(crate) fn require_query(request: &async_graphql::Request) -> Result<(), Refusal> {
    if request.query.trim().is_empty() {
        return Err(Refusal::bad_request(
            "The request has no `query` (a GraphQL document)",
        ));
    }
    Ok(())
}

/// The kind of the operation the request would run; `None` when the document does not parse or
/// does not name an operation it has (the schema then reports why). The parse stays with the
/// request, so the schema does not parse it again.
pub(crate) fn operation_type(request: &mut async_graphql::Request) -> Option<OperationType> {
    let name = request.operation_name.clone();
    let doc = request.parsed_query().ok()?;
    match &name {
        Some(name) => doc
            .operations
            .iter()
            .find(|(n, _)| n.is_some_and(|n| n.as_str() == name))
            .map(|(_, op)| op.node.ty),
        None => {
            let mut all = doc.operations.iter();
            let (_, op) = all.next()?;
            all.next().is_none().then_some(op.node.ty)
        }
    }
}

pub(crate) fn is_json(headers: &HeaderMap) -> bool {
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
        return Err(Refusal::bad_request(
            "Batched requests are not supported; send one operation per request",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        Refusal::bad_request(format!(
            "The body is not a GraphQL request (JSON with a `query` string): {}",
            e
        ))
    })
}
