//! Input the gateway can already judge is refused before Seam is asked: PINs a lock's known rules
//! forbid, oversized ids, empty and oversized id lists, and group keys that a scan just missed.

use serde_json::{json, Value};

use crate::support::{data, error_codes, TestGateway};

const CREATE: &str = "mutation($input: CreateAccessCodeInput!) { createAccessCode(input: $input) { accessCode { id } } }";

/// Runs `query`; asserts the refusal `code` and that no call from `paths` reached the upstream.
async fn assert_refused_before(
    t: &TestGateway,
    query: &str,
    variables: Value,
    code: &str,
    paths: &[&str],
) -> Value {
    t.sandbox.reset_calls();
    let r = t.gql(query, variables).await;
    assert_eq!(error_codes(&r), [code], "{r:#}");
    for path in paths {
        assert_eq!(t.upstream_count(path), 0, "{path} was called: {r:#}");
    }
    r
}

#[tokio::test]
async fn should_refuse_pins_that_break_a_locks_known_rules() {
    let t = TestGateway::start().await;
    for (device, pin, rule) in [
        ("ws1_lock_4digit", "1297", "cannot_start_with_12"),
        ("harness_lock_6digit", "105938", "no_zeros"),
    ] {
        let input = json!({ "input": { "deviceId": device, "name": "rules", "code": pin } });
        let r = assert_refused_before(
            &t,
            CREATE,
            input,
            "BAD_USER_INPUT",
            &["/access_codes/create"],
        )
        .await;
        let message = r["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(rule), "{message}");
        assert!(!message.contains(pin), "the PIN is echoed: {message}");
    }
    // A PIN that keeps the rules goes through.
    let ok = t
        .gql(
            CREATE,
            json!({ "input": { "deviceId": "ws1_lock_4digit", "name": "rules", "code": "3297" } }),
        )
        .await;
    data(&ok);
}

#[tokio::test]
async fn should_refuse_oversized_ids_without_echoing_them() {
    let t = TestGateway::start().await;
    let long = "x".repeat(10 * 1024);
    let r = assert_refused_before(
        &t,
        "query($id: ID!) { device(id: $id) { id } }",
        json!({ "id": long }),
        "BAD_USER_INPUT",
        &["/devices/list", "/devices/get"],
    )
    .await;
    assert!(
        r.to_string().len() < 1024,
        "the id came back: {} bytes",
        r.to_string().len()
    );
    assert!(t.upstream().values().all(|n| *n == 0), "{:?}", t.upstream());
}

#[tokio::test]
async fn should_refuse_empty_and_oversized_id_lists() {
    let t = TestGateway::start().await;
    let query = "query($ids: [ID!]) { accessCodes(accessCodeIds: $ids) { nodes { id } } }";
    assert_refused_before(
        &t,
        query,
        json!({ "ids": [] }),
        "BAD_USER_INPUT",
        &["/access_codes/list"],
    )
    .await;
    let many: Vec<String> = (0..5000).map(|i| format!("code_{i}")).collect();
    assert_refused_before(
        &t,
        query,
        json!({ "ids": many }),
        "BAD_USER_INPUT",
        &["/access_codes/list"],
    )
    .await;
    let devices = "query($ids: [ID!]) { devices(deviceIds: $ids) { nodes { id } } }";
    assert_refused_before(
        &t,
        devices,
        json!({ "ids": [] }),
        "BAD_USER_INPUT",
        &["/devices/list"],
    )
    .await;
}

#[tokio::test]
async fn should_not_rescan_for_a_group_key_that_a_scan_just_missed() {
    let t = TestGateway::start().await;
    let query = "{ linkedCodeGroup(commonCodeKey: \"no_such_group\") { commonCodeKey } }";
    t.sandbox.reset_calls();
    let first = t.gql(query, json!({})).await;
    assert_eq!(error_codes(&first), ["NOT_FOUND"], "{first:#}");
    assert!(
        t.upstream_count("/access_codes/list") > 0,
        "the first lookup scans"
    );
    t.sandbox.reset_calls();
    let again = t.gql(query, json!({})).await;
    assert_eq!(error_codes(&again), ["NOT_FOUND"], "{again:#}");
    assert!(t.upstream().values().all(|n| *n == 0), "{:?}", t.upstream());
}
