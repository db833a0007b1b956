//! The sandbox's state: workspaces, devices, access codes, action attempts, events and timers.
//!
//! It knows nothing of the wire format: `wire` renders these records as Seam's JSON.

mod events;
mod records;
mod timers;

use std::collections::HashMap;

use chrono::Duration;

pub(crate) use events::{Change, Event, EventDetail, EventType};
pub(crate) use records::{
    AccessCode, ActionAttempt, AttemptError, AttemptStatus, Device, Issue, Status, Time,
    WebhookRegistration, Workspace,
};
pub(crate) use timers::{Step, TimerKind, Timers};

pub(crate) struct Model {
    pub(crate) workspaces: Vec<Workspace>,
    pub(crate) devices: Vec<Device>,
    /// In creation order.
    pub(crate) codes: Vec<AccessCode>,
    pub(crate) attempts: HashMap<String, ActionAttempt>,
    /// Oldest first.
    pub(crate) events: Vec<Event>,
    pub(crate) timers: Timers,
    pub(crate) set_delay: Duration,
    /// Events not yet handed to the webhook queue.
    pub(crate) outbox: Vec<Event>,
    /// Webhook registrations of every workspace, in creation order.
    pub(crate) webhooks: Vec<WebhookRegistration>,
}

impl Model {
    pub(crate) fn new(set_delay: Duration) -> Self {
        Self {
            workspaces: Vec::new(),
            devices: Vec::new(),
            codes: Vec::new(),
            attempts: HashMap::new(),
            events: Vec::new(),
            timers: Timers::default(),
            set_delay,
            outbox: Vec::new(),
            webhooks: Vec::new(),
        }
    }

    pub(crate) fn workspace_for_key(&self, api_key: &str) -> Option<&Workspace> {
        self.workspaces.iter().find(|w| w.api_key == api_key)
    }

    pub(crate) fn device(&self, workspace_id: &str, device_id: &str) -> Option<&Device> {
        self.devices
            .iter()
            .find(|d| d.device_id == device_id && d.workspace_id == workspace_id)
    }

    /// The device a code lives on, in any workspace (codes outlive removed devices).
    pub(crate) fn device_any(&self, device_id: &str) -> Option<&Device> {
        self.devices.iter().find(|d| d.device_id == device_id)
    }

    /// Removes a device (its codes stay readable by id) and emits `device.removed`, as Seam does.
    pub(crate) fn remove_device(&mut self, device_id: &str, at: Time) -> bool {
        let Some(idx) = self.devices.iter().position(|d| d.device_id == device_id) else {
            return false;
        };
        let device = self.devices.remove(idx);
        self.record(Event {
            event_id: uuid::Uuid::new_v4().to_string(),
            event_type: EventType::DeviceRemoved,
            workspace_id: device.workspace_id,
            device_id: Some(device.device_id),
            access_code_id: None,
            connected_account_id: Some(device.connected_account_id),
            occurred_at: at,
            detail: EventDetail::None,
        });
        true
    }

    /// A managed code of the workspace (unmanaged codes are reached through `unmanaged_index`).
    pub(crate) fn code_index(&self, workspace_id: &str, access_code_id: &str) -> Option<usize> {
        self.codes.iter().position(|c| {
            c.access_code_id == access_code_id && c.workspace_id == workspace_id && c.is_managed
        })
    }

    /// An unmanaged code of the workspace.
    pub(crate) fn unmanaged_index(
        &self,
        workspace_id: &str,
        access_code_id: &str,
    ) -> Option<usize> {
        self.codes.iter().position(|c| {
            c.access_code_id == access_code_id && c.workspace_id == workspace_id && !c.is_managed
        })
    }

    pub(crate) fn code_index_any(&self, access_code_id: &str) -> Option<usize> {
        self.codes
            .iter()
            .position(|c| c.access_code_id == access_code_id)
    }

    /// Whether `pin` is already used by another live code on the device.
    pub(crate) fn pin_taken(&self, device_id: &str, pin: &str, except: Option<&str>) -> bool {
        self.codes.iter().any(|c| {
            c.device_id == device_id
                && c.code == pin
                && c.status != Status::Removing
                && Some(c.access_code_id.as_str()) != except
        })
    }

    pub(crate) fn pins_on(&self, device_id: &str) -> Vec<String> {
        self.codes
            .iter()
            .filter(|c| c.device_id == device_id && c.status != Status::Removing)
            .map(|c| c.code.clone())
            .collect()
    }

    pub(crate) fn new_attempt(&mut self, workspace_id: &str, action_type: &'static str) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        self.attempts.insert(
            id.clone(),
            ActionAttempt {
                action_attempt_id: id.clone(),
                workspace_id: workspace_id.to_string(),
                action_type,
                status: AttemptStatus::Pending,
                error: None,
            },
        );
        id
    }

    /// Completes a pending attempt (`error: None` = success). Finished attempts stay as they are.
    pub(crate) fn finish_attempt(&mut self, id: &str, error: Option<AttemptError>) {
        let Some(a) = self.attempts.get_mut(id) else {
            return;
        };
        if a.status != AttemptStatus::Pending {
            return;
        }
        a.status = match error {
            None => AttemptStatus::Success,
            Some(_) => AttemptStatus::Error,
        };
        a.error = error;
    }

    /// Completes the attempt after one `set_delay` (for steps with nothing to program).
    pub(crate) fn finish_attempt_later(&mut self, id: &str, now: Time) {
        let kind = TimerKind::AttemptSuccess {
            action_attempt_id: id.to_string(),
        };
        self.timers.push(now + self.set_delay, kind);
    }

    /// Replaces the pending lifecycle step of a code.
    pub(crate) fn schedule(&mut self, idx: usize, due: Time, step: Step) {
        let code = &mut self.codes[idx];
        code.generation += 1;
        let kind = TimerKind::Code {
            access_code_id: code.access_code_id.clone(),
            generation: code.generation,
            step,
        };
        self.timers.push(due, kind);
    }

    /// Drops the pending lifecycle step of a code, if any.
    pub(crate) fn unschedule(&mut self, idx: usize) {
        self.codes[idx].generation += 1;
    }
}
