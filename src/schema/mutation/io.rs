//! The mutations' inputs and payloads: what a frontend sends and gets back.

use async_graphql::{Enum, InputObject, SimpleObject, ID};

use crate::schema::access_code::{AccessCode, AccessCodeType};
use crate::schema::action_attempt::ActionAttempt;
use crate::schema::linked_code_group::LinkedCodeGroup;
use crate::schema::scalars::DateTime;
use crate::services::access_codes::TimeRounding;

/// How far Seam may move an offline code's window to fit what the lock's provider can encode.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum MaxTimeRounding {
    /// Hourly-bound: the window is rounded to whole hours (Seam's `1hour`).
    OneHour,
    /// Daily-bound: the window is rounded to whole days (Seam's `1day`).
    OneDay,
}

impl From<MaxTimeRounding> for TimeRounding {
    fn from(r: MaxTimeRounding) -> Self {
        match r {
            MaxTimeRounding::OneHour => TimeRounding::Hour,
            MaxTimeRounding::OneDay => TimeRounding::Day,
        }
    }
}

/// Input of `createAccessCode`.
#[derive(InputObject)]
pub(in crate::schema) struct CreateAccessCodeInput {
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
    /// Create an offline (algorithmic) code, which the lock accepts without a connection. The lock
    /// must have `canProgramOfflineAccessCodes: true`; the code must be time-bound, and its PIN is
    /// chosen by the lock's provider (no `code`).
    #[graphql(default)]
    pub is_offline_access_code: bool,
    /// Offline codes only: how far Seam may round `startsAt`/`endsAt` (hourly- or daily-bound).
    pub max_time_rounding: Option<MaxTimeRounding>,
    /// Offline codes only: the PIN works once.
    #[graphql(default)]
    pub is_one_time_use: bool,
    /// Keep a backup code from the lock's pool ready for this code, to pull with
    /// `pullBackupAccessCode` if it fails. Time-bound online codes on locks with
    /// `supportsBackupAccessCodePool: true` only.
    #[graphql(default)]
    pub use_backup_access_code_pool: bool,
    /// Any string unique to this create (a UUID, say). Sending the same create again with the same
    /// key, after a timeout or a lost response, returns the first result instead of making a second
    /// code; with a different input it is refused (IDEMPOTENCY_KEY_REUSED). Kept for 24 hours, on
    /// every replica when they share Redis; a retry while the first attempt still runs on another
    /// replica waits for it (IDEMPOTENCY_KEY_IN_FLIGHT if it does not end in time: retry).
    pub idempotency_key: Option<String>,
}

/// Result of `createAccessCode`.
#[derive(SimpleObject)]
pub(in crate::schema) struct CreateAccessCodePayload {
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
pub(in crate::schema) struct CreateLinkedAccessCodesInput {
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
    /// Any string unique to this create. Sending it again with the same input returns the first
    /// result instead of making more codes; with a different input it is refused
    /// (IDEMPOTENCY_KEY_REUSED). Kept for 24 hours, on every replica when they share Redis; a
    /// retry while the first attempt still runs on another replica waits for it
    /// (IDEMPOTENCY_KEY_IN_FLIGHT if it does not end in time: retry).
    pub idempotency_key: Option<String>,
}

/// Result of `createLinkedAccessCodes`.
#[derive(SimpleObject)]
pub(in crate::schema) struct CreateLinkedAccessCodesPayload {
    /// One new code per device.
    pub access_codes: Vec<AccessCode>,
    /// The key linking the codes; null when a custom `code` left them unlinked.
    pub common_code_key: Option<String>,
    /// The group as a whole; null when a custom `code` left the codes unlinked.
    pub linked_code_group: Option<LinkedCodeGroup>,
}

/// Input of `updateAccessCode`. Give only what changes.
#[derive(InputObject)]
pub(in crate::schema) struct UpdateAccessCodeInput {
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
pub(in crate::schema) struct UpdateAccessCodePayload {
    /// The code as Seam holds it after the update.
    pub access_code: AccessCode,
    /// Seam's action attempt for putting the change on the lock.
    pub action_attempt: Option<ActionAttempt>,
}

/// Input of `updateLinkedCodeGroup` (Seam's `access_codes/update_multiple`).
#[derive(InputObject)]
pub(in crate::schema) struct UpdateLinkedCodeGroupInput {
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
pub(in crate::schema) struct UpdateLinkedCodeGroupPayload {
    /// The group, read back after the update.
    pub linked_code_group: LinkedCodeGroup,
}

/// Input of `deleteAccessCode`.
#[derive(InputObject)]
pub(in crate::schema) struct DeleteAccessCodeInput {
    /// The code to delete.
    pub access_code_id: ID,
}

/// Result of `deleteAccessCode`.
#[derive(SimpleObject)]
pub(in crate::schema) struct DeleteAccessCodePayload {
    /// Id of the deleted code. It shows `REMOVING` until the lock has dropped it.
    pub deleted_access_code_id: ID,
    /// Seam's action attempt for removing the code from the lock.
    pub action_attempt: Option<ActionAttempt>,
}

/// Input of `pullBackupAccessCode`.
#[derive(InputObject)]
pub(in crate::schema) struct PullBackupAccessCodeInput {
    /// The time-bound code (created with `useBackupAccessCodePool: true`) to replace.
    pub access_code_id: ID,
}

/// Result of `pullBackupAccessCode`.
#[derive(SimpleObject)]
pub(in crate::schema) struct PullBackupAccessCodePayload {
    /// The original code, with `pulledBackupAccessCodeId` set.
    pub access_code: AccessCode,
    /// The backup code now standing in for it: give its PIN to the guest.
    pub backup_access_code: AccessCode,
}

/// Input of `convertUnmanagedAccessCode`.
#[derive(InputObject)]
pub(in crate::schema) struct ConvertUnmanagedAccessCodeInput {
    /// The unmanaged code to manage through Seam from now on.
    pub access_code_id: ID,
    /// Let changes made outside Seam (e.g. in the lock's app) stand once managed.
    pub allow_external_modification: Option<bool>,
    /// Take the code over even if another workspace manages it.
    pub force: Option<bool>,
}

/// Result of `convertUnmanagedAccessCode`.
#[derive(SimpleObject)]
pub(in crate::schema) struct ConvertUnmanagedAccessCodePayload {
    /// Id of the converted code (the same id it had as an unmanaged code).
    pub converted_access_code_id: ID,
    /// The code as a managed code; null while Seam is still converting it.
    pub access_code: Option<AccessCode>,
}

/// Input of `deleteUnmanagedAccessCode`.
#[derive(InputObject)]
pub(in crate::schema) struct DeleteUnmanagedAccessCodeInput {
    /// The unmanaged code to remove from its lock.
    pub access_code_id: ID,
}

/// Result of `deleteUnmanagedAccessCode`.
#[derive(SimpleObject)]
pub(in crate::schema) struct DeleteUnmanagedAccessCodePayload {
    /// Id of the deleted code.
    pub deleted_access_code_id: ID,
    /// Seam's action attempt for removing the code from the lock.
    pub action_attempt: Option<ActionAttempt>,
}
