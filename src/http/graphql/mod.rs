//! `/graphql` over HTTP (GraphQL over HTTP): queries over GET and POST, the response's media type
//! by `Accept`, and the GraphiQL playground for a browser that asks for a page. Requests that ask
//! for an event stream, or carry a stream's token, go to the SSE transport (`http/sse/`).
//!
//! The request is read and decoded here rather than by async-graphql-axum's extractor, so that every
//! refusal (malformed JSON, a batch, a body too large or too slow, a cross-site use of the server's
//! key) is a GraphQL error with `extensions.code`, not a line of plain text.

// The SSE transport (`http/sse/`) decodes, negotiates and refuses as this endpoint does.
mod documents;
pub(super) mod negotiate;
mod persisted;
pub(super) mod refusal;
pub(super) mod request;
pub(super) mod respond;

use async_graphql::parser::types::OperationType;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};

pub(crate) use persisted::PersistedQueries;
pub(crate) use request::operation_type;

use super::auth::bearer_key;
use super::AppState;
use crate::schema::{ErrorCode, RequestScope};
use crate::seam::ApiKey;
use negotiate::MediaType;
use refusal::Refusal;

pub(crate) async fn playground() -> impl IntoResponse {
    super::graphiql::page()
}

/// `POST /graphql`: one GraphQL request in a JSON body.
pub(crate) async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Body,
) -> Response {
    let raw = raw.unwrap_or_default();
    if let Some(ask) = super::sse::ask(&headers, &raw) {
        return super::sse::serve(state, ask, Method::POST, headers, raw, body).await;
    }
    let Some(media) = negotiate::negotiate(&headers) else {
        return not_acceptable();
    };
    let outcome = async {
        let key = caller_key(&state, &headers)?;
        let mut request = request::from_post(&state, &headers, body).await?;
        state.persisted.resolve(&mut request).await?;
        request::require_query(&request)?;
        documents::attach(&mut request);
        Ok::<_, Refusal>((request, key))
    };
    match outcome.await {
        Ok((request, key)) => run(&state, request, key, media).await,
        Err(refusal) => refuse(&state, refusal, media),
    }
}

/// `GET /graphql`: a query in the URL (never a mutation), or GraphiQL for a browser asking for a page.
pub(crate) async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let raw = raw.unwrap_or_default();
    if let Some(ask) = super::sse::ask(&headers, &raw) {
        return super::sse::serve(state, ask, Method::GET, headers, raw, Body::empty()).await;
    }
    if negotiate::wants_html(&headers)
        && !has_param(&raw, "query")
        && !has_param(&raw, "extensions")
    {
        return playground().await.into_response();
    }
    let Some(media) = negotiate::negotiate(&headers) else {
        return not_acceptable();
    };
    let outcome = async {
        let mut request = request::from_query_string(&raw)?;
        state.persisted.resolve(&mut request).await?;
        request::require_query(&request)?;
        documents::attach(&mut request);
        match request::operation_type(&mut request) {
            Some(OperationType::Mutation) => Err(Refusal::post_only(
                "Mutations must be sent with POST, never GET",
            )),
            Some(OperationType::Subscription) => Err(Refusal::bad_request(
                "Subscriptions run over the websocket at /graphql/ws, or here with `Accept: text/event-stream` (SSE)",
            )),
            _ => Ok(request),
        }
    }
    .await
    .and_then(|request| Ok((request, caller_key(&state, &headers)?)));
    match outcome {
        Ok((request, key)) => run(&state, request, key, media).await,
        Err(refusal) => refuse(&state, refusal, media),
    }
}

/// A refusal, counted by its code like the schema's errors.
fn refuse(state: &AppState, refusal: Refusal, media: MediaType) -> Response {
    state
        .services
        .client
        .metrics()
        .error(refusal.code().as_str());
    refusal.in_media(media).into_response()
}

/// Runs one GraphQL request with the caller's key and a fresh set of loaders, within the key's
/// in-flight limit.
async fn run(
    state: &AppState,
    mut request: async_graphql::Request,
    key: Option<ApiKey>,
    media: MediaType,
) -> Response {
    // Held until the response is built: the tenant's slot.
    let mut _slot = None;
    if let Some(key) = key {
        _slot = match state.tenant_limit.try_enter(key.tenant()) {
            Some(slot) => Some(slot),
            None => return refuse(state, Refusal::busy(), media),
        };
        request = request.data(RequestScope::new(&state.services, key));
    }
    respond::respond(state.schema.execute(request).await, media)
}

fn not_acceptable() -> Response {
    Refusal::new(
        StatusCode::NOT_ACCEPTABLE,
        ErrorCode::NotAcceptable,
        "Accept `application/graphql-response+json` or `application/json`",
    )
    .into_response()
}

/// True when the URL carries the parameter with a value.
fn has_param(raw: &str, name: &str) -> bool {
    raw.split('&')
        .filter_map(|pair| pair.split_once('='))
        .any(|(k, v)| k == name && !v.is_empty())
}

/// The key the request acts with: its own `Authorization`, else the gateway's default key, which
/// only same-origin (or allow-listed) browsers and non-browser clients may use.
pub(super) fn caller_key(state: &AppState, headers: &HeaderMap) -> Result<Option<ApiKey>, Refusal> {
    match bearer_key(headers) {
        Ok(Some(key)) => Ok(Some(key)),
        Ok(None) => {
            if !state.origins.allows(headers) || cross_site_without_origin(headers) {
                return Err(Refusal::new(
                    StatusCode::FORBIDDEN,
                    ErrorCode::Forbidden,
                    "Requests from other origins must send their own `Authorization: Bearer <seam api key>` \
                     (or be added to SEAM_GRAPHQL_ALLOWED_ORIGINS)",
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

/// A browser's cross-site GET without CORS (an `<img>`, a prefetch) carries no `Origin`, but
/// `Sec-Fetch-Site` still tells it apart from a same-site page or a non-browser client.
pub(super) fn cross_site_without_origin(headers: &HeaderMap) -> bool {
    !headers.contains_key(axum::http::header::ORIGIN)
        && headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
}
