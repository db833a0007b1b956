//! Automatic persisted queries (Apollo's `extensions.persistedQuery`): a client sends a document's
//! SHA-256 alone, and the whole document only when the gateway does not know it yet. Hash-only GETs
//! are short and stable, so a CDN can cache them.
//!
//! The hash is checked against the document before it is stored: otherwise anyone could file a
//! document under another document's hash, and every client sending that hash would run it.

use std::sync::Arc;

use async_graphql::Value;
use sha2::{Digest, Sha256};

use super::refusal::Refusal;
use crate::cluster::documents::RedisDocuments;
use crate::schema::ErrorCode;

/// Most documents remembered; the least recently used go first.
const CAPACITY: u64 = 1_000;

/// Documents by the hex SHA-256 of their text, shared by all API keys (knowing a hash means knowing
/// the document, so sharing reveals nothing).
#[derive(Clone)]
pub(crate) struct PersistedQueries {
    store: moka::sync::Cache<String, Arc<str>>,
    /// With Redis: the documents every replica was sent, behind this process's own. Documents with
    /// a mutation are kept out of it: a mutation's literals may hold a PIN.
    shared: Option<RedisDocuments>,
}

impl Default for PersistedQueries {
    fn default() -> Self {
        Self {
            store: moka::sync::Cache::new(CAPACITY),
            shared: None,
        }
    }
}

impl PersistedQueries {
    /// Shares documents with other replicas through Redis.
    pub(crate) fn shared(redis: RedisDocuments) -> Self {
        Self {
            shared: Some(redis),
            ..Self::default()
        }
    }

    /// Fills in the document of a hash-only request, or checks and remembers a sent one.
    pub(crate) async fn resolve(
        &self,
        request: &mut async_graphql::Request,
    ) -> Result<(), Refusal> {
        let Some(extension) = request.extensions.remove("persistedQuery") else {
            return Ok(());
        };
        let hash = requested_hash(extension)?;
        if request.query.is_empty() {
            let Some(query) = self.lookup(&hash).await else {
                return Err(Refusal::request_error(
                    ErrorCode::PersistedQueryNotFound,
                    "PersistedQueryNotFound",
                ));
            };
            request.query = query.to_string();
            return Ok(());
        }
        let actual = hex(&Sha256::digest(request.query.as_bytes()));
        if actual != hash {
            return Err(Refusal::request_error(
                ErrorCode::PersistedQueryHashMismatch,
                "The persistedQuery sha256Hash is not the SHA-256 of the query; nothing ran",
            ));
        }
        if let Some(shared) = &self.shared {
            if !has_mutation(&request.query) {
                shared.insert(&hash, &request.query).await;
            }
        }
        self.store.insert(hash, request.query.as_str().into());
        Ok(())
    }

    async fn lookup(&self, hash: &str) -> Option<Arc<str>> {
        if let Some(query) = self.store.get(hash) {
            return Some(query);
        }
        let query: Arc<str> = self.shared.as_ref()?.get(hash).await.ok()??.into();
        // Only what hashes right is taken from Redis.
        if hex(&Sha256::digest(query.as_bytes())) != hash {
            return None;
        }
        self.store.insert(hash.to_owned(), query.clone());
        Some(query)
    }
}

/// True when the document has a mutation (or cannot be parsed, to be safe).
fn has_mutation(query: &str) -> bool {
    match async_graphql::parser::parse_query(query) {
        Ok(doc) => doc
            .operations
            .iter()
            .any(|(_, op)| op.node.ty == async_graphql::parser::types::OperationType::Mutation),
        Err(_) => true,
    }
}

/// The lower-case hash of a version-1 `persistedQuery` extension.
fn requested_hash(extension: Value) -> Result<String, Refusal> {
    let invalid = || {
        Refusal::bad_request(
            "`extensions.persistedQuery` must be {\"version\": 1, \"sha256Hash\": \"<hex>\"}",
        )
    };
    let Value::Object(fields) = extension else {
        return Err(invalid());
    };
    let version = match fields.get("version") {
        Some(Value::Number(n)) => n.as_i64(),
        _ => None,
    };
    if version != Some(1) {
        return Err(Refusal::bad_request(
            "Only version 1 of `extensions.persistedQuery` is supported",
        ));
    }
    match fields.get("sha256Hash") {
        Some(Value::String(hash))
            if hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            Ok(hash.to_ascii_lowercase())
        }
        _ => Err(invalid()),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
