//! The `workspace` query, subscriptions from a workspace with no devices and no events, and the
//! webhook the gateway registers for itself (`--public-url`, and the default sandbox run).

use std::time::Duration;

use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::support::{config, data, start_sandbox, TestGateway, WsSub, KEY_1, KEY_2};
use seam_graphql::UpstreamTarget;

/// The seeded workspace with no devices and no events.
const KEY_3: &str = "seam_apikey3_token";

#[tokio::test]
async fn should_answer_each_keys_workspace() {
    let t = TestGateway::start().await;
    let query = "{ workspace { id name isSandbox isSuspended } }";
    for (key, id) in [
        (KEY_1, "seed_workspace_1"),
        (KEY_2, "seed_workspace_2"),
        (KEY_3, "seed_workspace_3"),
    ] {
        let r = t.data_as(key, query, json!({})).await;
        assert_eq!(r["workspace"]["id"], id);
        assert_eq!(r["workspace"]["isSandbox"], true);
    }
    let r = t.gql_as("unknown_key", query, json!({})).await;
    assert_eq!(crate::support::error_codes(&r), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn should_let_a_workspace_without_devices_or_events_subscribe() {
    let t = TestGateway::start().await;
    let devices = t
        .data_as(KEY_3, "{ devices { nodes { id } } }", json!({}))
        .await;
    assert_eq!(
        devices["devices"]["nodes"],
        json!([]),
        "the workspace is empty"
    );
    let mut sub = WsSub::subscribe(&t.ws_url(), Some(KEY_3), json!({})).await;
    t.wait_for_subscribers(1).await;
    sub.expect_silence(Duration::from_millis(200)).await;
    assert!(t.upstream_count("/workspaces/get") >= 1);
}

/// The sandbox's webhook registrations of workspace 1.
async fn registrations(base_url: &str) -> Vec<Value> {
    let res: Value = reqwest::Client::new()
        .post(format!("{base_url}/webhooks/list"))
        .bearer_auth(KEY_1)
        .json(&json!({}))
        .send()
        .await
        .expect("sandbox answers")
        .json()
        .await
        .expect("json");
    res["webhooks"].as_array().expect("webhooks").clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_register_its_webhook_once_and_receive_deliveries_signed_with_seams_secret() {
    let sandbox = start_sandbox().await;
    let upstream = UpstreamTarget {
        base_url: sandbox.base_url(),
        default_key: Some(KEY_1.into()),
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let public_url = format!("http://{}/", listener.local_addr().expect("addr"));
    let url = seam_graphql::public_webhook_url(&public_url);
    let mut config = config();
    let secret = seam_graphql::register_webhook(&config, &upstream, &url)
        .await
        .expect("registers");
    assert!(
        secret.starts_with("whsec_"),
        "the secret comes from Seam's answer"
    );
    // A restart finds its registration instead of adding another.
    let again = seam_graphql::register_webhook(&config, &upstream, &url)
        .await
        .expect("registers again");
    assert_eq!(again, secret);
    let hooks = registrations(&sandbox.base_url()).await;
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert_eq!(hooks[0]["url"], json!(url));
    let types: Vec<&str> = hooks[0]["event_types"]
        .as_array()
        .expect("types")
        .iter()
        .map(|t| t.as_str().expect("type"))
        .collect();
    assert!(types.contains(&"access_code.set_on_device"), "{types:?}");
    assert!(types.contains(&"device.removed"), "{types:?}");
    assert!(
        !types.contains(&"*"),
        "only the types the gateway uses: {types:?}"
    );

    config.webhook_secret = Some(secret);
    // Slow polling: a change that arrives quickly came by webhook.
    config.poll_interval_ms = 60_000;
    let gateway = seam_graphql::serve(&config, listener, upstream)
        .await
        .expect("gateway starts");
    let http = reqwest::Client::new();
    let graphql = format!("http://{}/graphql", gateway.addr());
    let ws = format!("ws://{}/graphql/ws", gateway.addr());
    let mut sub = WsSub::subscribe(&ws, Some(KEY_1), json!({})).await;
    crate::support::wait_until(|| gateway.live_subscribers() == 1, "subscriber").await;
    let r = crate::support::post_graphql(
        &http,
        &graphql,
        None,
        "mutation { createAccessCode(input: {deviceId: \"august_device_1\", name: \"hooked\"}) { accessCode { id } } }",
        json!({}),
    )
    .await;
    let id = data(&r)["createAccessCode"]["accessCode"]["id"].clone();
    let change = tokio::time::timeout(Duration::from_secs(5), sub.next_payload())
        .await
        .expect("a webhook delivered the change");
    assert_eq!(
        change["data"]["accessCodeStatusChanged"]["accessCodeId"], id,
        "{change}"
    );
}
