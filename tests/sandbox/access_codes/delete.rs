//! `/access_codes/delete`: removing, then gone.

use serde_json::json;

use crate::Env;

#[tokio::test]
async fn should_delete_through_removing_then_forget_the_code() {
    let env = Env::new().await;
    let ac = env
        .create(json!({ "device_id": "august_device_1", "code": "7777" }))
        .await;
    let id = ac["access_code_id"].as_str().unwrap();
    env.advance_secs(2).await;
    let res = env
        .post("/access_codes/delete", json!({ "access_code_id": id }))
        .await;
    assert_eq!(res.status, 200);
    let attempt = res.body["action_attempt"].clone();
    assert_eq!(attempt["action_type"], "DELETE_ACCESS_CODE");
    assert_eq!(attempt["status"], "pending");
    assert_eq!(env.status_of(id).await, "removing");
    let again = env
        .post("/access_codes/delete", json!({ "access_code_id": id }))
        .await;
    assert_eq!(again.status, 404);

    env.advance_secs(2).await;
    let gone = env
        .post("/access_codes/get", json!({ "access_code_id": id }))
        .await;
    assert_eq!(gone.status, 404);
    let aid = attempt["action_attempt_id"].as_str().unwrap();
    assert_eq!(env.attempt(aid).await["status"], "success");
    let events = env.events_for(id).await;
    let deleted = events
        .iter()
        .find(|e| e["event_type"] == "access_code.deleted")
        .unwrap();
    assert_eq!(deleted["code"], "7777");
    assert_eq!(deleted["device_id"], "august_device_1");
    assert_eq!(
        events.last().unwrap()["event_type"],
        "access_code.removed_from_device"
    );
    // The PIN is free again.
    env.create(json!({ "device_id": "august_device_1", "code": "7777" }))
        .await;
}
