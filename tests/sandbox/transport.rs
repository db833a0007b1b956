use serde_json::json;

use crate::{error_type, Env, KEY1};

#[tokio::test]
async fn should_answer_seam_auth_errors() {
    let env = Env::new().await;
    let none = env.post_as(None, "/devices/list", json!({})).await;
    assert_eq!(none.status, 401);
    assert_eq!(none.body["error"]["message"], "No Authorization header");
    let wrong = env
        .post_as(Some("seam_wrong_key"), "/devices/list", json!({}))
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(error_type(&wrong), "unauthorized");
    assert_eq!(wrong.body["error"]["message"], "API Key not found");
    let basic = env
        .send(
            env.client
                .post(env.url("/devices/list"))
                .header("authorization", "Basic abc")
                .json(&json!({})),
        )
        .await;
    assert_eq!(basic.status, 401);
    assert_eq!(basic.body["error"]["message"], "No token provided");
    let create = env
        .post_as(
            None,
            "/access_codes/create",
            json!({ "device_id": "august_device_1" }),
        )
        .await;
    assert_eq!(create.status, 401);
}

#[tokio::test]
async fn should_answer_transport_errors_like_seam() {
    let env = Env::new().await;
    let bad_json = env
        .send(
            env.client
                .post(env.url("/access_codes/create"))
                .bearer_auth(KEY1)
                .header("content-type", "application/json")
                .body("{\"device_id\":"),
        )
        .await;
    assert_eq!(bad_json.status, 400);
    assert_eq!(bad_json.body, json!("Invalid JSON"));
    assert!(!bad_json.headers.contains_key("content-type"));

    let no_ct = env
        .send(
            env.client
                .post(env.url("/access_codes/create"))
                .bearer_auth(KEY1)
                .body("{\"device_id\":\"august_device_1\"}"),
        )
        .await;
    assert_eq!(no_ct.status, 400);
    assert_eq!(error_type(&no_ct), "invalid_content_type");

    let via_get = env
        .get("/access_codes/create?device_id=august_device_1")
        .await;
    assert_eq!(via_get.status, 405);
    assert_eq!(error_type(&via_get), "method_not_allowed");
    assert_eq!(via_get.body["error"]["message"], "only POST accepted");

    let unknown = env.post("/no_such_route", json!({})).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body, json!("404"));
    assert!(!unknown.headers.contains_key("seam-request-id"));

    let ok = env.post("/devices/list", json!({})).await;
    assert_eq!(
        ok.headers["content-type"],
        "application/json; charset=utf-8"
    );
    assert!(ok.headers.contains_key("seam-request-id"));

    let http_delete = env
        .send(
            env.client
                .delete(env.url("/access_codes/delete"))
                .bearer_auth(KEY1)
                .json(&json!({ "access_code_id": "nope" })),
        )
        .await;
    assert_eq!(error_type(&http_delete), "access_code_not_found");

    let dropped_keys = env
        .post(
            "/access_codes/create",
            json!({ "device_id": "august_device_1", "behavior_when_code_cannot_share": "x", "sync": true }),
        )
        .await;
    assert_eq!(dropped_keys.status, 200);
}
