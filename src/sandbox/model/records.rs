//! The records the sandbox keeps: workspaces, devices, access codes and action attempts.

use chrono::{DateTime, Utc};

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

/// Why an action attempt failed (Seam's `error.type` and `error.message`).
pub(crate) struct AttemptError {
    pub(crate) error_type: String,
    pub(crate) message: String,
}

pub(crate) struct ActionAttempt {
    pub(crate) action_attempt_id: String,
    pub(crate) workspace_id: String,
    pub(crate) action_type: &'static str,
    pub(crate) status: AttemptStatus,
    pub(crate) error: Option<AttemptError>,
}
