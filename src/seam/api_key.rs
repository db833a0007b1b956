//! The Seam API key a request acts with, and the tenant id derived from it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::telemetry::RequestTrace;

/// A Seam API key. `Debug`/`Display` never show it; `tenant()` is the only identity that may be logged
/// or used as a cache key. Equality and hashing are by key alone.
#[derive(Clone)]
pub struct ApiKey {
    secret: String,
    tenant: TenantId,
    /// Set on a request's key: counts the upstream calls made with it (and its clones), for the
    /// request's log line.
    meter: Option<Arc<AtomicU64>>,
    /// Set on a request's key: the request's id and its caller's trace context, sent to Seam with
    /// every call made for it, including from DataLoader batches that run in tasks of their own.
    request: Option<RequestTrace>,
}

impl PartialEq for ApiKey {
    fn eq(&self, other: &Self) -> bool {
        self.secret == other.secret
    }
}

impl Eq for ApiKey {}

impl std::hash::Hash for ApiKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.secret.hash(state);
    }
}

/// A stable, non-reversible id for an API key: the first 16 hex digits of its SHA-256. Shared, not
/// copied: every device cache key and every clone of a request's key holds one.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(Arc<str>);

impl TenantId {
    fn of(secret: &str) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let digest = Sha256::digest(secret.as_bytes());
        let hex: String = digest[..8]
            .iter()
            .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]])
            .map(char::from)
            .collect();
        Self(hex.into())
    }
}

thread_local! {
    /// The last key this thread derived a tenant id for, and that id. A client's requests come one
    /// after another on its connection's lane with the same key, and hashing it anew was about 2%
    /// of a cold request's instructions (callgrind). The key is compared in full, never by a hash:
    /// two keys must never share a tenant. One key per thread, kept as long as a request's is.
    static LAST_TENANT: std::cell::RefCell<Option<(Box<str>, TenantId)>> =
        const { std::cell::RefCell::new(None) };
}

/// Whether two keys are equal, in time that does not depend on where they first differ: the
/// thread's last key may be another client's, and `==` stops at the first differing byte.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && std::hint::black_box(a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y))) == 0
}

impl ApiKey {
    pub fn new(secret: impl Into<String>) -> Self {
        let secret = secret.into();
        let tenant = LAST_TENANT.with(|last| {
            let mut last = last.borrow_mut();
            match &*last {
                Some((known, tenant)) if same_secret(known.as_bytes(), secret.as_bytes()) => {
                    tenant.clone()
                }
                _ => {
                    let tenant = TenantId::of(&secret);
                    *last = Some((secret.as_str().into(), tenant.clone()));
                    tenant
                }
            }
        });
        Self {
            secret,
            tenant,
            meter: None,
            request: None,
        }
    }
    /// This key, acting for `request` (its id and trace go to Seam with each call).
    pub fn for_request(mut self, request: Option<RequestTrace>) -> Self {
        self.request = request;
        self
    }
    /// The request this key acts for, if any.
    pub fn request(&self) -> Option<&RequestTrace> {
        self.request.as_ref()
    }
    /// This key, counting the upstream calls made with it from now on (see [`Self::calls`]).
    pub fn metered(mut self) -> Self {
        self.meter = Some(Arc::default());
        self
    }
    /// Upstream calls made with this metered key and its clones (0 when not metered).
    pub fn calls(&self) -> u64 {
        self.meter.as_ref().map_or(0, |m| m.load(Ordering::Relaxed))
    }
    pub(crate) fn count_call(&self) {
        if let Some(meter) = &self.meter {
            meter.fetch_add(1, Ordering::Relaxed);
        }
    }
    /// The raw key, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.secret
    }
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKey(tenant={})", self.tenant.0)
    }
}

impl std::fmt::Display for TenantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Debug for TenantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_never_print_the_key() {
        let key = ApiKey::new("seam_apikey1_token");
        let shown = format!("{key:?} {}", key.tenant());
        assert!(!shown.contains("seam_apikey1_token"), "{shown}");
        assert_ne!(key.tenant(), ApiKey::new("seam_apikey2_token").tenant());
    }

    /// The id is the first 16 hex digits of the key's SHA-256, whether the thread's last key was
    /// the same one or another (the memo never gives one key's id to another).
    #[test]
    fn should_derive_each_keys_own_tenant_id_however_keys_alternate() {
        let (one, two) = ("cac4b963e592f708", "3368905aee3711e2");
        for (secret, id) in [
            ("seam_apikey1_token", one),
            ("seam_apikey1_token", one),
            ("seam_apikey2_token", two),
            ("seam_apikey1_token", one),
            ("seam_apikey2_token", two),
            ("seam_apikey2_token", two),
        ] {
            assert_eq!(ApiKey::new(secret).tenant().to_string(), id, "{secret}");
        }
        // A key that only extends the last one is another key.
        assert_ne!(ApiKey::new("seam_apikey1_token_").tenant().to_string(), one);
    }
}
