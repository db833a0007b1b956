//! The `UnmanagedAccessCode` type: a PIN set on a lock outside Seam (in the lock's app or on its
//! keypad). Seam sees it but does not manage it until it is converted.

use std::sync::Arc;

use async_graphql::{Context, Object, Result, ID};

use super::access_code::{AccessCodeStatus, AccessCodeType};
use super::connection::{connection, paginate, PageArgs};
use super::context::{scope, services};
use super::device::Device;
use super::error::GatewayResult;
use super::issue::{self, SeamIssueError, SeamIssueWarning};
use super::scalars::DateTime;
use crate::seam::wire;

/// A PIN on a lock that Seam does not manage.
#[derive(Clone)]
pub(super) struct UnmanagedAccessCode(pub Arc<wire::UnmanagedAccessCode>);

connection!(
    UnmanagedAccessCodeConnection,
    UnmanagedAccessCodeEdge,
    UnmanagedAccessCode,
    "unmanaged access codes"
);

/// A page of one device's unmanaged codes (`access_codes/unmanaged/list`).
pub(super) async fn list_unmanaged(
    ctx: &Context<'_>,
    device_id: String,
    page: PageArgs,
) -> GatewayResult<UnmanagedAccessCodeConnection> {
    let scope = scope(ctx)?;
    let codes = &services(ctx)?.access_codes;
    let page = paginate(
        page,
        |page_cursor, limit| {
            let request = wire::UnmanagedListRequest {
                device_id: device_id.clone(),
                limit: Some(limit),
                page_cursor,
            };
            async move { codes.unmanaged_page(&scope.key, &request).await }
        },
        |c| UnmanagedAccessCode(Arc::new(c)),
    )
    .await?;
    Ok(page.into())
}

/// A PIN set on a lock outside Seam. Convert it with `convertUnmanagedAccessCode` to manage it
/// through Seam, or remove it with `deleteUnmanagedAccessCode`.
#[Object]
impl UnmanagedAccessCode {
    /// Seam's access code id; the id stays the same when the code is converted to managed.
    async fn id(&self) -> ID {
        ID(self.0.access_code_id.clone())
    }
    /// The code's name, as the lock or its app has it.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    /// The PIN itself (digits), when the lock reports it.
    async fn code(&self) -> Option<&str> {
        self.0.code.as_ref().map(|p| p.as_str())
    }
    /// Ongoing or time-bound.
    #[graphql(name = "type")]
    async fn kind(&self) -> AccessCodeType {
        AccessCodeType::from_wire(&self.0.kind)
    }
    /// `SET` when the PIN is on the lock, `UNSET` otherwise.
    async fn status(&self) -> AccessCodeStatus {
        self.0.status.into()
    }
    /// Start of the window of a time-bound code.
    async fn starts_at(&self) -> Option<DateTime> {
        self.0.starts_at.map(DateTime)
    }
    /// End of the window of a time-bound code.
    async fn ends_at(&self) -> Option<DateTime> {
        self.0.ends_at.map(DateTime)
    }
    /// When Seam first saw the code.
    async fn created_at(&self) -> Option<DateTime> {
        self.0.created_at.map(DateTime)
    }
    /// Id of the device the code is on.
    async fn device_id(&self) -> ID {
        ID(self.0.device_id.clone())
    }
    /// The device the code is on, loaded in one batch with the request's other devices.
    async fn device(&self, ctx: &Context<'_>) -> Result<Option<Device>> {
        Ok(Some(Device(scope(ctx)?.device(&self.0.device_id).await?)))
    }
    /// Always false: Seam does not manage this code.
    async fn is_managed(&self) -> bool {
        false
    }
    /// Problems Seam reports on the code.
    async fn errors(&self) -> Vec<SeamIssueError> {
        issue::errors(&self.0.errors)
    }
    /// Warnings Seam reports on the code.
    async fn warnings(&self) -> Vec<SeamIssueWarning> {
        issue::warnings(&self.0.warnings)
    }
    /// The Seam workspace the code belongs to.
    async fn workspace_id(&self) -> Option<ID> {
        self.0.workspace_id.clone().map(ID)
    }
}
