//! Redis key names, all under one prefix. A workspace appears in them only as a hash of its id and
//! a tenant only as the hash of its key; no key name carries an API key.

use sha2::{Digest, Sha256};

const PREFIX: &str = "seam-graphql";

/// A short, stable hash of a workspace id.
pub(super) fn workspace(workspace_id: &str) -> String {
    let digest = Sha256::digest(workspace_id.as_bytes());
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn seen(event_id: &str) -> String {
    format!("{PREFIX}:seen:{event_id}")
}

/// Per-workspace keys, given the workspace's hash.
pub(super) fn of_workspace(hash: &str, what: &str) -> String {
    format!("{PREFIX}:ws:{hash}:{what}")
}

pub(super) fn group_index(tenant: &str) -> String {
    format!("{PREFIX}:groups:{tenant}")
}

/// One idempotency key's record: the kind of create, the tenant's hash, the key's hash.
pub(super) fn idempotency(kind: &str, tenant: &str, key_hash: &str) -> String {
    format!("{PREFIX}:idem:{kind}:{tenant}:{key_hash}")
}

pub(super) fn document(sha256: &str) -> String {
    format!("{PREFIX}:apq:{sha256}")
}

/// The persisted documents' keys by when they were last stored (oldest first), which caps them.
pub(super) const DOCUMENT_INDEX: &str = "seam-graphql:apq-index";

pub(super) const DEVICE_CHANNEL: &str = "seam-graphql:devices";
