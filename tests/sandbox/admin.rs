use serde_json::json;

use crate::{error_type, Env};

#[tokio::test]
async fn should_count_seam_calls_per_path_and_reset() {
    let env = Env::new().await;
    env.post("/devices/list", json!({})).await;
    env.post("/devices/list", json!({})).await;
    env.get("/devices/get?device_id=august_device_1").await;
    env.post_as(None, "/access_codes/list", json!({})).await;
    let calls = env.sb.calls();
    assert_eq!(calls["/devices/list"], 2);
    assert_eq!(calls["/devices/get"], 1);
    assert_eq!(calls["/access_codes/list"], 1);
    let over_http = env.send(env.client.get(env.url("/_sandbox/calls"))).await;
    assert_eq!(over_http.body["calls"]["/devices/list"], 2);
    assert!(over_http.body["calls"].get("/_sandbox/calls").is_none());
    env.send(env.client.post(env.url("/_sandbox/calls/reset")))
        .await;
    assert!(env.sb.calls().is_empty());
    env.post("/devices/list", json!({})).await;
    env.sb.reset_calls();
    assert!(env.sb.calls().is_empty());
}

#[tokio::test]
async fn should_answer_503_with_an_empty_body_during_an_outage() {
    let env = Env::new().await;
    let on = env
        .send(
            env.client
                .post(env.url("/_sandbox/outage"))
                .json(&json!({ "enabled": true })),
        )
        .await;
    assert_eq!(on.status, 200);
    let res = env.post("/devices/list", json!({})).await;
    assert_eq!(res.status, 503);
    assert_eq!(res.body, json!(""));
    env.sb.set_outage(false);
    assert_eq!(env.post("/devices/list", json!({})).await.status, 200);
}

#[tokio::test]
async fn should_remove_a_device_but_keep_its_codes() {
    let env = Env::new().await;
    let ac = env.create(json!({ "device_id": "august_device_2" })).await;
    let res = env
        .send(
            env.client
                .post(env.url("/_sandbox/devices/remove"))
                .json(&json!({ "device_id": "august_device_2" })),
        )
        .await;
    assert_eq!(res.status, 200);
    let dev = env
        .post("/devices/get", json!({ "device_id": "august_device_2" }))
        .await;
    assert_eq!(error_type(&dev), "device_not_found");
    let id = ac["access_code_id"].as_str().unwrap();
    assert_eq!(env.code(id).await["device_id"], "august_device_2");
    let list = env
        .post(
            "/access_codes/list",
            json!({ "device_id": "august_device_2" }),
        )
        .await;
    assert_eq!(error_type(&list), "device_not_found");
    let create = env
        .post(
            "/access_codes/create",
            json!({ "device_id": "august_device_2" }),
        )
        .await;
    assert_eq!(create.status, 404);
    assert!(!env.sb.remove_device("august_device_2"));
}

#[tokio::test]
async fn should_advance_the_manual_clock_over_http() {
    let env = Env::new().await;
    let ac = env.create(json!({ "device_id": "august_device_1" })).await;
    let before = env.sb.now();
    let res = env
        .send(
            env.client
                .post(env.url("/_sandbox/advance"))
                .json(&json!({ "seconds": 2 })),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(env.sb.now() - before, chrono::Duration::seconds(2));
    assert_eq!(
        env.status_of(ac["access_code_id"].as_str().unwrap()).await,
        "set"
    );
}
