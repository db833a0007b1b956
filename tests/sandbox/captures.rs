//! Replays requests recorded against Seam's official fake and compares the response shape:
//! status, keys, nesting and nullness (ids and timestamps may differ). The sandbox may add the
//! fields the OpenAPI requires and the fake lacks (listed per case).

use serde_json::{json, Value};

use crate::Env;

/// A recorded exchange from the shared fixtures (the same files the gateway's tests read).
macro_rules! capture {
    ($file:literal) => {
        include_str!(concat!("../fixtures/seam-captures/", $file))
    };
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn assert_shape(expected: &Value, actual: &Value, path: &str, extras: &[&str]) {
    assert_eq!(kind(expected), kind(actual), "kind at {path}: {actual}");
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let av = a.get(k).unwrap_or_else(|| panic!("missing {path}.{k}"));
                assert_shape(ev, av, &format!("{path}.{k}"), extras);
            }
            for k in a.keys() {
                assert!(
                    e.contains_key(k) || extras.contains(&k.as_str()),
                    "unexpected {path}.{k}"
                );
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let (Some(e0), Some(a0)) = (e.first(), a.first()) {
                assert_shape(e0, a0, &format!("{path}[0]"), extras);
            }
        }
        _ => {}
    }
}

/// Sends the capture's recorded request (path, authorization header, body) to the sandbox.
async fn send_recorded_request(env: &Env, cap: &Value) -> crate::Res {
    let req = &cap["request"];
    let mut builder = env.client.post(env.url(req["path"].as_str().unwrap()));
    if let Some(auth) = req["headers"]["authorization"].as_str() {
        builder = builder.header("authorization", auth);
    }
    env.send(builder.json(&req["body"])).await
}

async fn replay(env: &Env, capture: &str, extras: &[&str]) {
    let cap: Value = serde_json::from_str(capture).unwrap();
    let path = cap["request"]["path"].as_str().unwrap();
    let res = send_recorded_request(env, &cap).await;
    let want = &cap["response"];
    assert_eq!(
        res.status,
        want["status"].as_u64().unwrap() as u16,
        "{path}: {}",
        res.body
    );
    assert_shape(
        &want["body"],
        &res.body,
        cap["name"].as_str().unwrap(),
        extras,
    );
    assert!(res.headers.contains_key("seam-request-id"));
}

const CODE_EXTRAS: &[&str] = &[
    "pending_mutations",
    "is_scheduled_on_device",
    "action_attempt",
];
const DEVICE_EXTRAS: &[&str] = &[
    "can_program_offline_access_codes",
    "online_access_codes_enabled",
    "offline_access_codes_enabled",
];

#[tokio::test]
async fn should_match_the_shapes_of_the_fakes_captures() {
    let env = Env::new().await;
    replay(&env, capture!("011-devices_get.json"), DEVICE_EXTRAS).await;
    replay(&env, capture!("017-ac_create_ongoing.json"), CODE_EXTRAS).await;
    replay(&env, capture!("018-ac_create_time_bound.json"), CODE_EXTRAS).await;
    replay(&env, capture!("019-ac_create_duplicate_code.json"), &[]).await;
    replay(&env, capture!("022-ac_create_missing_device_id.json"), &[]).await;
    replay(&env, capture!("047-ac_update_unknown.json"), &[]).await;
    replay(&env, capture!("054-action_attempt_get_unknown.json"), &[]).await;
    replay(&env, capture!("059-ac_get_unknown.json"), &[]).await;
    replay(&env, capture!("065-ac_list_no_params.json"), &[]).await;
    replay(&env, capture!("079-auth_missing.json"), &[]).await;
    replay(&env, capture!("080-auth_wrong_key.json"), &[]).await;
    // 094 (the shim's list) holds a code from create_multiple (time-bound, with a key).
    let res = env
        .post(
            "/access_codes/create_multiple",
            json!({ "device_ids": ["schlage_device_id"], "name": "Shared stay", "starts_at": "2030-06-01T15:00:00Z", "ends_at": "2030-06-03T11:00:00Z" }),
        )
        .await;
    assert_eq!(res.status, 200);
    let mut cap: Value = serde_json::from_str(capture!("094-shim_list_by_device.json")).unwrap();
    cap["request"]["body"] = json!({ "device_id": "schlage_device_id" });
    replay(&env, &cap.to_string(), CODE_EXTRAS).await;
}

#[tokio::test]
async fn should_match_the_error_shapes_exactly() {
    let env = Env::new().await;
    for capture in [
        capture!("019-ac_create_duplicate_code.json"),
        capture!("022-ac_create_missing_device_id.json"),
        capture!("047-ac_update_unknown.json"),
        capture!("054-action_attempt_get_unknown.json"),
        capture!("059-ac_get_unknown.json"),
        capture!("065-ac_list_no_params.json"),
        capture!("079-auth_missing.json"),
        capture!("080-auth_wrong_key.json"),
    ] {
        let cap: Value = serde_json::from_str(capture).unwrap();
        if cap["name"] == "ac_create_duplicate_code" {
            env.post(
                "/access_codes/create",
                json!({ "device_id": "august_device_1", "code": "1234" }),
            )
            .await;
        }
        let res = send_recorded_request(&env, &cap).await;
        assert_eq!(res.body, cap["response"]["body"], "{}", cap["name"]);
    }
}
