//! `/workspaces/get`: the workspace the API key opens.

use serde_json::{json, Value};

use super::model::Model;
use super::wire::ApiError;

pub(crate) fn get(m: &Model, ws: &str) -> Result<Value, ApiError> {
    let name = m
        .workspaces
        .iter()
        .find(|w| w.workspace_id == ws)
        .map(|w| w.name.clone())
        .unwrap_or_default();
    Ok(json!({ "workspace": {
        "workspace_id": ws,
        "name": name,
        "company_name": name,
        "is_sandbox": true,
        "connect_webview_customization": {},
        "is_suspended": false,
        "connect_partner_name": null,
        "is_publishable_key_auth_enabled": false,
        "organization_id": null,
    }}))
}
