//! Which Seam API key a request acts with.

use axum::http::{header::AUTHORIZATION, HeaderMap};

use crate::seam::ApiKey;

/// The key from `Authorization: Bearer <key>`; `Ok(None)` when the header is absent.
pub(crate) fn bearer_key(headers: &HeaderMap) -> Result<Option<ApiKey>, &'static str> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    bearer_from_str(
        value
            .to_str()
            .map_err(|_| "The Authorization header is not valid text")?,
    )
}

/// Parses `Bearer <key>` (also used for a websocket's `connection_init` payload).
pub(crate) fn bearer_from_str(value: &str) -> Result<Option<ApiKey>, &'static str> {
    let value = value.trim();
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .ok_or("The Authorization header must be `Bearer <seam api key>`")?;
    if token.is_empty() {
        return Err("The Authorization header has an empty Bearer token");
    }
    Ok(Some(ApiKey::new(token)))
}
