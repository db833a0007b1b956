//! The sandbox's state: workspaces, devices, access codes, action attempts, events and timers.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

use super::wire;

pub(crate) type Time = DateTime<Utc>;

pub(crate) struct Workspace {
    pub(crate) workspace_id: String,
    pub(crate) api_key: String,
}

/// A device-level error or warning (`error_code`/`warning_code`, message, created_at).
#[derive(Clone)]
pub(crate) struct Issue {
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) created_at: Time,
}

#[derive(Clone)]
pub(crate) struct Device {
    pub(crate) device_id: String,
    pub(crate) workspace_id: String,
    pub(crate) device_type: String,
    pub(crate) display_name: String,
    pub(crate) connected_account_id: String,
    pub(crate) created_at: Time,
    pub(crate) name: String,
    pub(crate) appearance_name: String,
    pub(crate) manufacturer: String,
    pub(crate) model_display_name: String,
    pub(crate) manufacturer_display_name: String,
    pub(crate) online: bool,
    pub(crate) locked: bool,
    /// `None`: the device does not advertise lengths (4 to 8 digits are accepted).
    pub(crate) supported_code_lengths: Option<Vec<usize>>,
    pub(crate) code_constraints: Vec<String>,
    pub(crate) max_active_codes_supported: Option<u32>,
    pub(crate) can_program_online_access_codes: bool,
    pub(crate) can_program_offline_access_codes: bool,
    pub(crate) errors: Vec<Issue>,
    pub(crate) warnings: Vec<Issue>,
    /// Natively scheduled codes: preloaded ahead of `starts_at`, activated by the lock itself.
    pub(crate) native_scheduling: bool,
    /// The first attempt to set each code fails, the retry succeeds.
    pub(crate) flaky: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Setting,
    Set,
    Unset,
    Removing,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Setting => "setting",
            Status::Set => "set",
            Status::Unset => "unset",
            Status::Removing => "removing",
        }
    }
}

#[derive(Clone)]
pub(crate) struct AccessCode {
    pub(crate) access_code_id: String,
    pub(crate) workspace_id: String,
    pub(crate) device_id: String,
    pub(crate) connected_account_id: String,
    pub(crate) name: Option<String>,
    pub(crate) code: String,
    pub(crate) created_at: Time,
    pub(crate) starts_at: Option<Time>,
    pub(crate) ends_at: Option<Time>,
    pub(crate) status: Status,
    /// Code-level errors (`is_access_code_error: true`).
    pub(crate) errors: Vec<Issue>,
    pub(crate) warnings: Vec<Issue>,
    pub(crate) common_code_key: Option<String>,
    pub(crate) is_scheduled_on_device: bool,
    /// Bumped whenever the pending lifecycle step changes; stale timers are ignored.
    pub(crate) generation: u64,
    pub(crate) failed_once: bool,
    /// The action attempt that completes when the code is next set (or fails to be).
    pub(crate) set_attempt: Option<String>,
    /// The DELETE_ACCESS_CODE attempt that completes when the code is gone.
    pub(crate) delete_attempt: Option<String>,
}

impl AccessCode {
    pub(crate) fn is_time_bound(&self) -> bool {
        self.starts_at.is_some() && self.ends_at.is_some()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttemptStatus {
    Pending,
    Success,
    Error,
}

pub(crate) struct ActionAttempt {
    pub(crate) action_attempt_id: String,
    pub(crate) workspace_id: String,
    pub(crate) action_type: &'static str,
    pub(crate) status: AttemptStatus,
    pub(crate) result: Option<Value>,
    pub(crate) error: Option<(String, String)>,
}

#[derive(Clone)]
pub(crate) struct Event {
    pub(crate) event_id: String,
    pub(crate) event_type: String,
    pub(crate) workspace_id: String,
    pub(crate) device_id: Option<String>,
    pub(crate) access_code_id: Option<String>,
    pub(crate) connected_account_id: Option<String>,
    pub(crate) occurred_at: Time,
    pub(crate) created_at: Time,
    pub(crate) description: String,
    pub(crate) extra: Map<String, Value>,
}

/// A lifecycle step of one access code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Time-bound code: `unset` -> `setting` at `starts_at - set_delay`.
    BeginSetting,
    /// Try to program the code (may succeed, fail once on a flaky lock, or be delayed offline).
    SetAttempt,
    /// Native scheduling: the code is loaded into the lock ahead of `starts_at`.
    Preload,
    /// Native scheduling: the lock activates the code at `starts_at`.
    Activate,
    /// Time-bound code: `ends_at` reached, `removing`.
    StartRemoving,
    /// The code is off the lock and gone.
    RemoveDone,
}

pub(crate) enum TimerKind {
    Code {
        access_code_id: String,
        generation: u64,
        step: Step,
    },
    AttemptSuccess {
        action_attempt_id: String,
    },
}

pub(crate) struct Timer {
    pub(crate) due: Time,
    pub(crate) seq: u64,
    pub(crate) kind: TimerKind,
}

// Ordered so that the max-heap pops the earliest (due, seq) first.
impl Ord for Timer {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}
impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Timer {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}
impl Eq for Timer {}

pub(crate) struct Model {
    pub(crate) workspaces: Vec<Workspace>,
    pub(crate) devices: Vec<Device>,
    /// In creation order.
    pub(crate) codes: Vec<AccessCode>,
    pub(crate) attempts: HashMap<String, ActionAttempt>,
    /// Oldest first.
    pub(crate) events: Vec<Event>,
    /// Earliest first; stale code steps are skipped when popped.
    pub(crate) timers: BinaryHeap<Timer>,
    pub(crate) set_delay: Duration,
    /// Serialised events not yet handed to the webhook queue.
    pub(crate) outbox: Vec<String>,
    seq: u64,
}

impl Model {
    pub(crate) fn new(set_delay: Duration) -> Self {
        Self {
            workspaces: Vec::new(),
            devices: Vec::new(),
            codes: Vec::new(),
            attempts: HashMap::new(),
            events: Vec::new(),
            timers: BinaryHeap::new(),
            set_delay,
            outbox: Vec::new(),
            seq: 0,
        }
    }

    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
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
        let event = Event {
            event_id: uuid::Uuid::new_v4().to_string(),
            event_type: "device.removed".into(),
            workspace_id: device.workspace_id.clone(),
            device_id: Some(device.device_id.clone()),
            access_code_id: None,
            connected_account_id: Some(device.connected_account_id.clone()),
            occurred_at: at,
            created_at: at,
            description: describe("device.removed").to_string(),
            extra: Map::new(),
        };
        tracing::debug!(device_id = %device.device_id, "sandbox event device.removed");
        self.outbox.push(wire::event_json(&event).to_string());
        self.events.push(event);
        true
    }

    pub(crate) fn code_index(&self, workspace_id: &str, access_code_id: &str) -> Option<usize> {
        self.codes
            .iter()
            .position(|c| c.access_code_id == access_code_id && c.workspace_id == workspace_id)
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
                result: None,
                error: None,
            },
        );
        id
    }

    /// Completes a pending attempt (`error: None` = success). Finished attempts stay as they are.
    pub(crate) fn finish_attempt(&mut self, id: &str, error: Option<(String, String)>) {
        if let Some(a) = self.attempts.get_mut(id) {
            if a.status != AttemptStatus::Pending {
                return;
            }
            match error {
                None => {
                    a.status = AttemptStatus::Success;
                    a.result = Some(Value::Object(Map::new()));
                }
                Some(e) => {
                    a.status = AttemptStatus::Error;
                    a.error = Some(e);
                }
            }
        }
    }

    /// Completes the attempt after one `set_delay` (for steps with nothing to program).
    pub(crate) fn finish_attempt_later(&mut self, id: &str, now: Time) {
        let seq = self.next_seq();
        self.timers.push(Timer {
            due: now + self.set_delay,
            seq,
            kind: TimerKind::AttemptSuccess {
                action_attempt_id: id.to_string(),
            },
        });
    }

    /// Replaces the pending lifecycle step of a code.
    pub(crate) fn schedule(&mut self, idx: usize, due: Time, step: Step) {
        let seq = self.next_seq();
        let code = &mut self.codes[idx];
        code.generation += 1;
        self.timers.push(Timer {
            due,
            seq,
            kind: TimerKind::Code {
                access_code_id: code.access_code_id.clone(),
                generation: code.generation,
                step,
            },
        });
    }

    /// Drops the pending lifecycle step of a code, if any.
    pub(crate) fn unschedule(&mut self, idx: usize) {
        self.codes[idx].generation += 1;
    }

    /// Records an event about a code and queues it for webhooks.
    pub(crate) fn emit_for_code(
        &mut self,
        idx: usize,
        event_type: &str,
        at: Time,
        extra: Map<String, Value>,
    ) {
        let c = &self.codes[idx];
        let event = Event {
            event_id: uuid::Uuid::new_v4().to_string(),
            event_type: event_type.to_string(),
            workspace_id: c.workspace_id.clone(),
            device_id: Some(c.device_id.clone()),
            access_code_id: Some(c.access_code_id.clone()),
            connected_account_id: Some(c.connected_account_id.clone()),
            occurred_at: at,
            created_at: at,
            description: describe(event_type).to_string(),
            extra,
        };
        tracing::debug!(
            event_type,
            access_code_id = %c.access_code_id,
            "sandbox event"
        );
        self.outbox.push(wire::event_json(&event).to_string());
        self.events.push(event);
    }
}

fn describe(event_type: &str) -> &'static str {
    match event_type {
        "access_code.created" => "An access code has been created.",
        "access_code.changed" => "An access code has been changed.",
        "access_code.scheduled_on_device" => "An access code has been scheduled on the device.",
        "access_code.set_on_device" => "An access code has been set on the device.",
        "access_code.removed_from_device" => "An access code has been removed from the device.",
        "access_code.failed_to_set_on_device" => "An access code failed to be set on the device.",
        "access_code.delay_in_setting_on_device" => {
            "There is a delay in setting an access code on the device."
        }
        "access_code.deleted" => "An access code has been deleted.",
        "device.removed" => "A device has been removed.",
        _ => "An event occurred.",
    }
}
