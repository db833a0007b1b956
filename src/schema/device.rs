//! The `Device` type: a smart lock (or other device) connected to Seam.

use std::sync::Arc;

use async_graphql::{Context, Object, Result, SimpleObject, ID};

use super::access_code::{list_access_codes, AccessCodeConnection};
use super::connection::{connection, PageArgs};
use super::issue::{self, SeamIssueError, SeamIssueWarning};
use super::scalars::DateTime;
use super::unmanaged_access_code::{list_unmanaged, UnmanagedAccessCodeConnection};
use crate::seam::wire;

/// A device connected to Seam, usually a smart lock.
#[derive(Clone)]
pub(super) struct Device(pub Arc<wire::Device>);

connection!(DeviceConnection, DeviceEdge, Device, "devices");

/// A rule a lock imposes on PINs, e.g. `no_zeros` or `cannot_start_with_12`.
#[derive(SimpleObject, Clone)]
pub(super) struct CodeConstraint {
    /// Seam's constraint type, e.g. `no_zeros`, `no_ascending_or_descending_sequence`, `name_length`.
    pub constraint_type: String,
    /// For name constraints: the shortest allowed name.
    pub min_length: Option<u32>,
    /// For name constraints: the longest allowed name.
    pub max_length: Option<u32>,
}

/// A device connected to Seam, usually a smart lock, with its access-code capabilities.
#[Object]
impl Device {
    /// Seam's device id (`device_id`).
    async fn id(&self) -> ID {
        ID(self.0.device_id.clone())
    }
    /// The name to show people (`display_name`).
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// The name the device has in its own app (`properties.name`).
    async fn name(&self) -> Option<&str> {
        self.0.properties.name.as_deref()
    }
    /// Seam's device type, e.g. `august_lock`, `schlage_lock`, `yale_lock`.
    async fn device_type(&self) -> &str {
        &self.0.device_type
    }
    /// The manufacturer, e.g. `august`, `schlage`, `yale` (`properties.manufacturer`).
    async fn manufacturer(&self) -> Option<&str> {
        self.0.properties.manufacturer.as_deref()
    }
    /// The model's display name, e.g. `Smart Lock Pro`.
    async fn model(&self) -> Option<&str> {
        self.0
            .properties
            .model
            .as_ref()
            .and_then(|m| m.display_name.as_deref())
    }
    /// Whether Seam can currently reach the device (`properties.online`).
    async fn is_online(&self) -> bool {
        self.0.properties.online.unwrap_or(false)
    }
    /// Whether the lock is locked, when it reports it.
    async fn is_locked(&self) -> Option<bool> {
        self.0.properties.locked
    }
    /// Battery level from 0 to 1, when the device reports one.
    async fn battery_level(&self) -> Option<f64> {
        self.0
            .properties
            .battery_level
            .or_else(|| self.0.properties.battery.as_ref().and_then(|b| b.level))
    }
    /// Whether online access codes (programmed over the network) can be created on this device.
    /// Check this before `createAccessCode`; the gateway refuses with CAPABILITY_MISSING otherwise.
    async fn can_program_online_access_codes(&self) -> bool {
        self.0.can_program_online_access_codes.unwrap_or(false)
    }
    /// Whether offline access codes (algorithmic PINs that need no connection) can be created.
    async fn can_program_offline_access_codes(&self) -> bool {
        self.0.can_program_offline_access_codes.unwrap_or(false)
    }
    /// Whether the lock keeps a pool of backup codes (`useBackupAccessCodePool` on create).
    async fn supports_backup_access_code_pool(&self) -> bool {
        self.0
            .properties
            .supports_backup_access_code_pool
            .unwrap_or(false)
    }
    /// Seam's capability flags, e.g. `access_code`, `lock`, `battery`.
    async fn capabilities_supported(&self) -> &[String] {
        &self.0.capabilities_supported
    }
    /// PIN lengths the lock accepts; null when the lock states no restriction.
    async fn supported_code_lengths(&self) -> Option<&[u32]> {
        self.0.properties.supported_code_lengths.as_deref()
    }
    /// Further rules the lock imposes on PINs and code names.
    async fn code_constraints(&self) -> Vec<CodeConstraint> {
        self.0
            .properties
            .code_constraints
            .iter()
            .flatten()
            .map(|c| CodeConstraint {
                constraint_type: c.constraint_type.clone(),
                min_length: c.min_length,
                max_length: c.max_length,
            })
            .collect()
    }
    /// How many codes the lock can hold at once, when known.
    async fn max_active_codes_supported(&self) -> Option<u32> {
        self.0.properties.max_active_codes_supported
    }
    /// Problems with the device (e.g. `device_offline`); empty when healthy.
    async fn errors(&self) -> Vec<SeamIssueError> {
        issue::errors(&self.0.errors)
    }
    /// Warnings about the device (e.g. `device_has_flaky_connection`).
    async fn warnings(&self) -> Vec<SeamIssueWarning> {
        issue::warnings(&self.0.warnings)
    }
    /// The connected account (the user's account with the lock's brand) the device belongs to.
    async fn connected_account_id(&self) -> Option<ID> {
        self.0.connected_account_id.clone().map(ID)
    }
    /// The Seam workspace the device belongs to.
    async fn workspace_id(&self) -> Option<ID> {
        self.0.workspace_id.clone().map(ID)
    }
    /// When the device was added to Seam.
    async fn created_at(&self) -> Option<DateTime> {
        self.0.created_at.map(DateTime)
    }
    /// The access codes on this device, a page at a time (one `access_codes/list` per page).
    async fn access_codes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many codes to return (1 to 500, default 100).")] first: Option<i32>,
        #[graphql(
            desc = "Return codes after this cursor (an edge's `cursor` or `pageInfo.endCursor`)."
        )]
        after: Option<String>,
    ) -> Result<AccessCodeConnection> {
        let page = PageArgs::new(first, after)?;
        Ok(list_access_codes(ctx, Some(self.0.device_id.clone()), None, page).await?)
    }
    /// PINs set on this lock outside Seam, a page at a time (one `access_codes/unmanaged/list` per
    /// page).
    async fn unmanaged_access_codes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many codes to return (1 to 500, default 100).")] first: Option<i32>,
        #[graphql(
            desc = "Return codes after this cursor (an edge's `cursor` or `pageInfo.endCursor`)."
        )]
        after: Option<String>,
    ) -> Result<UnmanagedAccessCodeConnection> {
        let page = PageArgs::new(first, after)?;
        Ok(list_unmanaged(ctx, self.0.device_id.clone(), page).await?)
    }
}
