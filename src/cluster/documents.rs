//! Persisted query documents in Redis, by their SHA-256, so a hash-only request finds on any
//! replica a document another replica was sent.

use std::time::Duration;

use super::keys;
use super::link::{RedisLink, Unreachable};

/// How long a document is kept after it was last sent in full.
const TTL: Duration = Duration::from_secs(24 * 3600);

#[derive(Clone)]
pub(crate) struct RedisDocuments {
    link: RedisLink,
}

impl RedisDocuments {
    pub(crate) fn new(link: RedisLink) -> Self {
        Self { link }
    }

    pub(crate) async fn get(&self, sha256: &str) -> Result<Option<String>, Unreachable> {
        self.link
            .query(redis::cmd("GET").arg(keys::document(sha256)))
            .await
    }

    pub(crate) async fn insert(&self, sha256: &str, document: &str) {
        let mut set = redis::cmd("SET");
        set.arg(keys::document(sha256))
            .arg(document)
            .arg("EX")
            .arg(TTL.as_secs());
        let _ = self.link.query::<()>(&set).await;
    }
}
