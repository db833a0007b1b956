//! A bad day upstream, through `/graphql`: the gateway between clients and a Seam that is slow,
//! rate-limits, fails, resets connections or stops answering (the kit's fault proxy). Reads are
//! retried within bounds, mutations never; a breaker fails fast while Seam is down; idempotency
//! keys make a retried create safe; one tenant cannot take every upstream slot.

use std::time::{Duration, Instant};

use futures::future::join_all;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use seam_graphql::config::GatewayConfig;
use serde_json::{json, Value};

use crate::support::{config, data, error_codes, Fault, FaultProxy, TestGateway, KEY_1, KEY_2};

/// One `access_codes/list`, never cached: each read is one upstream call.
const READ: &str = "query($d: ID!) { accessCodes(deviceId: $d, first: 100) { nodes { id } } }";
const LIST: &str = "/access_codes/list";
const CREATE_PATH: &str = "/access_codes/create";
const CREATE: &str = "mutation($input: CreateAccessCodeInput!) { createAccessCode(input: $input) { accessCode { id } } }";
const CREATE_LINKED: &str = "mutation($input: CreateLinkedAccessCodesInput!) {
  createLinkedAccessCodes(input: $input) { commonCodeKey accessCodes { id deviceId } } }";

/// The test defaults, with a breaker cool-down and a per-tenant limit.
fn fault_config(breaker_cooldown_ms: u64, tenant_max_in_flight: usize) -> GatewayConfig {
    let mut config = config();
    config.breaker_cooldown_ms = breaker_cooldown_ms;
    config.tenant_max_in_flight = tenant_max_in_flight;
    config
}

async fn behind_faults() -> (TestGateway, FaultProxy) {
    TestGateway::behind_faults(config()).await
}

/// POSTs an operation as `key`; the HTTP headers and the JSON body. A refusal before the schema
/// runs (the per-tenant limit) may come with HTTP 429; anything else must be a 200.
async fn post_raw(t: &TestGateway, key: &str, query: &str, variables: Value) -> (HeaderMap, Value) {
    let response = reqwest::Client::new()
        .post(format!("http://{}/graphql", t.gateway.addr()))
        .bearer_auth(key)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("gateway answers");
    assert!(
        response.status() == StatusCode::OK || response.status() == StatusCode::TOO_MANY_REQUESTS,
        "HTTP {}",
        response.status()
    );
    let headers = response.headers().clone();
    (headers, response.json().await.expect("json body"))
}

async fn read(t: &TestGateway, key: &str) -> Value {
    t.gql_as(key, READ, json!({ "d": "august_device_1" })).await
}

fn first_error(response: &Value) -> &Value {
    &response["errors"][0]
}

fn retry_after_header(headers: &HeaderMap) -> Option<&str> {
    headers.get("retry-after").and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn should_retry_a_read_through_a_burst_of_two_503s() {
    let (t, proxy) = behind_faults().await;
    proxy.set_on(
        LIST,
        Fault::ServerErrors {
            status: 503,
            count: 2,
        },
    );
    let r = read(&t, KEY_1).await;
    data(&r);
    assert_eq!(
        proxy.seen(LIST),
        3,
        "two failures, then the one that worked"
    );
    assert_eq!(proxy.forwarded(LIST), 1);
}

#[tokio::test]
async fn should_never_retry_a_create_on_503() {
    let (t, proxy) = behind_faults().await;
    proxy.set_on(
        CREATE_PATH,
        Fault::ServerErrors {
            status: 503,
            count: 10,
        },
    );
    let r = t
        .gql_as(
            KEY_1,
            CREATE,
            json!({ "input": { "deviceId": "august_device_1", "name": "Guest" } }),
        )
        .await;
    assert_eq!(error_codes(&r), ["UPSTREAM_UNAVAILABLE"], "{r:#}");
    assert_eq!(proxy.seen(CREATE_PATH), 1, "a create is never retried");
}

#[tokio::test]
async fn should_never_retry_a_create_on_429_and_say_when_to_retry() {
    let (t, proxy) = behind_faults().await;
    proxy.set_on(
        CREATE_PATH,
        Fault::RateLimit {
            retry_after_secs: 1,
        },
    );
    let (headers, r) = post_raw(
        &t,
        KEY_1,
        CREATE,
        json!({ "input": { "deviceId": "august_device_1", "name": "Guest" } }),
    )
    .await;
    assert_eq!(error_codes(&r), ["RATE_LIMITED"], "{r:#}");
    assert_eq!(first_error(&r)["extensions"]["retryAfter"], 1, "{r:#}");
    assert_eq!(retry_after_header(&headers), Some("1"));
    assert_eq!(proxy.seen(CREATE_PATH), 1, "a create is never retried");
}

#[tokio::test]
async fn should_pass_a_long_retry_after_on_to_the_client_without_retrying() {
    let (t, proxy) = behind_faults().await;
    proxy.set_on(
        LIST,
        Fault::RateLimit {
            retry_after_secs: 7,
        },
    );
    let (headers, r) = post_raw(&t, KEY_1, READ, json!({ "d": "august_device_1" })).await;
    assert_eq!(error_codes(&r), ["RATE_LIMITED"], "{r:#}");
    assert_eq!(first_error(&r)["extensions"]["retryAfter"], 7, "{r:#}");
    assert_eq!(retry_after_header(&headers), Some("7"));
    assert_eq!(proxy.seen(LIST), 1, "7 s is longer than a read waits");
}

#[tokio::test]
async fn should_retry_a_read_after_a_short_retry_after() {
    let (t, proxy) = behind_faults().await;
    proxy.set_next_on(
        LIST,
        1,
        Fault::RateLimit {
            retry_after_secs: 1,
        },
    );
    let started = Instant::now();
    let (headers, r) = post_raw(&t, KEY_1, READ, json!({ "d": "august_device_1" })).await;
    data(&r);
    assert_eq!(retry_after_header(&headers), None);
    assert_eq!(proxy.seen(LIST), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "the retry waited for Retry-After: {:?}",
        started.elapsed()
    );
}

/// Sequential reads into a black hole until the breaker answers by itself.
async fn open_the_breaker(t: &TestGateway) {
    for _ in 0..8 {
        let r = read(t, KEY_1).await;
        let codes = error_codes(&r);
        assert_eq!(codes.len(), 1, "{r:#}");
        assert!(
            codes[0] == "UPSTREAM_TIMEOUT" || codes[0] == "UPSTREAM_UNAVAILABLE",
            "{r:#}"
        );
        let message = first_error(&r)["message"].as_str().unwrap_or_default();
        if message.to_lowercase().contains("circuit") {
            return;
        }
    }
    panic!("the breaker never opened");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_fail_fast_without_calling_upstream_while_the_breaker_is_open_then_recover() {
    let cooldown = Duration::from_millis(1500);
    let mut config = fault_config(cooldown.as_millis() as u64, 64);
    config.upstream_timeout_ms = 300;
    let (t, proxy) = TestGateway::behind_faults(config).await;
    proxy.set(Fault::BlackHole);
    open_the_breaker(&t).await;

    let seen_before = proxy.seen_total();
    let started = Instant::now();
    let answers = join_all((0..20).map(|_| async {
        let started = Instant::now();
        let r = read(&t, KEY_1).await;
        (started.elapsed(), r)
    }))
    .await;
    let total = started.elapsed();
    for (took, r) in &answers {
        assert_eq!(error_codes(r), ["UPSTREAM_UNAVAILABLE"], "{r:#}");
        let message = first_error(r)["message"].as_str().unwrap_or_default();
        assert!(message.to_lowercase().contains("circuit"), "{message}");
        // Anything that waited for Seam would have taken the 300 ms timeout at least.
        assert!(*took < Duration::from_millis(250), "took {took:?}");
    }
    assert!(total < Duration::from_secs(1), "20 reads took {total:?}");
    assert_eq!(proxy.seen_total(), seen_before, "no request reached Seam");

    proxy.clear();
    tokio::time::sleep(cooldown + Duration::from_millis(200)).await;
    data(&read(&t, KEY_1).await);
    data(&read(&t, KEY_1).await);
}

#[tokio::test]
async fn should_retry_a_read_through_a_single_reset() {
    let (t, proxy) = behind_faults().await;
    proxy.set_next_on(LIST, 1, Fault::Reset);
    data(&read(&t, KEY_1).await);
    assert_eq!(proxy.seen(LIST), 2);
    assert_eq!(proxy.forwarded(LIST), 1);
}

#[tokio::test]
async fn should_report_persistent_resets_as_upstream_unavailable() {
    let (t, proxy) = behind_faults().await;
    proxy.set_on(LIST, Fault::Reset);
    let r = read(&t, KEY_1).await;
    assert_eq!(error_codes(&r), ["UPSTREAM_UNAVAILABLE"], "{r:#}");
    assert_eq!(proxy.seen(LIST), 3, "a read is tried three times");
    assert_eq!(proxy.forwarded(LIST), 0);
}

async fn codes_on(t: &TestGateway, device_id: &str) -> usize {
    let r = t.data_as(KEY_1, READ, json!({ "d": device_id })).await;
    r["accessCodes"]["nodes"].as_array().expect("nodes").len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_create_one_code_for_20_concurrent_creates_with_one_idempotency_key() {
    let (t, proxy) = behind_faults().await;
    let before = codes_on(&t, "august_device_2").await;
    let input =
        json!({ "deviceId": "august_device_2", "name": "Guest", "idempotencyKey": "stay-42" });
    let answers =
        join_all((0..20).map(|_| t.gql_as(KEY_1, CREATE, json!({ "input": input.clone() })))).await;
    let ids: Vec<&str> = answers
        .iter()
        .map(|r| {
            data(r)["createAccessCode"]["accessCode"]["id"]
                .as_str()
                .expect("id")
        })
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(proxy.forwarded(CREATE_PATH), 1);
    assert_eq!(t.upstream_count(CREATE_PATH), 1);
    assert_eq!(codes_on(&t, "august_device_2").await, before + 1);

    // Later, with the same input: still the first result.
    let again = t.data_as(KEY_1, CREATE, json!({ "input": input })).await;
    assert_eq!(again["createAccessCode"]["accessCode"]["id"], ids[0]);

    let other = json!({ "deviceId": "august_device_2", "name": "Someone else", "idempotencyKey": "stay-42" });
    let refused = t.gql_as(KEY_1, CREATE, json!({ "input": other })).await;
    assert_eq!(
        error_codes(&refused),
        ["IDEMPOTENCY_KEY_REUSED"],
        "{refused:#}"
    );
    assert_eq!(proxy.forwarded(CREATE_PATH), 1);
    assert_eq!(codes_on(&t, "august_device_2").await, before + 1);
}

#[tokio::test]
async fn should_return_the_first_linked_group_for_a_repeated_idempotency_key() {
    let (t, proxy) = behind_faults().await;
    let input = json!({
        "deviceIds": ["august_device_1", "august_device_2"],
        "name": "Cleaner",
        "idempotencyKey": "cleaner-1"
    });
    let first = t
        .data_as(KEY_1, CREATE_LINKED, json!({ "input": input.clone() }))
        .await;
    let second = t
        .data_as(KEY_1, CREATE_LINKED, json!({ "input": input }))
        .await;
    assert!(first["createLinkedAccessCodes"]["commonCodeKey"].is_string());
    assert_eq!(first, second);
    assert_eq!(proxy.forwarded("/access_codes/create_multiple"), 1);

    let other = json!({
        "deviceIds": ["august_device_1", "august_device_2"],
        "name": "Another cleaner",
        "idempotencyKey": "cleaner-1"
    });
    let refused = t
        .gql_as(KEY_1, CREATE_LINKED, json!({ "input": other }))
        .await;
    assert_eq!(
        error_codes(&refused),
        ["IDEMPOTENCY_KEY_REUSED"],
        "{refused:#}"
    );
    assert_eq!(proxy.forwarded("/access_codes/create_multiple"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_refuse_a_tenant_beyond_its_in_flight_limit_without_calling_upstream() {
    let (t, proxy) = TestGateway::behind_faults(fault_config(5000, 2)).await;
    proxy.set(Fault::Latency(Duration::from_millis(300)));
    let burst =
        join_all((0..10).map(|_| post_raw(&t, KEY_1, READ, json!({ "d": "august_device_1" }))));
    // Another tenant's read, sent while the burst holds the first tenant's slots.
    let other_tenant = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        t.gql_as(KEY_2, READ, json!({ "d": "ws2_front_door" }))
            .await
    };
    let (answers, other) = tokio::join!(burst, other_tenant);

    let mut ok = 0;
    let mut limited = 0;
    for (headers, r) in &answers {
        if r.get("errors").is_none() {
            ok += 1;
            continue;
        }
        assert_eq!(error_codes(r), ["RATE_LIMITED"], "{r:#}");
        assert_eq!(first_error(r)["extensions"]["retryAfter"], 1, "{r:#}");
        assert_eq!(retry_after_header(headers), Some("1"));
        limited += 1;
    }
    assert!(limited > 0, "ten reads at once, two slots");
    assert_eq!(ok + limited, 10);
    // Only the reads that got a slot reached Seam (the other tenant's is one more).
    assert_eq!(proxy.seen(LIST), ok + 1);
    assert!(other.get("errors").is_none(), "{other:#}");
}
