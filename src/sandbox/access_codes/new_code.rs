//! Storing a new code and tying an action attempt to its programming.

use serde_json::Value;

use super::super::lifecycle;
use super::super::model::{AccessCode, Device, EventDetail, EventType, Model, Status, Time};
use super::super::wire;

pub(super) struct NewCode<'a> {
    pub(super) device: &'a Device,
    pub(super) workspace_id: &'a str,
    pub(super) name: Option<String>,
    pub(super) pin: String,
    pub(super) starts_at: Option<Time>,
    pub(super) ends_at: Option<Time>,
    pub(super) common_code_key: Option<String>,
    /// Offline-code and backup-pool options (all false for plain online codes).
    pub(super) options: CodeOptions,
}

/// What only some codes are: offline, one-time, backed by the lock's pool.
#[derive(Clone, Copy, Default)]
pub(super) struct CodeOptions {
    pub(super) is_offline: bool,
    pub(super) is_one_time_use: bool,
    pub(super) backup_available: bool,
}

/// Stores a code, plans its lifecycle and emits `access_code.created`. Returns its index.
pub(super) fn insert_code(m: &mut Model, now: Time, n: NewCode<'_>) -> usize {
    let code = AccessCode {
        access_code_id: uuid::Uuid::new_v4().to_string(),
        workspace_id: n.workspace_id.to_string(),
        device_id: n.device.device_id.clone(),
        connected_account_id: n.device.connected_account_id.clone(),
        name: n.name,
        code: n.pin,
        created_at: now,
        starts_at: n.starts_at,
        ends_at: n.ends_at,
        status: Status::Setting,
        errors: Vec::new(),
        warnings: Vec::new(),
        common_code_key: n.common_code_key,
        is_scheduled_on_device: false,
        generation: 0,
        failed_once: false,
        set_attempt: None,
        delete_attempt: None,
        is_managed: true,
        is_offline: n.options.is_offline,
        is_one_time_use: n.options.is_one_time_use,
        backup_available: n.options.backup_available,
        pulled_backup_access_code_id: None,
        is_backup: false,
    };
    tracing::debug!(access_code_id = %code.access_code_id, device_id = %code.device_id, "sandbox code created");
    m.codes.push(code);
    let idx = m.codes.len() - 1;
    lifecycle::plan(m, idx, now, true);
    m.emit_for_code(idx, EventType::CodeCreated, now, EventDetail::None);
    idx
}

/// Ties an action attempt to the code's next programming step, or completes it after `set_delay`.
pub(super) fn track_attempt(m: &mut Model, idx: usize, attempt: &str, now: Time) {
    if m.codes[idx].status == Status::Setting {
        // A newer programming request supersedes the previous one, which counts as done.
        if let Some(old) = m.codes[idx].set_attempt.replace(attempt.to_string()) {
            m.finish_attempt(&old, None);
        }
    } else {
        m.finish_attempt_later(attempt, now);
    }
}

/// The attempt as the response shows it right after the request (normally still pending).
pub(super) fn attempt_value(m: &Model, id: &str) -> Value {
    m.attempts
        .get(id)
        .map(wire::attempt_json)
        .unwrap_or(Value::Null)
}
