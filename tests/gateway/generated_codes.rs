//! `generateCode(deviceId)`: a PIN that fits the lock, for UIs that suggest one.

use serde_json::json;

use crate::support::{data, error_codes, TestGateway};

const GENERATE: &str = "query($d: ID!) { generateCode(deviceId: $d) { deviceId code } }";

#[tokio::test]
async fn should_generate_pins_that_fit_the_locks_rules() {
    let t = TestGateway::start().await;
    for _ in 0..20 {
        // Six digits, no zeros.
        let r = t.gql(GENERATE, json!({"d": "harness_lock_6digit"})).await;
        let g = &data(&r)["generateCode"];
        assert_eq!(g["deviceId"], "harness_lock_6digit");
        let pin = g["code"].as_str().expect("pin");
        assert_eq!(pin.len(), 6, "{pin}");
        assert!(!pin.contains('0'), "{pin}");
        // Four digits, not starting with 12.
        let r = t.gql(GENERATE, json!({"d": "ws1_lock_4digit"})).await;
        let pin = data(&r)["generateCode"]["code"]
            .as_str()
            .expect("pin")
            .to_owned();
        assert_eq!(pin.len(), 4);
        assert!(!pin.starts_with("12"), "{pin}");
    }
    // A generated PIN is accepted as a custom code.
    let r = t.gql(GENERATE, json!({"d": "harness_lock_6digit"})).await;
    let pin = data(&r)["generateCode"]["code"].clone();
    let r = t
        .gql(
            "mutation($c: String) { createAccessCode(input: {deviceId: \"harness_lock_6digit\", code: $c}) { accessCode { code } } }",
            json!({"c": pin}),
        )
        .await;
    assert_eq!(data(&r)["createAccessCode"]["accessCode"]["code"], pin);
}

#[tokio::test]
async fn must_refuse_locks_that_take_no_custom_pin() {
    let t = TestGateway::start().await;
    t.sandbox.reset_calls();
    for device in ["ws1_lock_offline_only", "harness_lock_no_codes"] {
        let r = t.gql(GENERATE, json!({"d": device})).await;
        assert_eq!(error_codes(&r), ["CAPABILITY_MISSING"], "{device}: {r}");
    }
    assert_eq!(t.upstream_count("/access_codes/generate_code"), 0);
    let r = t.gql(GENERATE, json!({"d": "no_such_device"})).await;
    assert_eq!(error_codes(&r), ["NOT_FOUND"]);
    let r = t.gql(GENERATE, json!({"d": " "})).await;
    assert_eq!(error_codes(&r), ["BAD_USER_INPUT"]);
}
