//! An executed request's HTTP response: its media type, its status, and `Retry-After`.

use async_graphql::Value;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::negotiate::MediaType;
use crate::schema::ErrorCode;

pub(crate) fn respond(mut response: async_graphql::Response, media: MediaType) -> Response {
    let retry_after = retry_after(&response);
    let request_error = is_request_error(&response);
    // Under `application/graphql-response+json` a request that never executed (it did not parse,
    // validate, coerce its variables or fit the cost budget) is a 400 without `data`; under
    // `application/json` it stays a 200, which is what older clients expect.
    let (status, body) = if request_error && media == MediaType::GraphqlResponse {
        let body = serde_json::json!({ "errors": response.errors });
        (StatusCode::BAD_REQUEST, body.to_string())
    } else {
        let body = serde_json::to_string(&response).unwrap_or_else(|_| {
            r#"{"errors":[{"message":"The response could not be serialized","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#.into()
        });
        (StatusCode::OK, body)
    };
    let mut http = (status, body).into_response();
    let headers = http.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(media.as_str()));
    if response.is_ok() {
        if let Some(value) = response
            .cache_control
            .value()
            .and_then(|v| HeaderValue::from_str(&v).ok())
        {
            headers.insert(CACHE_CONTROL, value);
        }
    }
    headers.extend(std::mem::take(&mut response.http_headers));
    if let Some(seconds) = retry_after {
        headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    http
}

/// Errors, no data, and no error tied to a field: the request failed before execution.
fn is_request_error(response: &async_graphql::Response) -> bool {
    !response.errors.is_empty()
        && response.data == Value::Null
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// The longest `retryAfter` among RATE_LIMITED errors, for the `Retry-After` header.
fn retry_after(response: &async_graphql::Response) -> Option<u64> {
    response
        .errors
        .iter()
        .filter_map(|e| e.extensions.as_ref())
        .filter(|ext| {
            matches!(ext.get("code"), Some(Value::String(c)) if c == ErrorCode::RateLimited.as_str())
        })
        .filter_map(|ext| match ext.get("retryAfter") {
            Some(Value::Number(n)) => n.as_u64(),
            _ => None,
        })
        .max()
}
