//! `/action_attempts/get`.

use serde_json::json;

use crate::{attempt_id, error_type, Env, KEY2};

#[tokio::test]
async fn should_serve_action_attempts_within_the_workspace() {
    let env = Env::new().await;
    let res = env
        .post(
            "/access_codes/create",
            json!({ "device_id": "august_device_1" }),
        )
        .await;
    let id = attempt_id(&res);
    let q = env
        .get(&format!("/action_attempts/get?action_attempt_id={id}"))
        .await;
    assert_eq!(q.body["action_attempt"]["status"], "pending");
    env.advance_secs(2).await;
    let done = env.attempt(&id).await;
    assert_eq!(done["status"], "success");
    assert!(done["error"].is_null());
    let other = env
        .post_as(
            Some(KEY2),
            "/action_attempts/get",
            json!({ "action_attempt_id": id }),
        )
        .await;
    assert_eq!(other.status, 404);
    let unknown = env
        .post(
            "/action_attempts/get",
            json!({ "action_attempt_id": "nope" }),
        )
        .await;
    assert_eq!(error_type(&unknown), "action_attempt_not_found");
    assert_eq!(unknown.body["error"]["data"]["action_attempt_id"], "nope");
}
