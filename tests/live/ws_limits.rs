//! The websocket endpoint is safe to expose: limits, graphql-transport-ws close codes,
//! cross-origin use of the gateway's key, and closing on shutdown.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::{
    config, error_codes, wait_until, Fault, Feed, TestGateway, WsSub, KEY_1, KEY_2, SUBSCRIPTION,
};

const CLOSE_WAIT: Duration = Duration::from_secs(5);
const TRANSPORT_WS: &str = "graphql-transport-ws";
const LEGACY: &str = "graphql-ws";
const PINS: &str = r#"{ accessCodes(deviceId: "august_device_1") { nodes { code } } }"#;

fn init(key: Option<&str>) -> Value {
    match key {
        Some(k) => {
            json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {k}") } })
        }
        None => json!({ "type": "connection_init", "payload": {} }),
    }
}

fn subscribe(id: &str, query: &str) -> Value {
    json!({ "id": id, "type": "subscribe", "payload": { "query": query } })
}

/// A ping must be answered: the socket still works.
async fn assert_alive(ws: &mut WsSub) {
    ws.send(json!({ "type": "ping" })).await;
    let pong = ws.recv(CLOSE_WAIT).await.expect("a pong");
    assert_eq!(pong["type"], "pong", "{pong}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_close_4408_when_no_connection_init_arrives_in_time() {
    let mut config = config();
    config.ws_init_timeout_ms = 300;
    let live = TestGateway::fed_with(Feed::Polling, config).await;
    let started = Instant::now();
    let mut silent = WsSub::connect_raw(&live.ws_url()).await;
    let mut initialised = WsSub::connect(&live.ws_url(), Some(KEY_1)).await;
    assert_eq!(
        silent.closed(CLOSE_WAIT).await,
        (4408, "Connection initialisation timeout".into())
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_alive(&mut initialised).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_close_4401_on_an_operation_before_connection_ack() {
    let live = TestGateway::fed(Feed::Polling).await;
    let mut ws = WsSub::connect_raw(&live.ws_url()).await;
    ws.send(subscribe("1", SUBSCRIPTION)).await;
    assert_eq!(ws.closed(CLOSE_WAIT).await, (4401, "Unauthorized".into()));

    let mut legacy = WsSub::connect_as(&live.ws_url(), LEGACY, None).await;
    legacy
        .send(json!({ "id": "1", "type": "start", "payload": { "query": SUBSCRIPTION } }))
        .await;
    assert_eq!(legacy.closed(CLOSE_WAIT).await.0, 4401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_close_4409_on_a_duplicate_operation_id() {
    let live = TestGateway::fed(Feed::Polling).await;
    let mut ws = WsSub::connect(&live.ws_url(), Some(KEY_1)).await;
    ws.send(subscribe("1", SUBSCRIPTION)).await;
    live.wait_for_subscribers(1).await;
    ws.send(subscribe("1", SUBSCRIPTION)).await;
    assert_eq!(
        ws.closed(CLOSE_WAIT).await,
        (4409, "Subscriber for 1 already exists".into())
    );
    wait_until(
        || live.gateway.live_subscribers() == 0,
        "subscription dropped",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_close_4429_on_a_second_connection_init_in_both_protocols() {
    let live = TestGateway::fed(Feed::Polling).await;
    let mut ws = WsSub::connect(&live.ws_url(), Some(KEY_1)).await;
    ws.send(init(Some(KEY_1))).await;
    assert_eq!(
        ws.closed(CLOSE_WAIT).await,
        (4429, "Too many initialisation requests".into())
    );

    let mut legacy = WsSub::connect_as(&live.ws_url(), LEGACY, None).await;
    legacy.send(init(Some(KEY_1))).await;
    let ack = legacy.recv(CLOSE_WAIT).await.expect("ack");
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    legacy.send(init(Some(KEY_1))).await;
    assert_eq!(legacy.closed(CLOSE_WAIT).await.0, 4429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_close_4400_on_an_invalid_message() {
    let live = TestGateway::fed(Feed::Polling).await;
    let mut ws = WsSub::connect(&live.ws_url(), Some(KEY_1)).await;
    ws.send_text("{not json".into()).await;
    assert_eq!(ws.closed(CLOSE_WAIT).await.0, 4400);

    // Valid JSON but no such message (an id-less subscribe), before init too.
    let mut ws = WsSub::connect_raw(&live.ws_url()).await;
    ws.send(json!({ "type": "subscribe", "payload": { "query": "{ __typename }" } }))
        .await;
    assert_eq!(ws.closed(CLOSE_WAIT).await.0, 4400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_keep_close_reasons_under_123_bytes() {
    let live = TestGateway::fed(Feed::Polling).await;
    let url = live.ws_url();
    // The parse error quotes the unknown message type; multi-byte characters test the cut.
    let mut ws = WsSub::connect(&url, Some(KEY_1)).await;
    ws.send(json!({ "type": "é".repeat(300) })).await;
    let (code, reason) = ws.closed(CLOSE_WAIT).await;
    assert_eq!(code, 4400, "{reason}");
    assert!(!reason.is_empty() && reason.len() < 123, "{reason}");

    let long_id = "x".repeat(1000);
    let mut ws = WsSub::connect(&url, Some(KEY_1)).await;
    ws.send(subscribe(&long_id, SUBSCRIPTION)).await;
    ws.send(subscribe(&long_id, SUBSCRIPTION)).await;
    let (code, reason) = ws.closed(CLOSE_WAIT).await;
    assert_eq!(code, 4409, "{reason}");
    assert!(
        reason.starts_with("Subscriber for xxx") && reason.len() < 123,
        "{reason}"
    );

    let mut ws = WsSub::connect_raw(&url).await;
    let huge = format!("Token {}", "y".repeat(10_000));
    ws.send(json!({ "type": "connection_init", "payload": { "Authorization": huge } }))
        .await;
    let (code, reason) = ws.closed(CLOSE_WAIT).await;
    assert_eq!(code, 4403, "{reason}");
    assert!(!reason.is_empty() && reason.len() < 123, "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_close_1009_on_a_message_over_the_limit_and_keep_serving() {
    let live = TestGateway::fed(Feed::Polling).await;
    let limit = config().ws_max_message_bytes;
    let ping = |size: usize| json!({ "type": "ping", "payload": { "pad": "p".repeat(size) } });
    let mut ws = WsSub::connect(&live.ws_url(), Some(KEY_1)).await;
    ws.send(ping(limit - 100)).await;
    let pong = ws
        .recv(CLOSE_WAIT)
        .await
        .expect("a pong for a message within the limit");
    assert_eq!(pong["type"], "pong", "{pong}");

    ws.send(ping(limit + 1)).await;
    assert_eq!(ws.closed(CLOSE_WAIT).await.0, 1009);

    let mut other = WsSub::connect(&live.ws_url(), Some(KEY_1)).await;
    assert_alive(&mut other).await;
    let data = live.data_as(KEY_1, "{ __typename }", json!({})).await;
    assert_eq!(data["__typename"], "Query");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_refuse_operations_over_the_limit_with_too_many_subscriptions() {
    let mut config = config();
    config.ws_max_subscriptions = 2;
    let live = TestGateway::fed_with(Feed::Polling, config).await;
    let mut ws = WsSub::connect(&live.ws_url(), Some(KEY_1)).await;
    ws.send(subscribe("1", SUBSCRIPTION)).await;
    ws.send(subscribe("2", SUBSCRIPTION)).await;
    live.wait_for_subscribers(2).await;

    ws.send(subscribe("3", SUBSCRIPTION)).await;
    let error = ws.recv(CLOSE_WAIT).await.expect("an error for operation 3");
    assert_eq!(error["type"], "error", "{error:#}");
    assert_eq!(error["id"], "3", "{error:#}");
    assert_eq!(
        error["payload"][0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS",
        "{error:#}"
    );
    assert_alive(&mut ws).await;

    // Completing one makes room again.
    ws.send(json!({ "id": "1", "type": "complete" })).await;
    live.wait_for_subscribers(1).await;
    ws.send(subscribe("3", SUBSCRIPTION)).await;
    live.wait_for_subscribers(2).await;
    ws.expect_silence(Duration::from_millis(200)).await;
}

/// A key's subscriptions are capped over all its sockets together: a key cannot hold the
/// gateway's memory by opening sockets at will.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn must_cap_a_keys_subscriptions_over_all_its_sockets() {
    let mut config = config();
    config.tenant_max_subscriptions = 2;
    let live = TestGateway::fed_with(Feed::Polling, config).await;
    let mut first = WsSub::connect(&live.ws_url(), Some(KEY_1)).await;
    first.send(subscribe("1", SUBSCRIPTION)).await;
    first.send(subscribe("2", SUBSCRIPTION)).await;
    live.wait_for_subscribers(2).await;

    let mut second = WsSub::connect(&live.ws_url(), Some(KEY_1)).await;
    second.send(subscribe("3", SUBSCRIPTION)).await;
    let refused = second
        .recv(CLOSE_WAIT)
        .await
        .expect("an answer for operation 3");
    assert_eq!(refused["type"], "next", "{refused:#}");
    assert_eq!(
        error_codes(&refused["payload"]),
        ["TOO_MANY_SUBSCRIPTIONS"],
        "{refused:#}"
    );
    let message = refused["payload"]["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("already has 2 subscriptions open"),
        "{message}"
    );
    let complete = second.recv(CLOSE_WAIT).await.expect("then complete");
    assert_eq!(complete["type"], "complete", "{complete:#}");
    assert_eq!(live.gateway.live_subscribers(), 2);

    // Another key has its own count; completing one of the first key's makes room again.
    let mut other = WsSub::connect(&live.ws_url(), Some(KEY_2)).await;
    other.send(subscribe("1", SUBSCRIPTION)).await;
    live.wait_for_subscribers(3).await;
    first.send(json!({ "id": "1", "type": "complete" })).await;
    live.wait_for_subscribers(2).await;
    second.send(subscribe("4", SUBSCRIPTION)).await;
    live.wait_for_subscribers(3).await;
    second.expect_silence(Duration::from_millis(200)).await;
}

/// The first access code's PIN as read over a websocket opened from `origin`.
async fn read_pin(live: &TestGateway, origin: Option<&str>, key: Option<&str>) -> Value {
    let mut ws = WsSub::connect_as(&live.ws_url(), TRANSPORT_WS, origin).await;
    ws.send(init(key)).await;
    let ack = ws.recv(CLOSE_WAIT).await.expect("ack");
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    ws.send(subscribe("q", PINS)).await;
    let next = ws.recv(CLOSE_WAIT).await.expect("a result");
    assert_eq!(next["type"], "next", "{next:#}");
    let end = ws.recv(CLOSE_WAIT).await.expect("complete");
    assert_eq!(end["type"], "complete", "{end:#}");
    next["payload"]["data"]["accessCodes"]["nodes"][0]["code"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_not_lend_the_gateways_key_to_cross_origin_sockets() {
    let live = TestGateway::fed(Feed::Polling).await;
    live.create_code(KEY_1, "august_device_1", "Guest").await;
    let evil = Some("https://evil.example");

    let mut ws = WsSub::connect_as(&live.ws_url(), TRANSPORT_WS, evil).await;
    ws.send(init(None)).await;
    let (code, reason) = ws.closed(CLOSE_WAIT).await;
    assert_eq!(code, 4403, "{reason}");
    assert!(reason.contains("Authorization"), "{reason}");

    // Its own key works from anywhere; the gateway's own origin and non-browsers keep the default.
    assert!(read_pin(&live, evil, Some(KEY_1)).await.is_string());
    let own = format!("http://{}", live.gateway.addr());
    assert!(read_pin(&live, Some(&own), None).await.is_string());
    assert!(read_pin(&live, None, None).await.is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_close_every_socket_with_1001_on_shutdown() {
    let live = TestGateway::fed(Feed::Polling).await;
    let mut subscribed = WsSub::subscribe(&live.ws_url(), Some(KEY_1), json!({})).await;
    let mut uninitialised = WsSub::connect_raw(&live.ws_url()).await;
    live.wait_for_subscribers(1).await;

    live.gateway.begin_shutdown();
    let started = Instant::now();
    let going_away = (1001, "server shutting down".to_owned());
    assert_eq!(subscribed.closed(CLOSE_WAIT).await, going_away);
    assert_eq!(uninitialised.closed(CLOSE_WAIT).await, going_away);
    assert!(started.elapsed() < Duration::from_secs(1));
    wait_until(
        || live.gateway.live_subscribers() == 0,
        "subscription dropped",
    )
    .await;
}

/// Queries over a websocket count against the key's in-flight limit as over HTTP: one socket (or
/// many) cannot run more of a key's requests at once than `--tenant-max-in-flight`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn must_hold_queries_over_a_websocket_to_the_keys_in_flight_limit() {
    let mut config = config();
    config.tenant_max_in_flight = 2;
    let (live, proxy) = TestGateway::behind_faults(config).await;
    proxy.set(Fault::Latency(Duration::from_millis(400)));
    let mut ws = WsSub::connect(&live.ws_url(), Some(KEY_1)).await;
    for id in ["1", "2", "3", "4"] {
        ws.send(subscribe(id, PINS)).await;
    }
    let mut results = std::collections::HashMap::new();
    while results.len() < 4 {
        let message = ws.recv(CLOSE_WAIT).await.expect("every query answers");
        if message["type"] == "next" {
            let id = message["id"].as_str().expect("an id").to_owned();
            results.insert(id, message["payload"].clone());
        }
    }
    let limited: Vec<_> = results
        .values()
        .filter(|payload| error_codes(payload) == ["RATE_LIMITED"])
        .collect();
    assert_eq!(limited.len(), 2, "two slots for four queries: {results:#?}");
    assert_eq!(limited[0]["errors"][0]["extensions"]["retryAfter"], 1);
    let answered = results.values().filter(|p| p.get("errors").is_none());
    assert_eq!(answered.count(), 2, "{results:#?}");
    // The slots come back: the next query runs.
    ws.send(subscribe("5", PINS)).await;
    let next = loop {
        let message = ws.recv(CLOSE_WAIT).await.expect("an answer");
        if message["type"] == "next" {
            break message;
        }
    };
    assert!(next["payload"].get("errors").is_none(), "{next:#}");
}

/// `POST /graphql` on a connection of its own (no pooled connection keeps a place).
async fn post_on_a_new_connection(live: &TestGateway) -> reqwest::Response {
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    fresh
        .post(live.graphql_url())
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("an answer")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn must_cap_connections_with_websockets_counted_and_still_answer_healthz() {
    let mut config = config();
    config.max_connections = 3;
    let live = TestGateway::fed_with(Feed::Polling, config).await;
    let mut sockets = Vec::new();
    for _ in 0..3 {
        sockets.push(WsSub::connect(&live.ws_url(), Some(KEY_1)).await);
    }

    // The upgraded websockets still hold their places: a new connection is refused, with a code.
    let refused = post_on_a_new_connection(&live).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "1");
    let body: Value = refused.json().await.expect("json");
    assert_eq!(error_codes(&body), ["TOO_MANY_CONNECTIONS"], "{body}");
    let message = body["errors"][0]["message"].as_str().expect("message");
    assert!(message.contains("--max-connections"), "{message}");
    let upgrade = live.ws_url().into_client_request().expect("ws url");
    match tokio_tungstenite::connect_async(upgrade).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 503)
        }
        other => panic!("a fourth websocket must be refused, got {other:?}"),
    }
    // Liveness still answers, so a flood does not get the replica restarted.
    let health = reqwest::get(live.graphql_url().replace("/graphql", "/healthz"))
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    assert_alive(&mut sockets[0]).await;

    // A websocket that ends gives its place back.
    drop(sockets.pop());
    let deadline = Instant::now() + CLOSE_WAIT;
    loop {
        let response = post_on_a_new_connection(&live).await;
        if response.status() == 200 {
            let body: Value = response.json().await.expect("json");
            assert_eq!(body["data"]["__typename"], "Query", "{body}");
            break;
        }
        assert!(Instant::now() < deadline, "no place came free");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `name{lane="N"} value` lines of a metrics page, by lane.
/// `/metrics` over a connection of its own that closes after the answer: the shared client's pool
/// may open a second keep-alive connection when the first is not back in the pool yet (a busy
/// machine), and that idle connection would hold a seat the counts below do not expect.
async fn metrics_alone(live: &TestGateway) -> String {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let url = live.graphql_url().replace("/graphql", "/metrics");
    let response = client.get(url).send().await.expect("metrics answer");
    response.text().await.expect("metrics text")
}

fn per_lane(metrics: &str, name: &str) -> Vec<u64> {
    metrics
        .lines()
        .filter(|line| line.starts_with(&format!("{name}{{lane=")))
        .map(|line| line.rsplit(' ').next().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn must_spread_websockets_over_the_connection_threads_and_keep_each_counted_to_its_end() {
    let mut config = config();
    config.connection_threads = 2;
    let live = TestGateway::fed_with(Feed::Polling, config).await;
    // One after the other: each upgrade has ended by the next, so only the sessions' seats keep
    // the count that spreads them.
    let mut sockets = Vec::new();
    for _ in 0..4 {
        let mut ws = WsSub::connect(&live.ws_url(), Some(KEY_1)).await;
        assert_alive(&mut ws).await;
        sockets.push(ws);
    }
    let metrics = metrics_alone(&live).await;
    let open = per_lane(&metrics, "seam_graphql_lane_connections_open");
    assert_eq!(open.len(), 2, "{metrics}");
    // Two websockets on each, and the metrics request's own connection on one of them.
    assert!(open.iter().all(|&n| n >= 2), "{open:?}");
    assert_eq!(open.iter().sum::<u64>(), 5, "{open:?}");
    let tasks = per_lane(&metrics, "seam_graphql_lane_tasks_alive");
    assert!(
        tasks.iter().all(|&n| n >= 2),
        "sessions run on the lanes: {tasks:?}"
    );

    // Closed sessions give their seats back.
    sockets.clear();
    let deadline = Instant::now() + CLOSE_WAIT;
    loop {
        let metrics = metrics_alone(&live).await;
        let open = per_lane(&metrics, "seam_graphql_lane_connections_open");
        if open.iter().sum::<u64>() <= 1 {
            break;
        }
        assert!(Instant::now() < deadline, "seats still held: {open:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
