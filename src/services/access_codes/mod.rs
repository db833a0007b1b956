//! Access codes: reading them, and the rules for creating, changing and deleting them. No GraphQL
//! here: the schema turns its input into these calls and their results into payloads.

mod backup;
mod create;
mod generated;
pub(crate) mod rules;
mod timeline;
mod unmanaged;
mod update;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::devices::{DeviceService, MAX_BATCH};
use super::idempotency::Idempotent;
use crate::cluster::idempotency::RedisIdempotency;
use crate::error::{GatewayError, GatewayResult};
use crate::seam::wire::{AccessCode, AccessCodeListRequest, ActionAttempt, Device, Pagination};
use crate::seam::{all_pages, ApiKey, SeamClient, SeamError};

use create::Created;
pub(crate) use create::NewCode;
pub(crate) use rules::TimeRounding;
pub(crate) use timeline::{is_timeline_cursor, MAX_TIMELINE_PAGE};
pub(crate) use update::{check_window, CodeChange, Kind};

#[derive(Clone)]
pub(crate) struct AccessCodeService {
    client: SeamClient,
    devices: DeviceService,
    /// Creates made with an idempotency key.
    created: Idempotent<Created>,
}

impl AccessCodeService {
    pub(crate) fn new(client: SeamClient, devices: DeviceService) -> Self {
        Self {
            client,
            devices,
            created: Idempotent::new(),
        }
    }

    /// Shares idempotency keys of creates with the other replicas (see `idempotency`).
    pub(crate) fn shared_idempotency(mut self, redis: RedisIdempotency, hold: Duration) -> Self {
        self.created = self.created.shared(redis, hold);
        self
    }

    /// The codes with these ids that the key can see, one `access_codes/list` per [`MAX_BATCH`].
    /// Never cached: a code's status is what callers come to see, and it changes by the second.
    pub(crate) async fn by_ids(
        &self,
        key: &ApiKey,
        ids: &[String],
    ) -> Result<HashMap<String, Arc<AccessCode>>, SeamError> {
        tracing::debug!(tenant = %key.tenant(), batch = ids.len(), "access code batch");
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(MAX_BATCH) {
            for code in self.fetch_by_ids(key, chunk).await? {
                // Match by id: some servers ignore the filter and return more than asked for.
                if chunk.contains(&code.access_code_id) {
                    found.insert(code.access_code_id.clone(), Arc::new(code));
                }
            }
        }
        Ok(found)
    }

    async fn fetch_by_ids(
        &self,
        key: &ApiKey,
        ids: &[String],
    ) -> Result<Vec<AccessCode>, SeamError> {
        let client = &self.client;
        all_pages(|page_cursor| async move {
            let request = AccessCodeListRequest {
                access_code_ids: Some(ids.to_vec()),
                limit: Some(ids.len().max(1) as u32),
                page_cursor,
                ..Default::default()
            };
            let page = client.list_access_codes(key, &request).await?;
            Ok((page.access_codes, page.pagination))
        })
        .await
    }

    /// One page of `access_codes/list`, keeping only the codes the filters ask for (some servers
    /// ignore them).
    pub(crate) async fn list_page(
        &self,
        key: &ApiKey,
        request: &AccessCodeListRequest,
    ) -> Result<(Vec<AccessCode>, Option<Pagination>), SeamError> {
        let page = self.client.list_access_codes(key, request).await?;
        let codes = page
            .access_codes
            .into_iter()
            .filter(|c| request.device_id.as_ref().is_none_or(|d| &c.device_id == d))
            .filter(|c| {
                request
                    .access_code_ids
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&c.access_code_id))
            })
            .collect();
        Ok((codes, page.pagination))
    }

    /// Deletes a code (Seam then removes it from the lock); NOT_FOUND if the key cannot see it.
    pub(crate) async fn delete(
        &self,
        key: &ApiKey,
        id: &str,
    ) -> GatewayResult<Option<ActionAttempt>> {
        let current = self.by_id(key, id).await?;
        let attempt = self.client.delete_access_code(key, id).await;
        self.devices
            .forget(key.tenant(), &[current.device_id.as_str()])
            .await;
        let attempt = attempt.map_err(|e| GatewayError::from_seam_for(e, "access code", id))?;
        tracing::info!(tenant = %key.tenant(), access_code_id = %id, "access code deleted");
        Ok(attempt)
    }

    /// An action attempt, to follow an asynchronous change to its end; NOT_FOUND if unknown.
    pub(crate) async fn action_attempt(
        &self,
        key: &ApiKey,
        id: &str,
    ) -> GatewayResult<ActionAttempt> {
        self.client
            .get_action_attempt(key, id)
            .await
            .map_err(|e| GatewayError::from_seam_for(e, "action attempt", id))
    }

    /// One code, or NOT_FOUND.
    pub(crate) async fn by_id(&self, key: &ApiKey, id: &str) -> GatewayResult<Arc<AccessCode>> {
        self.by_ids(key, &[id.to_owned()])
            .await?
            .remove(id)
            .ok_or_else(|| {
                GatewayError::not_found(format!(
                    "No access code with id `{id}` is visible to this API key"
                ))
            })
    }

    /// One device, or NOT_FOUND.
    async fn device(&self, key: &ApiKey, id: &str) -> GatewayResult<Arc<Device>> {
        self.devices
            .by_ids(key, &[id.to_owned()])
            .await?
            .remove(id)
            .ok_or_else(|| {
                GatewayError::not_found(format!(
                    "No device with id `{id}` is visible to this API key"
                ))
            })
    }

    /// The code as Seam has it now, or NOT_FOUND.
    async fn reread(&self, key: &ApiKey, id: &str) -> GatewayResult<AccessCode> {
        self.client
            .get_access_code(key, id)
            .await
            .map_err(|e| GatewayError::from_seam_for(e, "access code", id))
    }
}
