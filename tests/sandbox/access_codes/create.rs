//! `/access_codes/create`: codes, PINs and the errors of a bad request.

use serde_json::json;

use crate::{error_type, Env};

#[tokio::test]
async fn should_create_an_ongoing_code_with_a_pending_create_attempt() {
    let env = Env::new().await;
    let res = env
        .post(
            "/access_codes/create",
            json!({ "device_id": "august_device_1", "name": "Guest", "code": "1234" }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["ok"], true);
    let ac = &res.body["access_code"];
    assert_eq!(ac["status"], "setting");
    assert_eq!(ac["type"], "ongoing");
    assert_eq!(ac["code"], "1234");
    assert_eq!(ac["pending_mutations"], json!([]));
    assert_eq!(ac["is_scheduled_on_device"], false);
    assert!(ac["common_code_key"].is_null());
    assert!(ac.get("starts_at").is_none() && ac.get("ends_at").is_none());
    let attempt = &res.body["action_attempt"];
    assert_eq!(attempt["action_type"], "CREATE_ACCESS_CODE");
    assert_eq!(attempt["status"], "pending");
    assert!(attempt["result"].is_null() && attempt["error"].is_null());
    assert!(res.headers.contains_key("seam-request-id"));
}

#[tokio::test]
async fn should_create_a_time_bound_code_in_utc_with_milliseconds() {
    let env = Env::new().await;
    let ac = env
        .create(json!({
            "device_id": "august_device_1",
            "name": "Stay",
            "starts_at": "2030-04-01T10:00:00-05:00",
            "ends_at": "2030-04-02T11:00:00Z",
        }))
        .await;
    assert_eq!(ac["type"], "time_bound");
    assert_eq!(ac["status"], "unset");
    assert_eq!(ac["starts_at"], "2030-04-01T15:00:00.000Z");
    assert_eq!(ac["ends_at"], "2030-04-02T11:00:00.000Z");
    let code = ac["code"].as_str().unwrap();
    assert_eq!(code.len(), 4);
    assert!(ac["created_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn should_generate_pins_that_fit_each_lock() {
    let env = Env::new().await;
    for _ in 0..5 {
        let six = env
            .create(json!({ "device_id": "harness_lock_6digit" }))
            .await;
        let pin = six["code"].as_str().unwrap();
        assert_eq!(pin.len(), 6);
        assert!(!pin.contains('0'), "no_zeros broken: {pin}");
    }
    let preferred = env
        .create(json!({ "device_id": "harness_lock_4to8", "preferred_code_length": 6 }))
        .await;
    assert_eq!(preferred["code"].as_str().unwrap().len(), 6);
    let unsupported_pref = env
        .create(json!({ "device_id": "ws1_lock_4digit", "preferred_code_length": 8 }))
        .await;
    assert_eq!(unsupported_pref["code"].as_str().unwrap().len(), 4);
    assert!(!unsupported_pref["code"].as_str().unwrap().starts_with("12"));
}

#[tokio::test]
async fn should_reject_invalid_input_with_zod_errors() {
    let env = Env::new().await;
    let cases = [
        (json!({ "name": "x" }), "device_id is required"),
        (
            json!({ "device_id": "august_device_1", "starts_at": "2030-01-01T15:00:00Z" }),
            "Both starts_at and ends_at must be provided if one is",
        ),
        (
            json!({ "device_id": "august_device_1", "ends_at": "2030-01-01T15:00:00Z" }),
            "Both starts_at and ends_at must be provided if one is",
        ),
        (
            json!({ "device_id": "august_device_1", "starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z" }),
            "ends_at must be later than starts_at",
        ),
        (
            json!({ "device_id": "august_device_1", "starts_at": "tomorrow-ish", "ends_at": "2030-01-05T11:00:00Z" }),
            "Must be parsable date string if defined for \"starts_at\"",
        ),
        (
            json!({ "device_id": 42 }),
            "Expected string, received number for \"device_id\"",
        ),
    ];
    for (body, message) in cases {
        let res = env.post("/access_codes/create", body.clone()).await;
        assert_eq!(res.status, 400, "{body}");
        assert_eq!(error_type(&res), "invalid_input");
        assert_eq!(res.body["error"]["message"], message, "{body}");
        assert!(res.body["error"]["validation_errors"]["_errors"].is_array());
    }
    let missing = env
        .post("/access_codes/create", json!({ "name": "x" }))
        .await;
    assert_eq!(
        missing.body["error"]["validation_errors"],
        json!({ "_errors": [], "device_id": { "_errors": ["Required"] } })
    );
    for (device, code) in [
        ("august_device_1", "12a4"),
        ("august_device_1", "123"),
        ("harness_lock_6digit", "1234"),
        ("harness_lock_6digit", "102345"),
        ("ws1_lock_4digit", "1299"),
    ] {
        let res = env
            .post(
                "/access_codes/create",
                json!({ "device_id": device, "code": code }),
            )
            .await;
        assert_eq!(res.status, 400, "{device} {code}");
        assert_eq!(error_type(&res), "invalid_input");
        assert!(res.body["error"]["validation_errors"]["code"]["_errors"][0].is_string());
    }
}

#[tokio::test]
async fn should_reject_a_duplicate_pin_on_the_same_lock() {
    let env = Env::new().await;
    env.create(json!({ "device_id": "august_device_1", "code": "1234", "name": "a" }))
        .await;
    let dup = env
        .post(
            "/access_codes/create",
            json!({ "device_id": "august_device_1", "code": "1234", "name": "dup" }),
        )
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(error_type(&dup), "duplicate_access_code");
    assert_eq!(
        dup.body["error"]["message"],
        "Cannot set duplicate access code 1234 named dup"
    );
    env.create(json!({ "device_id": "august_device_2", "code": "1234" }))
        .await;
}

#[tokio::test]
async fn should_refuse_a_lock_that_cannot_program_online_codes() {
    let env = Env::new().await;
    let res = env
        .post(
            "/access_codes/create",
            json!({ "device_id": "harness_lock_no_codes" }),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        error_type(&res),
        "device_cannot_program_online_access_codes"
    );
    let unknown = env
        .post("/access_codes/create", json!({ "device_id": "nope" }))
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(error_type(&unknown), "device_not_found");
}
