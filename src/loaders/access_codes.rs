use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use super::MAX_BATCH;
use crate::seam::wire::{AccessCode, AccessCodeListRequest};
use crate::seam::{ApiKey, SeamClient, SeamError};

/// Loads access codes by id with one `access_codes/list {access_code_ids}` per batch. Not cached
/// across requests: a code's status is what callers come to see, and it changes by the second.
pub struct AccessCodeLoader {
    pub(crate) client: SeamClient,
    pub(crate) key: ApiKey,
}

impl Loader<String> for AccessCodeLoader {
    type Value = Arc<AccessCode>;
    type Error = SeamError;

    async fn load(&self, ids: &[String]) -> Result<HashMap<String, Arc<AccessCode>>, SeamError> {
        tracing::debug!(tenant = %self.key.tenant(), batch = ids.len(), "access code batch");
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(MAX_BATCH) {
            for code in fetch_access_codes(&self.client, &self.key, chunk).await? {
                // Match by id: some servers ignore the filter and return more than asked for.
                if chunk.contains(&code.access_code_id) {
                    found.insert(code.access_code_id.clone(), Arc::new(code));
                }
            }
        }
        Ok(found)
    }
}

pub(crate) async fn fetch_access_codes(
    client: &SeamClient,
    key: &ApiKey,
    ids: &[String],
) -> Result<Vec<AccessCode>, SeamError> {
    let mut codes = Vec::with_capacity(ids.len());
    let mut page_cursor = None;
    loop {
        let request = AccessCodeListRequest {
            access_code_ids: Some(ids.to_vec()),
            limit: Some(ids.len().max(1) as u32),
            page_cursor: page_cursor.take(),
            ..Default::default()
        };
        let page = client.list_access_codes(key, &request).await?;
        codes.extend(page.access_codes);
        match page.pagination {
            Some(p) if p.has_next_page && p.next_page_cursor.is_some() => {
                page_cursor = p.next_page_cursor
            }
            _ => return Ok(codes),
        }
    }
}
