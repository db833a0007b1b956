use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use futures::{stream, StreamExt, TryStreamExt};

use super::access_codes::fetch_access_codes;
use crate::cache::LinkedGroupIndex;
use crate::seam::wire::{AccessCode, AccessCodeListRequest, DeviceListRequest};
use crate::seam::{ApiKey, SeamClient, SeamError};

/// How many `access_codes/list` calls a scan runs at once.
const SCAN_CONCURRENCY: usize = 8;

/// Loads linked code groups by `common_code_key`. Seam has no endpoint for a group, so the gateway
/// assembles it: from the index when it knows the group's ids (one `access_codes/list`), else by one
/// scan of every access-code-capable device in the workspace, shared by all keys of the batch.
pub struct LinkedGroupLoader {
    pub(crate) client: SeamClient,
    pub(crate) key: ApiKey,
    pub(crate) index: LinkedGroupIndex,
}

impl Loader<String> for LinkedGroupLoader {
    type Value = Arc<Vec<Arc<AccessCode>>>;
    type Error = SeamError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, SeamError> {
        let tenant = self.key.tenant();
        let mut known_ids = Vec::new();
        let mut unindexed = Vec::new();
        let mut absent = Vec::new();
        for key in keys {
            match self.index.get(tenant, key).await {
                Some(ids) => known_ids.extend(ids.iter().cloned()),
                None if self.index.known_absent(tenant, key).await => absent.push(key),
                None => unindexed.push(key.clone()),
            }
        }
        let mut codes = Vec::new();
        if !known_ids.is_empty() {
            codes.extend(fetch_access_codes(&self.client, &self.key, &known_ids).await?);
        }
        let mut groups = group_by_key(codes, keys);
        // An indexed group whose codes are all gone is looked for again by scanning.
        for key in keys {
            if !groups.contains_key(key) && !unindexed.contains(key) && !absent.contains(&key) {
                unindexed.push(key.clone());
            }
        }
        if !unindexed.is_empty() {
            tracing::debug!(%tenant, groups = unindexed.len(), "scanning devices for linked codes");
            let scanned = group_by_key(self.scan().await?, &unindexed);
            for (key, members) in &scanned {
                let ids = members.iter().map(|c| c.access_code_id.clone()).collect();
                self.index.insert(tenant, key, ids).await;
            }
            for key in unindexed.iter().filter(|k| !scanned.contains_key(*k)) {
                self.index.mark_absent(tenant, key).await;
            }
            groups.extend(scanned);
        }
        Ok(groups.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

impl LinkedGroupLoader {
    /// Every access code on every device of the workspace that can hold codes.
    async fn scan(&self) -> Result<Vec<AccessCode>, SeamError> {
        let mut device_ids = Vec::new();
        let mut page_cursor = None;
        loop {
            let request = DeviceListRequest {
                page_cursor: page_cursor.take(),
                ..Default::default()
            };
            let page = self.client.list_devices(&self.key, &request).await?;
            device_ids.extend(
                page.devices
                    .into_iter()
                    .filter(|d| d.capabilities_supported.iter().any(|c| c == "access_code"))
                    .map(|d| d.device_id),
            );
            match page.pagination {
                Some(p) if p.has_next_page && p.next_page_cursor.is_some() => {
                    page_cursor = p.next_page_cursor
                }
                _ => break,
            }
        }
        let per_device: Vec<Vec<AccessCode>> = stream::iter(device_ids)
            .map(|device_id| async move {
                let request = AccessCodeListRequest {
                    device_id: Some(device_id.clone()),
                    ..Default::default()
                };
                let page = self.client.list_access_codes(&self.key, &request).await?;
                Ok::<_, SeamError>(
                    page.access_codes
                        .into_iter()
                        .filter(|c| c.device_id == device_id)
                        .collect(),
                )
            })
            .buffer_unordered(SCAN_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(per_device.into_iter().flatten().collect())
    }
}

fn group_by_key(codes: Vec<AccessCode>, keys: &[String]) -> HashMap<String, Vec<Arc<AccessCode>>> {
    let mut groups: HashMap<String, Vec<Arc<AccessCode>>> = HashMap::new();
    for code in codes {
        if let Some(key) = code.common_code_key.as_ref().filter(|k| keys.contains(k)) {
            let members = groups.entry(key.clone()).or_default();
            if !members
                .iter()
                .any(|c| c.access_code_id == code.access_code_id)
            {
                members.push(Arc::new(code));
            }
        }
    }
    for members in groups.values_mut() {
        members.sort_by(|a, b| a.device_id.cmp(&b.device_id));
    }
    groups
}
