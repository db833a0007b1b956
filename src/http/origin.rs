//! Which browser origins may act with the gateway's own key (requests without `Authorization`).
//!
//! A browser attaches `Origin` to every cross-site POST and websocket upgrade; a page on another site
//! must not be able to spend `SEAM_API_KEY` (or the sandbox's key) on its visitor's behalf. Requests
//! that bring their own key are not affected: the key is the credential, not the origin.

use std::sync::Arc;

use axum::http::header::{HOST, ORIGIN};
use axum::http::HeaderMap;

/// The gateway's own origin (by `Host`) plus a configured allow-list.
#[derive(Clone, Debug, Default)]
pub(crate) struct OriginPolicy {
    /// Shared: the policy is part of the handlers' state, cloned for every request.
    allowed: Arc<[String]>,
}

impl OriginPolicy {
    pub(crate) fn new(allowed: &[String]) -> Self {
        Self {
            allowed: allowed
                .iter()
                .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
                .filter(|o| !o.is_empty())
                .collect::<Vec<_>>()
                .into(),
        }
    }

    /// True when the request carries no `Origin` (not a browser's cross-site request), or one that
    /// is the gateway's own origin or on the allow-list.
    pub(crate) fn allows(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(ORIGIN) else {
            return true;
        };
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
        if self.allowed.iter().any(|a| a == "*" || *a == origin) {
            return true;
        }
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_ascii_lowercase);
        let origin_host = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        matches!((origin_host, host), (Some(o), Some(h)) if o == h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HOST, host.parse().expect("host"));
        if let Some(o) = origin {
            h.insert(ORIGIN, o.parse().expect("origin"));
        }
        h
    }

    #[test]
    fn should_allow_same_origin_and_listed_origins_only() {
        let policy = OriginPolicy::new(&["https://app.example.com/".into()]);
        assert!(policy.allows(&headers(None, "127.0.0.1:8080")));
        assert!(policy.allows(&headers(Some("http://127.0.0.1:8080"), "127.0.0.1:8080")));
        assert!(policy.allows(&headers(Some("https://app.example.com"), "gw:8080")));
        assert!(!policy.allows(&headers(Some("https://evil.example"), "127.0.0.1:8080")));
        assert!(!policy.allows(&headers(Some("null"), "127.0.0.1:8080")));
        assert!(!policy.allows(&headers(Some("http://127.0.0.1:9999"), "127.0.0.1:8080")));
    }
}
