//! The records the sandbox keeps: workspaces, devices, access codes and action attempts.

use chrono::{DateTime, Utc};

pub(crate) type Time = DateTime<Utc>;

pub(crate) struct Workspace {
    pub(crate) workspace_id: String,
    pub(crate) api_key: String,
    pub(crate) name: String,
}

/// A webhook registration (`/webhooks/create`): where to POST the workspace's events, and which.
#[derive(Clone)]
pub(crate) struct WebhookRegistration {
    pub(crate) webhook_id: String,
    pub(crate) workspace_id: String,
    pub(crate) url: String,
    /// Event types to deliver; `*` for all.
    pub(crate) event_types: Vec<String>,
    /// `whsec_<base64>`, returned to the client that registered it.
    pub(crate) secret: String,
    pub(crate) created_at: Time,
}

impl WebhookRegistration {
    pub(crate) fn wants(&self, event_type: &str) -> bool {
        self.event_types.iter().any(|t| t == "*" || t == event_type)
    }
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
    /// The lock keeps pre-programmed backup codes (`properties.supports_backup_access_code_pool`).
    pub(crate) supports_backup_pool: bool,
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
    /// False for a PIN set on the lock outside Seam (an unmanaged code).
    pub(crate) is_managed: bool,
    /// An offline (algorithmic) code.
    pub(crate) is_offline: bool,
    /// An offline code that works once.
    pub(crate) is_one_time_use: bool,
    /// Created with `use_backup_access_code_pool` on a lock with a pool, and not yet pulled.
    pub(crate) backup_available: bool,
    /// The backup code pulled for this one.
    pub(crate) pulled_backup_access_code_id: Option<String>,
    /// This code came from a lock's backup pool.
    pub(crate) is_backup: bool,
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
