//! How a call reaches Seam: HTTP/1.1 (TLS for `https`) on connections the calling task drives
//! itself ([`direct`]), or through reqwest when an HTTP proxy is configured in the environment
//! (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`), which reqwest honours with `NO_PROXY`.
//!
//! Either way a call is one request, answered whole or not at all within its timeout, and a failure
//! is told in words an operator can act on, never with the key (no URL, header or body in them).

mod direct;
#[cfg(test)]
mod tests;

use std::error::Error;
use std::time::Duration;

use bytes::Bytes;
use hyper::{HeaderMap, Method, StatusCode};

/// A request to Seam: the path goes after the base URL's own.
pub(crate) struct Outgoing {
    pub(crate) method: Method,
    /// The full path (base path included), with its query if any.
    pub(crate) path: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// Seam's answer, read whole.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// Why a call got no answer.
#[derive(Debug)]
pub(crate) enum TransportError {
    /// No complete answer within the timeout.
    Timeout,
    /// No connection, or it failed during the call: what happened, without secrets.
    Unavailable(String),
}

/// The way to Seam, chosen once from the base URL and the environment.
pub(crate) enum Transport {
    Direct(direct::Pool),
    Proxied {
        client: reqwest::Client,
        origin: String,
    },
}

/// Environment variables naming an HTTP proxy (reqwest reads the same, in either case).
const PROXY_VARIABLES: [&str; 6] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

impl Transport {
    /// For `base` (`http` or `https`).
    pub(crate) fn new(base: &reqwest::Url) -> anyhow::Result<Self> {
        let proxied = PROXY_VARIABLES
            .iter()
            .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
        if proxied {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(direct::MAX_IDLE)
                .build()?;
            let origin = base.origin().ascii_serialization();
            return Ok(Self::Proxied { client, origin });
        }
        Ok(Self::Direct(direct::Pool::new(base)?))
    }

    /// Sends `request` and reads the whole answer, within `timeout`.
    pub(crate) async fn send(
        &self,
        request: Outgoing,
        timeout: Duration,
    ) -> Result<Answer, TransportError> {
        // Boxed: the connection's handshake and exchange take about 4 KB of future state, and
        // unboxed that was part of every future above it, down to each GraphQL field's: the
        // executor boxes each field's future, sized for the largest field of its type, so an
        // `AccessCode.id` was a 5.6 KB allocation and copy (rustc -Zprint-type-sizes). Once per
        // call to Seam instead.
        let answer = async {
            match self {
                Self::Direct(pool) => Box::pin(pool.send(request)).await,
                Self::Proxied { client, origin } => {
                    Box::pin(send_proxied(client, origin, request)).await
                }
            }
        };
        tokio::time::timeout(timeout, answer)
            .await
            .unwrap_or(Err(TransportError::Timeout))
    }
}

async fn send_proxied(
    client: &reqwest::Client,
    origin: &str,
    request: Outgoing,
) -> Result<Answer, TransportError> {
    let failed = |what: &str, e: reqwest::Error| unavailable(what, &e);
    let response = client
        .request(request.method, format!("{origin}{}", request.path))
        .headers(request.headers)
        .body(request.body)
        .send()
        .await
        .map_err(|e| {
            let what = if e.is_connect() {
                "connection failed"
            } else {
                "request failed"
            };
            failed(what, e)
        })?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|e| failed("request failed", e))?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// `what` failed, with its cause when one is recognised.
fn unavailable(what: &str, e: &(dyn Error + 'static)) -> TransportError {
    tracing::debug!(chain = %error_chain(e), "Seam call failed: {what}");
    TransportError::Unavailable(match failure_cause(e) {
        Some(cause) => format!("{what}: {cause}"),
        None => what.to_owned(),
    })
}

/// Every layer of an error, outermost first (for debug logs: no URL, header or body is in them).
fn error_chain(e: &(dyn Error + 'static)) -> String {
    let mut layers = Vec::new();
    let mut source = Some(e);
    while let Some(err) = source {
        layers.push(err.to_string());
        source = err.source();
    }
    layers.join(": ")
}

/// Why a request failed in transit, in words an operator can act on (refused: nothing listens at
/// SEAM_ENDPOINT; DNS: the host name does not resolve; TLS: certificates or protocol).
fn failure_cause(e: &(dyn Error + 'static)) -> Option<&'static str> {
    let mut source = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            // An io::Error's `source` skips the error it wraps, which is where TLS puts its own.
            if io
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
            {
                return Some("TLS failed");
            }
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return Some("connection refused"),
                std::io::ErrorKind::ConnectionReset => return Some("connection reset"),
                std::io::ErrorKind::ConnectionAborted => return Some("connection aborted"),
                _ => {}
            }
        }
        let text = err.to_string().to_ascii_lowercase();
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return Some("DNS lookup failed");
        }
        if text.contains("certificate") || text.contains("tls") || text.contains("handshake") {
            return Some("TLS failed");
        }
        if text.contains("connection closed before message completed") {
            return Some("connection closed before the answer was complete");
        }
        source = err.source();
    }
    None
}
