//! `/action_attempts/get`.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::model::Model;
use super::validation::Input;
use super::wire::{self, ApiError};

pub(crate) fn get(m: &Model, ws: &str, mut input: Input) -> Result<Value, ApiError> {
    let id = input.required_string("action_attempt_id");
    input.check()?;
    let id = id.unwrap_or_default();
    let attempt = m
        .attempts
        .get(&id)
        .filter(|a| a.workspace_id == ws)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "action_attempt_not_found",
                "action_attempt not found",
            )
            .with_data(json!({ "action_attempt_id": id }))
        })?;
    Ok(json!({ "action_attempt": wire::attempt_json(attempt) }))
}
