//! A bounded soak: a webhook-fed gateway behind the fault proxy, with subscriptions open, under a
//! moderate load of reads and idempotent creates while faults come and go (latency, 429, 5xx
//! bursts, resets, black hole). Afterwards, with faults off, the gateway must be whole again: every
//! error it gave was coded, subscribers get each new change once and in order, no create made two
//! codes, and memory is back near where it started.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use crate::support::{config, rss_kib, Fault, FaultProxy, Feed, TestGateway, WsSub, KEY_1};

/// The load phase ends at whichever comes first: this long (`SEAM_GRAPHQL_SOAK_SECS`, default
/// 120), or every task's operation budget.
fn soak_duration() -> Duration {
    let secs = std::env::var("SEAM_GRAPHQL_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    Duration::from_secs(secs)
}
const TASKS: usize = 4;
const OPS_PER_TASK: usize = 2_500;
/// A client's tries of one idempotent create before it gives up on that key.
const CREATE_TRIES: usize = 6;
const DEVICES: [&str; 2] = ["august_device_1", "august_device_2"];
const READ: &str = "query($d: ID!) { accessCodes(deviceId: $d, first: 500) { nodes { id name } } }";
const CREATE: &str = "mutation($input: CreateAccessCodeInput!) { createAccessCode(input: $input) { accessCode { id } } }";

/// What the load saw: operations by kind, errors by `extensions.code`, and the code each
/// idempotency key ended with (if any attempt succeeded).
#[derive(Default)]
struct Tally {
    ops: BTreeMap<&'static str, u64>,
    errors: BTreeMap<String, u64>,
    created: HashMap<String, String>,
    abandoned: Vec<String>,
}

/// A plain GraphQL client for the load tasks (the kit's asserts HTTP 200; here any status is
/// read, and an answer that is not a GraphQL response is a tallied failure, not a panic in a
/// background task).
#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    url: String,
}

impl Client {
    async fn post(&self, query: &str, variables: Value) -> Result<Value, String> {
        let response = self
            .http
            .post(&self.url)
            .bearer_auth(KEY_1)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .map_err(|e| format!("<transport: {e}>"))?;
        let status = response.status().as_u16();
        let body: Value = response
            .json()
            .await
            .map_err(|_| format!("<HTTP {status}, not json>"))?;
        // A refusal (HTTP 4xx) still says why in `errors`; only a bare status is uncoded.
        if status != 200 && body.get("errors").is_none() {
            return Err(format!("<HTTP {status} without errors>"));
        }
        Ok(body)
    }
}

/// Each error's `extensions.code`, `<none>` for an uncoded one.
fn codes_of(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            e["extensions"]["code"]
                .as_str()
                .unwrap_or("<none>")
                .to_owned()
        })
        .collect()
}

/// Records one answer; true when it had no errors.
fn record(tally: &Mutex<Tally>, kind: &'static str, answer: &Result<Value, String>) -> bool {
    let mut tally = tally.lock().expect("tally");
    *tally.ops.entry(kind).or_default() += 1;
    let codes = match answer {
        Ok(response) => codes_of(response),
        Err(failure) => vec![failure.clone()],
    };
    for code in &codes {
        *tally.errors.entry(code.clone()).or_default() += 1;
    }
    codes.is_empty()
}

/// Creates a code under `key`, retrying the same key after an error as a careful client would.
async fn create_idempotently(client: &Client, tally: &Mutex<Tally>, key: String, device: &str) {
    let input = json!({ "deviceId": device, "name": key, "idempotencyKey": key });
    for _ in 0..CREATE_TRIES {
        let answer = client.post(CREATE, json!({ "input": input })).await;
        if record(tally, "create", &answer) {
            let response = answer.expect("ok");
            let id = response["data"]["createAccessCode"]["accessCode"]["id"]
                .as_str()
                .expect("an id")
                .to_owned();
            tally.lock().expect("tally").created.insert(key, id);
            return;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    tally.lock().expect("tally").abandoned.push(key);
}

/// Two reads, then a create, until the budget or the deadline runs out.
async fn load(client: Client, tally: Arc<Mutex<Tally>>, task: usize, deadline: Instant) {
    for op in 0..OPS_PER_TASK {
        if Instant::now() >= deadline {
            return;
        }
        let device = DEVICES[(task + op) % DEVICES.len()];
        if op % 3 == 2 {
            let key = format!("soak-{task}-{op}");
            create_idempotently(&client, &tally, key, device).await;
        } else {
            let answer = client.post(READ, json!({ "d": device })).await;
            record(&tally, "read", &answer);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The faults in turn, each for a while, with a quiet spell after each; samples RSS as it goes.
async fn cycle_faults(proxy: &FaultProxy, deadline: Instant, peak_rss: &mut u64) -> usize {
    let faults = [
        Fault::Latency(Duration::from_millis(200)),
        // Longer than a read may wait: passed on to the client as RATE_LIMITED. Early, before
        // any 5xx has opened the breaker (which would answer for Seam during its cool-down).
        Fault::RateLimit {
            retry_after_secs: 5,
        },
        Fault::RateLimit {
            retry_after_secs: 1,
        },
        Fault::ServerErrors {
            status: 503,
            count: 5,
        },
        Fault::Reset,
        Fault::ServerErrors {
            status: 502,
            count: 3,
        },
        Fault::BlackHole,
        Fault::ServerErrors {
            status: 504,
            count: 2,
        },
    ];
    let mut cycles = 0;
    for fault in faults.iter().cycle() {
        if Instant::now() >= deadline {
            break;
        }
        proxy.set(fault.clone());
        sleep_sampling(Duration::from_millis(1500), peak_rss).await;
        proxy.clear();
        sleep_sampling(Duration::from_millis(1000), peak_rss).await;
        cycles += 1;
    }
    proxy.clear();
    cycles
}

async fn sleep_sampling(period: Duration, peak_rss: &mut u64) {
    let until = Instant::now() + period;
    while Instant::now() < until {
        *peak_rss = (*peak_rss).max(rss_kib());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every status change a subscriber received: (access code id, `event PREVIOUS->STATUS`), and any
/// error payloads.
#[derive(Default)]
struct Received {
    changes: Vec<(String, String)>,
    errors: Vec<Value>,
}

/// Reads a subscription until `stop`, so it never falls behind while the soak runs.
fn drain(
    mut sub: WsSub,
    stop: CancellationToken,
) -> (Arc<Mutex<Received>>, tokio::task::JoinHandle<()>) {
    let received = Arc::new(Mutex::new(Received::default()));
    let sink = received.clone();
    let task = tokio::spawn(async move {
        while !stop.is_cancelled() {
            let Some(msg) = sub.recv(Duration::from_millis(200)).await else {
                continue;
            };
            let mut sink = sink.lock().expect("received");
            let change = &msg["payload"]["data"]["accessCodeStatusChanged"];
            if msg["type"] != "next" || msg["payload"].get("errors").is_some() {
                sink.errors.push(msg);
            } else {
                let summary = format!(
                    "{} {}->{}",
                    change["eventType"].as_str().unwrap_or("?"),
                    change["previousStatus"].as_str().unwrap_or("null"),
                    change["status"].as_str().unwrap_or("?")
                );
                let id = change["accessCodeId"].as_str().unwrap_or("?").to_owned();
                sink.changes.push((id, summary));
            }
        }
        sub.close().await;
    });
    (received, task)
}

/// Reads until one works: the breaker may still be cooling down when the faults stop.
async fn wait_for_recovery(client: &Client) -> Duration {
    let started = Instant::now();
    loop {
        let answer = client.post(READ, json!({ "d": DEVICES[0] })).await;
        if answer.as_ref().is_ok_and(|r| r.get("errors").is_none()) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no recovery: {answer:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Every code on the soak's devices, by name (page after page: a device can hold more than one).
async fn codes_by_name(client: &Client) -> HashMap<String, Vec<String>> {
    const PAGE: &str = "query($d: ID!, $after: String) { accessCodes(deviceId: $d, first: 500, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } } }";
    let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
    for device in DEVICES {
        let mut after = Value::Null;
        loop {
            let response = client
                .post(PAGE, json!({ "d": device, "after": after }))
                .await
                .expect("answer");
            assert!(response.get("errors").is_none(), "{response:#}");
            let page = &response["data"]["accessCodes"];
            for node in page["nodes"].as_array().expect("nodes") {
                let name = node["name"].as_str().unwrap_or_default().to_owned();
                let id = node["id"].as_str().expect("id").to_owned();
                by_name.entry(name).or_default().push(id);
            }
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
    }
    by_name
}

/// One code per idempotency key, and the one the client was given.
fn assert_one_code_per_key(tally: &Tally, by_name: &HashMap<String, Vec<String>>) {
    for (key, id) in &tally.created {
        assert_eq!(by_name.get(key), Some(&vec![id.clone()]), "key {key}");
    }
    for key in &tally.abandoned {
        let n = by_name.get(key).map_or(0, Vec::len);
        assert!(n <= 1, "abandoned key {key} made {n} codes");
    }
}

/// Each subscriber saw each new code created, then set, once each and in that order.
fn assert_each_change_once_in_order(received: &[Arc<Mutex<Received>>], ids: &[String]) {
    let expected = [
        "access_code.created null->SETTING",
        "access_code.set_on_device SETTING->SET",
    ];
    for (n, subscriber) in received.iter().enumerate() {
        let subscriber = subscriber.lock().expect("received");
        for id in ids {
            let seen: Vec<&str> = subscriber
                .changes
                .iter()
                .filter(|(code, _)| code == id)
                .map(|(_, summary)| summary.as_str())
                .collect();
            assert_eq!(seen, expected, "subscriber {n}, code {id}");
        }
    }
}

async fn wait_for_changes(received: &[Arc<Mutex<Received>>], ids: &[String]) {
    let ready = || {
        received.iter().all(|r| {
            let r = r.lock().expect("received");
            ids.iter()
                .all(|id| r.changes.iter().filter(|(code, _)| code == id).count() >= 2)
        })
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    while !ready() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Anything sent twice would arrive right behind the first.
    tokio::time::sleep(Duration::from_millis(500)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_come_back_whole_after_a_soak_of_faults_under_load() {
    let started = Instant::now();
    let mut config = config();
    // A black hole costs a request this long, not the 10 s default.
    config.upstream_timeout_ms = 1000;
    let (t, proxy) = TestGateway::behind_faults_fed(Feed::Webhooks, config).await;
    let client = Client {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
        url: format!("http://{}/graphql", t.gateway.addr()),
    };

    let stop = CancellationToken::new();
    let url = t.ws_url();
    let subscriptions = [json!({}), json!({}), json!({ "d": DEVICES[0] })];
    let mut received = Vec::new();
    let mut drains = Vec::new();
    for variables in subscriptions {
        let sub = WsSub::subscribe(&url, Some(KEY_1), variables).await;
        let (r, task) = drain(sub, stop.clone());
        received.push(r);
        drains.push(task);
    }
    t.wait_for_subscribers(3).await;
    // Warm pools and caches so the starting RSS is the working size, not the empty one.
    wait_for_recovery(&client).await;
    let rss_start = rss_kib();
    let mut rss_peak = rss_start;

    let tally = Arc::new(Mutex::new(Tally::default()));
    let deadline = Instant::now() + soak_duration();
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| tokio::spawn(load(client.clone(), tally.clone(), task, deadline)))
        .collect();
    let cycles = cycle_faults(&proxy, deadline, &mut rss_peak).await;
    for task in tasks {
        task.await.expect("load task");
    }
    let soak_took = started.elapsed();

    let recovery = wait_for_recovery(&client).await;
    let mut fresh = Vec::new();
    for i in 0..3 {
        fresh.push(
            t.create_code(KEY_1, DEVICES[0], &format!("after-{i}"))
                .await,
        );
    }
    t.advance(2).await;
    wait_for_changes(&received, &fresh).await;
    assert_each_change_once_in_order(&received, &fresh);

    let by_name = codes_by_name(&client).await;
    // The load is over: take what it saw rather than hold its lock.
    let tally = std::mem::take(&mut *tally.lock().expect("tally"));
    assert_one_code_per_key(&tally, &by_name);
    // Every create that reached Seam made a code of its own key: none reached it twice.
    let soak_codes = by_name
        .iter()
        .filter(|(name, _)| name.starts_with("soak-"))
        .count() as u64;
    assert_eq!(
        proxy.forwarded("/access_codes/create"),
        soak_codes + fresh.len() as u64
    );
    rss_peak = rss_peak.max(rss_kib());
    let rss_end = rss_kib();
    let subscriber_errors: usize = received
        .iter()
        .map(|r| r.lock().expect("received").errors.len())
        .sum();
    eprintln!(
        "soak: {:?} total ({soak_took:?} to the end of the load, recovery {recovery:?}), {cycles} fault cycles; \
         ops {:?}; errors by code {:?}; creates ok {} abandoned {}; proxy saw {} requests ({} forwarded \
         creates); subscriber error items {subscriber_errors}; RSS start {rss_start} KiB, peak {rss_peak} KiB, end {rss_end} KiB",
        started.elapsed(),
        tally.ops,
        tally.errors,
        tally.created.len(),
        tally.abandoned.len(),
        proxy.seen_total(),
        proxy.forwarded("/access_codes/create"),
    );
    assert!(
        !tally.errors.keys().any(|code| code.starts_with('<')),
        "every error is a coded GraphQL error: {:?}",
        tally.errors
    );
    assert_eq!(tally.errors.get("IDEMPOTENCY_KEY_REUSED"), None);
    assert!(
        !tally.created.is_empty(),
        "some creates succeeded: {:?}",
        tally.errors
    );
    assert!(
        // In-process: the sandbox's model (every code the soak created) counts too.
        rss_end < rss_start + 32 * 1024,
        "RSS grew from {rss_start} KiB to {rss_end} KiB"
    );

    stop.cancel();
    for task in drains {
        task.await.expect("drain task");
    }
}
