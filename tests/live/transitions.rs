//! Exact status transitions per filter, fed by webhooks and by polling.

use std::time::Duration;

use serde_json::json;

use crate::support::{Feed, TestGateway, WsSub, KEY_1};

const QUIET: Duration = Duration::from_millis(300);

/// Create, set, delete, remove on `august_device_1`, watched by device and by code.
async fn lifecycle_by_device_and_code(feed: Feed) -> TestGateway {
    let live = TestGateway::fed(feed).await;
    let url = live.ws_url();
    let mut by_device =
        WsSub::subscribe(&url, Some(KEY_1), json!({ "d": "august_device_1" })).await;
    let mut other_device =
        WsSub::subscribe(&url, Some(KEY_1), json!({ "d": "august_device_2" })).await;
    live.wait_for_subscribers(2).await;

    let id = live.create_code(KEY_1, "august_device_1", "Guest").await;
    let (created, c) = by_device.next_change().await;
    assert_eq!(created, "access_code.created null->SETTING");
    assert_eq!(c["accessCodeId"], id.as_str());
    assert_eq!(c["deviceId"], "august_device_1");
    assert_eq!(c["accessCode"]["id"], id.as_str());
    assert_eq!(c["accessCode"]["device"]["id"], "august_device_1");
    assert!(c["occurredAt"].as_str().is_some_and(|t| t.ends_with('Z')));

    let mut by_code = WsSub::subscribe(&url, None, json!({ "a": id })).await;
    live.wait_for_subscribers(3).await;

    live.advance(2).await;
    let expected_set = ["access_code.set_on_device SETTING->SET"];
    assert_eq!(by_device.changes(1).await, expected_set);
    let (set, c) = by_code.next_change().await;
    assert_eq!(set, expected_set[0]);
    assert_eq!(c["accessCode"]["status"], "SET");

    live.delete_code(KEY_1, &id).await;
    live.advance(2).await;
    let expected_end = [
        "access_code.deleted SET->REMOVING",
        "access_code.removed_from_device REMOVING->UNSET",
    ];
    assert_eq!(by_device.changes(2).await, expected_end);
    let (deleted, _) = by_code.next_change().await;
    let (removed, c) = by_code.next_change().await;
    assert_eq!([deleted, removed], expected_end);
    assert!(c["accessCode"].is_null(), "the code is gone: {c:#}");
    assert_eq!(c["accessCodeId"], id.as_str());

    other_device.expect_silence(QUIET).await;
    by_code.expect_silence(QUIET).await;
    live
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_stream_exact_transitions_by_device_and_code_via_webhooks() {
    let live = lifecycle_by_device_and_code(Feed::Webhooks).await;
    // Webhooks were fresh all along: one `events/list` to skip history, no polling.
    assert!(
        live.sandbox
            .calls()
            .get("/events/list")
            .copied()
            .unwrap_or(0)
            <= 1,
        "{:?}",
        live.sandbox.calls()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_stream_exact_transitions_by_device_and_code_via_polling() {
    let live = lifecycle_by_device_and_code(Feed::Polling).await;
    assert!(
        live.sandbox
            .calls()
            .get("/events/list")
            .copied()
            .unwrap_or(0)
            > 2
    );
}

async fn linked_codes_by_common_code_key(feed: Feed) {
    let live = TestGateway::fed(feed).await;
    let url = live.ws_url();
    let mut all = WsSub::subscribe(&url, Some(KEY_1), json!({})).await;
    live.wait_for_subscribers(1).await;
    let data = live
        .data_as(
            KEY_1,
            "mutation($input: CreateLinkedAccessCodesInput!) { createLinkedAccessCodes(input: $input) { commonCodeKey accessCodes { id } } }",
            json!({ "input": { "deviceIds": ["august_device_1", "august_device_2"], "name": "Cleaner" } }),
        )
        .await;
    let key = data["createLinkedAccessCodes"]["commonCodeKey"]
        .as_str()
        .expect("a common code key")
        .to_owned();
    let mut created = all.changes(2).await;
    created.sort();
    assert_eq!(created, ["access_code.created null->SETTING"; 2]);

    let mut by_key = WsSub::subscribe(&url, Some(KEY_1), json!({ "k": key })).await;
    let mut by_key_and_device = WsSub::subscribe(
        &url,
        Some(KEY_1),
        json!({ "k": key, "d": "august_device_2" }),
    )
    .await;
    let mut other_key = WsSub::subscribe(&url, Some(KEY_1), json!({ "k": "no_such_key" })).await;
    live.wait_for_subscribers(4).await;
    // An unlinked code on the same device: not for the key's subscribers.
    live.create_code(KEY_1, "august_device_1", "Unlinked").await;
    assert_eq!(all.changes(1).await, ["access_code.created null->SETTING"]);

    live.advance(2).await;
    let mut seen = Vec::new();
    for _ in 0..2 {
        let (summary, c) = by_key.next_change().await;
        assert_eq!(summary, "access_code.set_on_device SETTING->SET");
        assert_eq!(c["accessCode"]["commonCodeKey"], key.as_str());
        seen.push(c["deviceId"].as_str().unwrap_or_default().to_owned());
    }
    seen.sort();
    assert_eq!(seen, ["august_device_1", "august_device_2"]);
    let (summary, c) = by_key_and_device.next_change().await;
    assert_eq!(summary, "access_code.set_on_device SETTING->SET");
    assert_eq!(c["deviceId"], "august_device_2");
    assert_eq!(all.changes(3).await.len(), 3);
    by_key.expect_silence(QUIET).await;
    by_key_and_device.expect_silence(Duration::ZERO).await;
    other_key.expect_silence(Duration::ZERO).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_filter_by_common_code_key_via_webhooks() {
    linked_codes_by_common_code_key(Feed::Webhooks).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_filter_by_common_code_key_via_polling() {
    linked_codes_by_common_code_key(Feed::Polling).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_report_failures_and_delays_with_errors_and_warnings() {
    let live = TestGateway::fed(Feed::Webhooks).await;
    let url = live.ws_url();
    let mut flaky = WsSub::subscribe(&url, Some(KEY_1), json!({ "d": "ws1_lock_flaky" })).await;
    let mut offline =
        WsSub::subscribe(&url, Some(KEY_1), json!({ "d": "harness_lock_offline" })).await;
    live.wait_for_subscribers(2).await;
    live.create_code(KEY_1, "ws1_lock_flaky", "Flaky").await;
    live.create_code(KEY_1, "harness_lock_offline", "Offline")
        .await;
    assert_eq!(
        flaky.changes(1).await,
        ["access_code.created null->SETTING"]
    );
    assert_eq!(
        offline.changes(1).await,
        ["access_code.created null->SETTING"]
    );

    live.advance(2).await;
    let (failed, c) = flaky.next_change().await;
    assert_eq!(
        failed,
        "access_code.failed_to_set_on_device SETTING->SETTING"
    );
    assert_eq!(
        c["errors"][0]["errorCode"], "failed_to_set_on_device",
        "{c:#}"
    );
    let (delayed, c) = offline.next_change().await;
    assert_eq!(
        delayed,
        "access_code.delay_in_setting_on_device SETTING->SETTING"
    );
    assert_eq!(
        c["warnings"][0]["warningCode"], "delay_in_setting_on_device",
        "{c:#}"
    );

    live.advance(2).await;
    let (set, c) = flaky.next_change().await;
    assert_eq!(set, "access_code.set_on_device SETTING->SET");
    assert_eq!(c["errors"], json!([]));
    offline.expect_silence(QUIET).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_serve_the_legacy_graphql_ws_protocol() {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;

    let live = TestGateway::fed(Feed::Webhooks).await;
    let mut request = live.ws_url().into_client_request().expect("url");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-ws".parse().expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connects");
    let send = |v: serde_json::Value| Message::Text(v.to_string().into());
    ws.send(send(
        json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {KEY_1}")}}),
    ))
    .await
    .expect("init");
    ws.send(send(
        json!({"id": "7", "type": "start", "payload": {"query": crate::support::SUBSCRIPTION}}),
    ))
    .await
    .expect("start");
    live.wait_for_subscribers(1).await;
    live.create_code(KEY_1, "august_device_1", "Legacy").await;
    let data = loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a message")
            .expect("open")
            .expect("ok");
        let Message::Text(t) = msg else { continue };
        let v: serde_json::Value = serde_json::from_str(t.as_str()).expect("json");
        if v["type"] == "data" {
            break v;
        }
    };
    assert_eq!(data["id"], "7");
    let c = &data["payload"]["data"]["accessCodeStatusChanged"];
    assert_eq!(c["eventType"], "access_code.created");
    assert_eq!(c["status"], "SETTING");
}
