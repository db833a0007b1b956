//! Mutation root: create, update and delete access codes, singly and as linked groups; pull backup
//! codes; convert and delete unmanaged codes. Each
//! resolver checks its input on its own, hands it to a service (which checks it against the locks
//! and calls Seam), and shapes the result as a payload.

use std::collections::HashSet;

mod io;

use async_graphql::{Context, Object, Result, ID};

use super::access_code::{AccessCode, AccessCodeType};
use super::action_attempt::ActionAttempt;
use super::context::{scope, services};
use super::cost::MAX_GROUP_SIZE;
use super::error::{GatewayError, GatewayResult};
use super::linked_code_group::LinkedCodeGroup;
use super::validate;
use crate::seam::wire::ConvertToManagedRequest;
use crate::services::access_codes::{CodeChange, Kind, NewCode};
use crate::services::linked_groups::{GroupChange, NewLinkedCodes};
use io::*;

/// Most locks one linked group may span (the cost model assumes no more).
const MAX_LINKED_DEVICES: usize = MAX_GROUP_SIZE as usize;

pub struct MutationRoot;

/// Create, update and delete access codes, singly and as linked groups; pull backup codes; convert
/// and delete unmanaged codes.
#[Object(name = "Mutation")]
impl MutationRoot {
    /// Creates an ongoing (no times) or time-bound (`startsAt` + `endsAt`) PIN code on one lock.
    async fn create_access_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to create.")] input: CreateAccessCodeInput,
    ) -> Result<CreateAccessCodePayload> {
        let (code, preferred_code_length) =
            validate::pin_choice(input.code.as_deref(), input.preferred_code_length)?;
        let new = NewCode {
            device_id: validate::id("deviceId", &input.device_id)?,
            name: validate::name(input.name)?,
            code,
            preferred_code_length,
            window: validate::window(input.starts_at, input.ends_at)?,
            is_offline: input.is_offline_access_code,
            max_time_rounding: input.max_time_rounding.map(Into::into),
            is_one_time_use: input.is_one_time_use,
            use_backup_pool: input.use_backup_access_code_pool,
        };
        let idempotency_key = idempotency_key(input.idempotency_key.as_deref())?;
        let created = services(ctx)?
            .access_codes
            .create(&scope(ctx)?.key, new, idempotency_key.as_deref())
            .await?;
        Ok(CreateAccessCodePayload {
            access_code: created.access_code.into(),
            action_attempt: created.action_attempt.map(ActionAttempt),
        })
    }

    /// Creates codes sharing one PIN on several locks (Seam's `create_multiple`). Without a custom
    /// `code` they are linked by one `commonCodeKey` and can be moved together.
    async fn create_linked_access_codes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to create.")] input: CreateLinkedAccessCodesInput,
    ) -> Result<CreateLinkedAccessCodesPayload> {
        let device_ids = linked_device_ids(&input.device_ids)?;
        let (code, preferred_code_length) =
            validate::pin_choice(input.code.as_deref(), input.preferred_code_length)?;
        let new = NewLinkedCodes {
            device_ids,
            name: validate::name(input.name)?,
            code,
            preferred_code_length,
            window: validate::window(input.starts_at, input.ends_at)?,
            all_or_nothing: input.behavior_when_code_cannot_be_shared
                == BehaviorWhenCodeCannotBeShared::Throw,
        };
        let idempotency_key = idempotency_key(input.idempotency_key.as_deref())?;
        let created = services(ctx)?
            .linked_groups
            .create(&scope(ctx)?.key, new, idempotency_key.as_deref())
            .await?;
        let (common_code_key, linked_code_group) = match created.group {
            Some((key, members)) => (
                Some(key.clone()),
                Some(LinkedCodeGroup::from_codes(key, members)),
            ),
            None => (None, None),
        };
        Ok(CreateLinkedAccessCodesPayload {
            access_codes: created.codes.into_iter().map(AccessCode).collect(),
            common_code_key,
            linked_code_group,
        })
    }

    /// Changes a code's name, PIN or window; converts ongoing <-> time-bound. Fields left out keep
    /// their values (the gateway resends a time-bound code's window so it stays time-bound).
    async fn update_access_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateAccessCodeInput,
    ) -> Result<UpdateAccessCodePayload> {
        let change = code_change(input)?;
        let updated = services(ctx)?
            .access_codes
            .update(&scope(ctx)?.key, change)
            .await?;
        Ok(UpdateAccessCodePayload {
            access_code: updated.access_code.into(),
            action_attempt: updated.action_attempt.map(ActionAttempt),
        })
    }

    /// Moves the window (and optionally renames) every code of a linked group at once (Seam's
    /// `update_multiple`), then reads the group back.
    async fn update_linked_code_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateLinkedCodeGroupInput,
    ) -> Result<UpdateLinkedCodeGroupPayload> {
        let common_code_key = validate::id("commonCodeKey", &input.common_code_key)?;
        let name = validate::name(input.name)?;
        let window = validate::window(input.starts_at, input.ends_at)?;
        if window.is_none() && name.is_none() {
            return Err(GatewayError::bad_input(
                "Nothing to update: give `startsAt` and `endsAt`, or `name`",
            )
            .into());
        }
        let change = GroupChange {
            common_code_key: common_code_key.clone(),
            name,
            window,
        };
        let members = services(ctx)?
            .linked_groups
            .update(&scope(ctx)?.key, change)
            .await?;
        Ok(UpdateLinkedCodeGroupPayload {
            linked_code_group: LinkedCodeGroup::from_codes(common_code_key, members),
        })
    }

    /// Deletes a code; Seam removes it from the lock.
    async fn delete_access_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to delete.")] input: DeleteAccessCodeInput,
    ) -> Result<DeleteAccessCodePayload> {
        let id = validate::id("accessCodeId", &input.access_code_id)?;
        let attempt = services(ctx)?
            .access_codes
            .delete(&scope(ctx)?.key, &id)
            .await?;
        Ok(DeleteAccessCodePayload {
            deleted_access_code_id: ID(id),
            action_attempt: attempt.map(ActionAttempt),
        })
    }

    /// Pulls a backup code from the lock's pool to stand in for a time-bound code created with
    /// `useBackupAccessCodePool: true` (Seam's `pull_backup_access_code`).
    async fn pull_backup_access_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which code to back up.")] input: PullBackupAccessCodeInput,
    ) -> Result<PullBackupAccessCodePayload> {
        let id = validate::id("accessCodeId", &input.access_code_id)?;
        let pulled = services(ctx)?
            .access_codes
            .pull_backup(&scope(ctx)?.key, &id)
            .await?;
        Ok(PullBackupAccessCodePayload {
            access_code: pulled.access_code.into(),
            backup_access_code: pulled.backup_access_code.into(),
        })
    }

    /// Makes an unmanaged code (a PIN set outside Seam) a managed access code, keeping its id.
    async fn convert_unmanaged_access_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which code to convert.")] input: ConvertUnmanagedAccessCodeInput,
    ) -> Result<ConvertUnmanagedAccessCodePayload> {
        let id = validate::id("accessCodeId", &input.access_code_id)?;
        let request = ConvertToManagedRequest {
            access_code_id: id.clone(),
            allow_external_modification: input.allow_external_modification,
            force: input.force,
        };
        let converted = services(ctx)?
            .access_codes
            .convert_to_managed(&scope(ctx)?.key, request)
            .await?;
        Ok(ConvertUnmanagedAccessCodePayload {
            converted_access_code_id: ID(id),
            access_code: converted.map(Into::into),
        })
    }

    /// Removes an unmanaged code (a PIN set outside Seam) from its lock.
    async fn delete_unmanaged_access_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to delete.")] input: DeleteUnmanagedAccessCodeInput,
    ) -> Result<DeleteUnmanagedAccessCodePayload> {
        let id = validate::id("accessCodeId", &input.access_code_id)?;
        let attempt = services(ctx)?
            .access_codes
            .delete_unmanaged(&scope(ctx)?.key, &id)
            .await?;
        Ok(DeleteUnmanagedAccessCodePayload {
            deleted_access_code_id: ID(id),
            action_attempt: attempt.map(ActionAttempt),
        })
    }
}

/// An idempotency key, if given: not blank, at most as long as an id.
fn idempotency_key(key: Option<&str>) -> GatewayResult<Option<String>> {
    key.map(|k| validate::id("idempotencyKey", k)).transpose()
}

/// `deviceIds` of linked codes: 1 to [`MAX_LINKED_DEVICES`] ids, each once.
fn linked_device_ids(ids: &[ID]) -> GatewayResult<Vec<String>> {
    if ids.is_empty() {
        return Err(GatewayError::bad_input(
            "`deviceIds` must name at least one device",
        ));
    }
    if ids.len() > MAX_LINKED_DEVICES {
        return Err(GatewayError::bad_input(format!(
            "`deviceIds` names {} devices; link at most {MAX_LINKED_DEVICES} at once",
            ids.len()
        )));
    }
    let mut seen = HashSet::new();
    let mut device_ids = Vec::with_capacity(ids.len());
    for id in ids {
        let id = validate::id("deviceIds", id)?;
        if !seen.insert(id.clone()) {
            return Err(GatewayError::bad_input(format!(
                "`deviceIds` names `{id}` twice"
            )));
        }
        device_ids.push(id);
    }
    Ok(device_ids)
}

/// The checked input of `updateAccessCode`: something to change, and no window with `ONGOING`.
fn code_change(input: UpdateAccessCodeInput) -> GatewayResult<CodeChange> {
    let access_code_id = validate::id("accessCodeId", &input.access_code_id)?;
    let name = validate::name(input.name)?;
    let code = input
        .code
        .as_deref()
        .map(|c| validate::pin("code", c))
        .transpose()?;
    if name.is_none()
        && code.is_none()
        && input.starts_at.is_none()
        && input.ends_at.is_none()
        && input.kind.is_none()
    {
        return Err(GatewayError::bad_input(
            "Nothing to update: give `name`, `code`, `startsAt`/`endsAt` or `type`",
        ));
    }
    let kind = input.kind.map(|k| match k {
        AccessCodeType::Ongoing => Kind::Ongoing,
        AccessCodeType::TimeBound => Kind::TimeBound,
    });
    if kind == Some(Kind::Ongoing) && (input.starts_at.is_some() || input.ends_at.is_some()) {
        return Err(GatewayError::bad_input(
            "`type: ONGOING` clears the window; give no `startsAt`/`endsAt` with it",
        ));
    }
    if let (Some(s), Some(e)) = (input.starts_at, input.ends_at) {
        validate::window(Some(s), Some(e))?;
    }
    Ok(CodeChange {
        access_code_id,
        name,
        code,
        starts_at: input.starts_at.map(|s| s.0),
        ends_at: input.ends_at.map(|e| e.0),
        kind,
    })
}
