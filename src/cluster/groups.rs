//! The linked-group index in Redis: one hash per tenant (by its key's hash), field = the group's
//! `common_code_key`, value = its access code ids as JSON. The in-process index stays in front.

use std::time::Duration;

use super::keys;
use super::link::{RedisLink, Unreachable};

#[derive(Clone)]
pub(crate) struct RedisGroups {
    link: RedisLink,
    /// How long a tenant's index outlives its last write.
    ttl: Duration,
}

impl RedisGroups {
    pub(crate) fn new(link: RedisLink, ttl: Duration) -> Self {
        Self { link, ttl }
    }

    pub(crate) async fn get(
        &self,
        tenant: &str,
        common_code_key: &str,
    ) -> Result<Option<Vec<String>>, Unreachable> {
        let mut hget = redis::cmd("HGET");
        hget.arg(keys::group_index(tenant)).arg(common_code_key);
        let found: Option<String> = self.link.query(&hget).await?;
        Ok(found.and_then(|json| serde_json::from_str(&json).ok()))
    }

    pub(crate) async fn insert(&self, tenant: &str, common_code_key: &str, ids: &[String]) {
        let key = keys::group_index(tenant);
        let json = serde_json::to_string(ids).expect("a list of strings serializes");
        let mut pipe = redis::pipe();
        pipe.cmd("HSET")
            .arg(&key)
            .arg(common_code_key)
            .arg(json)
            .ignore()
            .cmd("EXPIRE")
            .arg(&key)
            .arg(self.ttl.as_secs().max(1))
            .ignore();
        let _ = self.link.query::<()>(&pipe).await;
    }
}
