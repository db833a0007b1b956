//! Creating one access code: the lock must take online codes and the PIN (or its length).

use chrono::{DateTime, Utc};

use super::rules::{self, TimeRounding};
use super::AccessCodeService;
use crate::cluster::idempotency::Receipt;
use crate::error::{ErrorCode, GatewayError, GatewayResult};
use crate::seam::wire::{format_time, AccessCode, ActionAttempt, CreateAccessCodeRequest};
use crate::seam::{ApiKey, Pin};
use crate::services::idempotency::Receipted;

/// A code to create, its input already checked on its own.
#[derive(Hash)]
pub(crate) struct NewCode {
    pub(crate) device_id: String,
    pub(crate) name: Option<String>,
    /// A custom PIN, or None to let Seam choose (of `preferred_code_length` digits, if given).
    pub(crate) code: Option<Pin>,
    pub(crate) preferred_code_length: Option<u32>,
    /// `(starts_at, ends_at)` for a time-bound code; None for an ongoing one.
    pub(crate) window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// An offline (algorithmic) code, on a lock with `can_program_offline_access_codes`.
    pub(crate) is_offline: bool,
    /// For offline codes: how far Seam may round the window.
    pub(crate) max_time_rounding: Option<TimeRounding>,
    /// For offline codes: the PIN works once.
    pub(crate) is_one_time_use: bool,
    /// Keep a backup code from the lock's pool ready for this (time-bound) code.
    pub(crate) use_backup_pool: bool,
}

impl NewCode {
    fn options(&self) -> rules::CodeOptions<'_> {
        rules::CodeOptions {
            is_offline: self.is_offline,
            max_time_rounding: self.max_time_rounding,
            is_one_time_use: self.is_one_time_use,
            use_backup_pool: self.use_backup_pool,
            time_bound: self.window.is_some(),
            custom_code: self.code.as_ref(),
        }
    }
}

/// What Seam created.
#[derive(Clone)]
pub(crate) struct Created {
    pub(crate) access_code: AccessCode,
    pub(crate) action_attempt: Option<ActionAttempt>,
}

impl Receipted for Created {
    fn receipt(&self) -> Receipt {
        Receipt {
            ids: vec![self.access_code.access_code_id.clone()],
            action_attempt_id: self
                .action_attempt
                .as_ref()
                .map(|a| a.action_attempt_id.clone()),
        }
    }
}

impl AccessCodeService {
    /// Creates the code; with an idempotency key, at most once per key (see `idempotency`).
    pub(crate) async fn create(
        &self,
        key: &ApiKey,
        new: NewCode,
        idempotency_key: Option<&str>,
    ) -> GatewayResult<Created> {
        let (service, api_key) = (self.clone(), key.clone());
        let (again, again_key) = (self.clone(), key.clone());
        self.created
            .run(
                key,
                idempotency_key,
                new,
                |new| async move { service.create_now(&api_key, new).await },
                |receipt| async move { again.created_before(&again_key, receipt).await },
            )
            .await
    }

    /// What a create on another replica made, read again with this caller's key (with its PIN).
    async fn created_before(&self, key: &ApiKey, receipt: Receipt) -> GatewayResult<Created> {
        let id = receipt.ids.first().ok_or_else(|| {
            GatewayError::new(
                ErrorCode::InternalServerError,
                "An idempotency record without the code it created",
            )
        })?;
        let access_code = self.reread(key, id).await?;
        let action_attempt = match &receipt.action_attempt_id {
            Some(attempt) => Some(self.action_attempt(key, attempt).await?),
            None => None,
        };
        Ok(Created {
            access_code,
            action_attempt,
        })
    }

    /// Creates the code after checking its options, then it against its lock: capability, PIN
    /// length and rules.
    async fn create_now(&self, key: &ApiKey, new: NewCode) -> GatewayResult<Created> {
        rules::check_code_options(&new.options())?;
        let device = self.device(key, &new.device_id).await?;
        let kind = rules::CodeKind {
            offline: new.is_offline,
            backup_pool: new.use_backup_pool,
        };
        rules::require_capability(&device, kind)?;
        if let Some(code) = &new.code {
            rules::pin_fits(&device, code)?;
        } else if let Some(len) = new.preferred_code_length {
            if !rules::length_fits(&device, len) {
                return Err(GatewayError::bad_input(format!(
                    "`preferredCodeLength` is {len}, but device `{}` accepts PINs of {}",
                    new.device_id,
                    rules::describe_lengths(&device)
                )));
            }
        }
        let request = CreateAccessCodeRequest {
            device_id: new.device_id.clone(),
            name: new.name,
            code: new.code,
            preferred_code_length: new.preferred_code_length,
            starts_at: new.window.map(|(s, _)| format_time(&s)),
            ends_at: new.window.map(|(_, e)| format_time(&e)),
            is_offline_access_code: new.is_offline.then_some(true),
            max_time_rounding: new.max_time_rounding.map(TimeRounding::as_wire),
            is_one_time_use: new.is_one_time_use.then_some(true),
            use_backup_access_code_pool: new.use_backup_pool.then_some(true),
        };
        let created = self.client.create_access_code(key, &request).await;
        // The lock's code count changed, whatever Seam answered.
        self.devices
            .forget(key.tenant(), &[new.device_id.as_str()])
            .await;
        let created = created.map_err(GatewayError::from)?;
        tracing::info!(tenant = %key.tenant(), access_code_id = %created.access_code.access_code_id, "access code created");
        Ok(Created {
            access_code: created.access_code,
            action_attempt: created.action_attempt,
        })
    }
}
