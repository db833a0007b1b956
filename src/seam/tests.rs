//! The wire types read every success body recorded from Seam's fake server.

use super::wire::*;
use serde_json::Value;

fn capture(name: &str) -> Value {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seam-captures");
    let path = std::fs::read_dir(dir)
        .expect("captures dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(name))
        })
        .unwrap_or_else(|| panic!("no capture {name}"));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    v["response"]["body"].clone()
}

#[test]
fn should_read_device_lists_and_devices() {
    let list: DeviceListResponse = serde_json::from_value(capture("002-")).expect("devices/list");
    assert_eq!(list.devices.len(), 9);
    assert!(list.pagination.is_some());
    let d: DeviceResponse = serde_json::from_value(capture("011-")).expect("devices/get");
    assert_eq!(d.device.properties.supported_code_lengths, Some(vec![6]));
    assert_eq!(d.device.can_program_online_access_codes, Some(true));
}

#[test]
fn should_read_access_codes_without_pagination_or_pending_mutations() {
    let created: AccessCodeResponse = serde_json::from_value(capture("018-")).expect("create");
    assert!(created.access_code.is_time_bound());
    assert!(created.access_code.starts_at.is_some());
    let list: AccessCodeListResponse = serde_json::from_value(capture("061-")).expect("list");
    assert!(list.pagination.is_none());
    assert!(!list.access_codes.is_empty());
    let multi: AccessCodeListResponse = serde_json::from_value(capture("033-")).expect("multi");
    assert_eq!(multi.access_codes.len(), 2);
}

#[test]
fn should_read_action_attempts_events_and_errors() {
    let aa: ActionAttemptResponse = serde_json::from_value(capture("037-")).expect("update");
    assert_eq!(aa.action_attempt.expect("attempt").status, "pending");
    let err: ActionAttemptResponse = serde_json::from_value(capture("056-")).expect("aa error");
    assert!(err.action_attempt.expect("attempt").error.is_some());
    let events: EventListResponse = serde_json::from_value(capture("070-")).expect("events");
    assert!(events
        .events
        .iter()
        .any(|e| e.event_type == "access_code.created"));
    let e: ErrorEnvelope = serde_json::from_value(capture("047-")).expect("error");
    assert_eq!(e.error.kind, "access_code_not_found");
    assert!(e.error.data.is_some());
}

#[test]
fn should_never_debug_print_a_pin() {
    let created: AccessCodeResponse = serde_json::from_value(capture("017-")).expect("create");
    assert_eq!(
        created.access_code.code.as_ref().map(|p| p.as_str()),
        Some("1234")
    );
    assert!(!format!("{:?}", created.access_code).contains("1234"));
}

#[test]
fn should_join_endpoint_paths_to_the_base_url_with_or_without_a_path_prefix() {
    let path = |base: &str, path: &str| {
        super::SeamClient::new(base, std::time::Duration::from_secs(1))
            .expect("a URL")
            .endpoint_path(path)
    };
    assert_eq!(
        path("https://connect.getseam.com", "/devices/get"),
        "/devices/get"
    );
    assert_eq!(
        path("http://127.0.0.1:4800/", "/access_codes/list"),
        "/access_codes/list"
    );
    assert_eq!(
        path("http://proxy.internal/seam/v1/", "/devices/list"),
        "/seam/v1/devices/list"
    );
    assert!(
        super::SeamClient::new("ftp://files.example", std::time::Duration::from_secs(1)).is_err()
    );
    assert!(super::SeamClient::new("not a url", std::time::Duration::from_secs(1)).is_err());
}
