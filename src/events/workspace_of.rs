//! Which Seam workspace a key acts in: `workspaces/get`, so a workspace with no devices and no
//! events can subscribe too. A server without that route (Seam's fake answers 404) falls back to
//! reading it off something the key can see: one device, else one recent event. Cached per
//! tenant, since every subscription asks.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use super::SubscribeError;
use crate::seam::wire::{format_time, DeviceListRequest, EventListRequest};
use crate::seam::{ApiKey, SeamClient, TenantId};

/// How far back an event may reveal the workspace of a key that sees no device.
const EVENT_LOOKBACK: chrono::Duration = chrono::Duration::days(30);

pub(super) struct WorkspaceOf {
    client: SeamClient,
    /// Tenant (API key) -> its Seam workspace id.
    cache: moka::future::Cache<TenantId, String>,
}

impl WorkspaceOf {
    pub(super) fn new(client: SeamClient) -> Self {
        Self {
            client,
            cache: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(3600))
                .build(),
        }
    }

    /// The workspace of `key`; concurrent first lookups for one tenant share one upstream call.
    pub(super) async fn lookup(&self, key: &ApiKey) -> Result<String, SubscribeError> {
        let (client, key_for_lookup) = (self.client.clone(), key.clone());
        self.cache
            .try_get_with(key.tenant().clone(), async move {
                match client.get_workspace(&key_for_lookup).await {
                    Ok(ws) => return Ok(ws.workspace_id),
                    Err(e) if e.status() == Some(404) => {}
                    Err(e) => return Err(SubscribeError::Upstream(e)),
                }
                match workspace_of_a_device(&client, &key_for_lookup).await? {
                    Some(ws) => Ok(ws),
                    None => workspace_of_an_event(&client, &key_for_lookup).await,
                }
            })
            .await
            .map_err(|e: Arc<SubscribeError>| (*e).clone())
    }
}

/// From one `devices/list` (limit 1): None when the key sees no device with a workspace.
async fn workspace_of_a_device(
    client: &SeamClient,
    key: &ApiKey,
) -> Result<Option<String>, SubscribeError> {
    let request = DeviceListRequest {
        limit: Some(1),
        ..Default::default()
    };
    let devices = client
        .list_devices(key, &request)
        .await
        .map_err(SubscribeError::Upstream)?;
    Ok(devices.devices.into_iter().find_map(|d| d.workspace_id))
}

/// From one recent `events/list` (limit 1).
async fn workspace_of_an_event(
    client: &SeamClient,
    key: &ApiKey,
) -> Result<String, SubscribeError> {
    let since = Utc::now() - EVENT_LOOKBACK;
    let request = EventListRequest {
        since: Some(format_time(&since)),
        limit: Some(1),
        ..Default::default()
    };
    let events = client
        .list_events(key, &request)
        .await
        .map_err(SubscribeError::Upstream)?;
    events
        .into_iter()
        .find_map(|e| e.workspace_id)
        .ok_or(SubscribeError::UnknownWorkspace)
}
