use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use crate::seam::{ApiKey, SeamError};
use crate::services::linked_groups::Members;
use crate::services::Services;

/// Batches one request's linked-group lookups, so that one scan serves every key asked for.
pub(crate) struct LinkedGroupLoader {
    pub(crate) services: Services,
    pub(crate) key: ApiKey,
}

impl Loader<String> for LinkedGroupLoader {
    type Value = Arc<Members>;
    type Error = SeamError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Arc<Members>>, SeamError> {
        let find = self.services.linked_groups.find(&self.key, keys);
        let groups = super::batch(
            self.services.client.metrics(),
            "linked_group",
            keys.len(),
            find,
        )
        .await?;
        Ok(groups.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}
