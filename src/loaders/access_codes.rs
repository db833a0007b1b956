use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use crate::seam::wire::AccessCode;
use crate::seam::{ApiKey, SeamError};
use crate::services::access_codes::AccessCodeService;

/// Batches one request's access code lookups into one [`AccessCodeService::by_ids`] call.
pub struct AccessCodeLoader {
    pub(crate) codes: AccessCodeService,
    pub(crate) key: ApiKey,
}

impl Loader<String> for AccessCodeLoader {
    type Value = Arc<AccessCode>;
    type Error = SeamError;

    async fn load(&self, ids: &[String]) -> Result<HashMap<String, Arc<AccessCode>>, SeamError> {
        self.codes.by_ids(&self.key, ids).await
    }
}
