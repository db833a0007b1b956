//! Keys and PINs never go into Redis in clear; a subscriber still gets the PIN it asks for.

use serde_json::json;

use crate::support::cluster::Cluster;
use crate::support::{Feed, WsSub, KEY_1};

const PIN: &str = "739164";

/// Everything Redis holds, as text: every key with its value (strings, hashes, streams).
pub fn dump(c: &Cluster) -> String {
    let mut out = String::new();
    for key in c.redis.cli(&["--scan"]).lines().filter(|k| !k.is_empty()) {
        out.push_str(key);
        out.push('\n');
        let value = match c.redis.cli(&["TYPE", key]).trim() {
            "string" => c.redis.cli(&["GET", key]),
            "hash" => c.redis.cli(&["HGETALL", key]),
            "stream" => c.redis.cli(&["XRANGE", key, "-", "+"]),
            other => format!("({other})"),
        };
        out.push_str(&value);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pins_and_keys_should_never_reach_redis_yet_a_subscriber_should_get_its_pin() {
    let c = Cluster::start(2, Feed::Webhooks, |_| {}).await;
    let mut on_b = WsSub::connect(&c.ws_url(1), Some(KEY_1)).await;
    on_b.send(json!({
        "id": "1",
        "type": "subscribe",
        "payload": { "query": "subscription { accessCodeStatusChanged { eventType accessCode { id code } } }" }
    }))
    .await;
    c.wait_for_subscribers(1, 1).await;
    c.data_as(
        0,
        KEY_1,
        "mutation($input: CreateAccessCodeInput!) { createAccessCode(input: $input) { accessCode { id } } }",
        json!({ "input": { "deviceId": "august_device_1", "name": "Guest", "code": PIN } }),
    )
    .await;
    let payload = on_b.next_payload().await;
    let change = &payload["data"]["accessCodeStatusChanged"];
    assert_eq!(change["eventType"], "access_code.created", "{payload:#}");
    assert_eq!(change["accessCode"]["code"], PIN, "{payload:#}");

    let redis = dump(&c);
    assert!(
        redis.contains(":changes"),
        "the change went through Redis: {redis}"
    );
    assert!(!redis.contains(PIN), "a PIN in Redis: {redis}");
    assert!(!redis.contains(KEY_1), "an API key in Redis: {redis}");
}
