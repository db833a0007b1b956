//! The `LinkedCodeGroup` type: codes created together by `createLinkedAccessCodes`, sharing one
//! `commonCodeKey`. Seam has no endpoint for it; the gateway assembles it from the codes.

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, Result};

use super::access_code::{AccessCode, AccessCodeStatus, AccessCodeType};
use super::context::scope;
use super::device::Device;
use super::error::{GatewayError, GatewayResult};
use super::scalars::DateTime;
use crate::seam::wire;

/// Summary status of a linked group.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum LinkedCodeGroupStatus {
    /// Every code is on its lock: the shared PIN works on every door.
    Set,
    /// Some codes are on their locks, others are still being set (or waiting for their window).
    Setting,
    /// No code is on its lock yet (e.g. the window has not started).
    Unset,
    /// At least one code is being removed.
    Removing,
    /// Seam cannot tell the status of at least one code.
    Unknown,
}

/// Access codes on several locks that share one PIN and one `commonCodeKey`, so they can be moved
/// together with `updateLinkedCodeGroup`.
#[derive(Clone)]
pub(super) struct LinkedCodeGroup {
    key: String,
    codes: Arc<Vec<Arc<wire::AccessCode>>>,
}

impl LinkedCodeGroup {
    pub(super) fn from_codes(key: String, codes: Vec<Arc<wire::AccessCode>>) -> Self {
        Self {
            key,
            codes: Arc::new(codes),
        }
    }

    /// The group with this key, or None when no code carries it.
    pub(super) async fn load(ctx: &Context<'_>, key: &str) -> GatewayResult<Option<Self>> {
        let codes = scope(ctx)?.group(key).await?;
        Ok(codes.filter(|c| !c.is_empty()).map(|codes| Self {
            key: key.to_owned(),
            codes,
        }))
    }

    fn shared<T: PartialEq + Clone>(
        &self,
        f: impl Fn(&wire::AccessCode) -> Option<T>,
    ) -> Option<T> {
        let first = f(self.codes.first()?)?;
        self.codes
            .iter()
            .all(|c| f(c).as_ref() == Some(&first))
            .then_some(first)
    }
}

/// Access codes on several locks sharing one PIN and one `commonCodeKey`, created by
/// `createLinkedAccessCodes` and moved together by `updateLinkedCodeGroup`.
#[Object]
impl LinkedCodeGroup {
    /// The key Seam gave the group (`auto_set_by_create_multiple_<uuid>`).
    async fn common_code_key(&self) -> &str {
        &self.key
    }
    /// The shared PIN. Null when the codes differ, e.g. because a lock could not take the shared PIN
    /// and got a random one (`behaviorWhenCodeCannotBeShared: CREATE_RANDOM_CODE`).
    async fn code(&self) -> Option<String> {
        self.shared(|c| c.code.as_ref().map(|p| p.as_str().to_owned()))
    }
    /// True when every code of the group has the same PIN.
    async fn is_code_shared(&self) -> bool {
        self.shared(|c| c.code.as_ref().map(|p| p.as_str().to_owned()))
            .is_some()
    }
    /// Start of the group's window; null for ongoing groups or if the codes' windows differ.
    async fn starts_at(&self) -> Option<DateTime> {
        self.shared(|c| c.is_time_bound().then_some(c.starts_at).flatten())
            .map(DateTime)
    }
    /// End of the group's window; null for ongoing groups or if the codes' windows differ.
    async fn ends_at(&self) -> Option<DateTime> {
        self.shared(|c| c.is_time_bound().then_some(c.ends_at).flatten())
            .map(DateTime)
    }
    /// Ongoing or time-bound, when all codes agree.
    #[graphql(name = "type")]
    async fn kind(&self) -> Option<AccessCodeType> {
        self.shared(|c| Some(AccessCodeType::from_wire(&c.kind)))
    }
    /// One summary of the codes' statuses.
    async fn status(&self) -> LinkedCodeGroupStatus {
        let statuses: Vec<_> = self
            .codes
            .iter()
            .map(|c| AccessCodeStatus::from(c.status))
            .collect();
        let all = |s| statuses.iter().all(|x| *x == s);
        if statuses.contains(&AccessCodeStatus::Unknown) {
            LinkedCodeGroupStatus::Unknown
        } else if statuses.contains(&AccessCodeStatus::Removing) {
            LinkedCodeGroupStatus::Removing
        } else if all(AccessCodeStatus::Set) {
            LinkedCodeGroupStatus::Set
        } else if all(AccessCodeStatus::Unset) {
            LinkedCodeGroupStatus::Unset
        } else {
            LinkedCodeGroupStatus::Setting
        }
    }
    /// True when any code of the group reports an error.
    async fn has_errors(&self) -> bool {
        self.codes.iter().any(|c| !c.errors.is_empty())
    }
    /// The group's codes, one per device, ordered by device id.
    async fn access_codes(&self, ctx: &Context<'_>) -> Result<Vec<AccessCode>> {
        if ctx.look_ahead().field("device").exists() {
            let ids = self.codes.iter().map(|c| c.device_id.as_str());
            scope(ctx)?.prime_devices(ids).await?;
        }
        Ok(self.codes.iter().cloned().map(AccessCode).collect())
    }
    /// The group's devices (one batched lookup). A device that vanished upstream is null at its
    /// index, without an error: the group itself still stands.
    async fn devices(&self, ctx: &Context<'_>) -> Result<Vec<Option<Device>>> {
        let scope = scope(ctx)?;
        let ids: Vec<String> = self.codes.iter().map(|c| c.device_id.clone()).collect();
        let found = scope
            .devices_by_ids(ids.iter().cloned())
            .await
            .map_err(GatewayError::from)?;
        Ok(ids
            .iter()
            .map(|id| found.get(id).cloned().map(Device))
            .collect())
    }
}
