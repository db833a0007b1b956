//! A PIN Seam suggests for a lock (`access_codes/generate_code`), for UIs that offer one.

use super::{rules, AccessCodeService};
use crate::error::{ErrorCode, GatewayError, GatewayResult};
use crate::seam::{ApiKey, Pin};

impl AccessCodeService {
    /// A PIN that fits the lock's lengths and PIN rules. Only for locks whose codes can be given
    /// a custom PIN; the PIN is returned, never logged.
    pub(crate) async fn generate_code(&self, key: &ApiKey, device_id: &str) -> GatewayResult<Pin> {
        let device = self.device(key, device_id).await?;
        rules::require_online_codes(&device)?;
        let provider_chooses = device
            .properties
            .code_constraints
            .iter()
            .flatten()
            .any(|c| c.constraint_type == "cannot_specify_pin_code");
        if provider_chooses {
            return Err(GatewayError::new(
                ErrorCode::CapabilityMissing,
                format!("Device `{device_id}` does not take custom PINs (its provider chooses every PIN); create the code without `code`"),
            ));
        }
        let generated = self
            .client
            .generate_code(key, device_id)
            .await
            .map_err(|e| GatewayError::from_seam_for(e, "device", device_id))?;
        let pin = generated
            .code
            .ok_or_else(|| GatewayError::new(ErrorCode::UpstreamError, "Seam generated no code"))?;
        // Seam's word is checked against what the gateway knows of the lock, so a UI never
        // suggests a PIN that `createAccessCode` would then refuse.
        rules::pin_fits(&device, &pin).map_err(|e| {
            GatewayError::new(
                ErrorCode::UpstreamError,
                format!("Seam generated a PIN the lock would refuse: {}", e.message),
            )
        })?;
        Ok(pin)
    }
}
