//! Every way an upstream call can fail, as one type.

use std::sync::Arc;

use serde_json::Value;

use super::pin::{redact_pin, redact_pins, scrub_json, Pin};

/// A failed call to Seam. Every upstream string it carries (message, type, request id, and every
/// string, key and number inside `data` and `validation_errors`) is PIN-redacted when built, so the
/// error is safe to log, `Debug`-print and show.
#[derive(Clone, Debug, thiserror::Error)]
pub enum SeamError {
    /// Seam answered with its error envelope (or a non-2xx status).
    #[error("Seam returned {status} {kind}: {message}")]
    Api {
        status: u16,
        /// Seam's `error.type`, e.g. `device_not_found`.
        kind: String,
        message: String,
        data: Option<Arc<Value>>,
        validation_errors: Option<Arc<Value>>,
        request_id: Option<String>,
    },
    /// The connection failed, or Seam answered 502/503/504 without an envelope.
    #[error("Seam is unavailable: {0}")]
    Unavailable(String),
    /// No answer within the per-call timeout.
    #[error("Seam did not answer within {0} ms")]
    Timeout(u64),
    /// A 2xx whose body is not what the contract says.
    #[error("Seam sent an unexpected response: {0}")]
    Decode(String),
    /// Seam answered 429; `retry_after` is its `Retry-After`, in seconds, when it sent one.
    #[error("Seam is rate limiting this key")]
    RateLimited {
        retry_after: Option<u64>,
        request_id: Option<String>,
    },
    /// Not called: Seam has been failing, and the circuit breaker holds calls back for this many
    /// more seconds.
    #[error("Seam has been failing; not calling it for {0} s")]
    CircuitOpen(u64),
    /// Not called: this many calls with API keys Seam has not accepted yet are already in flight.
    #[error("{0} calls with API keys Seam has not accepted yet are in flight")]
    UnprovenKeysBusy(usize),
}

impl SeamError {
    pub(crate) fn api(
        status: u16,
        kind: String,
        message: &str,
        data: Option<Value>,
        validation_errors: Option<Value>,
        request_id: Option<String>,
    ) -> Self {
        SeamError::Api {
            status,
            kind: redact_pins(&kind),
            message: redact_pins(message),
            data: data.map(|v| Arc::new(scrub_json(&v, &redact_pins))),
            validation_errors: validation_errors.map(|v| Arc::new(scrub_json(&v, &redact_pins))),
            request_id: request_id.as_deref().map(redact_pins),
        }
    }

    /// Scrubs the PIN the gateway sent in the failed call, whatever its shape: Seam may echo it
    /// where the generic rule of [`redact_pins`] would not catch it.
    pub(crate) fn without_pin(self, pin: Option<&Pin>) -> Self {
        let Some(pin) = pin else { return self };
        let scrub = |s: &str| redact_pin(s, Some(pin));
        match self {
            SeamError::Api {
                status,
                kind,
                message,
                data,
                validation_errors,
                request_id,
            } => SeamError::Api {
                status,
                kind: scrub(&kind),
                message: scrub(&message),
                data: data.map(|v| Arc::new(scrub_json(&v, &scrub))),
                validation_errors: validation_errors.map(|v| Arc::new(scrub_json(&v, &scrub))),
                request_id: request_id.as_deref().map(scrub),
            },
            other => other,
        }
    }

    /// The same error without Seam's request id: for answering another request with it.
    pub(crate) fn without_request_id(&self) -> Self {
        let mut error = self.clone();
        if let SeamError::Api { request_id, .. } = &mut error {
            *request_id = None;
        }
        error
    }

    /// Seam's `error.type`, when there is one.
    pub fn kind(&self) -> Option<&str> {
        match self {
            SeamError::Api { kind, .. } => Some(kind),
            _ => None,
        }
    }

    /// The HTTP status Seam answered with, when it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            SeamError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True for "this id does not exist (for this key)".
    pub fn is_not_found(&self) -> bool {
        matches!(self, SeamError::Api { status: 404, .. })
            || self.kind().is_some_and(|k| k.ends_with("not_found"))
    }
}
