//! Query root.

use async_graphql::{Context, Object, Result, SimpleObject, ID};

use super::access_code::{list_access_codes, AccessCode, AccessCodeConnection};
use super::action_attempt::ActionAttempt;
use super::connection::{paginate, PageArgs};
use super::context::{scope, services};
use super::device::{Device, DeviceConnection};
use super::error::GatewayError;
use super::linked_code_group::LinkedCodeGroup;
use super::unmanaged_access_code::{
    list_unmanaged, UnmanagedAccessCode, UnmanagedAccessCodeConnection,
};
use super::validate;
use super::workspace::Workspace;
use crate::seam::wire::DeviceListRequest;

/// A PIN Seam suggests for a lock.
#[derive(SimpleObject)]
pub(super) struct GeneratedCode {
    /// The lock the PIN is for.
    pub device_id: ID,
    /// The PIN: digits, of a length and form the lock accepts. Not reserved: pass it as `code` to
    /// `createAccessCode` to use it.
    pub code: String,
}

pub struct QueryRoot;

/// Read devices, access codes (managed and unmanaged), linked code groups, action attempts and the
/// workspace; suggest PINs.
#[Object(name = "Query")]
impl QueryRoot {
    /// One device by id. Null with a NOT_FOUND error if this API key cannot see it.
    async fn device(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Seam device id.")] id: ID,
    ) -> Result<Option<Device>> {
        let id = validate::id("id", &id)?;
        Ok(Some(Device(scope(ctx)?.device(&id).await?)))
    }

    /// The devices of the API key's workspace, a page at a time (Seam's `devices/list`).
    async fn devices(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only these devices.")] device_ids: Option<Vec<ID>>,
        #[graphql(desc = "Only this Seam device type, e.g. `august_lock`.")] device_type: Option<
            String,
        >,
        #[graphql(desc = "Only this manufacturer, e.g. `schlage`.")] manufacturer: Option<String>,
        #[graphql(desc = "How many devices to return (1 to 500, default 100).")] first: Option<i32>,
        #[graphql(
            desc = "Return devices after this cursor (an edge's `cursor` or `pageInfo.endCursor`)."
        )]
        after: Option<String>,
    ) -> Result<DeviceConnection> {
        let page = PageArgs::new(first, after)?;
        let device_ids = device_ids
            .map(|ids| validate::id_list("deviceIds", &ids))
            .transpose()?;
        let filters = DeviceListRequest {
            device_ids,
            device_type,
            manufacturer,
            ..Default::default()
        };
        let scope = scope(ctx)?;
        let devices = &services(ctx)?.devices;
        let page = paginate(
            page,
            |page_cursor, limit| {
                let request = DeviceListRequest {
                    limit: Some(limit),
                    page_cursor,
                    ..filters.clone()
                };
                async move { devices.list_page(&scope.key, &request).await }
            },
            Device,
        )
        .await?;
        Ok(page.into())
    }

    /// One access code by id. Null with a NOT_FOUND error if this API key cannot see it.
    async fn access_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Seam access code id.")] id: ID,
    ) -> Result<Option<AccessCode>> {
        let id = validate::id("id", &id)?;
        Ok(Some(AccessCode(scope(ctx)?.access_code(&id).await?)))
    }

    /// Access codes of one device, or by ids, a page at a time (Seam's `access_codes/list`).
    /// Give `deviceId`, `accessCodeIds` or both.
    async fn access_codes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Codes on this device.")] device_id: Option<ID>,
        #[graphql(desc = "Codes with these ids.")] access_code_ids: Option<Vec<ID>>,
        #[graphql(desc = "How many codes to return (1 to 500, default 100).")] first: Option<i32>,
        #[graphql(
            desc = "Return codes after this cursor (an edge's `cursor` or `pageInfo.endCursor`)."
        )]
        after: Option<String>,
    ) -> Result<AccessCodeConnection> {
        let page = PageArgs::new(first, after)?;
        let device_id = device_id
            .map(|d| validate::id("deviceId", &d))
            .transpose()?;
        let ids = access_code_ids
            .map(|ids| validate::id_list("accessCodeIds", &ids))
            .transpose()?;
        if device_id.is_none() && ids.is_none() {
            return Err(GatewayError::bad_input(
                "Give `deviceId` or `accessCodeIds` (Seam lists codes per device or by id)",
            )
            .into());
        }
        Ok(list_access_codes(ctx, device_id, ids, page).await?)
    }

    /// A group of linked codes by its `commonCodeKey`. Null with a NOT_FOUND error if no code has it.
    async fn linked_code_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The group's key, from `createLinkedAccessCodes` or `AccessCode.commonCodeKey`."
        )]
        common_code_key: String,
    ) -> Result<Option<LinkedCodeGroup>> {
        let key = validate::id("commonCodeKey", &common_code_key)?;
        match LinkedCodeGroup::load(ctx, &key).await? {
            Some(group) => Ok(Some(group)),
            None => Err(GatewayError::not_found(format!(
                "No access codes have commonCodeKey `{key}`"
            ))
            .into()),
        }
    }

    /// An action attempt by id, to follow an asynchronous mutation to SUCCESS or ERROR.
    async fn action_attempt(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Seam action attempt id, from a mutation payload.")] id: ID,
    ) -> Result<Option<ActionAttempt>> {
        let id = validate::id("id", &id)?;
        let scope = scope(ctx)?;
        let attempt = services(ctx)?
            .access_codes
            .action_attempt(&scope.key, &id)
            .await?;
        Ok(Some(ActionAttempt(attempt)))
    }

    /// The Seam workspace the API key acts in (Seam's `workspaces/get`).
    async fn workspace(&self, ctx: &Context<'_>) -> Result<Workspace> {
        let scope = scope(ctx)?;
        let workspace = services(ctx)?.workspaces.current(&scope.key).await?;
        Ok(Workspace(workspace))
    }

    /// A PIN that fits the lock's lengths and PIN rules, for UIs that suggest one (Seam's
    /// `access_codes/generate_code`). Nothing is created or reserved.
    async fn generate_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The lock the PIN is for.")] device_id: ID,
    ) -> Result<GeneratedCode> {
        let device_id = validate::id("deviceId", &device_id)?;
        let scope = scope(ctx)?;
        let pin = services(ctx)?
            .access_codes
            .generate_code(&scope.key, &device_id)
            .await?;
        Ok(GeneratedCode {
            device_id: ID(device_id),
            code: pin.as_str().to_owned(),
        })
    }

    /// One unmanaged code (a PIN set on a lock outside Seam) by id. Null with a NOT_FOUND error if
    /// this API key cannot see it.
    async fn unmanaged_access_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Seam access code id of the unmanaged code.")] id: ID,
    ) -> Result<Option<UnmanagedAccessCode>> {
        let id = validate::id("id", &id)?;
        let scope = scope(ctx)?;
        let code = services(ctx)?
            .access_codes
            .unmanaged(&scope.key, &id)
            .await?;
        Ok(Some(UnmanagedAccessCode(std::sync::Arc::new(code))))
    }

    /// The unmanaged codes (PINs set outside Seam) of one device, a page at a time (Seam's
    /// `access_codes/unmanaged/list`).
    async fn unmanaged_access_codes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The device whose unmanaged codes to list.")] device_id: ID,
        #[graphql(desc = "How many codes to return (1 to 500, default 100).")] first: Option<i32>,
        #[graphql(
            desc = "Return codes after this cursor (an edge's `cursor` or `pageInfo.endCursor`)."
        )]
        after: Option<String>,
    ) -> Result<UnmanagedAccessCodeConnection> {
        let page = PageArgs::new(first, after)?;
        let device_id = validate::id("deviceId", &device_id)?;
        Ok(list_unmanaged(ctx, device_id, page).await?)
    }
}
