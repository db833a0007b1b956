//! Device lookups: batched per request, cached per tenant, invalidated by mutations.

use serde_json::{json, Value};

use crate::support::{config, data, error_codes, TestGateway, KEY_1, KEY_2};

/// Creates `n` codes spread over the workspace's online locks and returns their ids.
async fn create_codes(t: &TestGateway, n: usize) -> Vec<Value> {
    let devices = [
        "august_device_1",
        "august_device_2",
        "schlage_device_id",
        "harness_lock_4to8",
        "ws1_lock_native",
    ];
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let r = t
            .gql(
                "mutation($input: CreateAccessCodeInput!) { createAccessCode(input: $input) { accessCode { id } } }",
                json!({"input": {"deviceId": devices[i % devices.len()], "code": format!("{}", 100_000 + i), "name": format!("guest {i}")}}),
            )
            .await;
        ids.push(data(&r)["createAccessCode"]["accessCode"]["id"].clone());
    }
    ids
}

const PAGE: &str = "query($ids: [ID!]) { accessCodes(accessCodeIds: $ids, first: 500) { nodes { id device { displayName isOnline } } } }";

#[tokio::test]
async fn should_fetch_n_codes_with_their_devices_in_two_calls() {
    let mut cfg = config();
    cfg.device_cache_ttl_ms = 0;
    let t = TestGateway::start_with(cfg).await;
    let all = create_codes(&t, 100).await;
    for n in [1usize, 10, 100] {
        t.sandbox.reset_calls();
        let r = t.gql(PAGE, json!({"ids": &all[..n]})).await;
        let nodes = data(&r)["accessCodes"]["nodes"]
            .as_array()
            .expect("nodes")
            .clone();
        assert_eq!(nodes.len(), n);
        assert!(nodes.iter().all(|c| c["device"]["displayName"].is_string()));
        let calls = t.upstream();
        assert_eq!(calls.values().sum::<u64>(), 2, "N={n}: {calls:?}");
        assert_eq!(t.upstream_count("/devices/list"), 1, "N={n}");
    }
}

#[tokio::test]
async fn should_load_the_same_device_once_per_request_and_reuse_the_cache() {
    let t = TestGateway::start().await;
    t.sandbox.reset_calls();
    let q = "{ a: device(id: \"august_device_1\") { id } b: device(id: \"august_device_1\") { displayName } c: device(id: \"august_device_1\") { isOnline } }";
    data(&t.gql(q, json!({})).await);
    assert_eq!(t.upstream_count("/devices/list"), 1);
    assert_eq!(t.upstream().values().sum::<u64>(), 1);
    data(&t.gql(q, json!({})).await);
    assert_eq!(
        t.upstream_count("/devices/list"),
        1,
        "a repeat within the TTL is served from the cache"
    );
    // The gateway's own counters (served at /metrics) agree with what the sandbox received.
    assert_eq!(t.gateway.upstream_calls().get("/devices/list"), Some(&1));
}

#[tokio::test]
async fn should_never_share_cached_devices_between_keys() {
    let t = TestGateway::start().await;
    data(
        &t.gql("{ device(id: \"august_device_1\") { id } }", json!({}))
            .await,
    );
    t.sandbox.reset_calls();
    // The second key misses the first key's cache entry and gets only its own workspace.
    let r = t
        .gql_with(
            Some(&format!("Bearer {KEY_2}")),
            "{ device(id: \"august_device_1\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&r), ["NOT_FOUND"]);
    assert_eq!(t.upstream_count("/devices/list"), 1);
    let r = t
        .gql_with(
            Some(&format!("Bearer {KEY_2}")),
            "{ devices { nodes { id workspaceId } } }",
            json!({}),
        )
        .await;
    let nodes = data(&r)["devices"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    assert!(!nodes.is_empty());
    assert!(
        nodes.iter().all(|d| d["workspaceId"] == "seed_workspace_2"),
        "{nodes:?}"
    );
}

#[tokio::test]
async fn should_refetch_a_device_after_a_mutation_on_it() {
    let t = TestGateway::start().await;
    data(
        &t.gql("{ device(id: \"august_device_2\") { id } }", json!({}))
            .await,
    );
    let r = t
        .gql("mutation { createAccessCode(input: {deviceId: \"august_device_2\", code: \"5555\"}) { accessCode { id } } }", json!({}))
        .await;
    data(&r);
    t.sandbox.reset_calls();
    let r = t
        .gql(
            "{ device(id: \"august_device_2\") { accessCodes { nodes { code } } } }",
            json!({}),
        )
        .await;
    let codes = data(&r)["device"]["accessCodes"]["nodes"]
        .as_array()
        .expect("codes")
        .clone();
    assert!(codes.iter().any(|c| c["code"] == "5555"));
    assert_eq!(
        t.upstream_count("/devices/list"),
        1,
        "the mutation invalidated the cached device"
    );
}

#[tokio::test]
async fn should_null_only_the_missing_device() {
    let t = TestGateway::start().await;
    let r = t
        .gql("mutation { createAccessCode(input: {deviceId: \"schlage_device_id\", name: \"orphan\"}) { accessCode { id } } }", json!({}))
        .await;
    let id = data(&r)["createAccessCode"]["accessCode"]["id"].clone();
    assert!(t.sandbox.remove_device("schlage_device_id"));
    let r = t
        .gql(
            "query($id: ID!) { accessCode(id: $id) { name device { id } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(error_codes(&r), ["NOT_FOUND"]);
    assert_eq!(r["errors"][0]["path"], json!(["accessCode", "device"]));
    assert_eq!(r["data"]["accessCode"]["name"], "orphan");
    assert_eq!(r["data"]["accessCode"]["device"], json!(null));
}

#[tokio::test]
async fn should_share_one_upstream_call_between_concurrent_misses() {
    let t = TestGateway::start().await;
    t.sandbox.reset_calls();
    let q = "{ device(id: \"harness_lock_4to8\") { displayName } }";
    let requests = (0..20).map(|_| t.gql(q, json!({})));
    let responses = futures::future::join_all(requests).await;
    assert!(responses
        .iter()
        .all(|r| data(r)["device"]["displayName"].is_string()));
    assert_eq!(t.upstream_count("/devices/list"), 1, "{:?}", t.upstream());
}

/// Concurrent misses of one key are gathered into shared `devices/list` calls (per connection
/// lane); those of another key never join them, so neither sees the other's devices.
#[tokio::test]
async fn should_gather_concurrent_misses_per_key_and_never_across_keys() {
    let t = TestGateway::start().await;
    t.sandbox.reset_calls();
    let mine = [
        "august_device_1",
        "august_device_2",
        "schlage_device_id",
        "harness_lock_4to8",
        "ws1_lock_native",
    ];
    let theirs = [
        "ws2_front_door",
        "ws2_back_door",
        "ws2_garage",
        "ws2_side_gate",
        "ws2_patio",
    ];
    let q = "query($id: ID!) { device(id: $id) { id displayName } }";
    // Each key asks for its own devices and for the other's, all at once.
    let asks: Vec<(&str, &str, bool)> = mine
        .iter()
        .flat_map(|d| [(KEY_1, *d, true), (KEY_2, *d, false)])
        .chain(
            theirs
                .iter()
                .flat_map(|d| [(KEY_2, *d, true), (KEY_1, *d, false)]),
        )
        .collect();
    let responses = futures::future::join_all(
        asks.iter()
            .map(|(key, id, _)| t.gql_as(key, q, json!({ "id": id }))),
    )
    .await;
    for ((key, id, visible), r) in asks.iter().zip(&responses) {
        if *visible {
            assert_eq!(data(r)["device"]["id"], *id, "{key} reads its {id}: {r}");
            assert!(data(r)["device"]["displayName"].is_string(), "{r}");
        } else {
            assert_eq!(
                error_codes(r),
                ["NOT_FOUND"],
                "{key} must not read {id}: {r}"
            );
            assert_eq!(r["data"]["device"], Value::Null, "{r}");
        }
    }
    // Twenty misses, at most one call each (gathered, usually far fewer).
    let calls = t.upstream_count("/devices/list");
    assert!((1..=20).contains(&calls), "{:?}", t.upstream());
}
