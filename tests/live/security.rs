//! Only verified, first-time deliveries count, and workspaces never see each other's codes.

use std::time::Duration;

use serde_json::json;

use crate::support::{Feed, TestGateway, WsSub, KEY_1, KEY_2};

const QUIET: Duration = Duration::from_millis(400);

fn signed(secret: &str, msg_id: &str, ts: i64, body: &str) -> Vec<(&'static str, String)> {
    let signature = seam_graphql::sandbox::sign_webhook(secret, msg_id, ts, body).expect("signs");
    vec![
        ("svix-id", msg_id.to_owned()),
        ("svix-timestamp", ts.to_string()),
        ("svix-signature", signature),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_ignore_forged_tampered_stale_and_replayed_webhooks() {
    // The gateway has a secret; the sandbox delivers nothing, so only the posts below arrive.
    let live = TestGateway::fed(Feed::SilentWebhooks).await;
    let secret = live.secret.clone().expect("secret");
    let mut sub = WsSub::subscribe(&live.ws_url(), Some(KEY_1), json!({})).await;
    live.wait_for_subscribers(1).await;
    let id = live.create_code(KEY_1, "august_device_1", "Guest").await;
    let body = json!({
        "event_id": uuid::Uuid::new_v4().to_string(),
        "event_type": "access_code.set_on_device",
        "workspace_id": "seed_workspace_1",
        "device_id": "august_device_1",
        "access_code_id": id,
        "code": "1234",
        "occurred_at": "2030-01-01T00:00:00.000Z",
    })
    .to_string();
    let now = chrono::Utc::now().timestamp();

    assert_eq!(live.post_webhook(&[], &body).await, 401, "unsigned");
    let forged = seam_graphql::generate_webhook_secret();
    assert_eq!(
        live.post_webhook(&signed(&forged, "msg_1", now, &body), &body)
            .await,
        401,
        "signed with another secret"
    );
    let tampered = body.replace("set_on_device", "removed_from_device");
    assert_eq!(
        live.post_webhook(&signed(&secret, "msg_1", now, &body), &tampered)
            .await,
        401,
        "tampered body"
    );
    assert_eq!(
        live.post_webhook(&signed(&secret, "msg_1", now - 301, &body), &body)
            .await,
        401,
        "stale"
    );
    assert_eq!(
        live.post_webhook(&signed(&secret, "msg_1", now + 301, &body), &body)
            .await,
        401,
        "from the future"
    );
    let not_an_event = r#"{"hello":"world"}"#;
    assert_eq!(
        live.post_webhook(&signed(&secret, "msg_2", now, not_an_event), not_an_event)
            .await,
        400,
        "signed but not an event"
    );
    sub.expect_silence(QUIET).await;

    let headers = signed(&secret, "msg_1", now, &body);
    assert_eq!(live.post_webhook(&headers, &body).await, 200);
    let (summary, c) = sub.next_change().await;
    assert_eq!(summary, "access_code.set_on_device null->SET");
    assert_eq!(c["occurredAt"], "2030-01-01T00:00:00.000Z");

    // The same delivery again, and the same event under another message id and header family.
    assert_eq!(live.post_webhook(&headers, &body).await, 200);
    let again: Vec<(&str, String)> = signed(&secret, "msg_3", now, &body)
        .into_iter()
        .map(|(k, v)| (k.replacen("svix-", "webhook-", 1), v))
        .map(|(k, v)| {
            (
                if k.ends_with("id") {
                    "Webhook-Id"
                } else if k.ends_with("timestamp") {
                    "WEBHOOK-TIMESTAMP"
                } else {
                    "webhook-signature"
                },
                v,
            )
        })
        .collect();
    assert_eq!(live.post_webhook(&again, &body).await, 200);
    sub.expect_silence(QUIET).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_refuse_webhooks_without_a_secret() {
    let live = TestGateway::fed(Feed::Polling).await;
    let body = r#"{"event_id":"e1","event_type":"access_code.set_on_device"}"#;
    assert_eq!(live.post_webhook(&[], body).await, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_not_deliver_another_workspaces_changes() {
    let live = TestGateway::fed(Feed::Webhooks).await;
    let url = live.ws_url();
    let mut ws1 = WsSub::subscribe(&url, Some(KEY_1), json!({})).await;
    let mut ws2 = WsSub::subscribe(&url, Some(KEY_2), json!({})).await;
    // Even naming a workspace-1 device, a workspace-2 subscriber gets nothing from it.
    let mut ws2_prying =
        WsSub::subscribe(&url, Some(KEY_2), json!({ "d": "august_device_1" })).await;
    live.wait_for_subscribers(3).await;
    assert_eq!(live.gateway.live_workspaces(), 2);

    live.create_code(KEY_1, "august_device_1", "Guest").await;
    live.advance(2).await;
    assert_eq!(
        ws1.changes(2).await,
        [
            "access_code.created null->SETTING",
            "access_code.set_on_device SETTING->SET"
        ]
    );
    ws2.expect_silence(QUIET).await;
    ws2_prying.expect_silence(Duration::ZERO).await;

    live.create_code(KEY_2, "ws2_front_door", "Other").await;
    let (summary, c) = ws2.next_change().await;
    assert_eq!(summary, "access_code.created null->SETTING");
    assert_eq!(c["deviceId"], "ws2_front_door");
    ws1.expect_silence(QUIET).await;
    ws2_prying.expect_silence(Duration::ZERO).await;
}

/// A fresh status event about `code_id`, as Seam would deliver it.
fn status_event(event_type: &str, workspace_id: &str, device_id: &str, code_id: &str) -> String {
    json!({
        "event_id": uuid::Uuid::new_v4().to_string(),
        "event_type": event_type,
        "workspace_id": workspace_id,
        "device_id": device_id,
        "access_code_id": code_id,
        "occurred_at": "2030-01-01T00:00:00.000Z",
    })
    .to_string()
}

/// Posts `body` correctly signed; asserts the gateway took it.
async fn deliver(live: &TestGateway, body: &str) {
    let secret = live.secret.clone().expect("secret");
    let msg_id = format!("msg_{}", uuid::Uuid::new_v4());
    let headers = signed(&secret, &msg_id, chrono::Utc::now().timestamp(), body);
    assert_eq!(live.post_webhook(&headers, body).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_not_deliver_a_signed_webhook_to_the_workspace_it_claims_but_cannot_prove() {
    let live = TestGateway::fed(Feed::SilentWebhooks).await;
    let url = live.ws_url();
    let mut ws1 = WsSub::subscribe(&url, Some(KEY_1), json!({})).await;
    live.wait_for_subscribers(1).await;
    let id = live.create_code(KEY_1, "august_device_1", "Guest").await;
    let ws1_event =
        |event_type| status_event(event_type, "seed_workspace_1", "august_device_1", &id);
    deliver(&live, &ws1_event("access_code.created")).await;
    assert_eq!(ws1.changes(1).await, ["access_code.created null->SETTING"]);

    let mut ws2 = WsSub::subscribe(&url, Some(KEY_2), json!({})).await;
    live.wait_for_subscribers(2).await;
    // Labelled workspace 2, about workspace 1's code and lock: key 2 reads neither.
    for event_type in [
        "access_code.set_on_device",
        "access_code.deleted",
        "access_code.removed_from_device",
    ] {
        deliver(
            &live,
            &status_event(event_type, "seed_workspace_2", "august_device_1", &id),
        )
        .await;
    }
    ws2.expect_silence(QUIET).await;
    ws1.expect_silence(Duration::ZERO).await;

    // Workspace 1 still gets its own events, its history untouched by the forgeries.
    deliver(&live, &ws1_event("access_code.set_on_device")).await;
    assert_eq!(
        ws1.changes(1).await,
        ["access_code.set_on_device SETTING->SET"]
    );
    ws2.expect_silence(QUIET).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_close_a_connection_with_a_malformed_authorization() {
    let live = TestGateway::fed(Feed::Polling).await;
    let mut sub = WsSub::connect_raw(&live.ws_url()).await;
    sub.send(json!({ "type": "connection_init", "payload": { "authorization": "Token nope" } }))
        .await;
    let answer = sub.recv(Duration::from_secs(5)).await;
    assert!(
        answer.is_none(),
        "expected the connection to close, got {answer:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_answer_unauthenticated_for_a_key_seam_rejects() {
    let live = TestGateway::fed(Feed::Polling).await;
    let mut sub = WsSub::subscribe(&live.ws_url(), Some("seam_not_a_key"), json!({})).await;
    let msg = sub.recv(Duration::from_secs(5)).await.expect("an answer");
    assert_eq!(msg["type"], "next", "{msg:#}");
    assert_eq!(
        msg["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{msg:#}"
    );
    let end = sub.recv(Duration::from_secs(5)).await.expect("complete");
    assert_eq!(end["type"], "complete", "{end:#}");
}
