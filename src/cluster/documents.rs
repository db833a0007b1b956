//! Persisted query documents in Redis, by their SHA-256, so a hash-only request finds on any
//! replica a document another replica was sent.
//!
//! Anyone may send a new document, so their number is capped: an index orders them by when they
//! were last stored, and the oldest beyond the cap (`--redis-max-documents`) are deleted with each
//! store. With the size cap of `http::graphql::persisted`, that bounds their share of Redis's memory.

use std::time::Duration;

use super::keys;
use super::link::{RedisLink, Unreachable};

/// How long a document is kept after it was last sent in full.
const TTL: Duration = Duration::from_secs(24 * 3600);

/// Stores the document and indexes it by Redis's clock, then deletes the oldest beyond the cap.
const INSERT: &str = r"
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
local now = redis.call('TIME')
redis.call('ZADD', KEYS[2], tonumber(now[1]) * 1000000 + tonumber(now[2]), KEYS[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if excess > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, excess - 1)
  redis.call('DEL', unpack(oldest))
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1)
end
return 1";

#[derive(Clone)]
pub(crate) struct RedisDocuments {
    link: RedisLink,
    /// Most documents kept, across all replicas.
    max_documents: usize,
}

impl RedisDocuments {
    pub(crate) fn new(link: RedisLink, max_documents: usize) -> Self {
        Self {
            link,
            max_documents,
        }
    }

    pub(crate) async fn get(&self, sha256: &str) -> Result<Option<String>, Unreachable> {
        self.link
            .query(redis::cmd("GET").arg(keys::document(sha256)))
            .await
    }

    pub(crate) async fn insert(&self, sha256: &str, document: &str) {
        let mut eval = redis::cmd("EVAL");
        eval.arg(INSERT)
            .arg(2)
            .arg(keys::document(sha256))
            .arg(keys::DOCUMENT_INDEX)
            .arg(document)
            .arg(TTL.as_secs())
            .arg(self.max_documents);
        let _ = self.link.query::<i64>(&eval).await;
    }
}
