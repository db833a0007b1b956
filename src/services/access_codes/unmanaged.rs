//! Unmanaged codes: PINs set on a lock outside Seam (in the lock's app, on its keypad). Seam sees
//! them; they can be read, converted to managed codes, or deleted.

use super::AccessCodeService;
use crate::error::{GatewayError, GatewayResult};
use crate::seam::wire::{
    AccessCode, ActionAttempt, ConvertToManagedRequest, Pagination, UnmanagedAccessCode,
    UnmanagedListRequest,
};
use crate::seam::{ApiKey, SeamError};

impl AccessCodeService {
    /// One page of a device's unmanaged codes, keeping only that device's (some servers ignore
    /// the filter).
    pub(crate) async fn unmanaged_page(
        &self,
        key: &ApiKey,
        request: &UnmanagedListRequest,
    ) -> Result<(Vec<UnmanagedAccessCode>, Option<Pagination>), SeamError> {
        let page = self.client.list_unmanaged(key, request).await?;
        let codes = page
            .access_codes
            .into_iter()
            .filter(|c| c.device_id == request.device_id)
            .collect();
        Ok((codes, page.pagination))
    }

    /// One unmanaged code, or NOT_FOUND.
    pub(crate) async fn unmanaged(
        &self,
        key: &ApiKey,
        id: &str,
    ) -> GatewayResult<UnmanagedAccessCode> {
        self.client
            .get_unmanaged(key, id)
            .await
            .map_err(|e| GatewayError::from_seam_for(e, "unmanaged access code", id))
    }

    /// Makes an unmanaged code a managed one (same id), then reads it back as managed; None when
    /// Seam has not finished converting it yet.
    pub(crate) async fn convert_to_managed(
        &self,
        key: &ApiKey,
        request: ConvertToManagedRequest,
    ) -> GatewayResult<Option<AccessCode>> {
        let id = request.access_code_id.clone();
        let current = self.unmanaged(key, &id).await?;
        let converted = self.client.convert_to_managed(key, &request).await;
        self.devices
            .forget(key.tenant(), &[current.device_id.as_str()])
            .await;
        converted.map_err(|e| GatewayError::from_seam_for(e, "unmanaged access code", &id))?;
        tracing::info!(tenant = %key.tenant(), access_code_id = %id, "unmanaged access code converted to managed");
        match self.client.get_access_code(key, &id).await {
            Ok(code) => Ok(Some(code)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes an unmanaged code from its lock.
    pub(crate) async fn delete_unmanaged(
        &self,
        key: &ApiKey,
        id: &str,
    ) -> GatewayResult<Option<ActionAttempt>> {
        let current = self.unmanaged(key, id).await?;
        let attempt = self.client.delete_unmanaged(key, id).await;
        self.devices
            .forget(key.tenant(), &[current.device_id.as_str()])
            .await;
        let attempt =
            attempt.map_err(|e| GatewayError::from_seam_for(e, "unmanaged access code", id))?;
        tracing::info!(tenant = %key.tenant(), access_code_id = %id, "unmanaged access code deleted");
        Ok(attempt)
    }
}
