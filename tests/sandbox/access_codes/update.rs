//! `/access_codes/update`: names, windows, types and PINs.

use serde_json::json;

use crate::{attempt_id, error_type, Env};

#[tokio::test]
async fn should_keep_a_time_bound_code_time_bound_on_a_name_only_update() {
    let env = Env::new().await;
    let ac = env
        .create(json!({
            "device_id": "august_device_1",
            "starts_at": "2030-01-01T15:00:00Z",
            "ends_at": "2030-01-05T11:00:00Z",
        }))
        .await;
    let id = ac["access_code_id"].as_str().unwrap();
    let res = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "name": "renamed" }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.body["action_attempt"]["action_type"],
        "UPDATE_ACCESS_CODE"
    );
    assert_eq!(res.body["action_attempt"]["status"], "pending");
    let after = env.code(id).await;
    assert_eq!(after["name"], "renamed");
    assert_eq!(after["type"], "time_bound");
    assert_eq!(after["starts_at"], "2030-01-01T15:00:00.000Z");
    assert_eq!(after["code"], ac["code"]);
    let changed = env.events_for(id).await;
    let last = changed.last().unwrap();
    assert_eq!(last["event_type"], "access_code.changed");
    assert_eq!(last["changed_properties"][0]["property"], "name");
}

#[tokio::test]
async fn should_convert_between_ongoing_and_time_bound() {
    let env = Env::new().await;
    let ac = env
        .create(json!({ "device_id": "august_device_1", "code": "5555" }))
        .await;
    let id = ac["access_code_id"].as_str().unwrap();
    let to_tb = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "starts_at": "2030-03-01T15:00:00Z", "ends_at": "2030-03-02T11:00:00Z" }),
        )
        .await;
    assert_eq!(to_tb.status, 200);
    let tb = env.code(id).await;
    assert_eq!(tb["type"], "time_bound");
    assert_eq!(tb["status"], "unset");
    assert_eq!(tb["ends_at"], "2030-03-02T11:00:00.000Z");

    let extend = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "ends_at": "2030-03-03T11:00:00Z" }),
        )
        .await;
    assert_eq!(extend.status, 200);
    assert_eq!(env.code(id).await["ends_at"], "2030-03-03T11:00:00.000Z");

    let bad = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "type": "time_bound" }),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.body["error"]["message"],
        "'time_bound' Access codes must include both starts_at and ends_at"
    );
    let inverted = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "starts_at": "2030-03-05T11:00:00Z" }),
        )
        .await;
    assert_eq!(inverted.status, 400);

    let to_ongoing = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "type": "ongoing" }),
        )
        .await;
    assert_eq!(to_ongoing.status, 200);
    let og = env.code(id).await;
    assert_eq!(og["type"], "ongoing");
    assert_eq!(og["status"], "setting");
    assert!(og.get("starts_at").is_none() && og.get("ends_at").is_none());
}

#[tokio::test]
async fn should_reprogram_a_changed_pin() {
    let env = Env::new().await;
    let ac = env
        .create(json!({ "device_id": "harness_lock_4to8", "code": "1111" }))
        .await;
    let id = ac["access_code_id"].as_str().unwrap();
    env.create(json!({ "device_id": "harness_lock_4to8", "code": "2222" }))
        .await;
    env.advance_secs(2).await;
    assert_eq!(env.status_of(id).await, "set");

    let dup = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "code": "2222" }),
        )
        .await;
    assert_eq!(dup.status, 409);
    let bad = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "code": "12" }),
        )
        .await;
    assert_eq!(error_type(&bad), "invalid_input");

    let res = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "code": "654321" }),
        )
        .await;
    assert_eq!(res.status, 200);
    let attempt_id = attempt_id(&res);
    let after = env.code(id).await;
    assert_eq!(after["code"], "654321");
    assert_eq!(after["status"], "setting");
    assert_eq!(env.attempt(&attempt_id).await["status"], "pending");
    env.advance_secs(2).await;
    assert_eq!(env.status_of(id).await, "set");
    assert_eq!(env.attempt(&attempt_id).await["status"], "success");
    let types = env.event_types_for(id).await;
    assert_eq!(
        types,
        [
            "access_code.created",
            "access_code.set_on_device",
            "access_code.changed",
            "access_code.set_on_device"
        ]
    );
    let unknown = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": "nope", "name": "x" }),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(error_type(&unknown), "access_code_not_found");
}
