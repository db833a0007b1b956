//! What replicas share besides live status: device cache invalidation, the linked-group index and
//! persisted query documents.

use std::time::Duration;

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::support::cluster::Cluster;
use crate::support::{wait_until_async, Feed, KEY_1};

const DEVICE: &str = "query($id: ID!) { device(id: $id) { id name } }";

fn device_reads(c: &Cluster, i: usize) -> u64 {
    let calls = c.replica(i).upstream_calls();
    calls.get("/devices/list").copied().unwrap_or(0)
        + calls.get("/devices/get").copied().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mutation_through_one_replica_should_send_the_others_next_read_upstream() {
    let c = Cluster::start(2, Feed::Polling, |cfg| cfg.device_cache_ttl_ms = 600_000).await;
    let vars = json!({ "id": "august_device_1" });
    c.data_as(1, KEY_1, DEVICE, vars.clone()).await;
    let cached = device_reads(&c, 1);
    c.data_as(1, KEY_1, DEVICE, vars.clone()).await;
    assert_eq!(
        device_reads(&c, 1),
        cached,
        "the second read is a cache hit"
    );

    c.create_code(0, "august_device_1", "Guest").await;
    wait_until_async(Duration::from_secs(5), || async {
        c.data_as(1, KEY_1, DEVICE, vars.clone()).await;
        device_reads(&c, 1) > cached
    })
    .await;
    assert_eq!(device_reads(&c, 1), cached + 1, "one read went upstream");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_event_delivered_to_one_replica_should_send_the_others_next_read_upstream() {
    let c = Cluster::start(2, Feed::Webhooks, |cfg| cfg.device_cache_ttl_ms = 600_000).await;
    let vars = json!({ "id": "schlage_device_id" });
    for i in 0..2 {
        c.data_as(i, KEY_1, DEVICE, vars.clone()).await;
    }
    let cached = [device_reads(&c, 0), device_reads(&c, 1)];
    for i in 0..2 {
        c.data_as(i, KEY_1, DEVICE, vars.clone()).await;
    }
    assert_eq!(
        [device_reads(&c, 0), device_reads(&c, 1)],
        cached,
        "second reads are cache hits"
    );

    // The sandbox removes the device and sends `device.removed` through the balancer, to one
    // replica only: the other can only learn of it through Redis.
    assert!(c.sandbox.remove_device("schlage_device_id"));
    let receiver = wait_for_delivery(&c, "device.removed").await;
    let other = 1 - receiver;
    wait_until_async(Duration::from_secs(2), || async {
        let r = c.gql_as(other, KEY_1, DEVICE, vars.clone()).await;
        r["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    })
    .await;
    assert_eq!(
        device_reads(&c, other),
        cached[other] + 1,
        "one read went upstream on the replica the event did not reach"
    );
    let deliveries: Vec<usize> = c
        .balancer
        .deliveries()
        .iter()
        .filter(|d| String::from_utf8_lossy(&d.body).contains("device.removed"))
        .map(|d| d.replica)
        .collect();
    assert_eq!(deliveries, [receiver], "delivered once, to one replica");
}

/// The replica the balancer passed the first delivery of `event_type` to.
async fn wait_for_delivery(c: &Cluster, event_type: &str) -> usize {
    let mut found = None;
    wait_until_async(Duration::from_secs(5), || {
        found = c
            .balancer
            .deliveries()
            .iter()
            .find(|d| String::from_utf8_lossy(&d.body).contains(event_type))
            .map(|d| d.replica);
        let done = found.is_some();
        async move { done }
    })
    .await;
    found.expect("delivered")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_created_through_one_replica_should_cost_the_other_one_list_call() {
    let c = Cluster::start(2, Feed::Polling, |_| {}).await;
    let data = c
        .data_as(
            0,
            KEY_1,
            "mutation($input: CreateLinkedAccessCodesInput!) { createLinkedAccessCodes(input: $input) { commonCodeKey } }",
            json!({ "input": { "deviceIds": ["august_device_1", "august_device_2"], "name": "Cleaner" } }),
        )
        .await;
    let key = data["createLinkedAccessCodes"]["commonCodeKey"]
        .as_str()
        .expect("key")
        .to_owned();
    let before = c.replica(1).upstream_calls();
    let group = c
        .data_as(
            1,
            KEY_1,
            "query($k: String!) { linkedCodeGroup(commonCodeKey: $k) { accessCodes { deviceId } } }",
            json!({ "k": key }),
        )
        .await;
    assert_eq!(
        group["linkedCodeGroup"]["accessCodes"]
            .as_array()
            .expect("codes")
            .len(),
        2
    );
    let after = c.replica(1).upstream_calls();
    let delta =
        |path: &str| after.get(path).copied().unwrap_or(0) - before.get(path).copied().unwrap_or(0);
    assert_eq!(delta("/access_codes/list"), 1, "{before:?} -> {after:?}");
    assert_eq!(
        delta("/devices/list"),
        0,
        "no scan: {before:?} -> {after:?}"
    );
}

/// Apollo's persisted-query extension for `query`.
fn persisted(query: &str) -> serde_json::Value {
    let hash: String = Sha256::digest(query.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

/// POSTs a GraphQL request `body` to replica `i` as `KEY_1`; the whole response.
async fn post_as_key_1(
    http: &reqwest::Client,
    c: &Cluster,
    i: usize,
    body: serde_json::Value,
) -> serde_json::Value {
    http.post(format!("http://{}/graphql", c.replica(i).addr()))
        .bearer_auth(KEY_1)
        .json(&body)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hash_only_query_should_find_on_one_replica_the_document_sent_to_another() {
    let c = Cluster::start(2, Feed::Polling, |_| {}).await;
    let query = "{ devices(first: 1) { edges { node { id } } } }";
    let http = reqwest::Client::new();
    let extensions = persisted(query);
    let first = post_as_key_1(
        &http,
        &c,
        0,
        json!({ "query": query, "extensions": extensions }),
    )
    .await;
    assert!(first.get("errors").is_none(), "{first}");
    let by_hash: serde_json::Value = http
        .get(format!("http://{}/graphql", c.replica(1).addr()))
        .bearer_auth(KEY_1)
        .header("accept", "application/json")
        .query(&[("extensions", extensions.to_string())])
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    assert_eq!(by_hash["data"], first["data"], "{by_hash}");
}

/// Anyone may send new documents: Redis keeps the newest `--redis-max-documents` of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_keep_only_the_newest_documents_in_redis_beyond_the_cap() {
    let c = Cluster::start(2, Feed::Polling, |config| config.redis_max_documents = 5).await;
    let documents: Vec<String> = (0..8)
        .map(|i| format!("{{ devices(first: 1) {{ edges {{ node {{ id }} }} }} }} # {i}"))
        .collect();
    let http = reqwest::Client::new();
    for query in &documents {
        let sent = post_as_key_1(
            &http,
            &c,
            0,
            json!({ "query": query, "extensions": persisted(query) }),
        )
        .await;
        assert!(sent.get("errors").is_none(), "{sent}");
    }
    let mut found = Vec::new();
    for (i, query) in documents.iter().enumerate() {
        let by_hash = post_as_key_1(&http, &c, 1, json!({ "extensions": persisted(query) })).await;
        if by_hash.get("errors").is_none() {
            found.push(i);
        }
    }
    assert_eq!(
        found,
        [3, 4, 5, 6, 7],
        "the newest five, on the other replica"
    );
}
