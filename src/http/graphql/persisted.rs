//! Automatic persisted queries (Apollo's `extensions.persistedQuery`): a client sends a document's
//! SHA-256 alone, and the whole document only when the gateway does not know it yet. Hash-only GETs
//! are short and stable, so a CDN can cache them.
//!
//! The hash is checked against the document before it is stored: otherwise anyone could file a
//! document under another document's hash, and every client sending that hash would run it.
//!
//! Anyone may send documents, so what is remembered is bounded in bytes, not only in number: a
//! document must parse and be at most [`MAX_REMEMBERED_BYTES`] long (a larger one still runs, and its
//! client is asked for it again next time, as the protocol provides), and the documents remembered
//! here weigh at most [`MEMORY_BUDGET_BYTES`] together. A thousand 1 MB documents, padded with a
//! comment, once took a gigabyte.

use std::sync::Arc;

use async_graphql::Value;
use sha2::{Digest, Sha256};

use super::refusal::Refusal;
use crate::cluster::documents::RedisDocuments;
use crate::schema::ErrorCode;

/// Longest document remembered. Frontends' documents are a few kilobytes.
const MAX_REMEMBERED_BYTES: usize = 32 * 1024;
/// What the documents remembered in this process may weigh together; the least recently used go
/// first.
const MEMORY_BUDGET_BYTES: u64 = 8 * 1024 * 1024;

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
            store: moka::sync::Cache::builder()
                .weigher(|hash: &String, query: &Arc<str>| {
                    u32::try_from(hash.len() + query.len()).unwrap_or(u32::MAX)
                })
                .max_capacity(MEMORY_BUDGET_BYTES)
                .build(),
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
        if request.query.len() > MAX_REMEMBERED_BYTES || self.store.contains_key(&hash) {
            return Ok(());
        }
        // A document that does not parse is answered with its syntax error, and not kept.
        let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
            return Ok(());
        };
        if let Some(shared) = &self.shared {
            if !has_mutation(&document) {
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

/// True when the document has a mutation.
fn has_mutation(document: &async_graphql::parser::types::ExecutableDocument) -> bool {
    document
        .operations
        .iter()
        .any(|(_, op)| op.node.ty == async_graphql::parser::types::OperationType::Mutation)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends `query` with its hash, as a client registering it does.
    async fn register(persisted: &PersistedQueries, query: &str) {
        let hash = hex(&Sha256::digest(query.as_bytes()));
        let extension = serde_json::json!({ "version": 1, "sha256Hash": hash });
        let mut request = async_graphql::Request::new(query);
        request.extensions.insert(
            "persistedQuery".to_owned(),
            Value::from_json(extension).expect("json"),
        );
        assert!(persisted.resolve(&mut request).await.is_ok());
    }

    #[tokio::test]
    async fn should_keep_the_documents_within_the_memory_budget() {
        let persisted = PersistedQueries::default();
        // 600 documents of 30 KiB each: 18 MiB sent, over twice the budget.
        for i in 0..600 {
            let query = format!("{{ __typename }}\n#{i}{}", "x".repeat(30 * 1024));
            register(&persisted, &query).await;
        }
        persisted.store.run_pending_tasks();
        let kept = persisted.store.weighted_size();
        assert!(kept <= MEMORY_BUDGET_BYTES, "{kept} bytes kept");
        assert!(kept > MEMORY_BUDGET_BYTES / 2, "the budget is used: {kept}");
    }
}
