//! A request refused before it reached the schema: always a GraphQL error with `extensions.code`,
//! never a line of plain text, so every client can read why.

use async_graphql::{ErrorExtensionValues, ServerError};
use axum::http::header::{ALLOW, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::negotiate::MediaType;
use crate::schema::ErrorCode;

pub(crate) struct Refusal {
    /// `None`: a GraphQL request error, whose status depends on the media type (200 under
    /// `application/json`, 400 under `application/graphql-response+json`).
    status: Option<StatusCode>,
    code: ErrorCode,
    message: String,
    media: MediaType,
    allow: Option<&'static str>,
}

impl Refusal {
    pub(crate) fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status: Some(status),
            code,
            message: message.into(),
            media: MediaType::Json,
            allow: None,
        }
    }

    /// An error about the GraphQL request itself (as a parse error would be).
    pub(crate) fn request_error(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status: None,
            ..Self::new(StatusCode::BAD_REQUEST, code, message)
        }
    }

    /// Its `extensions.code`.
    pub(crate) fn code(&self) -> ErrorCode {
        self.code
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
    }

    /// The key already has as many requests in flight as it may.
    pub(crate) fn busy() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "This API key has too many requests in flight; retry in 1 s",
        )
    }

    /// A mutation sent as a GET, which caches and prefetchers may repeat at will.
    pub(crate) fn post_only(message: impl Into<String>) -> Self {
        Self {
            allow: Some("POST"),
            ..Self::new(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                message,
            )
        }
    }

    /// Answer in the media type the client negotiated.
    pub(crate) fn in_media(mut self, media: MediaType) -> Self {
        self.media = media;
        self
    }

    /// True when GraphQL over HTTP answers it as a GraphQL response (status 200 under
    /// `application/json`): an event stream can carry it as a `next` event instead.
    pub(crate) fn is_graphql_error(&self) -> bool {
        matches!(self.status, None | Some(StatusCode::OK))
    }

    /// The refusal as the one GraphQL error of a response.
    pub(crate) fn to_error(&self) -> ServerError {
        let mut error = ServerError::new(self.message.clone(), None);
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", self.code.as_str());
        if self.code == ErrorCode::RateLimited {
            extensions.set("retryAfter", 1);
        }
        error.extensions = Some(extensions);
        error
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let error = self.to_error();
        let rate_limited = self.code == ErrorCode::RateLimited;
        // No `data` entry: nothing was executed.
        let body = serde_json::json!({ "errors": [error] }).to_string();
        let status = self.status.unwrap_or(match self.media {
            MediaType::Json => StatusCode::OK,
            MediaType::GraphqlResponse => StatusCode::BAD_REQUEST,
        });
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(self.media.as_str()));
        if rate_limited {
            headers.insert(RETRY_AFTER, HeaderValue::from(1u64));
        }
        if let Some(allow) = self.allow {
            headers.insert(ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}
