//! Turning the gateway's errors into GraphQL errors with `extensions.code`, and giving one to every
//! error async-graphql raises itself.

use std::sync::Arc;

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

/// Gives every error that reaches the client a `code` (and the request's id): errors raised by async-graphql itself
/// (syntax, validation, variable and scalar coercion) come without one, and they are all faults
/// in the client's request.
pub(crate) struct ErrorCodes;

impl async_graphql::extensions::ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn async_graphql::extensions::Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for ErrorCodesExtension {
    async fn request(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        next: async_graphql::extensions::NextRequest<'_>,
    ) -> async_graphql::Response {
        let mut response = next.run(ctx).await;
        give_codes(&mut response);
        response
    }

    /// Streamed results (every operation over a websocket or SSE) never pass the `request` hook.
    fn subscribe<'s>(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        stream: futures::stream::BoxStream<'s, async_graphql::Response>,
        next: async_graphql::extensions::NextSubscribe<'_>,
    ) -> futures::stream::BoxStream<'s, async_graphql::Response> {
        use futures::StreamExt;
        next.run(ctx, stream)
            .map(|mut response| {
                give_codes(&mut response);
                response
            })
            .boxed()
    }
}

fn give_codes(response: &mut async_graphql::Response) {
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
