//! What an `access_code.*` event says about a code's status. Pure, so the table is tested directly.
//!
use crate::seam::wire::{AccessCode, Event};
use crate::seam::CodeStatus;

/// The event types that move a code's status; only these reach subscribers.
pub(crate) const STATUS_EVENT_TYPES: &[&str] = &[
    "access_code.created",
    "access_code.changed",
    "access_code.set_on_device",
    "access_code.removed_from_device",
    "access_code.deleted",
    "access_code.failed_to_set_on_device",
    "access_code.delay_in_setting_on_device",
];

/// Device events that change what the gateway caches about a device (names from Seam's OpenAPI
/// enum). The poller asks for them too, so polled workspaces also drop stale devices.
pub(crate) const DEVICE_EVENT_TYPES: &[&str] = &[
    "device.connected",
    "device.disconnected",
    "device.removed",
    "device.deleted",
    "device.converted_to_unmanaged",
    "device.name_changed",
    "device.low_battery",
    "device.battery_status_changed",
    "device.connection_became_flaky",
    "device.connection_stabilized",
    "device.error.subscription_required",
    "device.error.subscription_required.resolved",
    "device.third_party_integration_detected",
    "device.third_party_integration_no_longer_detected",
    "device.accessory_keypad_connected",
    "device.accessory_keypad_disconnected",
    "device.tampered",
];

pub(crate) fn is_status_event(event_type: &str) -> bool {
    STATUS_EVENT_TYPES.contains(&event_type)
}

/// The status a code has after `event`.
///
/// `code` is the code as fetched after the event arrived (None when it is gone or could not be read);
/// `last` is the status this gateway last reported for it (None when unknown).
pub(crate) fn derive(
    event: &Event,
    code: Option<&AccessCode>,
    last: Option<CodeStatus>,
) -> CodeStatus {
    let current = code.map(|c| c.status);
    match event.event_type.as_str() {
        "access_code.set_on_device" => CodeStatus::Set,
        "access_code.deleted" => CodeStatus::Removing,
        // The PIN is off the lock; the code itself is usually gone too (`accessCode` is then null).
        "access_code.removed_from_device" => CodeStatus::Unset,
        "access_code.delay_in_setting_on_device" => CodeStatus::Setting,
        // The code stays where it was (Seam retries), or is not on the lock.
        "access_code.failed_to_set_on_device" => last.or(current).unwrap_or(CodeStatus::Unset),
        "access_code.changed" => reported_status(event)
            .or(current)
            .or(last)
            .unwrap_or(CodeStatus::Unknown),
        // `created`: setting (ongoing, or a window about to start) or unset, as the code says; if
        // the code has moved on by the time it is read, what it was when created.
        _ => match code {
            Some(c) if matches!(c.status, CodeStatus::Unset | CodeStatus::Setting) => c.status,
            Some(c) => match (c.is_time_bound(), c.starts_at, event.occurred_at) {
                (true, Some(starts), Some(at)) if starts > at => CodeStatus::Unset,
                _ => CodeStatus::Setting,
            },
            None => CodeStatus::Unknown,
        },
    }
}

/// The last status an `access_code.changed` event reports in its `changed_properties`.
fn reported_status(event: &Event) -> Option<CodeStatus> {
    event
        .changed_properties
        .iter()
        .rev()
        .find(|p| p.property == "status")
        .and_then(|p| p.to.as_ref())
        .and_then(|v| v.as_str())
        .map(CodeStatus::from_wire)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(event_type: &str, extra: serde_json::Value) -> Event {
        let mut v = json!({ "event_id": "e1", "event_type": event_type });
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        serde_json::from_value(v).unwrap()
    }

    fn code(status: &str) -> AccessCode {
        serde_json::from_value(json!({
            "access_code_id": "ac1", "device_id": "d1", "status": status, "type": "ongoing"
        }))
        .unwrap()
    }

    #[test]
    fn should_derive_the_status_of_every_status_event() {
        let none = json!({});
        let d = |t: &str, c: Option<&AccessCode>, last: Option<&str>| {
            derive(&event(t, none.clone()), c, last.map(CodeStatus::from_wire)).as_wire()
        };
        assert_eq!(
            d("access_code.created", Some(&code("setting")), None),
            "setting"
        );
        assert_eq!(
            d("access_code.created", Some(&code("unset")), None),
            "unset"
        );
        assert_eq!(d("access_code.set_on_device", None, Some("setting")), "set");
        assert_eq!(
            d("access_code.deleted", Some(&code("removing")), None),
            "removing"
        );
        assert_eq!(d("access_code.removed_from_device", None, None), "unset");
        assert_eq!(
            d("access_code.delay_in_setting_on_device", None, None),
            "setting"
        );
        assert_eq!(
            d("access_code.failed_to_set_on_device", None, Some("setting")),
            "setting"
        );
        assert_eq!(
            d("access_code.failed_to_set_on_device", None, None),
            "unset"
        );
        assert_eq!(d("access_code.changed", Some(&code("set")), None), "set");
        let changed = event(
            "access_code.changed",
            json!({"changed_properties": [{"property": "status", "from": "unset", "to": "setting"}]}),
        );
        assert_eq!(
            derive(&changed, Some(&code("set")), None).as_wire(),
            "setting"
        );
    }
}
