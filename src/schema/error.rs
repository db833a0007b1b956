//! Turning the gateway's errors into GraphQL errors with `extensions.code`, and giving one to every
//! error async-graphql raises itself.

use async_graphql::{Error, ErrorExtensions};

pub(crate) use crate::error::{ErrorCode, GatewayError, GatewayResult};
use crate::seam::SeamError;

impl From<GatewayError> for Error {
    fn from(e: GatewayError) -> Self {
        let upstream = e.upstream.clone();
        let retry_after = e.retry_after();
        Error::new(e.message).extend_with(|_, ext| {
            ext.set("code", e.code.as_str());
            if let Some(seconds) = retry_after {
                ext.set("retryAfter", seconds);
            }
            if let Some(SeamError::Api {
                status,
                kind,
                request_id,
                validation_errors,
                ..
            }) = upstream.as_deref()
            {
                ext.set("upstreamStatus", *status);
                ext.set("upstreamType", kind.as_str());
                if let Some(id) = request_id {
                    ext.set("upstreamRequestId", id.as_str());
                }
                // Already PIN-scrubbed, keys and values, when the `SeamError` was built.
                if let Some(v) = validation_errors {
                    if let Ok(v) = async_graphql::Value::from_json((**v).clone()) {
                        ext.set("validationErrors", v);
                    }
                }
            }
        })
    }
}

/// Gives every error that reaches the client a `code` (and the request's id): errors raised by
/// async-graphql itself (syntax, validation, variable and scalar coercion) come without one, and
/// they are all faults in the client's request. `hooks.rs` calls it on every response, streamed
/// or not.
pub(super) fn give_codes(response: &mut async_graphql::Response) {
    // So a frontend developer can hand the id to whoever reads the gateway's logs.
    let request_id = crate::telemetry::request_id();
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", ErrorCode::BadUserInput.as_str());
        }
        if let Some(id) = &request_id {
            extensions.set("requestId", id.as_str());
        }
    }
}
