use serde_json::{json, Value};

use crate::{error_type, Env};

fn codes(res: &crate::Res) -> Vec<Value> {
    res.body["access_codes"].as_array().unwrap().clone()
}

#[tokio::test]
async fn should_share_one_pin_under_an_auto_common_code_key() {
    let env = Env::new().await;
    let res = env
        .post(
            "/access_codes/create_multiple",
            json!({
                "device_ids": ["august_device_2", "harness_lock_4to8"],
                "name": "Stay 42",
                "starts_at": "2030-02-01T15:00:00Z",
                "ends_at": "2030-02-03T11:00:00Z",
            }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let list = codes(&res);
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["code"], list[1]["code"]);
    assert_eq!(list[0]["code"].as_str().unwrap().len(), 4);
    let key = list[0]["common_code_key"].as_str().unwrap();
    assert_eq!(list[1]["common_code_key"], key);
    let uuid = key.strip_prefix("auto_set_by_create_multiple_").unwrap();
    assert_eq!(uuid.len(), 36);
    assert!(list.iter().all(|c| c["type"] == "time_bound"));

    // A length every lock supports is chosen: 6 for a 6-digit + 4..8 pair.
    let six = env
        .post(
            "/access_codes/create_multiple",
            json!({ "device_ids": ["harness_lock_6digit", "harness_lock_4to8"] }),
        )
        .await;
    let six = codes(&six);
    assert_eq!(six[0]["code"].as_str().unwrap().len(), 6);
    assert_eq!(six[0]["code"], six[1]["code"]);
    assert!(!six[0]["code"].as_str().unwrap().contains('0'));

    let empty = env
        .post("/access_codes/create_multiple", json!({ "device_ids": [] }))
        .await;
    assert_eq!(empty.body["access_codes"], json!([]));
}

#[tokio::test]
async fn should_leave_the_key_null_for_a_custom_code() {
    let env = Env::new().await;
    let res = env
        .post(
            "/access_codes/create_multiple",
            json!({ "device_ids": ["august_device_2", "harness_lock_6digit"], "code": "424242" }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    for c in codes(&res) {
        assert_eq!(c["code"], "424242");
        assert!(c["common_code_key"].is_null());
    }
}

#[tokio::test]
async fn should_throw_when_the_pin_cannot_be_shared() {
    let env = Env::new().await;
    let res = env
        .post(
            "/access_codes/create_multiple",
            json!({ "device_ids": ["ws1_lock_4digit", "harness_lock_6digit"], "name": "nope" }),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(error_type(&res), "cannot_share_code");
    assert!(res.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("harness_lock_6digit"));
    for device in ["ws1_lock_4digit", "harness_lock_6digit"] {
        let list = env
            .post("/access_codes/list", json!({ "device_id": device }))
            .await;
        assert_eq!(list.body["access_codes"], json!([]), "nothing created");
    }
    let custom = env
        .post(
            "/access_codes/create_multiple",
            json!({ "device_ids": ["august_device_1", "harness_lock_6digit"], "code": "1234",
                    "behavior_when_code_cannot_be_shared": "throw" }),
        )
        .await;
    assert_eq!(error_type(&custom), "cannot_share_code");
    let bogus = env
        .post(
            "/access_codes/create_multiple",
            json!({ "device_ids": ["august_device_2"], "behavior_when_code_cannot_be_shared": "bogus" }),
        )
        .await;
    assert_eq!(error_type(&bogus), "invalid_input");
}

#[tokio::test]
async fn should_give_a_random_pin_but_the_same_key_when_asked() {
    let env = Env::new().await;
    let res = env
        .post(
            "/access_codes/create_multiple",
            json!({
                "device_ids": ["ws1_lock_4digit", "harness_lock_6digit", "august_device_1"],
                "behavior_when_code_cannot_be_shared": "create_random_code",
            }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let list = codes(&res);
    assert_eq!(list.len(), 3);
    assert_eq!(list[0]["code"].as_str().unwrap().len(), 4);
    assert_eq!(list[2]["code"], list[0]["code"]);
    assert_eq!(list[1]["code"].as_str().unwrap().len(), 6);
    let key = &list[0]["common_code_key"];
    assert!(key.is_string());
    assert!(list.iter().all(|c| &c["common_code_key"] == key));
}

#[tokio::test]
async fn should_refuse_unknown_or_incapable_devices_in_create_multiple() {
    let env = Env::new().await;
    let unknown = env
        .post(
            "/access_codes/create_multiple",
            json!({ "device_ids": ["august_device_1", "does_not_exist"] }),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(error_type(&unknown), "device_not_found");
    let other_ws = env
        .post(
            "/access_codes/create_multiple",
            json!({ "device_ids": ["ws2_patio"] }),
        )
        .await;
    assert_eq!(other_ws.status, 404);
    let incapable = env
        .post(
            "/access_codes/create_multiple",
            json!({ "device_ids": ["harness_lock_no_codes"] }),
        )
        .await;
    assert_eq!(
        error_type(&incapable),
        "device_cannot_program_online_access_codes"
    );
    let missing = env.post("/access_codes/create_multiple", json!({})).await;
    assert_eq!(missing.body["error"]["message"], "device_ids is required");
}

#[tokio::test]
async fn should_move_every_linked_code_with_update_multiple() {
    let env = Env::new().await;
    let res = env
        .post(
            "/access_codes/create_multiple",
            json!({
                "device_ids": ["august_device_1", "harness_lock_4to8", "schlage_device_id"],
                "name": "Shared stay",
                "starts_at": "2030-02-01T15:00:00Z",
                "ends_at": "2030-02-03T11:00:00Z",
            }),
        )
        .await;
    let list = codes(&res);
    let key = list[0]["common_code_key"].as_str().unwrap().to_string();
    let unrelated = env
        .create(json!({ "device_id": "august_device_1", "starts_at": "2030-02-01T15:00:00Z", "ends_at": "2030-02-03T11:00:00Z" }))
        .await;
    let moved = env
        .post(
            "/access_codes/update_multiple",
            json!({
                "common_code_key": key,
                "name": "Shared stay (moved)",
                "starts_at": "2030-06-01T15:00:00Z",
                "ends_at": "2030-06-03T11:00:00Z",
            }),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body, json!({ "ok": true }));
    for c in &list {
        let now = env.code(c["access_code_id"].as_str().unwrap()).await;
        assert_eq!(now["name"], "Shared stay (moved)");
        assert_eq!(now["starts_at"], "2030-06-01T15:00:00.000Z");
        assert_eq!(now["ends_at"], "2030-06-03T11:00:00.000Z");
        assert_eq!(now["code"], c["code"]);
        let types = env
            .event_types_for(c["access_code_id"].as_str().unwrap())
            .await;
        assert_eq!(types, ["access_code.created", "access_code.changed"]);
    }
    let untouched = env
        .code(unrelated["access_code_id"].as_str().unwrap())
        .await;
    assert_eq!(untouched["starts_at"], "2030-02-01T15:00:00.000Z");

    let unknown = env
        .post(
            "/access_codes/update_multiple",
            json!({ "common_code_key": "nope", "name": "x" }),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(error_type(&unknown), "access_codes_not_found");
    let other_ws = env
        .post_as(
            Some(crate::KEY2),
            "/access_codes/update_multiple",
            json!({ "common_code_key": key, "name": "x" }),
        )
        .await;
    assert_eq!(other_ws.status, 404);
    let half = env
        .post(
            "/access_codes/update_multiple",
            json!({ "common_code_key": key, "starts_at": "2030-06-01T15:00:00Z" }),
        )
        .await;
    assert_eq!(half.status, 400);
}
