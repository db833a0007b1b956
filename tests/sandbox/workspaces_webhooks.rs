//! `/workspaces/get` and the `/webhooks/*` registrations, whose events the sandbox signs with the
//! registration's own secret and delivers.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::{error_type, Env, KEY1, KEY2};

#[tokio::test]
async fn should_answer_the_keys_workspace() {
    let env = Env::new().await;
    for (key, id) in [
        (KEY1, "seed_workspace_1"),
        (KEY2, "seed_workspace_2"),
        ("seam_apikey3_token", "seed_workspace_3"),
    ] {
        let res = env.post_as(Some(key), "/workspaces/get", json!({})).await;
        assert_eq!(res.status, 200);
        assert_eq!(res.body["workspace"]["workspace_id"], id);
        assert_eq!(res.body["workspace"]["is_sandbox"], true);
        for field in [
            "name",
            "company_name",
            "connect_webview_customization",
            "is_suspended",
            "is_publishable_key_auth_enabled",
            "organization_id",
        ] {
            assert!(res.body["workspace"].get(field).is_some(), "{field}");
        }
    }
    let res = env.post_as(None, "/workspaces/get", json!({})).await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn should_keep_webhook_registrations_per_workspace() {
    let env = Env::new().await;
    let created = env
        .post(
            "/webhooks/create",
            json!({ "url": "http://127.0.0.1:9/hook", "event_types": ["access_code.created"] }),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let hook = &created.body["webhook"];
    assert!(hook["secret"].as_str().unwrap().starts_with("whsec_"));
    let id = hook["webhook_id"].as_str().unwrap();
    let all = env
        .post(
            "/webhooks/create",
            json!({ "url": "http://127.0.0.1:9/all" }),
        )
        .await;
    assert_eq!(
        all.body["webhook"]["event_types"],
        json!(["*"]),
        "every type by default"
    );

    let list = env.post("/webhooks/list", json!({})).await;
    assert_eq!(list.body["webhooks"].as_array().unwrap().len(), 2);
    let other = env.post_as(Some(KEY2), "/webhooks/list", json!({})).await;
    assert_eq!(other.body["webhooks"], json!([]));
    let same_url = env
        .post_as(
            Some(KEY2),
            "/webhooks/create",
            json!({ "url": "http://127.0.0.1:9/hook" }),
        )
        .await;
    assert_eq!(
        same_url.body["webhook"]["secret"], hook["secret"],
        "one URL, one secret"
    );
    assert_ne!(all.body["webhook"]["secret"], hook["secret"]);
    let got = env.post("/webhooks/get", json!({ "webhook_id": id })).await;
    assert_eq!(got.body["webhook"]["secret"], hook["secret"]);
    let updated = env
        .post(
            "/webhooks/update",
            json!({ "webhook_id": id, "event_types": ["access_code.deleted"] }),
        )
        .await;
    assert_eq!(updated.status, 200);
    let got = env.post("/webhooks/get", json!({ "webhook_id": id })).await;
    assert_eq!(
        got.body["webhook"]["event_types"],
        json!(["access_code.deleted"])
    );
    let deleted = env
        .post("/webhooks/delete", json!({ "webhook_id": id }))
        .await;
    assert_eq!(deleted.status, 200);
    let gone = env.post("/webhooks/get", json!({ "webhook_id": id })).await;
    assert_eq!((gone.status, error_type(&gone)), (404, "webhook_not_found"));
    let bad = env
        .post("/webhooks/create", json!({ "url": "not a url" }))
        .await;
    assert_eq!((bad.status, error_type(&bad)), (400, "invalid_input"));
}

/// A receiver that records each delivery's body and whether its signature verifies with `secret`.
async fn receiver() -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let sink = seen.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            async move {
                let signature = headers
                    .get("svix-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                let id = headers
                    .get("svix-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                let ts = headers
                    .get("svix-timestamp")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                let body = String::from_utf8_lossy(&body).into_owned();
                let signed = format!("{id}|{ts}|{signature}");
                sink.lock().unwrap().push((body, signed));
                "ok"
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

#[tokio::test]
async fn should_deliver_only_the_registered_types_of_the_registering_workspace() {
    let env = Env::new().await;
    let (url, seen) = receiver().await;
    let created = env
        .post(
            "/webhooks/create",
            json!({ "url": url, "event_types": ["access_code.created"] }),
        )
        .await;
    let secret = created.body["webhook"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = env.create(json!({ "device_id": "august_device_1" })).await;
    env.advance_secs(5).await; // set_on_device etc.: not registered
    env.post_as(
        Some(KEY2),
        "/access_codes/create",
        json!({ "device_id": "ws2_front_door" }),
    )
    .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while seen.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let (body, signed) = &seen[0];
    let event: Value = serde_json::from_str(body).unwrap();
    assert_eq!(event["event_type"], "access_code.created");
    assert_eq!(event["access_code_id"], code["access_code_id"]);
    let mut parts = signed.splitn(3, '|');
    let (id, ts, signature) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let expected =
        seam_graphql::sandbox::sign_webhook(&secret, id, ts.parse().unwrap(), body).unwrap();
    assert_eq!(signature, expected, "signed with the registration's secret");
}
