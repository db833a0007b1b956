//! The gateway's errors: one closed set of `extensions.code` values, and the mapping from upstream
//! failures onto it. `GatewayError` deliberately has no `Display`, so `?` cannot fall back to
//! async-graphql's blanket conversion and lose the code.

use std::sync::Arc;

use crate::seam::SeamError;

/// Every `extensions.code` the gateway emits. Documented in README.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The request's input is invalid; nothing was sent upstream.
    BadUserInput,
    /// No Seam API key, or Seam rejected it.
    Unauthenticated,
    /// The id or key does not exist for this API key.
    NotFound,
    /// The device lacks a capability the operation needs (e.g. online access codes).
    CapabilityMissing,
    /// Linked codes were asked to share one PIN that some device cannot take.
    CodeCannotBeShared,
    /// Seam answered with an error that is none of the above.
    UpstreamError,
    /// Seam could not be reached or answered 502/503/504.
    UpstreamUnavailable,
    /// Seam did not answer within the per-call timeout.
    UpstreamTimeout,
    /// A bug in the gateway; details are logged, not returned.
    InternalServerError,
    /// A subscriber fell behind its buffer and missed changes; the subscription continues.
    SubscriptionLagged,
    /// The request would cost more upstream calls than the per-request budget; nothing ran.
    CostLimitExceeded,
    /// A browser of another origin tried to act with the gateway's own key.
    Forbidden,
    /// The HTTP request is not a GraphQL request (malformed JSON, a batch, a wrong content type).
    BadRequest,
    /// The request body or a websocket message is larger than the gateway accepts.
    PayloadTooLarge,
    /// A websocket connection (or an SSE stream in single connection mode) already runs as many
    /// operations as it may.
    TooManySubscriptions,
    /// The gateway already holds `--max-connections` client connections: answered with HTTP 503
    /// and `retryAfter` before the request is read further.
    TooManyConnections,
    /// Seam, or the gateway's own per-key limit, asks the caller to slow down; `retryAfter` says
    /// when to try again (seconds).
    RateLimited,
    /// An idempotency key came back with a different input than its first use.
    IdempotencyKeyReused,
    /// The first request with this idempotency key is still running on another replica and did
    /// not end within the wait; retry with the same key.
    IdempotencyKeyInFlight,
    /// A hash-only persisted query whose document the gateway does not know (yet): send it again
    /// with the `query`.
    PersistedQueryNotFound,
    /// A persisted query whose `sha256Hash` is not the hash of the `query` sent with it.
    PersistedQueryHashMismatch,
    /// An operation sent with an HTTP method that may not run it (a mutation over GET).
    MethodNotAllowed,
    /// The client's `Accept` allows neither `application/graphql-response+json` nor `application/json`.
    NotAcceptable,
}

impl ErrorCode {
    /// The code named `name` (as [`as_str`](Self::as_str) spells it), if there is one.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        use ErrorCode::*;
        [
            BadUserInput,
            Unauthenticated,
            NotFound,
            CapabilityMissing,
            CodeCannotBeShared,
            UpstreamError,
            UpstreamUnavailable,
            UpstreamTimeout,
            InternalServerError,
            SubscriptionLagged,
            CostLimitExceeded,
            Forbidden,
            BadRequest,
            PayloadTooLarge,
            TooManySubscriptions,
            TooManyConnections,
            RateLimited,
            IdempotencyKeyReused,
            IdempotencyKeyInFlight,
            PersistedQueryNotFound,
            PersistedQueryHashMismatch,
            MethodNotAllowed,
            NotAcceptable,
        ]
        .into_iter()
        .find(|code| code.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::CapabilityMissing => "CAPABILITY_MISSING",
            ErrorCode::CodeCannotBeShared => "CODE_CANNOT_BE_SHARED",
            ErrorCode::UpstreamError => "UPSTREAM_ERROR",
            ErrorCode::UpstreamUnavailable => "UPSTREAM_UNAVAILABLE",
            ErrorCode::UpstreamTimeout => "UPSTREAM_TIMEOUT",
            ErrorCode::InternalServerError => "INTERNAL_SERVER_ERROR",
            ErrorCode::SubscriptionLagged => "SUBSCRIPTION_LAGGED",
            ErrorCode::CostLimitExceeded => "COST_LIMIT_EXCEEDED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::TooManySubscriptions => "TOO_MANY_SUBSCRIPTIONS",
            ErrorCode::TooManyConnections => "TOO_MANY_CONNECTIONS",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            ErrorCode::IdempotencyKeyInFlight => "IDEMPOTENCY_KEY_IN_FLIGHT",
            ErrorCode::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            ErrorCode::PersistedQueryHashMismatch => "PERSISTED_QUERY_HASH_MISMATCH",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::NotAcceptable => "NOT_ACCEPTABLE",
        }
    }
}

/// A failure reported to the GraphQL client.
#[derive(Clone, Debug)]
pub struct GatewayError {
    pub code: ErrorCode,
    pub message: String,
    /// The upstream failure behind it, if any (its type, status and request id are exposed).
    pub upstream: Option<Arc<SeamError>>,
}

pub(crate) type GatewayResult<T> = Result<T, GatewayError>;

impl GatewayError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            upstream: None,
        }
    }
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadUserInput, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
    pub fn unauthenticated() -> Self {
        Self::new(
            ErrorCode::Unauthenticated,
            "No Seam API key: send `Authorization: Bearer <seam api key>` or start the gateway with SEAM_API_KEY",
        )
    }
    /// Seam's error, or a NOT_FOUND phrased for the object the caller asked for.
    pub fn from_seam_for(e: SeamError, what: &str, id: &str) -> Self {
        if e.is_not_found() {
            let mut err = GatewayError::from(e);
            err.message = format!("No {what} with id `{id}` is visible to this API key");
            err
        } else {
            GatewayError::from(e)
        }
    }
}

impl GatewayError {
    /// RATE_LIMITED: when to try again, in seconds (1 when Seam did not say).
    pub fn retry_after(&self) -> Option<u64> {
        if self.code != ErrorCode::RateLimited {
            return None;
        }
        match self.upstream.as_deref() {
            Some(SeamError::RateLimited { retry_after, .. }) => Some(retry_after.unwrap_or(1)),
            _ => Some(1),
        }
    }
}

impl From<SeamError> for GatewayError {
    fn from(e: SeamError) -> Self {
        let (code, message) = match &e {
            SeamError::Api { status: 401, .. } => (
                ErrorCode::Unauthenticated,
                "Seam rejected the API key; check the `Authorization: Bearer` header".to_string(),
            ),
            SeamError::Api {
                status,
                kind,
                message,
                ..
            } => {
                let code = match (*status, kind.as_str()) {
                    (_, k) if k == "not_found" || k.ends_with("_not_found") => ErrorCode::NotFound,
                    (_, k) if k.contains("cannot_share") || k.contains("cannot_be_shared") => {
                        ErrorCode::CodeCannotBeShared
                    }
                    (_, k)
                        if k.contains("cannot_program")
                            || k.contains("not_supported")
                            || k.contains("capability") =>
                    {
                        ErrorCode::CapabilityMissing
                    }
                    (404, _) => ErrorCode::NotFound,
                    (400 | 409 | 422, _) => ErrorCode::BadUserInput,
                    (502..=504, _) => ErrorCode::UpstreamUnavailable,
                    _ => ErrorCode::UpstreamError,
                };
                (code, format!("Seam: {message}"))
            }
            SeamError::Unavailable(what) => (
                ErrorCode::UpstreamUnavailable,
                format!("Seam is unavailable ({what}); retry shortly"),
            ),
            SeamError::Timeout(ms) => (
                ErrorCode::UpstreamTimeout,
                format!("Seam did not answer within {ms} ms; retry shortly"),
            ),
            SeamError::Decode(_) => (
                ErrorCode::UpstreamError,
                "Seam sent a response the gateway could not read".to_string(),
            ),
            SeamError::RateLimited { retry_after, .. } => (
                ErrorCode::RateLimited,
                match retry_after {
                    Some(s) => format!("Seam is rate limiting this API key; retry in {s} s"),
                    None => "Seam is rate limiting this API key; retry shortly".to_string(),
                },
            ),
            SeamError::UnprovenKeysBusy(max) => (
                ErrorCode::RateLimited,
                format!(
                    "{max} requests with API keys Seam has not accepted yet are already in flight \
                     (--unproven-key-max-in-flight); retry in 1 s, or check the key"
                ),
            ),
            SeamError::CircuitOpen(s) => (
                ErrorCode::UpstreamUnavailable,
                format!(
                    "Seam has been failing, so the gateway is not calling it for {s} s (circuit open); retry then"
                ),
            ),
        };
        if matches!(e, SeamError::Decode(_)) {
            tracing::warn!(error = %e, "undecodable upstream response");
        }
        Self {
            code,
            message,
            upstream: Some(Arc::new(e)),
        }
    }
}
