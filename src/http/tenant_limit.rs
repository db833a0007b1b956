//! A bound on how many GraphQL requests one API key may have in flight at once, so that one
//! tenant's burst cannot take every upstream connection and the gateway's time from the others.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::seam::TenantId;

/// A key's semaphore is dropped after this long without requests.
const IDLE: Duration = Duration::from_secs(600);
/// Most keys tracked at once.
const TENANTS: u64 = 100_000;

#[derive(Clone)]
pub(crate) struct TenantLimiter {
    max_in_flight: usize,
    tenants: moka::sync::Cache<TenantId, Arc<Semaphore>>,
}

impl TenantLimiter {
    pub(crate) fn new(max_in_flight: usize) -> Self {
        Self {
            max_in_flight: max_in_flight.max(1),
            tenants: moka::sync::Cache::builder()
                .time_to_idle(IDLE)
                .max_capacity(TENANTS)
                .build(),
        }
    }

    /// A slot for one request of this tenant, held until dropped; None when all are taken.
    pub(crate) fn try_enter(&self, tenant: &TenantId) -> Option<OwnedSemaphorePermit> {
        let max = self.max_in_flight;
        self.tenants
            .get_with(tenant.clone(), || Arc::new(Semaphore::new(max)))
            .try_acquire_owned()
            .ok()
    }
}
