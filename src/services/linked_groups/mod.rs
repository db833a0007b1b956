//! Linked code groups: the only owner of the group index. Seam has no endpoint for a group, so it is
//! assembled from codes: by the ids the index remembers (one `access_codes/list`), else by one scan
//! of every access-code-capable device of the workspace, shared by all keys asked at once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

mod changes;

use futures::{stream, StreamExt, TryStreamExt};

use super::access_codes::AccessCodeService;
use super::devices::DeviceService;
use super::idempotency::Idempotent;
use crate::cache::LinkedGroupIndex;
use crate::cluster::idempotency::RedisIdempotency;
use crate::seam::wire::{AccessCode, AccessCodeListRequest, DeviceListRequest};
use crate::seam::{all_pages, ApiKey, SeamClient, SeamError, TenantId};

/// How many `access_codes/list` calls a scan runs at once.
const SCAN_CONCURRENCY: usize = 8;

/// A group's codes, sorted by device.
pub(crate) type Members = Vec<Arc<AccessCode>>;

use changes::CreatedLinked;
pub(crate) use changes::{GroupChange, NewLinkedCodes};

#[derive(Clone)]
pub(crate) struct LinkedGroupService {
    client: SeamClient,
    codes: AccessCodeService,
    devices: DeviceService,
    index: LinkedGroupIndex,
    /// Creates made with an idempotency key.
    created: Idempotent<CreatedLinked>,
}

impl LinkedGroupService {
    pub(crate) fn new(
        client: SeamClient,
        codes: AccessCodeService,
        devices: DeviceService,
        index: LinkedGroupIndex,
    ) -> Self {
        Self {
            client,
            codes,
            devices,
            index,
            created: Idempotent::new(),
        }
    }

    /// Shares idempotency keys of creates with the other replicas (see `idempotency`).
    pub(crate) fn shared_idempotency(mut self, redis: RedisIdempotency, hold: Duration) -> Self {
        self.created = self.created.shared(redis, hold);
        self
    }

    /// Remembers the members of a group just created, so reading it costs one list call.
    pub(crate) async fn record(&self, tenant: &TenantId, common_code_key: &str, ids: Vec<String>) {
        self.index.insert(tenant, common_code_key, ids).await;
    }

    /// The groups with these keys; a key no code has is absent from the result.
    pub(crate) async fn find(
        &self,
        key: &ApiKey,
        common_code_keys: &[String],
    ) -> Result<HashMap<String, Members>, SeamError> {
        let tenant = key.tenant();
        let mut known_ids = Vec::new();
        let mut unindexed = Vec::new();
        let mut absent = Vec::new();
        for k in common_code_keys {
            match self.index.get(tenant, k).await {
                Some(ids) => known_ids.extend(ids.iter().cloned()),
                None if self.index.known_absent(tenant, k).await => absent.push(k),
                None => unindexed.push(k.clone()),
            }
        }
        let mut codes = Vec::new();
        if !known_ids.is_empty() {
            codes.extend(self.codes.by_ids(key, &known_ids).await?.into_values());
        }
        let mut groups = group_by_key(codes, common_code_keys);
        // An indexed group whose codes are all gone is looked for again by scanning.
        for k in common_code_keys {
            if !groups.contains_key(k) && !unindexed.contains(k) && !absent.contains(&k) {
                unindexed.push(k.clone());
            }
        }
        if !unindexed.is_empty() {
            groups.extend(self.scan_for(key, &unindexed).await?);
        }
        Ok(groups)
    }

    /// Scans the workspace for these keys and indexes what it finds (and what it does not).
    async fn scan_for(
        &self,
        key: &ApiKey,
        wanted: &[String],
    ) -> Result<HashMap<String, Members>, SeamError> {
        let tenant = key.tenant();
        tracing::debug!(%tenant, groups = wanted.len(), "scanning devices for linked codes");
        let scanned = group_by_key(self.scan(key).await?, wanted);
        for (k, members) in &scanned {
            let ids = members.iter().map(|c| c.access_code_id.clone()).collect();
            self.index.insert(tenant, k, ids).await;
        }
        for k in wanted.iter().filter(|k| !scanned.contains_key(*k)) {
            self.index.mark_absent(tenant, k).await;
        }
        Ok(scanned)
    }

    /// Every access code on every device of the workspace that can hold codes.
    async fn scan(&self, key: &ApiKey) -> Result<Vec<Arc<AccessCode>>, SeamError> {
        let client = &self.client;
        let devices = all_pages(|page_cursor| async move {
            let request = DeviceListRequest {
                page_cursor,
                ..Default::default()
            };
            let page = client.list_devices(key, &request).await?;
            Ok((page.devices, page.pagination))
        })
        .await?;
        let device_ids = devices
            .into_iter()
            .filter(|d| d.capabilities_supported.iter().any(|c| c == "access_code"))
            .map(|d| d.device_id);
        let per_device: Vec<Vec<Arc<AccessCode>>> = stream::iter(device_ids)
            .map(|device_id| async move {
                let request = AccessCodeListRequest {
                    device_id: Some(device_id.clone()),
                    ..Default::default()
                };
                let page = client.list_access_codes(key, &request).await?;
                Ok::<_, SeamError>(
                    page.access_codes
                        .into_iter()
                        .filter(|c| c.device_id == device_id)
                        .map(Arc::new)
                        .collect(),
                )
            })
            .buffer_unordered(SCAN_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(per_device.into_iter().flatten().collect())
    }
}

fn group_by_key(
    codes: impl IntoIterator<Item = Arc<AccessCode>>,
    keys: &[String],
) -> HashMap<String, Members> {
    let mut groups: HashMap<String, Members> = HashMap::new();
    for code in codes {
        if let Some(key) = code.common_code_key.as_ref().filter(|k| keys.contains(k)) {
            let members = groups.entry(key.clone()).or_default();
            if !members
                .iter()
                .any(|c| c.access_code_id == code.access_code_id)
            {
                members.push(code.clone());
            }
        }
    }
    for members in groups.values_mut() {
        members.sort_by(|a, b| a.device_id.cmp(&b.device_id));
    }
    groups
}
