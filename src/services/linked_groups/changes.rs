//! Creating and moving linked codes: one PIN on several locks, and one window for all of them.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{LinkedGroupService, Members};
use crate::cluster::idempotency::Receipt;
use crate::error::{GatewayError, GatewayResult};
use crate::seam::wire::{
    format_time, AccessCode, CreateMultipleRequest, Device, UpdateMultipleRequest,
};
use crate::seam::{ApiKey, Pin};
use crate::services::access_codes::rules;
use crate::services::idempotency::Receipted;

/// Linked codes to create, their input already checked on its own (ids unique, at least one).
#[derive(Hash)]
pub(crate) struct NewLinkedCodes {
    pub(crate) device_ids: Vec<String>,
    pub(crate) name: Option<String>,
    /// A custom shared PIN: Seam then does not link the codes.
    pub(crate) code: Option<Pin>,
    pub(crate) preferred_code_length: Option<u32>,
    pub(crate) window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// True: a lock that cannot take the shared PIN fails the request (Seam's `throw`); false: it
    /// gets a PIN of its own (`create_random_code`).
    pub(crate) all_or_nothing: bool,
}

/// What Seam created: every code, and the group when Seam linked them.
#[derive(Clone)]
pub(crate) struct CreatedLinked {
    pub(crate) codes: Vec<Arc<AccessCode>>,
    pub(crate) group: Option<(String, Members)>,
}

impl Receipted for CreatedLinked {
    fn receipt(&self) -> Receipt {
        Receipt {
            ids: self
                .codes
                .iter()
                .map(|c| c.access_code_id.clone())
                .collect(),
            action_attempt_id: None,
        }
    }
}

/// A new window (both ends) and/or name for every code of a group.
pub(crate) struct GroupChange {
    pub(crate) common_code_key: String,
    pub(crate) name: Option<String>,
    pub(crate) window: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl LinkedGroupService {
    /// Creates the codes; with an idempotency key, at most once per key (see `idempotency`).
    pub(crate) async fn create(
        &self,
        key: &ApiKey,
        new: NewLinkedCodes,
        idempotency_key: Option<&str>,
    ) -> GatewayResult<CreatedLinked> {
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

    /// What a create on another replica made, read again with this caller's key (one
    /// `access_codes/list`, PINs included), in the order Seam created them.
    async fn created_before(&self, key: &ApiKey, receipt: Receipt) -> GatewayResult<CreatedLinked> {
        let mut found = self
            .codes
            .by_ids(key, &receipt.ids)
            .await
            .map_err(GatewayError::from)?;
        let codes: Vec<Arc<AccessCode>> = receipt
            .ids
            .iter()
            .filter_map(|id| found.remove(id))
            .collect();
        if codes.is_empty() {
            return Err(GatewayError::not_found(
                "The codes the first request with this `idempotencyKey` created are gone",
            ));
        }
        let group = self.remember_group(key, &codes).await;
        Ok(CreatedLinked { codes, group })
    }

    /// Creates the codes after checking every lock: visible, capable, and (all-or-nothing) able to
    /// take the shared PIN. The group's members are remembered, so reading it costs one call.
    async fn create_now(&self, key: &ApiKey, new: NewLinkedCodes) -> GatewayResult<CreatedLinked> {
        let devices = self.devices_for(key, &new.device_ids).await?;
        let incapable: Vec<&str> = devices
            .iter()
            .filter(|d| !rules::can_program_online_codes(d))
            .map(|d| d.device_id.as_str())
            .collect();
        if !incapable.is_empty() {
            return Err(GatewayError::new(
                crate::error::ErrorCode::CapabilityMissing,
                format!(
                    "Device {} cannot program online access codes (canProgramOnlineAccessCodes is false); remove it from `deviceIds`",
                    rules::quote_list(&incapable)
                ),
            ));
        }
        if new.all_or_nothing {
            let device_refs: Vec<&Arc<Device>> = devices.iter().collect();
            let len = new.code.as_ref().map(|c| c.digits() as u32);
            rules::check_code_can_be_shared(&device_refs, len.or(new.preferred_code_length))?;
            if let Some(code) = &new.code {
                rules::check_rules_can_be_shared(&device_refs, code)?;
            }
        }
        let request = CreateMultipleRequest {
            device_ids: new.device_ids.clone(),
            name: new.name,
            code: new.code,
            preferred_code_length: new.preferred_code_length,
            starts_at: new.window.map(|(s, _)| format_time(&s)),
            ends_at: new.window.map(|(_, e)| format_time(&e)),
            behavior_when_code_cannot_be_shared: Some(if new.all_or_nothing {
                "throw"
            } else {
                "create_random_code"
            }),
        };
        let created = self.client.create_multiple(key, &request).await;
        let touched: Vec<&str> = new.device_ids.iter().map(String::as_str).collect();
        self.devices.forget(key.tenant(), &touched).await;
        let codes: Vec<Arc<AccessCode>> = created
            .map_err(GatewayError::from)?
            .into_iter()
            .map(Arc::new)
            .collect();
        let group = self.remember_group(key, &codes).await;
        tracing::info!(tenant = %key.tenant(), codes = codes.len(), linked = group.is_some(), "linked access codes created");
        Ok(CreatedLinked { codes, group })
    }

    /// Moves (and/or renames) every code of the group, then reads the group back.
    pub(crate) async fn update(&self, key: &ApiKey, change: GroupChange) -> GatewayResult<Members> {
        let common_code_key = change.common_code_key;
        let not_found = || {
            GatewayError::not_found(format!(
                "No access codes have commonCodeKey `{common_code_key}`"
            ))
        };
        let request = UpdateMultipleRequest {
            common_code_key: common_code_key.clone(),
            name: change.name,
            starts_at: change.window.map(|(s, _)| format_time(&s)),
            ends_at: change.window.map(|(_, e)| format_time(&e)),
        };
        self.client
            .update_multiple(key, &request)
            .await
            .map_err(|e| {
                if e.is_not_found() {
                    GatewayError {
                        message: not_found().message,
                        ..GatewayError::from(e)
                    }
                } else {
                    GatewayError::from(e)
                }
            })?;
        let members = self
            .find(key, std::slice::from_ref(&common_code_key))
            .await
            .map_err(GatewayError::from)?
            .remove(&common_code_key)
            .filter(|m| !m.is_empty())
            .ok_or_else(not_found)?;
        let touched: Vec<&str> = members.iter().map(|c| c.device_id.as_str()).collect();
        self.devices.forget(key.tenant(), &touched).await;
        Ok(members)
    }

    /// Every device named, or NOT_FOUND naming the ones the key cannot see.
    async fn devices_for(&self, key: &ApiKey, ids: &[String]) -> GatewayResult<Vec<Arc<Device>>> {
        let found = self
            .devices
            .by_ids(key, ids)
            .await
            .map_err(GatewayError::from)?;
        let missing: Vec<&str> = ids
            .iter()
            .filter(|id| !found.contains_key(*id))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(GatewayError::not_found(format!(
                "No device with id {} is visible to this API key",
                rules::quote_list(&missing)
            )));
        }
        Ok(ids.iter().map(|id| found[id].clone()).collect())
    }

    /// Indexes the group Seam linked the codes into, if it did.
    async fn remember_group(
        &self,
        key: &ApiKey,
        codes: &[Arc<AccessCode>],
    ) -> Option<(String, Members)> {
        let common_code_key = codes.iter().find_map(|c| c.common_code_key.clone())?;
        let members: Members = codes
            .iter()
            .filter(|c| c.common_code_key.as_ref() == Some(&common_code_key))
            .cloned()
            .collect();
        let ids = members.iter().map(|c| c.access_code_id.clone()).collect();
        self.record(key.tenant(), &common_code_key, ids).await;
        Some((common_code_key, members))
    }
}
