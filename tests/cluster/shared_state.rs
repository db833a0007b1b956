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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hash_only_query_should_find_on_one_replica_the_document_sent_to_another() {
    let c = Cluster::start(2, Feed::Polling, |_| {}).await;
    let query = "{ devices(first: 1) { edges { node { id } } } }";
    let hash: String = Sha256::digest(query.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let http = reqwest::Client::new();
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let first: serde_json::Value = http
        .post(format!("http://{}/graphql", c.replica(0).addr()))
        .bearer_auth(KEY_1)
        .json(&json!({ "query": query, "extensions": extensions }))
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
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
