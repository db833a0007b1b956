//! Mutation root: create, update and delete access codes, singly and as linked groups.
//! Every input is validated, and every capability the gateway can know is checked, before Seam is called.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, ID};

use super::access_code::{AccessCode, AccessCodeType};
use super::action_attempt::ActionAttempt;
use super::context::{gateway, scope, Gateway, RequestScope};
use super::cost::MAX_GROUP_SIZE;
use super::error::{ErrorCode, GatewayError, GatewayResult};
use super::linked_code_group::LinkedCodeGroup;
use super::scalars::DateTime;
use super::validate;
use crate::seam::wire::{
    self, format_time, CreateAccessCodeRequest, CreateMultipleRequest, UpdateAccessCodeRequest,
    UpdateMultipleRequest,
};
use crate::seam::Pin;

/// Most locks one linked group may span (the cost model assumes no more).
const MAX_LINKED_DEVICES: usize = MAX_GROUP_SIZE as usize;

pub struct MutationRoot;

/// Input of `createAccessCode`.
#[derive(InputObject)]
pub(super) struct CreateAccessCodeInput {
    /// The lock to put the code on. It must have `canProgramOnlineAccessCodes: true`.
    pub device_id: ID,
    /// A name for the code, e.g. the guest's name.
    pub name: Option<String>,
    /// The PIN (digits only, a length the lock supports). Omit it to let Seam choose one.
    pub code: Option<String>,
    /// Length of the PIN Seam chooses when `code` is omitted; must be one the lock supports.
    pub preferred_code_length: Option<i32>,
    /// Start of the window; give with `endsAt` for a time-bound code, omit both for an ongoing code.
    pub starts_at: Option<DateTime>,
    /// End of the window; must be after `startsAt` and in the future.
    pub ends_at: Option<DateTime>,
}

/// Result of `createAccessCode`.
#[derive(SimpleObject)]
pub(super) struct CreateAccessCodePayload {
    /// The new code, usually `SETTING` (ongoing) or `UNSET` (time-bound) at first.
    pub access_code: AccessCode,
    /// Seam's action attempt for programming the code, when Seam returns one.
    pub action_attempt: Option<ActionAttempt>,
}

/// What Seam does when a lock cannot take the group's shared PIN.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum BehaviorWhenCodeCannotBeShared {
    /// Fail the whole request; no code is created (error CODE_CANNOT_BE_SHARED).
    #[default]
    Throw,
    /// Give that lock a random PIN of its own; it still joins the group.
    CreateRandomCode,
}

/// Input of `createLinkedAccessCodes` (Seam's `access_codes/create_multiple`).
#[derive(InputObject)]
pub(super) struct CreateLinkedAccessCodesInput {
    /// The locks to put codes on, each once. Each must have `canProgramOnlineAccessCodes: true`.
    pub device_ids: Vec<ID>,
    /// A name for every code.
    pub name: Option<String>,
    /// A custom shared PIN. Seam then does NOT link the codes: `commonCodeKey` stays null.
    pub code: Option<String>,
    /// Length of the shared PIN Seam chooses when `code` is omitted.
    pub preferred_code_length: Option<i32>,
    /// Start of the window (with `endsAt`); omit both for ongoing codes.
    pub starts_at: Option<DateTime>,
    /// End of the window.
    pub ends_at: Option<DateTime>,
    /// What to do when a lock cannot take the shared PIN (default `THROW`).
    #[graphql(default)]
    pub behavior_when_code_cannot_be_shared: BehaviorWhenCodeCannotBeShared,
}

/// Result of `createLinkedAccessCodes`.
#[derive(SimpleObject)]
pub(super) struct CreateLinkedAccessCodesPayload {
    /// One new code per device.
    pub access_codes: Vec<AccessCode>,
    /// The key linking the codes; null when a custom `code` left them unlinked.
    pub common_code_key: Option<String>,
    /// The group as a whole; null when a custom `code` left the codes unlinked.
    pub linked_code_group: Option<LinkedCodeGroup>,
}

/// Input of `updateAccessCode`. Give only what changes.
#[derive(InputObject)]
pub(super) struct UpdateAccessCodeInput {
    /// The code to change.
    pub access_code_id: ID,
    /// New name.
    pub name: Option<String>,
    /// New PIN (digits only, a length the lock supports).
    pub code: Option<String>,
    /// New start; with `endsAt` turns an ongoing code time-bound. Alone, keeps the current end.
    pub starts_at: Option<DateTime>,
    /// New end; alone, keeps the current start of a time-bound code.
    pub ends_at: Option<DateTime>,
    /// `ONGOING` turns a time-bound code ongoing (clears the window; give no times with it).
    /// `TIME_BOUND` needs a window, given here or already on the code.
    #[graphql(name = "type")]
    pub kind: Option<AccessCodeType>,
}

/// Result of `updateAccessCode`.
#[derive(SimpleObject)]
pub(super) struct UpdateAccessCodePayload {
    /// The code as Seam holds it after the update.
    pub access_code: AccessCode,
    /// Seam's action attempt for putting the change on the lock.
    pub action_attempt: Option<ActionAttempt>,
}

/// Input of `updateLinkedCodeGroup` (Seam's `access_codes/update_multiple`).
#[derive(InputObject)]
pub(super) struct UpdateLinkedCodeGroupInput {
    /// The group's key.
    pub common_code_key: String,
    /// New start of every code's window (give with `endsAt`).
    pub starts_at: Option<DateTime>,
    /// New end of every code's window (give with `startsAt`).
    pub ends_at: Option<DateTime>,
    /// New name for every code.
    pub name: Option<String>,
}

/// Result of `updateLinkedCodeGroup`.
#[derive(SimpleObject)]
pub(super) struct UpdateLinkedCodeGroupPayload {
    /// The group, read back after the update.
    pub linked_code_group: LinkedCodeGroup,
}

/// Input of `deleteAccessCode`.
#[derive(InputObject)]
pub(super) struct DeleteAccessCodeInput {
    /// The code to delete.
    pub access_code_id: ID,
}

/// Result of `deleteAccessCode`.
#[derive(SimpleObject)]
pub(super) struct DeleteAccessCodePayload {
    /// Id of the deleted code. It shows `REMOVING` until the lock has dropped it.
    pub deleted_access_code_id: ID,
    /// Seam's action attempt for removing the code from the lock.
    pub action_attempt: Option<ActionAttempt>,
}

/// Create, update and delete access codes, singly and as linked groups.
#[Object(name = "Mutation")]
impl MutationRoot {
    /// Creates an ongoing (no times) or time-bound (`startsAt` + `endsAt`) PIN code on one lock.
    async fn create_access_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to create.")] input: CreateAccessCodeInput,
    ) -> Result<CreateAccessCodePayload> {
        let device_id = validate::id("deviceId", &input.device_id)?;
        let name = validate::name(input.name)?;
        let (code, preferred) =
            validate::pin_choice(input.code.as_deref(), input.preferred_code_length)?;
        let window = validate::window(input.starts_at, input.ends_at)?;
        let (gw, scope) = (gateway(ctx)?, scope(ctx)?);

        let device = scope.device(&device_id).await?;
        require_online_codes(&device)?;
        if let Some(code) = &code {
            validate::pin_fits(&device, code)?;
        } else if let Some(len) = preferred {
            if !validate::length_fits(&device, len) {
                return Err(GatewayError::bad_input(format!(
                    "`preferredCodeLength` is {len}, but device `{device_id}` accepts PINs of {}",
                    validate::describe_lengths(&device)
                ))
                .into());
            }
        }

        let request = CreateAccessCodeRequest {
            device_id: device_id.clone(),
            name,
            code,
            preferred_code_length: preferred,
            starts_at: window.map(|(s, _)| format_time(&s.0)),
            ends_at: window.map(|(_, e)| format_time(&e.0)),
        };
        let created = gw.client.create_access_code(&scope.key, &request).await;
        gw.devices.invalidate(scope.key.tenant(), &device_id).await;
        let created = created.map_err(GatewayError::from)?;
        tracing::info!(tenant = %scope.key.tenant(), access_code_id = %created.access_code.access_code_id, "access code created");
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
        if input.device_ids.is_empty() {
            return Err(
                GatewayError::bad_input("`deviceIds` must name at least one device").into(),
            );
        }
        if input.device_ids.len() > MAX_LINKED_DEVICES {
            return Err(GatewayError::bad_input(format!(
                "`deviceIds` names {} devices; link at most {MAX_LINKED_DEVICES} at once",
                input.device_ids.len()
            ))
            .into());
        }
        let mut device_ids = Vec::with_capacity(input.device_ids.len());
        let mut seen = HashSet::new();
        for id in &input.device_ids {
            let id = validate::id("deviceIds", id)?;
            if !seen.insert(id.clone()) {
                return Err(
                    GatewayError::bad_input(format!("`deviceIds` names `{id}` twice")).into(),
                );
            }
            device_ids.push(id);
        }
        let name = validate::name(input.name)?;
        let (code, preferred) =
            validate::pin_choice(input.code.as_deref(), input.preferred_code_length)?;
        let window = validate::window(input.starts_at, input.ends_at)?;
        let behavior = input.behavior_when_code_cannot_be_shared;
        let (gw, scope) = (gateway(ctx)?, scope(ctx)?);

        let found = scope
            .devices
            .load_many(device_ids.iter().cloned())
            .await
            .map_err(GatewayError::from)?;
        let missing: Vec<&str> = device_ids
            .iter()
            .filter(|id| !found.contains_key(*id))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(GatewayError::not_found(format!(
                "No device with id {} is visible to this API key",
                quote_list(&missing)
            ))
            .into());
        }
        let devices: Vec<&Arc<wire::Device>> = device_ids.iter().map(|id| &found[id]).collect();
        let incapable: Vec<&str> = devices
            .iter()
            .filter(|d| !validate::can_program_online_codes(d))
            .map(|d| d.device_id.as_str())
            .collect();
        if !incapable.is_empty() {
            return Err(GatewayError::new(
                ErrorCode::CapabilityMissing,
                format!(
                    "Device {} cannot program online access codes (canProgramOnlineAccessCodes is false); remove it from `deviceIds`",
                    quote_list(&incapable)
                ),
            )
            .into());
        }
        if behavior == BehaviorWhenCodeCannotBeShared::Throw {
            check_code_can_be_shared(
                &devices,
                code.as_ref().map(|c| c.digits() as u32).or(preferred),
            )?;
            if let Some(code) = &code {
                check_rules_can_be_shared(&devices, code)?;
            }
        }

        let request = CreateMultipleRequest {
            device_ids: device_ids.clone(),
            name,
            code,
            preferred_code_length: preferred,
            starts_at: window.map(|(s, _)| format_time(&s.0)),
            ends_at: window.map(|(_, e)| format_time(&e.0)),
            behavior_when_code_cannot_be_shared: Some(match behavior {
                BehaviorWhenCodeCannotBeShared::Throw => "throw",
                BehaviorWhenCodeCannotBeShared::CreateRandomCode => "create_random_code",
            }),
        };
        let created = gw.client.create_multiple(&scope.key, &request).await;
        invalidate_devices(gw, scope, device_ids.iter()).await;
        let codes: Vec<Arc<wire::AccessCode>> = created
            .map_err(GatewayError::from)?
            .into_iter()
            .map(Arc::new)
            .collect();
        let common_code_key = codes.iter().find_map(|c| c.common_code_key.clone());
        let linked_code_group = match &common_code_key {
            Some(key) => {
                let members: Vec<_> = codes
                    .iter()
                    .filter(|c| c.common_code_key.as_ref() == Some(key))
                    .cloned()
                    .collect();
                let ids = members.iter().map(|c| c.access_code_id.clone()).collect();
                gw.groups.insert(scope.key.tenant(), key, ids).await;
                Some(LinkedCodeGroup::from_codes(key.clone(), members))
            }
            None => None,
        };
        tracing::info!(tenant = %scope.key.tenant(), codes = codes.len(), linked = common_code_key.is_some(), "linked access codes created");
        Ok(CreateLinkedAccessCodesPayload {
            access_codes: codes.into_iter().map(AccessCode).collect(),
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
        let id = validate::id("accessCodeId", &input.access_code_id)?;
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
            )
            .into());
        }
        let to_ongoing = input.kind == Some(AccessCodeType::Ongoing);
        if to_ongoing && (input.starts_at.is_some() || input.ends_at.is_some()) {
            return Err(GatewayError::bad_input(
                "`type: ONGOING` clears the window; give no `startsAt`/`endsAt` with it",
            )
            .into());
        }
        if let (Some(s), Some(e)) = (input.starts_at, input.ends_at) {
            validate::window(Some(s), Some(e))?;
        }
        let (gw, scope) = (gateway(ctx)?, scope(ctx)?);

        let current = scope.access_code(&id).await?;
        if let Some(code) = &code {
            let device = scope.device(&current.device_id).await?;
            validate::pin_fits(&device, code)?;
        }
        let window = if to_ongoing {
            None
        } else {
            let current_window = current
                .is_time_bound()
                .then_some(())
                .and(current.starts_at.zip(current.ends_at));
            let starts = input.starts_at.map(|s| s.0).or(current_window.map(|w| w.0));
            let ends = input.ends_at.map(|e| e.0).or(current_window.map(|w| w.1));
            match (starts, ends) {
                (Some(s), Some(e)) => {
                    validate::window(Some(DateTime(s)), Some(DateTime(e)))?;
                    Some((s, e))
                }
                (None, None) if input.kind != Some(AccessCodeType::TimeBound) => None,
                _ => return Err(GatewayError::bad_input(
                    "This code is ongoing: give both `startsAt` and `endsAt` to make it time-bound",
                )
                .into()),
            }
        };

        let request = UpdateAccessCodeRequest {
            access_code_id: id.clone(),
            name,
            code,
            starts_at: window.map(|(s, _)| format_time(&s)),
            ends_at: window.map(|(_, e)| format_time(&e)),
            kind: if to_ongoing {
                Some("ongoing")
            } else if window.is_some() {
                Some("time_bound")
            } else {
                None
            },
        };
        let attempt = gw.client.update_access_code(&scope.key, &request).await;
        gw.devices
            .invalidate(scope.key.tenant(), &current.device_id)
            .await;
        let attempt = attempt.map_err(|e| GatewayError::from_seam_for(e, "access code", &id))?;
        let updated = gw
            .client
            .get_access_code(&scope.key, &id)
            .await
            .map_err(|e| GatewayError::from_seam_for(e, "access code", &id))?;
        Ok(UpdateAccessCodePayload {
            access_code: updated.into(),
            action_attempt: attempt.map(ActionAttempt),
        })
    }

    /// Moves the window (and optionally renames) every code of a linked group at once (Seam's
    /// `update_multiple`), then reads the group back.
    async fn update_linked_code_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateLinkedCodeGroupInput,
    ) -> Result<UpdateLinkedCodeGroupPayload> {
        let key = validate::id("commonCodeKey", &input.common_code_key)?;
        let name = validate::name(input.name)?;
        let window = validate::window(input.starts_at, input.ends_at)?;
        if window.is_none() && name.is_none() {
            return Err(GatewayError::bad_input(
                "Nothing to update: give `startsAt` and `endsAt`, or `name`",
            )
            .into());
        }
        let (gw, scope) = (gateway(ctx)?, scope(ctx)?);
        let request = UpdateMultipleRequest {
            common_code_key: key.clone(),
            name,
            starts_at: window.map(|(s, _)| format_time(&s.0)),
            ends_at: window.map(|(_, e)| format_time(&e.0)),
        };
        gw.client
            .update_multiple(&scope.key, &request)
            .await
            .map_err(|e| {
                if e.is_not_found() {
                    let mut err = GatewayError::from(e);
                    err.message = format!("No access codes have commonCodeKey `{key}`");
                    err
                } else {
                    GatewayError::from(e)
                }
            })?;
        let group = LinkedCodeGroup::load(ctx, &key).await?.ok_or_else(|| {
            GatewayError::not_found(format!("No access codes have commonCodeKey `{key}`"))
        })?;
        for code in group_device_ids(&group) {
            gw.devices.invalidate(scope.key.tenant(), &code).await;
        }
        Ok(UpdateLinkedCodeGroupPayload {
            linked_code_group: group,
        })
    }

    /// Deletes a code; Seam removes it from the lock.
    async fn delete_access_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to delete.")] input: DeleteAccessCodeInput,
    ) -> Result<DeleteAccessCodePayload> {
        let id = validate::id("accessCodeId", &input.access_code_id)?;
        let (gw, scope) = (gateway(ctx)?, scope(ctx)?);
        let current = scope.access_code(&id).await?;
        let attempt = gw.client.delete_access_code(&scope.key, &id).await;
        gw.devices
            .invalidate(scope.key.tenant(), &current.device_id)
            .await;
        let attempt = attempt.map_err(|e| GatewayError::from_seam_for(e, "access code", &id))?;
        tracing::info!(tenant = %scope.key.tenant(), access_code_id = %id, "access code deleted");
        Ok(DeleteAccessCodePayload {
            deleted_access_code_id: ID(id),
            action_attempt: attempt.map(ActionAttempt),
        })
    }
}

fn require_online_codes(device: &wire::Device) -> GatewayResult<()> {
    if validate::can_program_online_codes(device) {
        return Ok(());
    }
    Err(GatewayError::new(
        ErrorCode::CapabilityMissing,
        format!(
            "Device `{}` cannot program online access codes (canProgramOnlineAccessCodes is false); choose another lock",
            device.device_id
        ),
    ))
}

/// Refuses, before calling Seam, a shared PIN that some lock cannot take.
fn check_code_can_be_shared(devices: &[&Arc<wire::Device>], len: Option<u32>) -> GatewayResult<()> {
    let cannot = |reason: String| {
        Err(GatewayError::new(
            ErrorCode::CodeCannotBeShared,
            format!("{reason}; use `behaviorWhenCodeCannotBeShared: CREATE_RANDOM_CODE` to give such locks their own PIN"),
        ))
    };
    match len {
        Some(len) => {
            let misfits: Vec<String> = devices
                .iter()
                .filter(|d| !validate::length_fits(d, len))
                .map(|d| format!("`{}` ({})", d.device_id, validate::describe_lengths(d)))
                .collect();
            if misfits.is_empty() {
                Ok(())
            } else {
                cannot(format!(
                    "A {len}-digit PIN cannot be shared: {} cannot take it",
                    misfits.join(", ")
                ))
            }
        }
        None => {
            let mut common: Option<HashSet<u32>> = None;
            for d in devices {
                if let Some(lengths) = validate::supported_lengths(d) {
                    let lengths: HashSet<u32> = lengths.iter().copied().collect();
                    common = Some(match common {
                        Some(c) => c.intersection(&lengths).copied().collect(),
                        None => lengths,
                    });
                }
            }
            match common {
                Some(c) if c.is_empty() => {
                    cannot("These locks have no PIN length in common".into())
                }
                _ => Ok(()),
            }
        }
    }
}

/// Refuses, before calling Seam, a shared PIN that breaks some lock's PIN rules.
fn check_rules_can_be_shared(devices: &[&Arc<wire::Device>], code: &Pin) -> GatewayResult<()> {
    for device in devices {
        if let Err(e) = validate::pin_fits(device, code) {
            return Err(GatewayError::new(
                ErrorCode::CodeCannotBeShared,
                format!(
                    "{}; use `behaviorWhenCodeCannotBeShared: CREATE_RANDOM_CODE` to give such locks their own PIN",
                    e.message
                ),
            ));
        }
    }
    Ok(())
}

fn quote_list(ids: &[&str]) -> String {
    ids.iter()
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn invalidate_devices(
    gw: &Gateway,
    scope: &RequestScope,
    ids: impl Iterator<Item = &String>,
) {
    for id in ids {
        gw.devices.invalidate(scope.key.tenant(), id).await;
    }
}

fn group_device_ids(group: &LinkedCodeGroup) -> Vec<String> {
    group.device_ids()
}
