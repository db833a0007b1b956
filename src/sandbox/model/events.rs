//! The event log: what happened to codes and devices, as model data. `wire` renders it.

use super::records::{AccessCode, Issue, Status};
use super::{Model, Time};

/// What kind of event; each has its own description on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EventType {
    CodeCreated,
    CodeChanged,
    CodeScheduledOnDevice,
    CodeSetOnDevice,
    CodeRemovedFromDevice,
    CodeFailedToSetOnDevice,
    CodeDelayInSettingOnDevice,
    CodeDeleted,
    BackupCodePulled,
    UnmanagedCreated,
    UnmanagedConvertedToManaged,
    UnmanagedRemoved,
    DeviceRemoved,
}

/// One changed property of an `access_code.changed` event caused by an update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    Name {
        from: Option<String>,
        to: String,
    },
    /// The PIN changed; its values are never echoed.
    Code,
    StartsAt {
        from: Option<Time>,
        to: Option<Time>,
    },
    EndsAt {
        from: Option<Time>,
        to: Option<Time>,
    },
    /// Ongoing <-> time-bound.
    Type {
        was_time_bound: bool,
    },
}

/// The event-specific part of an event, captured when it happens (later changes do not alter it).
#[derive(Clone)]
pub(crate) enum EventDetail {
    None,
    /// The code's PIN at the time.
    Pin(String),
    /// A backup code was pulled for the code.
    BackupPulled {
        backup_access_code_id: String,
    },
    /// The lifecycle moved the code from one status to another.
    StatusChanged {
        from: Status,
        to: Status,
    },
    /// A client's update changed these properties.
    Updated(Vec<Change>),
    /// Why a code is not on the lock yet: the code's and its device's errors and warnings.
    Trouble {
        code_errors: Vec<Issue>,
        code_warnings: Vec<Issue>,
        device_errors: Vec<Issue>,
        device_warnings: Vec<Issue>,
    },
}

#[derive(Clone)]
pub(crate) struct Event {
    pub(crate) event_id: String,
    pub(crate) event_type: EventType,
    pub(crate) workspace_id: String,
    pub(crate) device_id: Option<String>,
    pub(crate) access_code_id: Option<String>,
    pub(crate) connected_account_id: Option<String>,
    pub(crate) occurred_at: Time,
    pub(crate) detail: EventDetail,
}

impl Event {
    /// An event about `code`, stamped `at`.
    pub(crate) fn about_code(
        code: &AccessCode,
        event_type: EventType,
        at: Time,
        detail: EventDetail,
    ) -> Self {
        Self {
            event_id: uuid::Uuid::new_v4().to_string(),
            event_type,
            workspace_id: code.workspace_id.clone(),
            device_id: Some(code.device_id.clone()),
            access_code_id: Some(code.access_code_id.clone()),
            connected_account_id: Some(code.connected_account_id.clone()),
            occurred_at: at,
            detail,
        }
    }
}

impl Model {
    /// Records an event about a code and queues it for webhooks.
    pub(crate) fn emit_for_code(
        &mut self,
        idx: usize,
        event_type: EventType,
        at: Time,
        detail: EventDetail,
    ) {
        let event = Event::about_code(&self.codes[idx], event_type, at, detail);
        self.record(event);
    }

    /// Appends to the log and to the outbox the webhook queue drains.
    pub(crate) fn record(&mut self, event: Event) {
        tracing::debug!(
            event_type = ?event.event_type,
            access_code_id = ?event.access_code_id,
            device_id = ?event.device_id,
            "sandbox event"
        );
        self.outbox.push(event.clone());
        self.events.push(event);
    }

    /// The code's and its device's current issues, for `Trouble` events.
    pub(crate) fn trouble(&self, idx: usize) -> EventDetail {
        let code = &self.codes[idx];
        let (device_errors, device_warnings) = match self.device_any(&code.device_id) {
            Some(d) => (d.errors.clone(), d.warnings.clone()),
            None => (Vec::new(), Vec::new()),
        };
        EventDetail::Trouble {
            code_errors: code.errors.clone(),
            code_warnings: code.warnings.clone(),
            device_errors,
            device_warnings,
        }
    }
}
