//! The axum Router: every request goes through one dispatcher that mirrors Seam's order of checks
//! (outage, route, method, body, auth) and its exact error shapes.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use serde_json::Value;

use super::access_codes::unmanaged;
use super::model::Model;
use super::validation::Input;
use super::wire::{self, ApiError};
use super::{
    access_codes, action_attempts, admin, devices, events, webhook_routes, workspaces, Shared,
};

const BODY_LIMIT: usize = 2 * 1024 * 1024;

#[derive(Clone, Copy, Debug)]
enum Route {
    DevicesGet,
    DevicesList,
    Create,
    CreateMultiple,
    Update,
    UpdateMultiple,
    Delete,
    Get,
    List,
    ActionAttemptGet,
    EventsList,
    GenerateCode,
    GetTimeline,
    PullBackup,
    UnmanagedList,
    UnmanagedGet,
    UnmanagedUpdate,
    UnmanagedDelete,
    UnmanagedConvert,
    SimulateUnmanaged,
    WorkspacesGet,
    WebhooksCreate,
    WebhooksList,
    WebhooksGet,
    WebhooksUpdate,
    WebhooksDelete,
}

impl Route {
    fn from_path(path: &str) -> Option<Route> {
        Some(match path.trim_end_matches('/') {
            "/devices/get" => Route::DevicesGet,
            "/devices/list" => Route::DevicesList,
            "/access_codes/create" => Route::Create,
            "/access_codes/create_multiple" => Route::CreateMultiple,
            "/access_codes/update" => Route::Update,
            "/access_codes/update_multiple" => Route::UpdateMultiple,
            "/access_codes/delete" => Route::Delete,
            "/access_codes/get" => Route::Get,
            "/access_codes/list" => Route::List,
            "/action_attempts/get" => Route::ActionAttemptGet,
            "/events/list" => Route::EventsList,
            "/access_codes/generate_code" => Route::GenerateCode,
            "/access_codes/get_timeline" => Route::GetTimeline,
            "/access_codes/pull_backup_access_code" => Route::PullBackup,
            "/access_codes/unmanaged/list" => Route::UnmanagedList,
            "/access_codes/unmanaged/get" => Route::UnmanagedGet,
            "/access_codes/unmanaged/update" => Route::UnmanagedUpdate,
            "/access_codes/unmanaged/delete" => Route::UnmanagedDelete,
            "/access_codes/unmanaged/convert_to_managed" => Route::UnmanagedConvert,
            "/access_codes/simulate/create_unmanaged_access_code" => Route::SimulateUnmanaged,
            "/workspaces/get" => Route::WorkspacesGet,
            "/webhooks/create" => Route::WebhooksCreate,
            "/webhooks/list" => Route::WebhooksList,
            "/webhooks/get" => Route::WebhooksGet,
            "/webhooks/update" => Route::WebhooksUpdate,
            "/webhooks/delete" => Route::WebhooksDelete,
            _ => return None,
        })
    }

    /// Accepted methods (the OpenAPI's, plus GET on reads like Seam's fake) and the 405 message.
    fn methods(self) -> (&'static [Method], &'static str) {
        match self {
            Route::Create => (&[Method::POST], "only POST accepted"),
            Route::CreateMultiple => (&[Method::POST, Method::PUT], "only POST or PUT accepted"),
            Route::Update => (
                &[Method::POST, Method::PATCH, Method::PUT],
                "only POST, PATCH or PUT accepted",
            ),
            Route::UpdateMultiple => (
                &[Method::POST, Method::PATCH],
                "only POST or PATCH accepted",
            ),
            Route::Delete | Route::UnmanagedDelete => (
                &[Method::POST, Method::DELETE],
                "only POST or DELETE accepted",
            ),
            Route::UnmanagedUpdate => (
                &[Method::POST, Method::PATCH],
                "only POST or PATCH accepted",
            ),
            // The writes the OpenAPI gives POST alone.
            Route::GenerateCode
            | Route::GetTimeline
            | Route::PullBackup
            | Route::UnmanagedConvert
            | Route::SimulateUnmanaged
            | Route::WebhooksCreate
            | Route::WebhooksUpdate
            | Route::WebhooksDelete => (&[Method::POST], "only POST accepted"),
            _ => (&[Method::GET, Method::POST], "only GET or POST accepted"),
        }
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(dispatch).with_state(shared)
}

async fn dispatch(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    if let Some(rest) = path.strip_prefix("/_sandbox/") {
        return admin::handle(&shared, req.method().clone(), rest, req).await;
    }
    shared.count_call(&path);
    if shared.outage() {
        return wire::outage();
    }
    let Some(route) = Route::from_path(&path) else {
        return wire::text(StatusCode::NOT_FOUND, "404");
    };
    let method = req.method().clone();
    let (allowed, message) = route.methods();
    if !allowed.contains(&method) {
        return ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            message,
        )
        .into_response();
    }
    let headers = req.headers().clone();
    let query = req.uri().query().unwrap_or("").to_string();
    let input = match read_input(&method, &headers, &query, req.into_body()).await {
        Ok(i) => i,
        Err(res) => return res,
    };
    tracing::debug!(?route, "sandbox request");
    let result = shared.with_model(|m, now| {
        let ws = authenticate(m, &headers)?;
        match route {
            Route::DevicesGet => devices::get(m, &ws, input),
            Route::DevicesList => devices::list(m, &ws, input),
            Route::Create => access_codes::create(m, &ws, now, input),
            Route::CreateMultiple => access_codes::create_multiple(m, &ws, now, input),
            Route::Update => access_codes::update(m, &ws, now, input),
            Route::UpdateMultiple => access_codes::update_multiple(m, &ws, now, input),
            Route::Delete => access_codes::delete(m, &ws, now, input),
            Route::Get => access_codes::get(m, &ws, input),
            Route::List => access_codes::list(m, &ws, input),
            Route::ActionAttemptGet => action_attempts::get(m, &ws, input),
            Route::EventsList => events::list(m, &ws, input),
            Route::GenerateCode => access_codes::generate_code(m, &ws, now, input),
            Route::GetTimeline => access_codes::get_timeline(m, &ws, input),
            Route::PullBackup => access_codes::pull_backup_access_code(m, &ws, now, input),
            Route::UnmanagedList => unmanaged::list(m, &ws, input),
            Route::UnmanagedGet => unmanaged::get(m, &ws, input),
            Route::UnmanagedUpdate => unmanaged::update(m, &ws, now, input),
            Route::UnmanagedDelete => unmanaged::delete(m, &ws, now, input),
            Route::UnmanagedConvert => unmanaged::convert_to_managed(m, &ws, now, input),
            Route::SimulateUnmanaged => unmanaged::simulate_create(m, &ws, now, input),
            Route::WorkspacesGet => workspaces::get(m, &ws),
            Route::WebhooksCreate => webhook_routes::create(m, &ws, now, input),
            Route::WebhooksList => webhook_routes::list(m, &ws),
            Route::WebhooksGet => webhook_routes::get(m, &ws, input),
            Route::WebhooksUpdate => webhook_routes::update(m, &ws, input),
            Route::WebhooksDelete => webhook_routes::delete(m, &ws, input),
        }
    });
    match result {
        Ok(body) => wire::ok(body),
        Err(err) => err.into_response(),
    }
}

/// The key's workspace id, or Seam's 401s.
fn authenticate(m: &Model, headers: &HeaderMap) -> Result<String, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthorized("No Authorization header"));
    };
    let value = value.to_str().unwrap_or("");
    let Some(token) = value.strip_prefix("Bearer ").map(str::trim) else {
        return Err(ApiError::unauthorized("No token provided"));
    };
    m.workspace_for_key(token)
        .map(|w| w.workspace_id.clone())
        .ok_or_else(|| ApiError::unauthorized("API Key not found"))
}

/// Query string for GET (and for body-less requests); otherwise a JSON body with a JSON content type.
async fn read_input(
    method: &Method,
    headers: &HeaderMap,
    query: &str,
    body: Body,
) -> Result<Input, Response> {
    if method == Method::GET {
        return Ok(Input::from_query(query));
    }
    let bytes = to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| wire::text(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large"))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Input::from_query(query));
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("application/json"));
    if !is_json {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_content_type",
            "POST requests must have Content-Type header with \"application/json\"",
        )
        .into_response());
    }
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|_| wire::text(StatusCode::BAD_REQUEST, "Invalid JSON"))?;
    Input::from_json(value).map_err(ApiError::into_response)
}
