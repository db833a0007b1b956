//! `/webhooks/*`: a workspace's webhook registrations. Each gets its own `whsec_` secret, and the
//! workspace's events of the registered types are signed with it and delivered (see `webhooks`).

use axum::http::StatusCode;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand::RngCore;
use serde_json::{json, Value};

use super::model::{Model, Time, WebhookRegistration};
use super::validation::Input;
use super::wire::{self, ApiError};

fn webhook_json(w: &WebhookRegistration) -> Value {
    json!({
        "webhook_id": w.webhook_id,
        "url": w.url,
        "event_types": w.event_types,
        "secret": w.secret,
        "created_at": wire::time(w.created_at),
    })
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "webhook_not_found",
        "Webhook not found",
    )
    .with_data(json!({ "webhook_id": id }))
}

fn index(m: &Model, ws: &str, id: &str) -> Result<usize, ApiError> {
    m.webhooks
        .iter()
        .position(|w| w.workspace_id == ws && w.webhook_id == id)
        .ok_or_else(|| not_found(id))
}

pub(crate) fn create(
    m: &mut Model,
    ws: &str,
    now: Time,
    mut input: Input,
) -> Result<Value, ApiError> {
    let url = input.required_string("url");
    let event_types = input.string_list("event_types");
    if let Some(u) = &url {
        if reqwest::Url::parse(u).is_err() {
            input.field_error("url", "Invalid url");
        }
    }
    input.check()?;
    let url = url.unwrap_or_default();
    // One URL, one signing secret (as one Svix endpoint), whichever workspace registers it: a
    // receiver serving several workspaces verifies them all with the secret it was given first.
    let secret = m
        .webhooks
        .iter()
        .find(|w| w.url == url)
        .map(|w| w.secret.clone())
        .unwrap_or_else(|| {
            let mut key = [0u8; 24];
            rand::thread_rng().fill_bytes(&mut key);
            format!("whsec_{}", STANDARD.encode(key))
        });
    let webhook = WebhookRegistration {
        webhook_id: uuid::Uuid::new_v4().to_string(),
        workspace_id: ws.to_string(),
        url,
        event_types: event_types.unwrap_or_else(|| vec!["*".into()]),
        secret,
        created_at: now,
    };
    let body = json!({ "webhook": webhook_json(&webhook) });
    m.webhooks.push(webhook);
    Ok(body)
}

pub(crate) fn list(m: &Model, ws: &str) -> Result<Value, ApiError> {
    let hooks: Vec<Value> = m
        .webhooks
        .iter()
        .filter(|w| w.workspace_id == ws)
        .map(webhook_json)
        .collect();
    Ok(json!({ "webhooks": hooks }))
}

pub(crate) fn get(m: &Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let id = input.required_string("webhook_id");
    input.check()?;
    let idx = index(m, ws, &id.unwrap_or_default())?;
    Ok(json!({ "webhook": webhook_json(&m.webhooks[idx]) }))
}

pub(crate) fn update(m: &mut Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let id = input.required_string("webhook_id");
    let event_types = input.string_list("event_types");
    if !input.has("event_types") {
        input.field_error("event_types", "Required");
    }
    input.check()?;
    let idx = index(m, ws, &id.unwrap_or_default())?;
    m.webhooks[idx].event_types = event_types.unwrap_or_default();
    Ok(json!({}))
}

pub(crate) fn delete(m: &mut Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let id = input.required_string("webhook_id");
    input.check()?;
    let idx = index(m, ws, &id.unwrap_or_default())?;
    m.webhooks.remove(idx);
    Ok(json!({}))
}
