use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use crate::seam::wire::AccessCode;
use crate::seam::{ApiKey, SeamError};
use crate::services::Services;

/// Batches one request's access code lookups into one call to the access code service.
pub(crate) struct AccessCodeLoader {
    pub(crate) services: Services,
    pub(crate) key: ApiKey,
}

impl Loader<String> for AccessCodeLoader {
    type Value = Arc<AccessCode>;
    type Error = SeamError;

    async fn load(&self, ids: &[String]) -> Result<HashMap<String, Arc<AccessCode>>, SeamError> {
        let load = self.services.access_codes.by_ids(&self.key, ids);
        super::batch(
            self.services.client.metrics(),
            "access_code",
            ids.len(),
            load,
        )
        .await
    }
}
