//! Idempotency keys hold across replicas: a retry the load balancer sends to the other replica gets
//! the first create's code(s), with their PIN, and never creates a second one.

use serde_json::{json, Value};

use crate::secrets::dump;
use crate::support::cluster::Cluster;
use crate::support::{data, error_codes, Feed, KEY_1};

const CREATE: &str = "mutation($input: CreateAccessCodeInput!) {
  createAccessCode(input: $input) { accessCode { id code deviceId name } } }";
const CREATE_LINKED: &str = "mutation($input: CreateLinkedAccessCodesInput!) {
  createLinkedAccessCodes(input: $input) { commonCodeKey accessCodes { id code deviceId } } }";
const CREATE_PATH: &str = "/access_codes/create";
const CREATE_MULTIPLE_PATH: &str = "/access_codes/create_multiple";
const PIN: &str = "482913";

fn code_of(response: &Value) -> (String, String) {
    let code = &data(response)["createAccessCode"]["accessCode"];
    (
        code["id"].as_str().expect("id").to_owned(),
        code["code"].as_str().expect("a PIN").to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_through_the_other_replica_should_get_the_same_code_and_pin() {
    let c = Cluster::start(2, Feed::Polling, |_| {}).await;
    let input = json!({
        "deviceId": "august_device_1", "name": "Guest", "code": PIN, "idempotencyKey": "stay-7"
    });
    let first = c.gql_as(0, KEY_1, CREATE, json!({ "input": input })).await;
    let retry = c.gql_as(1, KEY_1, CREATE, json!({ "input": input })).await;
    assert_eq!(code_of(&first).1, PIN, "{first:#}");
    assert_eq!(code_of(&retry), code_of(&first), "{retry:#}");
    assert_eq!(data(&retry), data(&first));
    assert_eq!(c.upstream_count(CREATE_PATH), 1, "one code created");

    let other = json!({
        "deviceId": "august_device_1", "name": "Someone else", "code": PIN, "idempotencyKey": "stay-7"
    });
    let refused = c.gql_as(1, KEY_1, CREATE, json!({ "input": other })).await;
    assert_eq!(
        error_codes(&refused),
        ["IDEMPOTENCY_KEY_REUSED"],
        "{refused:#}"
    );
    assert_eq!(c.upstream_count(CREATE_PATH), 1);

    let redis = dump(&c);
    assert!(
        redis.contains(&code_of(&first).0),
        "the code's id is shared: {redis}"
    );
    assert!(!redis.contains(PIN), "a PIN in Redis: {redis}");
    assert!(!redis.contains(KEY_1), "an API key in Redis: {redis}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_linked_create_retried_through_the_other_replica_should_get_the_same_codes() {
    let c = Cluster::start(2, Feed::Polling, |_| {}).await;
    let input = json!({
        "deviceIds": ["august_device_1", "august_device_2"],
        "name": "Cleaner",
        "idempotencyKey": "cleaner-1"
    });
    let first = c
        .gql_as(0, KEY_1, CREATE_LINKED, json!({ "input": input }))
        .await;
    let retry = c
        .gql_as(1, KEY_1, CREATE_LINKED, json!({ "input": input }))
        .await;
    let codes = data(&first)["createLinkedAccessCodes"]["accessCodes"]
        .as_array()
        .expect("codes")
        .clone();
    assert_eq!(codes.len(), 2, "{first:#}");
    let pin = codes[0]["code"].as_str().expect("a shared PIN").to_owned();
    assert_eq!(data(&retry), data(&first), "{retry:#}");
    assert_eq!(c.upstream_count(CREATE_MULTIPLE_PATH), 1);

    let other = json!({
        "deviceIds": ["august_device_1", "august_device_2"],
        "name": "Another cleaner",
        "idempotencyKey": "cleaner-1"
    });
    let refused = c
        .gql_as(1, KEY_1, CREATE_LINKED, json!({ "input": other }))
        .await;
    assert_eq!(
        error_codes(&refused),
        ["IDEMPOTENCY_KEY_REUSED"],
        "{refused:#}"
    );
    assert_eq!(c.upstream_count(CREATE_MULTIPLE_PATH), 1);
    let redis = dump(&c);
    assert!(!redis.contains(&pin), "a PIN in Redis: {redis}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_with_one_key_on_both_replicas_should_make_one_code() {
    let c = Cluster::start(2, Feed::Polling, |_| {}).await;
    for round in 0..3 {
        let input = json!({
            "deviceId": "august_device_2", "name": "Guest", "idempotencyKey": format!("race-{round}")
        });
        let vars = json!({ "input": input });
        let (on_a, on_b) = tokio::join!(
            c.gql_as(0, KEY_1, CREATE, vars.clone()),
            c.gql_as(1, KEY_1, CREATE, vars.clone()),
        );
        assert_eq!(code_of(&on_a), code_of(&on_b), "{on_a:#} {on_b:#}");
        assert_eq!(c.upstream_count(CREATE_PATH), round + 1, "one code per key");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyed_create_should_still_work_while_redis_is_down() {
    let mut c = Cluster::start(2, Feed::Polling, |_| {}).await;
    c.redis.stop();
    let input =
        json!({ "deviceId": "august_device_1", "name": "Guest", "idempotencyKey": "down-1" });
    let first = c.gql_as(0, KEY_1, CREATE, json!({ "input": input })).await;
    let retry = c.gql_as(0, KEY_1, CREATE, json!({ "input": input })).await;
    assert_eq!(code_of(&retry), code_of(&first), "{retry:#}");
    assert_eq!(
        c.upstream_count(CREATE_PATH),
        1,
        "kept by the replica itself"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_should_wait_for_an_attempt_in_flight_elsewhere_and_give_up_clearly() {
    // Short upstream calls, so a claim (three upstream timeouts) lasts under a second.
    let c = Cluster::start(2, Feed::Polling, |cfg| cfg.upstream_timeout_ms = 300).await;
    let input =
        json!({ "deviceId": "august_device_1", "name": "Guest", "idempotencyKey": "slow-1" });
    let first = c.gql_as(0, KEY_1, CREATE, json!({ "input": input })).await;
    let record_key = c
        .redis
        .cli(&["--scan", "--pattern", "seam-graphql:idem:*"])
        .trim()
        .to_owned();
    let done = c.redis.cli(&["GET", &record_key]).trim().to_owned();
    let record: Value = serde_json::from_str(&done).expect("a JSON record");
    assert_eq!(record["state"], "done", "{done}");
    // As if replica A were still creating: the record goes back to pending.
    let pending =
        json!({ "state": "pending", "fingerprint": record["fingerprint"], "claim": "elsewhere" })
            .to_string();
    c.redis.cli(&["SET", &record_key, &pending, "PX", "60000"]);

    // The attempt ends while B waits: B answers with its code.
    let finish = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        c.redis.cli(&["SET", &record_key, &done, "PX", "60000"]);
    };
    let (waited, ()) = tokio::join!(
        c.gql_as(1, KEY_1, CREATE, json!({ "input": input })),
        finish
    );
    assert_eq!(code_of(&waited), code_of(&first), "{waited:#}");

    // It never ends: B gives up with a code that says so, and creates nothing.
    let input =
        json!({ "deviceId": "august_device_1", "name": "Guest", "idempotencyKey": "slow-2" });
    c.gql_as(0, KEY_1, CREATE, json!({ "input": input })).await;
    let record_key = c
        .redis
        .cli(&["--scan", "--pattern", "seam-graphql:idem:*"])
        .lines()
        .find(|k| *k != record_key)
        .expect("the second key's record")
        .to_owned();
    let record: Value =
        serde_json::from_str(c.redis.cli(&["GET", &record_key]).trim()).expect("a JSON record");
    let pending =
        json!({ "state": "pending", "fingerprint": record["fingerprint"], "claim": "elsewhere" })
            .to_string();
    c.redis.cli(&["SET", &record_key, &pending, "PX", "60000"]);
    let creates = c.upstream_count(CREATE_PATH);
    let gave_up = c.gql_as(1, KEY_1, CREATE, json!({ "input": input })).await;
    assert_eq!(
        error_codes(&gave_up),
        ["IDEMPOTENCY_KEY_IN_FLIGHT"],
        "{gave_up:#}"
    );
    assert_eq!(c.upstream_count(CREATE_PATH), creates, "nothing created");
}
