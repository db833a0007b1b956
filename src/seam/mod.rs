//! The upstream client: one pooled reqwest client, typed calls for the Seam endpoints the gateway uses,
//! Seam's error envelope mapped to [`SeamError`], a per-call timeout. Every call is `POST` with a JSON
//! body, as the contract recommends. Imports nothing from the rest of the gateway but the shared
//! leaves: `telemetry` (the request id and `traceparent` it forwards) and `metrics`.

mod api_key;
mod error;
mod key_gate;
mod paging;
mod pin;
mod resilience;
mod stats;
mod status;
mod transport;
pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use tracing::Instrument;

use bytes::Bytes;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use hyper::{HeaderMap, Method};
use transport::TransportError;

use crate::metrics::{Metrics, UpstreamStatus};

pub use api_key::{ApiKey, TenantId};
pub use error::SeamError;
pub use paging::all_pages;

pub use pin::{redact_pins, Pin};
pub use stats::UpstreamStats;
pub use status::CodeStatus;
use wire::*;

/// A cheap-to-clone handle on the connections to Seam.
#[derive(Clone)]
pub struct SeamClient {
    transport: Arc<transport::Transport>,
    base_url: Arc<str>,
    /// The base URL's own path, without its trailing `/`: each endpoint's path goes after it.
    base_path: Arc<str>,
    timeout: Duration,
    stats: Arc<UpstreamStats>,
    breaker: Arc<resilience::Breaker>,
    /// When Seam last answered at all (any HTTP status): the readiness check reads it.
    last_answer: Arc<std::sync::Mutex<Option<std::time::Instant>>>,
    /// The gateway's metrics registry. It travels with the client because every part that records
    /// into it (services, loaders, events, HTTP) already holds the client.
    metrics: Arc<Metrics>,
    /// Which keys Seam accepted; calls with the others are bounded.
    keys: Arc<key_gate::KeyGate>,
}

/// Whether the upstream looks usable, for a readiness check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reachability {
    /// Seam answered within the window, or a probe got an answer now.
    Answering,
    /// The circuit breaker holds calls back: Seam kept failing.
    CircuitOpen,
    /// No answer: what the probe saw.
    Unreachable(String),
}

/// Sent with every call, as reqwest's `user_agent` did.
const USER_AGENT_VALUE: &str = concat!("seam-graphql/", env!("CARGO_PKG_VERSION"));

/// Calls in flight with keys Seam has not accepted yet, unless configured.
pub const DEFAULT_UNPROVEN_KEY_MAX_IN_FLIGHT: usize = 32;

/// How long the breaker holds calls back once Seam keeps failing, unless configured.
pub const DEFAULT_BREAKER_COOLDOWN: Duration = Duration::from_secs(5);

impl SeamClient {
    pub fn new(base_url: &str, timeout: Duration) -> anyhow::Result<Self> {
        Self::with_breaker(base_url, timeout, DEFAULT_BREAKER_COOLDOWN)
    }

    /// A client whose circuit breaker, once open, holds calls back for `breaker_cooldown`.
    pub fn with_breaker(
        base_url: &str,
        timeout: Duration,
        breaker_cooldown: Duration,
    ) -> anyhow::Result<Self> {
        let base_url = base_url.trim_end_matches('/');
        let base = reqwest::Url::parse(base_url)
            .map_err(|e| anyhow::anyhow!("the Seam base URL {base_url:?} is not a URL: {e}"))?;
        let base_path = base.path().trim_end_matches('/').into();
        let transport = Arc::new(transport::Transport::new(&base)?);
        Ok(Self {
            transport,
            base_url: base_url.into(),
            base_path,
            timeout,
            stats: Arc::default(),
            breaker: Arc::new(resilience::Breaker::new(breaker_cooldown)),
            last_answer: Arc::default(),
            metrics: Arc::default(),
            keys: Arc::new(key_gate::KeyGate::new(DEFAULT_UNPROVEN_KEY_MAX_IN_FLIGHT)),
        })
    }

    /// At most `max` calls in flight with API keys Seam has not accepted yet (see `key_gate.rs`).
    pub fn with_unproven_key_limit(mut self, max: usize) -> Self {
        self.keys = Arc::new(key_gate::KeyGate::new(max));
        self
    }

    /// Answering if Seam answered anything within `window`, else after a cheap probe (`GET` of
    /// the base URL: any HTTP status means the network path and Seam's front door work).
    pub async fn reachability(&self, window: std::time::Duration) -> Reachability {
        if self.breaker.is_open() {
            return Reachability::CircuitOpen;
        }
        let recent = self
            .last_answer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|at| at.elapsed() < window);
        if recent {
            return Reachability::Answering;
        }
        let probe = transport::Outgoing {
            method: Method::GET,
            path: format!("{}/", self.base_path),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        };
        match self.transport.send(probe, window.min(self.timeout)).await {
            Ok(_) => {
                self.heard_from_upstream();
                Reachability::Answering
            }
            Err(e) => Reachability::Unreachable(
                transport_failure(e, window.min(self.timeout)).to_string(),
            ),
        }
    }

    fn heard_from_upstream(&self) {
        *self.last_answer.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(std::time::Instant::now());
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The path of an endpoint: the base URL's path (if any) followed by `path`.
    fn endpoint_path(&self, path: &str) -> String {
        format!("{}{path}", self.base_path)
    }

    /// The per-call timeout.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    pub fn stats(&self) -> &UpstreamStats {
        &self.stats
    }

    /// The gateway's metrics registry (see the field).
    pub(crate) fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// POSTs `body` to `path` and decodes the success body, or maps the failure. Safe reads are
    /// retried on transient failures; nothing goes out while the circuit breaker is open.
    async fn call<B: Serialize, R: DeserializeOwned>(
        &self,
        key: &ApiKey,
        path: &'static str,
        body: &B,
    ) -> Result<R, SeamError> {
        let attempts = if resilience::is_safe_read(path) {
            resilience::READ_ATTEMPTS
        } else {
            1
        };
        let mut attempt = 1;
        loop {
            let pass = self.breaker.admit()?;
            let span = tracing::debug_span!(
                "seam.call",
                otel.name = %format_args!("POST {path}"),
                otel.kind = "client",
                otel.status_code = tracing::field::Empty,
                http.request.method = "POST",
                url.path = path,
                http.response.status_code = tracing::field::Empty,
                seam.request_id = tracing::field::Empty,
                tenant = %key.tenant(),
                attempt,
            );
            let result = self.call_once(key, path, body).instrument(span).await;
            pass.record(result.as_ref().map(|_| ()));
            let error = match result {
                Ok(r) => return Ok(r),
                Err(e) => e,
            };
            let delay = resilience::retry_delay(&error, attempt).filter(|_| attempt < attempts);
            let Some(delay) = delay else {
                return Err(error);
            };
            tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, error = %error, "retrying a read");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// One request, no retry.
    async fn call_once<B: Serialize, R: DeserializeOwned>(
        &self,
        key: &ApiKey,
        path: &'static str,
        body: &B,
    ) -> Result<R, SeamError> {
        // Before anything is counted: a call refused here is not made.
        let _pass = self.keys.enter(key).await?;
        self.stats.record(path);
        key.count_call();
        let started = std::time::Instant::now();
        let mut headers = HeaderMap::with_capacity(6);
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", key.expose()))
            .map_err(|_| SeamError::Api {
                status: 401,
                kind: "invalid_api_key".into(),
                message: "The API key has characters an HTTP header cannot carry".into(),
                data: None,
                validation_errors: None,
                request_id: None,
            })?;
        // Kept out of debug output (hyper's and ours).
        authorization.set_sensitive(true);
        headers.insert(AUTHORIZATION, authorization);
        let caller = key.request();
        if let Some(id) = caller.and_then(|c| HeaderValue::from_str(&c.id).ok()) {
            headers.insert("x-request-id", id);
        }
        if let Some(traceparent) =
            crate::telemetry::outgoing_traceparent(caller.and_then(|c| c.parent.as_ref()))
                .and_then(|t| HeaderValue::from_str(&t).ok())
        {
            headers.insert("traceparent", traceparent);
        }
        let body = serde_json::to_vec(body).map_err(|e| {
            SeamError::Unavailable(format!("the request could not be encoded: {e}"))
        })?;
        let outgoing = transport::Outgoing {
            method: Method::POST,
            path: self.endpoint_path(path),
            headers,
            body: body.into(),
        };
        let answer = match self.transport.send(outgoing, self.timeout).await {
            Ok(answer) => answer,
            Err(e) => {
                let error = transport_failure(e, self.timeout);
                let status = match error {
                    SeamError::Timeout(_) => UpstreamStatus::Timeout,
                    _ => UpstreamStatus::Unreachable,
                };
                self.metrics.upstream_call(path, status, started.elapsed());
                tracing::Span::current().record("otel.status_code", "ERROR");
                return Err(error);
            }
        };
        let status = answer.status.as_u16();
        self.metrics
            .upstream_call(path, UpstreamStatus::Http(status), started.elapsed());
        self.heard_from_upstream();
        let header = |name: &str| {
            answer
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let request_id = header("seam-request-id");
        let span = tracing::Span::current();
        span.record("http.response.status_code", status);
        if let Some(id) = &request_id {
            span.record("seam.request_id", id.as_str());
        }
        if status >= 400 {
            span.record("otel.status_code", "ERROR");
        }
        if status == 429 {
            // Seconds only: the HTTP-date form is rare for APIs and not worth a date parser.
            let retry_after = header("retry-after").and_then(|v| v.trim().parse().ok());
            return Err(SeamError::RateLimited {
                retry_after,
                request_id,
            });
        }
        tracing::debug!(
            status,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "upstream call"
        );
        let decoded = decode(path, status, request_id, &answer.body);
        self.keys.answered(key, status, decoded.as_ref().err());
        decoded
    }

    pub async fn get_device(&self, key: &ApiKey, device_id: &str) -> Result<Device, SeamError> {
        let r: DeviceResponse = self
            .call(key, "/devices/get", &json!({ "device_id": device_id }))
            .await?;
        Ok(r.device)
    }

    pub async fn list_devices(
        &self,
        key: &ApiKey,
        request: &DeviceListRequest,
    ) -> Result<DeviceListResponse, SeamError> {
        self.call(key, "/devices/list", request).await
    }

    pub async fn create_access_code(
        &self,
        key: &ApiKey,
        request: &CreateAccessCodeRequest,
    ) -> Result<AccessCodeResponse, SeamError> {
        self.call(key, "/access_codes/create", request)
            .await
            .map_err(|e| e.without_pin(request.code.as_ref()))
    }

    pub async fn create_multiple(
        &self,
        key: &ApiKey,
        request: &CreateMultipleRequest,
    ) -> Result<Vec<AccessCode>, SeamError> {
        let r: AccessCodeListResponse = self
            .call(key, "/access_codes/create_multiple", request)
            .await
            .map_err(|e| e.without_pin(request.code.as_ref()))?;
        Ok(r.access_codes)
    }

    pub async fn update_access_code(
        &self,
        key: &ApiKey,
        request: &UpdateAccessCodeRequest,
    ) -> Result<Option<ActionAttempt>, SeamError> {
        let r: ActionAttemptResponse = self
            .call(key, "/access_codes/update", request)
            .await
            .map_err(|e| e.without_pin(request.code.as_ref()))?;
        Ok(r.action_attempt)
    }

    pub async fn update_multiple(
        &self,
        key: &ApiKey,
        request: &UpdateMultipleRequest,
    ) -> Result<(), SeamError> {
        let _: serde_json::Value = self
            .call(key, "/access_codes/update_multiple", request)
            .await?;
        Ok(())
    }

    pub async fn delete_access_code(
        &self,
        key: &ApiKey,
        access_code_id: &str,
    ) -> Result<Option<ActionAttempt>, SeamError> {
        let r: ActionAttemptResponse = self
            .call(
                key,
                "/access_codes/delete",
                &json!({ "access_code_id": access_code_id }),
            )
            .await?;
        Ok(r.action_attempt)
    }

    pub async fn get_access_code(
        &self,
        key: &ApiKey,
        access_code_id: &str,
    ) -> Result<AccessCode, SeamError> {
        let r: AccessCodeResponse = self
            .call(
                key,
                "/access_codes/get",
                &json!({ "access_code_id": access_code_id }),
            )
            .await?;
        Ok(r.access_code)
    }

    pub async fn list_access_codes(
        &self,
        key: &ApiKey,
        request: &AccessCodeListRequest,
    ) -> Result<AccessCodeListResponse, SeamError> {
        self.call(key, "/access_codes/list", request).await
    }

    pub async fn get_action_attempt(
        &self,
        key: &ApiKey,
        action_attempt_id: &str,
    ) -> Result<ActionAttempt, SeamError> {
        let r: ActionAttemptResponse = self
            .call(
                key,
                "/action_attempts/get",
                &json!({ "action_attempt_id": action_attempt_id }),
            )
            .await?;
        r.action_attempt
            .ok_or_else(|| SeamError::Decode("/action_attempts/get: no action_attempt".into()))
    }

    pub async fn list_events(
        &self,
        key: &ApiKey,
        request: &EventListRequest,
    ) -> Result<Vec<Event>, SeamError> {
        let r: EventListResponse = self.call(key, "/events/list", request).await?;
        Ok(r.events)
    }

    /// A PIN Seam suggests for the device (`access_codes/generate_code`). The PIN is a secret: it
    /// is returned, never logged.
    pub async fn generate_code(
        &self,
        key: &ApiKey,
        device_id: &str,
    ) -> Result<GeneratedCode, SeamError> {
        let r: GenerateCodeResponse = self
            .call(
                key,
                "/access_codes/generate_code",
                &json!({ "device_id": device_id }),
            )
            .await?;
        Ok(r.generated_code)
    }

    /// Takes a backup code from the device's pool for a time-bound code.
    pub async fn pull_backup_access_code(
        &self,
        key: &ApiKey,
        access_code_id: &str,
    ) -> Result<PullBackupResponse, SeamError> {
        self.call(
            key,
            "/access_codes/pull_backup_access_code",
            &json!({ "access_code_id": access_code_id }),
        )
        .await
    }

    /// One page of a code's timeline.
    pub async fn get_timeline(
        &self,
        key: &ApiKey,
        request: &TimelineRequest,
    ) -> Result<TimelineResponse, SeamError> {
        self.call(key, "/access_codes/get_timeline", request).await
    }

    pub async fn list_unmanaged(
        &self,
        key: &ApiKey,
        request: &UnmanagedListRequest,
    ) -> Result<UnmanagedListResponse, SeamError> {
        self.call(key, "/access_codes/unmanaged/list", request)
            .await
    }

    pub async fn get_unmanaged(
        &self,
        key: &ApiKey,
        access_code_id: &str,
    ) -> Result<UnmanagedAccessCode, SeamError> {
        let r: UnmanagedResponse = self
            .call(
                key,
                "/access_codes/unmanaged/get",
                &json!({ "access_code_id": access_code_id }),
            )
            .await?;
        Ok(r.access_code)
    }

    pub async fn convert_to_managed(
        &self,
        key: &ApiKey,
        request: &ConvertToManagedRequest,
    ) -> Result<(), SeamError> {
        let _: serde_json::Value = self
            .call(key, "/access_codes/unmanaged/convert_to_managed", request)
            .await?;
        Ok(())
    }

    pub async fn delete_unmanaged(
        &self,
        key: &ApiKey,
        access_code_id: &str,
    ) -> Result<Option<ActionAttempt>, SeamError> {
        let r: ActionAttemptResponse = self
            .call(
                key,
                "/access_codes/unmanaged/delete",
                &json!({ "access_code_id": access_code_id }),
            )
            .await?;
        Ok(r.action_attempt)
    }

    /// The workspace the key acts in.
    pub async fn get_workspace(&self, key: &ApiKey) -> Result<Workspace, SeamError> {
        let r: WorkspaceResponse = self.call(key, "/workspaces/get", &json!({})).await?;
        Ok(r.workspace)
    }

    pub async fn list_webhooks(&self, key: &ApiKey) -> Result<Vec<Webhook>, SeamError> {
        let r: WebhookListResponse = self.call(key, "/webhooks/list", &json!({})).await?;
        Ok(r.webhooks)
    }

    pub async fn create_webhook(
        &self,
        key: &ApiKey,
        request: &WebhookCreateRequest,
    ) -> Result<Webhook, SeamError> {
        let r: WebhookResponse = self.call(key, "/webhooks/create", request).await?;
        Ok(r.webhook)
    }

    pub async fn get_webhook(&self, key: &ApiKey, webhook_id: &str) -> Result<Webhook, SeamError> {
        let r: WebhookResponse = self
            .call(key, "/webhooks/get", &json!({ "webhook_id": webhook_id }))
            .await?;
        Ok(r.webhook)
    }

    pub async fn update_webhook(
        &self,
        key: &ApiKey,
        webhook_id: &str,
        event_types: &[String],
    ) -> Result<(), SeamError> {
        let _: serde_json::Value = self
            .call(
                key,
                "/webhooks/update",
                &json!({ "webhook_id": webhook_id, "event_types": event_types }),
            )
            .await?;
        Ok(())
    }
}

/// A call that got no answer, as the gateway's errors say it (`timeout`: the one it was given).
fn transport_failure(e: TransportError, timeout: Duration) -> SeamError {
    match e {
        TransportError::Timeout => SeamError::Timeout(timeout.as_millis() as u64),
        TransportError::Unavailable(why) => SeamError::Unavailable(why),
    }
}

/// A response as the contract defines it: the success body, or Seam's error envelope, or (from a
/// proxy, say) a bare status.
fn decode<R: DeserializeOwned>(
    path: &'static str,
    status: u16,
    request_id: Option<String>,
    bytes: &[u8],
) -> Result<R, SeamError> {
    if (200..300).contains(&status) {
        // The body checked as UTF-8 once, then parsed as text: from bytes, serde_json checks each
        // string on its own (a device has dozens), about 4% of a cold request's instructions.
        let text = std::str::from_utf8(bytes)
            .map_err(|e| SeamError::Decode(format!("{path}: the body is not UTF-8: {e}")))?;
        return serde_json::from_str(text).map_err(|e| SeamError::Decode(format!("{path}: {e}")));
    }
    if let Ok(envelope) = serde_json::from_slice::<ErrorEnvelope>(bytes) {
        let e = envelope.error;
        return Err(SeamError::api(
            status,
            e.kind,
            &e.message,
            e.data,
            e.validation_errors,
            request_id,
        ));
    }
    if matches!(status, 502..=504) {
        return Err(SeamError::Unavailable(format!("{path} answered {status}")));
    }
    let text = String::from_utf8_lossy(bytes);
    let kind = if status == 404 {
        "not_found"
    } else {
        "http_error"
    };
    Err(SeamError::api(
        status,
        kind.into(),
        text.trim(),
        None,
        None,
        request_id,
    ))
}

#[cfg(test)]
mod tests;
