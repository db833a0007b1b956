//! The `AccessCode` type: a PIN on a lock, ongoing or time-bound.

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, Result, SimpleObject, ID};

use super::connection::{connection, paginate, PageArgs};
use super::context::{scope, services};
use super::device::Device;
use super::error::GatewayResult;
use super::issue::{self, SeamIssueError, SeamIssueWarning};
use super::linked_code_group::LinkedCodeGroup;
use super::scalars::DateTime;
use super::timeline::{timeline, TimelineEventConnection};
use crate::seam::{wire, CodeStatus};

/// Whether a code works until removed or only within a window.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AccessCodeType {
    /// Works from creation until deleted (no `startsAt`/`endsAt`).
    Ongoing,
    /// Works from `startsAt` to `endsAt`, then is removed from the lock.
    TimeBound,
}

impl AccessCodeType {
    pub fn from_wire(s: &str) -> Self {
        if s == "time_bound" {
            AccessCodeType::TimeBound
        } else {
            AccessCodeType::Ongoing
        }
    }
    pub fn as_wire(self) -> &'static str {
        match self {
            AccessCodeType::Ongoing => "ongoing",
            AccessCodeType::TimeBound => "time_bound",
        }
    }
}

/// Where a code is in its life on the lock.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AccessCodeStatus {
    /// Not on the lock: a time-bound code before its window, or not yet programmed.
    Unset,
    /// Being programmed onto the lock.
    Setting,
    /// On the lock: the PIN works.
    Set,
    /// Being removed from the lock (window over, or deleted).
    Removing,
    /// Seam cannot tell, or reported a status this gateway does not know.
    Unknown,
}

impl From<CodeStatus> for AccessCodeStatus {
    fn from(status: CodeStatus) -> Self {
        match status {
            CodeStatus::Unset => Self::Unset,
            CodeStatus::Setting => Self::Setting,
            CodeStatus::Set => Self::Set,
            CodeStatus::Removing => Self::Removing,
            CodeStatus::Unknown => Self::Unknown,
        }
    }
}

/// A change Seam has queued for the code but not yet made on the lock.
#[derive(SimpleObject, Clone)]
pub(super) struct PendingMutation {
    /// What is changing: `creating`, `deleting`, `updating_code`, `updating_name`, `updating_time_frame`, ...
    pub mutation_code: String,
    /// Seam's explanation.
    pub message: Option<String>,
    /// When the change was requested.
    pub created_at: Option<DateTime>,
    /// When Seam plans to make the change, if scheduled.
    pub scheduled_at: Option<DateTime>,
}

/// A PIN code on a lock, managed through Seam.
#[derive(Clone)]
pub(super) struct AccessCode(pub Arc<wire::AccessCode>);

connection!(
    AccessCodeConnection,
    AccessCodeEdge,
    AccessCode,
    "access codes"
);

/// A page of `access_codes/list`, filtered by device or ids, as a connection. When the selection
/// asks for the codes' devices, they are loaded in one batch before the items resolve.
pub(super) async fn list_access_codes(
    ctx: &Context<'_>,
    device_id: Option<String>,
    access_code_ids: Option<Vec<String>>,
    page: PageArgs,
) -> GatewayResult<AccessCodeConnection> {
    let scope = scope(ctx)?;
    let codes = &services(ctx)?.access_codes;
    let page = paginate(
        page,
        |page_cursor, limit| {
            let request = wire::AccessCodeListRequest {
                device_id: device_id.clone(),
                access_code_ids: access_code_ids.clone(),
                limit: Some(limit),
                page_cursor,
            };
            async move { codes.list_page(&scope.key, &request).await }
        },
        AccessCode::from,
    )
    .await?;
    let look_ahead = ctx.look_ahead();
    let wants_devices = look_ahead.field("nodes").field("device").exists()
        || look_ahead
            .field("edges")
            .field("node")
            .field("device")
            .exists();
    if wants_devices {
        scope
            .prime_devices(page.items().map(|code| code.0.device_id.as_str()))
            .await?;
    }
    Ok(page.into())
}

impl From<Arc<wire::AccessCode>> for AccessCode {
    fn from(c: Arc<wire::AccessCode>) -> Self {
        Self(c)
    }
}

impl From<wire::AccessCode> for AccessCode {
    fn from(c: wire::AccessCode) -> Self {
        Self(Arc::new(c))
    }
}

/// A PIN code on a lock, managed through Seam: ongoing, or time-bound between `startsAt` and `endsAt`.
#[Object]
impl AccessCode {
    /// Seam's access code id (`access_code_id`).
    async fn id(&self) -> ID {
        ID(self.0.access_code_id.clone())
    }
    /// The code's name, as shown in Seam and, where the lock supports it, on the lock.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    /// The PIN itself (digits). Null while Seam is still choosing it.
    async fn code(&self) -> Option<&str> {
        self.0.code.as_ref().map(|p| p.as_str())
    }
    /// Ongoing or time-bound.
    #[graphql(name = "type")]
    async fn kind(&self) -> AccessCodeType {
        AccessCodeType::from_wire(&self.0.kind)
    }
    /// Where the code is in its life on the lock; `SET` means the PIN works.
    async fn status(&self) -> AccessCodeStatus {
        self.0.status.into()
    }
    /// Start of the window of a time-bound code; null for ongoing codes.
    async fn starts_at(&self) -> Option<DateTime> {
        self.0
            .is_time_bound()
            .then_some(self.0.starts_at)
            .flatten()
            .map(DateTime)
    }
    /// End of the window of a time-bound code; null for ongoing codes.
    async fn ends_at(&self) -> Option<DateTime> {
        self.0
            .is_time_bound()
            .then_some(self.0.ends_at)
            .flatten()
            .map(DateTime)
    }
    /// When the code was created in Seam.
    async fn created_at(&self) -> Option<DateTime> {
        self.0.created_at.map(DateTime)
    }
    /// Key shared by codes created together by `createLinkedAccessCodes`; null for unlinked codes.
    async fn common_code_key(&self) -> Option<&str> {
        self.0.common_code_key.as_deref()
    }
    /// Id of the device the code is on.
    async fn device_id(&self) -> ID {
        ID(self.0.device_id.clone())
    }
    /// The device the code is on. Loaded in one batch with every other device of the request.
    /// Null (with a NOT_FOUND error at this path) only if the device has vanished upstream.
    async fn device(&self, ctx: &Context<'_>) -> Result<Option<Device>> {
        Ok(Some(Device(scope(ctx)?.device(&self.0.device_id).await?)))
    }
    /// The linked group this code belongs to; null for unlinked codes.
    async fn linked_code_group(&self, ctx: &Context<'_>) -> Result<Option<LinkedCodeGroup>> {
        match &self.0.common_code_key {
            Some(key) => Ok(LinkedCodeGroup::load(ctx, key).await?),
            None => Ok(None),
        }
    }
    /// Problems setting or keeping the code on the lock; empty when healthy.
    async fn errors(&self) -> Vec<SeamIssueError> {
        issue::errors(&self.0.errors)
    }
    /// Warnings, e.g. `delay_in_setting_on_device`.
    async fn warnings(&self) -> Vec<SeamIssueWarning> {
        issue::warnings(&self.0.warnings)
    }
    /// True for codes managed through Seam (always, for codes this API returns).
    async fn is_managed(&self) -> bool {
        self.0.is_managed.unwrap_or(true)
    }
    /// True when the lock holds the code natively scheduled ahead of its window.
    async fn is_scheduled_on_device(&self) -> Option<bool> {
        self.0.is_scheduled_on_device
    }
    /// True when a backup code from the lock's pool can replace this one if it fails.
    async fn is_backup_access_code_available(&self) -> bool {
        self.0.is_backup_access_code_available.unwrap_or(false)
    }
    /// True when changes made outside Seam (e.g. in the lock's app) are allowed to stand.
    async fn is_external_modification_allowed(&self) -> bool {
        self.0.is_external_modification_allowed.unwrap_or(false)
    }
    /// True for a code that works once.
    async fn is_one_time_use(&self) -> bool {
        self.0.is_one_time_use.unwrap_or(false)
    }
    /// True for an offline (algorithmic) code.
    async fn is_offline_access_code(&self) -> bool {
        self.0.is_offline_access_code.unwrap_or(false)
    }
    /// True while Seam waits for the lock's provider to assign the PIN.
    async fn is_waiting_for_code_assignment(&self) -> Option<bool> {
        self.0.is_waiting_for_code_assignment
    }
    /// The backup code that replaced this one, if one was pulled.
    async fn pulled_backup_access_code_id(&self) -> Option<ID> {
        self.0.pulled_backup_access_code_id.clone().map(ID)
    }
    /// Changes queued but not yet on the lock.
    async fn pending_mutations(&self) -> Vec<PendingMutation> {
        self.0
            .pending_mutations
            .iter()
            .map(|m| PendingMutation {
                mutation_code: m.mutation_code.clone(),
                message: m.message.clone(),
                created_at: m.created_at.map(DateTime),
                scheduled_at: m.scheduled_at.map(DateTime),
            })
            .collect()
    }
    /// The Seam workspace the code belongs to.
    async fn workspace_id(&self) -> Option<ID> {
        self.0.workspace_id.clone().map(ID)
    }
    /// What happened to the code, oldest first, a page at a time (Seam's
    /// `access_codes/get_timeline`; at most 200 per page).
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many events to return (1 to 200, default 100).")] first: Option<i32>,
        #[graphql(
            desc = "Return events after this cursor (an edge's `cursor` or `pageInfo.endCursor`)."
        )]
        after: Option<String>,
    ) -> Result<TimelineEventConnection> {
        let page = PageArgs::new(first, after)?;
        Ok(timeline(ctx, &self.0.access_code_id, page).await?)
    }
}
