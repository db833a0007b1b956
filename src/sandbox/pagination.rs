//! Opaque offset cursors bound to the request's other parameters, and the `pagination` object.

use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

use super::wire::ApiError;

/// Returns one page of `items` and the `pagination` object. `fingerprint` identifies the request's
/// other parameters; a cursor minted for different parameters is refused.
pub(crate) fn page<T>(
    items: Vec<T>,
    limit: usize,
    cursor: Option<&str>,
    fingerprint: &str,
) -> Result<(Vec<T>, Value), ApiError> {
    let offset = match cursor {
        None => 0,
        Some(c) => decode(c, fingerprint)?,
    };
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(offset).take(limit).collect();
    let next = offset + page.len();
    let has_next = next < total;
    let pagination = json!({
        "has_next_page": has_next,
        "next_page_cursor": if has_next { Some(encode(next, fingerprint)) } else { None },
        "next_page_url": null,
    });
    Ok((page, pagination))
}

fn encode(offset: usize, fingerprint: &str) -> String {
    URL_SAFE_NO_PAD.encode(json!({ "q": fingerprint, "offset": offset }).to_string())
}

fn decode(cursor: &str, fingerprint: &str) -> Result<usize, ApiError> {
    let invalid = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_page_cursor",
            "The page_cursor is not valid.",
        )
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.trim_end_matches('='))
        .map_err(|_| invalid())?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if v["q"].as_str() != Some(fingerprint) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "mismatched_page_parameters",
            "When using next_page_cursor, the request must send parameters identical to the initial request.",
        ));
    }
    v["offset"].as_u64().map(|o| o as usize).ok_or_else(invalid)
}
