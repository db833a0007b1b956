//! Backup codes: a lock with a backup pool keeps spare PINs, and a time-bound code created with
//! `use_backup_access_code_pool` can be replaced by one of them when it fails.

use super::AccessCodeService;
use crate::error::{GatewayError, GatewayResult};
use crate::seam::wire::AccessCode;
use crate::seam::ApiKey;

/// What pulling a backup code returns: the original code and the backup that stands in for it.
pub(crate) struct Pulled {
    pub(crate) access_code: AccessCode,
    pub(crate) backup_access_code: AccessCode,
}

impl AccessCodeService {
    /// Pulls a backup code for a time-bound code whose backup is available. The backup's PIN is a
    /// secret like any other: returned to the caller, never logged.
    pub(crate) async fn pull_backup(&self, key: &ApiKey, id: &str) -> GatewayResult<Pulled> {
        let current = self.by_id(key, id).await?;
        if !current.is_time_bound() {
            return Err(GatewayError::bad_input(format!(
                "Access code `{id}` is ongoing; backup codes can only be pulled for time-bound codes"
            )));
        }
        if current.is_backup_access_code_available != Some(true) {
            return Err(GatewayError::bad_input(format!(
                "No backup code is available for access code `{id}` (isBackupAccessCodeAvailable is false); create codes with `useBackupAccessCodePool: true` on a lock that supports it"
            )));
        }
        let pulled = self.client.pull_backup_access_code(key, id).await;
        self.devices
            .forget(key.tenant(), &[current.device_id.as_str()])
            .await;
        let pulled = pulled.map_err(|e| GatewayError::from_seam_for(e, "access code", id))?;
        tracing::info!(tenant = %key.tenant(), access_code_id = %id, backup_access_code_id = %pulled.backup_access_code.access_code_id, "backup access code pulled");
        Ok(Pulled {
            access_code: pulled.access_code,
            backup_access_code: pulled.backup_access_code,
        })
    }
}
