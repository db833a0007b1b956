//! CORS for `/graphql`: which other origins' pages may read its responses.

use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The layer for the configured origins; `None` when there are none (CORS off). With `*`, any page
/// may read responses but never with the browser's credentials (cookies, HTTP auth): a wildcard
/// that also let credentials through would hand every site the visitor's session.
pub(crate) fn layer(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<&str> = origins
        .iter()
        .map(|o| o.trim().trim_end_matches('/'))
        .filter(|o| !o.is_empty())
        .collect();
    if origins.is_empty() {
        return None;
    }
    let layer = CorsLayer::new()
        // PUT and DELETE, and the stream token, for graphql-sse's single connection mode.
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            CONTENT_TYPE,
            AUTHORIZATION,
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("x-graphql-event-stream-token"),
        ])
        .expose_headers([RETRY_AFTER])
        .max_age(std::time::Duration::from_secs(600));
    if origins.contains(&"*") {
        return Some(layer.allow_origin(AllowOrigin::any()));
    }
    let listed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    Some(
        layer
            .allow_origin(AllowOrigin::list(listed))
            .allow_credentials(true),
    )
}
