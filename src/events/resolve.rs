//! Turning one event into the [`StatusChange`] a workspace's subscribers see.
//!
//! An event's `workspace_id` is only a claim. It is published to that workspace only when the
//! workspace's own key proves the event belongs there: the key can read the code; or, the code
//! being gone or unreadable, the workspace already knew the code, or the key can see the event's
//! device.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::status;
use crate::seam::wire::{AccessCode, Event, Issue};
use crate::seam::{ApiKey, CodeStatus, SeamClient};
use crate::services::devices::DeviceService;

/// A code's status change, resolved once per event and shared by every subscriber of the workspace
/// (and, in a cluster, by every replica: serialized without the code's PIN, see `AccessCode`).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct StatusChange {
    pub(crate) workspace_id: String,
    pub(crate) event_id: String,
    pub(crate) event_type: String,
    pub(crate) access_code_id: String,
    pub(crate) device_id: String,
    pub(crate) common_code_key: Option<String>,
    pub(crate) occurred_at: Option<DateTime<Utc>>,
    pub(crate) previous_status: Option<CodeStatus>,
    pub(crate) status: CodeStatus,
    /// The code as fetched after the event; None once it is gone.
    pub(crate) access_code: Option<Arc<AccessCode>>,
    pub(crate) errors: Vec<Issue>,
    pub(crate) warnings: Vec<Issue>,
    /// True when it came through Redis: `access_code` then lacks its PIN, which a subscriber that
    /// asks for it reads from Seam with its own key.
    #[serde(skip)]
    pub(crate) pin_withheld: bool,
}

/// What a workspace last published about a code: the previous status of its next change, and
/// its device and key once the code itself is gone.
#[derive(Clone)]
struct Known {
    status: CodeStatus,
    device_id: String,
    common_code_key: Option<String>,
}

/// An event's facts, each established with the key of the workspace it is published to.
struct Proven {
    /// The code as read after the event; None once it is gone.
    code: Option<Arc<AccessCode>>,
    /// What this workspace last published about the code.
    known: Option<Known>,
    device_id: String,
}

pub(super) struct Resolver {
    client: SeamClient,
    devices: DeviceService,
    /// (Workspace id, access code id) -> what was last published about it there. Keyed by
    /// workspace too, so one workspace's history never fills another's event.
    known: moka::sync::Cache<(String, String), Known>,
}

impl Resolver {
    pub(super) fn new(client: SeamClient, devices: DeviceService) -> Self {
        Self {
            client,
            devices,
            known: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs(24 * 3600))
                .build(),
        }
    }

    /// The change `event` makes to code `code_id` in `workspace_id`, read with `key` (a key of
    /// that workspace); None when nothing proves the event belongs there. Remembers the result
    /// as the code's previous status for its next event.
    pub(super) async fn resolve(
        &self,
        event: &Event,
        workspace_id: &str,
        code_id: &str,
        key: &ApiKey,
    ) -> Option<StatusChange> {
        let Proven {
            code,
            known,
            device_id,
        } = self.prove(event, workspace_id, code_id, key).await?;
        let status = status::derive(event, code.as_deref(), known.as_ref().map(|k| k.status));
        let common_code_key = code
            .as_ref()
            .and_then(|c| c.common_code_key.clone())
            .or_else(|| known.as_ref().and_then(|k| k.common_code_key.clone()));
        self.remember(
            event,
            (workspace_id.to_owned(), code_id.to_owned()),
            Known {
                status,
                device_id: device_id.clone(),
                common_code_key: common_code_key.clone(),
            },
        );
        let (errors, warnings) = issues_of(event, code.as_deref());
        Some(StatusChange {
            workspace_id: workspace_id.to_owned(),
            event_id: event.event_id.clone(),
            event_type: event.event_type.clone(),
            access_code_id: code_id.to_owned(),
            device_id,
            common_code_key,
            occurred_at: event.occurred_at.or(event.created_at),
            previous_status: known.map(|k| k.status),
            status,
            access_code: code,
            errors,
            warnings,
            pin_withheld: false,
        })
    }

    /// Takes in a change another replica resolved, as the code's previous status for its next
    /// event (so that a replica taking over the workspace's lease reports it right).
    pub(super) fn learn(&self, change: &StatusChange) {
        let workspace_and_code = (change.workspace_id.clone(), change.access_code_id.clone());
        if change.event_type == "access_code.removed_from_device" {
            self.known.invalidate(&workspace_and_code);
        } else {
            self.known.insert(
                workspace_and_code,
                Known {
                    status: change.status,
                    device_id: change.device_id.clone(),
                    common_code_key: change.common_code_key.clone(),
                },
            );
        }
    }

    /// What the event may be published with in `workspace_id`, or None without proof (see the
    /// module's doc); everything is read with the workspace's own `key`.
    async fn prove(
        &self,
        event: &Event,
        workspace_id: &str,
        code_id: &str,
        key: &ApiKey,
    ) -> Option<Proven> {
        let code = self.read_code(event, key, code_id).await;
        let known = self
            .known
            .get(&(workspace_id.to_owned(), code_id.to_owned()));
        // The event's device is the last resort: it is only a claim, checked against the workspace.
        let device_id = match (&code, &known) {
            (Some(code), _) => code.device_id.clone(),
            (None, Some(known)) => known.device_id.clone(),
            (None, None) => {
                let device_id = event.device_id.as_deref()?;
                if !self.devices.is_visible(key, device_id).await {
                    return None;
                }
                device_id.to_owned()
            }
        };
        Some(Proven {
            code,
            known,
            device_id,
        })
    }

    /// Keeps what was published for the code's next event; a code removed from its lock is
    /// forgotten.
    fn remember(&self, event: &Event, workspace_and_code: (String, String), known: Known) {
        if event.event_type == "access_code.removed_from_device" {
            self.known.invalidate(&workspace_and_code);
        } else {
            self.known.insert(workspace_and_code, known);
        }
    }

    /// The event's code as `key` reads it after the event; None once it is gone (or unreadable).
    async fn read_code(
        &self,
        event: &Event,
        key: &ApiKey,
        code_id: &str,
    ) -> Option<Arc<AccessCode>> {
        if event.event_type == "access_code.removed_from_device" {
            return None;
        }
        match self.client.get_access_code(key, code_id).await {
            Ok(c) => Some(Arc::new(c)),
            Err(e) if e.is_not_found() => None,
            Err(e) => {
                tracing::debug!(error = %e, access_code_id = %code_id, tenant = %key.tenant(), "could not read the code");
                None
            }
        }
    }
}

/// The errors and warnings a change carries: the event's own, else, for a failure or a delay, the
/// code's as read after it.
fn issues_of(event: &Event, code: Option<&AccessCode>) -> (Vec<Issue>, Vec<Issue>) {
    if !event.access_code_errors.is_empty() || !event.access_code_warnings.is_empty() {
        return (
            event.access_code_errors.clone(),
            event.access_code_warnings.clone(),
        );
    }
    match (code, event.event_type.as_str()) {
        (
            Some(c),
            "access_code.failed_to_set_on_device" | "access_code.delay_in_setting_on_device",
        ) => (c.errors.clone(), c.warnings.clone()),
        _ => (Vec::new(), Vec::new()),
    }
}
