//! The gateway's services: what it knows and decides, apart from how it is asked (GraphQL) and how
//! it asks Seam (`crate::seam`). Each service is the only owner of its cache or index.

pub(crate) mod access_codes;
pub(crate) mod devices;
pub(crate) mod idempotency;
pub(crate) mod linked_groups;
pub(crate) mod webhooks;
pub(crate) mod workspaces;

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use crate::cache::{DeviceCache, LinkedGroupIndex};
use crate::cluster::groups::RedisGroups;
use crate::cluster::idempotency::RedisIdempotency;
use crate::cluster::invalidation::DeviceInvalidations;
use crate::cluster::RedisLink;
use crate::seam::SeamClient;
use access_codes::AccessCodeService;
use devices::DeviceService;
use linked_groups::LinkedGroupService;
use workspaces::WorkspaceService;

/// How long the gateway remembers the members of a linked group it created or found.
const GROUP_INDEX_TTL: Duration = Duration::from_secs(3600);
/// Most linked groups remembered, over all API keys.
const GROUP_INDEX_CAPACITY: u64 = 100_000;

/// Every service, built once per process and shared by all requests. One `Arc`: every request
/// clones it (axum state, the request's scope and its loaders), so a clone must cost one atomic
/// increment, not one per service handle.
#[derive(Clone)]
pub struct Services(Arc<ServiceSet>);

pub struct ServiceSet {
    pub(crate) client: SeamClient,
    pub(crate) devices: DeviceService,
    pub(crate) access_codes: AccessCodeService,
    pub(crate) linked_groups: LinkedGroupService,
    pub(crate) workspaces: WorkspaceService,
}

impl Services {
    #[cfg(test)]
    pub(crate) fn new(client: SeamClient, device_cache: DeviceCache) -> Self {
        Self::with_redis(client, device_cache, None)
    }

    /// The services; with `redis`, device invalidations, the linked-group index and idempotency
    /// keys are shared with the other replicas.
    pub(crate) fn with_redis(
        client: SeamClient,
        device_cache: DeviceCache,
        redis: Option<&RedisLink>,
    ) -> Self {
        let device_cache = device_cache.observed_by(client.metrics().clone());
        let mut devices = DeviceService::new(client.clone(), device_cache);
        let mut index = LinkedGroupIndex::new(GROUP_INDEX_TTL, GROUP_INDEX_CAPACITY);
        if let Some(redis) = redis {
            devices = devices.shared(DeviceInvalidations::new(redis.clone()));
            index = index.shared(RedisGroups::new(redis.clone(), GROUP_INDEX_TTL));
        }
        let mut access_codes = AccessCodeService::new(client.clone(), devices.clone());
        if let Some(redis) = redis {
            let kind = RedisIdempotency::new(redis.clone(), "access-code");
            access_codes = access_codes.shared_idempotency(kind, idempotency_hold(&client));
        }
        let mut linked_groups =
            LinkedGroupService::new(client.clone(), access_codes.clone(), devices.clone(), index);
        if let Some(redis) = redis {
            let kind = RedisIdempotency::new(redis.clone(), "linked");
            linked_groups = linked_groups.shared_idempotency(kind, idempotency_hold(&client));
        }
        let workspaces = WorkspaceService::new(client.clone());
        Self(Arc::new(ServiceSet {
            client,
            workspaces,
            devices,
            access_codes,
            linked_groups,
        }))
    }
}

/// How long an idempotency claim lasts without renewal (the replica creating renews it), and how
/// long a retry elsewhere waits for that create: a device read and the create call, each within
/// the upstream timeout, with room to spare.
fn idempotency_hold(client: &SeamClient) -> Duration {
    client.timeout() * 3
}

impl Deref for Services {
    type Target = ServiceSet;
    fn deref(&self) -> &ServiceSet {
        &self.0
    }
}
