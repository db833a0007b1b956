//! `device.*` webhooks drop the device from the gateway's cache, so the next read sees Seam's truth.

use std::time::Duration;

use serde_json::json;

use crate::support::{wait_until_async, Feed, TestGateway, WsSub, KEY_1};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_drop_a_cached_device_when_a_device_event_arrives() {
    let live = TestGateway::fed(Feed::SilentWebhooks).await;
    let secret = live.secret.clone().expect("secret");
    let query = "{ device(id: \"august_device_2\") { id } }";
    let r = live.data_as(KEY_1, query, json!({})).await;
    assert_eq!(r["device"]["id"], "august_device_2", "{r}");

    // The device vanishes upstream; within the TTL the cache still serves it.
    assert!(live.sandbox.remove_device("august_device_2"));
    let r = live.data_as(KEY_1, query, json!({})).await;
    assert_eq!(
        r["device"]["id"], "august_device_2",
        "served from cache: {r}"
    );

    let body = json!({
        "event_id": "7c1d2e3f-0000-4000-8000-000000000001",
        "event_type": "device.removed",
        "workspace_id": "seed_workspace_1",
        "device_id": "august_device_2",
        "created_at": "2030-01-01T00:00:00.000Z",
        "occurred_at": "2030-01-01T00:00:00.000Z"
    })
    .to_string();
    let ts = chrono::Utc::now().timestamp();
    let signature = seam_graphql::sandbox::sign_webhook(&secret, "msg_device_removed", ts, &body)
        .expect("signs");
    let status = live
        .post_webhook(
            &[
                ("svix-id", "msg_device_removed".into()),
                ("svix-timestamp", ts.to_string()),
                ("svix-signature", signature),
            ],
            &body,
        )
        .await;
    assert!((200..300).contains(&status), "{status}");

    // Well inside the 5 s TTL: only the event can have dropped the entry.
    wait_until_async(Duration::from_secs(2), || async {
        let r = live.gql_as(KEY_1, query, json!({})).await;
        r["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_drop_a_removed_device_through_the_sandbox_webhook_and_through_polling() {
    for feed in [Feed::Webhooks, Feed::Polling] {
        let live = TestGateway::fed(feed).await;
        // A subscriber makes the workspace live, so a gateway without webhooks polls it.
        let _sub = WsSub::subscribe(&live.ws_url(), Some(KEY_1), json!({})).await;
        live.wait_for_subscribers(1).await;
        let query = "{ device(id: \"schlage_device_id\") { id } }";
        assert_eq!(
            live.data_as(KEY_1, query, json!({})).await["device"]["id"],
            "schlage_device_id"
        );
        // The sandbox removes the device and emits `device.removed`, as Seam does.
        assert!(live.sandbox.remove_device("schlage_device_id"));
        wait_until_async(Duration::from_secs(2), || async {
            let r = live.gql_as(KEY_1, query, json!({})).await;
            r["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        })
        .await;
    }
}
