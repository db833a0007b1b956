//! Subscriptions (and queries) over Server-Sent Events at `/graphql`, per the graphql-sse
//! protocol: distinct connections mode, single connection mode, the key and origin rules, the
//! per-stream cap, keep-alive comments, cleanup of a client that went away, and shutdown.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{
    config, error_codes, wait_until, Feed, SseStream, TestGateway, WsSub, KEY_1, KEY_2,
    SUBSCRIPTION,
};

const STREAM: &str = "text/event-stream";
const TOKEN: &str = "x-graphql-event-stream-token";

fn status_line(next: &Value) -> String {
    let c = &next["data"]["accessCodeStatusChanged"];
    format!(
        "{} {}->{}",
        c["eventType"].as_str().unwrap_or("?"),
        c["previousStatus"].as_str().unwrap_or("null"),
        c["status"].as_str().unwrap_or("?")
    )
}

/// A distinct-connections stream: POSTs `query` with `key`, accepting only event streams.
async fn post_stream(
    t: &TestGateway,
    key: Option<&str>,
    query: &str,
    variables: Value,
) -> reqwest::Response {
    let mut request = t
        .http()
        .post(t.graphql_url())
        .header("accept", STREAM)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    request.send().await.expect("gateway answers")
}

/// `/metrics`' SSE subscriptions: (active, total).
async fn sse_subscriptions(t: &TestGateway) -> (f64, f64) {
    let text = t
        .http()
        .get(format!("http://{}/metrics", t.gateway.addr()))
        .send()
        .await
        .expect("metrics answer")
        .text()
        .await
        .expect("text");
    let value = |series: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .map_or(0.0, |v| v.parse().expect("a number"))
    };
    (
        value("seam_graphql_subscriptions_active{transport=\"sse\"}"),
        value("seam_graphql_subscriptions_total{transport=\"sse\"}"),
    )
}

/// PUT: reserves a stream with `key`; returns its token.
async fn reserve(t: &TestGateway, key: &str) -> String {
    let response = t
        .http()
        .put(t.graphql_url())
        .header("authorization", format!("Bearer {key}"))
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(response.status(), 201);
    let token = response.text().await.expect("token");
    assert!(token.len() >= 32, "a long random token: {token}");
    token
}

/// GET with the token in the URL, as a browser's `EventSource` would (no headers of its own).
async fn open(t: &TestGateway, token: &str) -> reqwest::Response {
    t.http()
        .get(format!("{}?token={token}", t.graphql_url()))
        .header("accept", STREAM)
        .send()
        .await
        .expect("gateway answers")
}

/// POST with the token header: starts operation `id` on the stream.
async fn start(
    t: &TestGateway,
    token: &str,
    id: &str,
    query: &str,
    variables: Value,
) -> reqwest::Response {
    t.http()
        .post(t.graphql_url())
        .header(TOKEN, token)
        .json(
            &json!({ "query": query, "variables": variables, "extensions": { "operationId": id } }),
        )
        .send()
        .await
        .expect("gateway answers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_stream_status_changes_in_distinct_connections_mode() {
    let live = TestGateway::fed(Feed::Webhooks).await;
    let response = post_stream(
        &live,
        Some(KEY_1),
        SUBSCRIPTION,
        json!({ "d": "august_device_1" }),
    )
    .await;
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-cache")
    );
    let mut stream = SseStream::new(response);
    live.wait_for_subscribers(1).await;

    let id = live.create_code(KEY_1, "august_device_1", "Over SSE").await;
    let created = stream.expect_event().await;
    assert_eq!(created.event, "next");
    assert_eq!(
        status_line(&created.data),
        "access_code.created null->SETTING"
    );
    assert_eq!(
        created.data["data"]["accessCodeStatusChanged"]["accessCodeId"],
        id.as_str()
    );

    live.advance(2).await;
    let set = stream.expect_event().await;
    assert_eq!(
        status_line(&set.data),
        "access_code.set_on_device SETTING->SET"
    );
    assert_eq!(
        set.data["data"]["accessCodeStatusChanged"]["accessCode"]["status"],
        "SET"
    );

    // The client closes the connection: that is how a distinct stream's subscription ends.
    drop(stream);
    wait_until(
        || live.gateway.live_subscribers() == 0,
        "the subscription to end",
    )
    .await;
}

/// An SSE subscriber and a websocket subscriber with the same key, document and variables share
/// one execution; each receives each change once, framed for its own transport.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_share_one_execution_with_an_identical_websocket_subscription() {
    // One lane: sharing is per lane (`shared_executions.rs`).
    let mut c = config();
    c.connection_threads = 1;
    let live = TestGateway::fed_with(Feed::Webhooks, c).await;
    let variables = json!({ "d": "august_device_1" });
    let response = post_stream(&live, Some(KEY_1), SUBSCRIPTION, variables.clone()).await;
    let mut stream = SseStream::new(response);
    let mut ws = WsSub::subscribe(&live.ws_url(), Some(KEY_1), variables).await;
    live.wait_for_subscribers(2).await;
    assert_eq!(
        live.metric("seam_graphql_subscription_executions").await,
        1.0
    );

    live.create_code(KEY_1, "august_device_1", "Both").await;
    let created = stream.expect_event().await;
    assert_eq!(created.event, "next");
    assert_eq!(
        status_line(&created.data),
        "access_code.created null->SETTING"
    );
    assert_eq!(ws.changes(1).await, ["access_code.created null->SETTING"]);
    ws.expect_silence(Duration::from_millis(300)).await;
    assert!(stream
        .next_event(Duration::from_millis(300))
        .await
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_stream_a_query_result_then_complete_and_end() {
    let live = TestGateway::start().await;
    let response = live
        .http()
        .get(format!(
            "{}?query={}",
            live.graphql_url(),
            "%7B%20devices%20%7B%20nodes%20%7B%20id%20%7D%20%7D%20%7D"
        ))
        .header("accept", STREAM)
        .header("authorization", format!("Bearer {KEY_1}"))
        .send()
        .await
        .expect("gateway answers");
    let mut stream = SseStream::new(response);
    let next = stream.expect_event().await;
    assert_eq!(next.event, "next");
    let devices = next.data["data"]["devices"]["nodes"]
        .as_array()
        .expect("devices");
    assert!(!devices.is_empty(), "{next:?}");
    let complete = stream.expect_event().await;
    assert_eq!(
        (complete.event.as_str(), &complete.data),
        ("complete", &Value::Null)
    );
    assert!(
        stream.ends_within(Duration::from_secs(5)).await,
        "the stream ends after complete"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_report_request_errors_through_the_stream_with_their_codes() {
    let live = TestGateway::start().await;
    // Validation: an unknown field. The protocol has it sent as a `next` event, not a 400.
    let mut stream =
        SseStream::new(post_stream(&live, Some(KEY_1), "subscription { nope }", json!({})).await);
    let next = stream.expect_event().await;
    assert_eq!(next.event, "next");
    assert_eq!(error_codes(&next.data), ["BAD_USER_INPUT"], "{next:?}");
    assert_eq!(stream.expect_event().await.event, "complete");

    // A malformed key: UNAUTHENTICATED, as on /graphql and the websocket.
    let response = live
        .http()
        .post(live.graphql_url())
        .header("accept", STREAM)
        .header("authorization", "Token nope")
        .json(&json!({ "query": SUBSCRIPTION }))
        .send()
        .await
        .expect("gateway answers");
    let mut stream = SseStream::new(response);
    let next = stream.expect_event().await;
    assert_eq!(error_codes(&next.data), ["UNAUTHENTICATED"], "{next:?}");
    assert_eq!(stream.expect_event().await.event, "complete");

    // A filter argument with the wrong type.
    let mut stream =
        SseStream::new(post_stream(&live, Some(KEY_1), SUBSCRIPTION, json!({ "d": true })).await);
    let next = stream.expect_event().await;
    assert_eq!(error_codes(&next.data), ["BAD_USER_INPUT"], "{next:?}");
    assert_eq!(live.gateway.live_subscribers(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn must_refuse_the_gateways_key_to_other_origins_over_sse() {
    let live = TestGateway::start().await;
    let response = live
        .http()
        .post(live.graphql_url())
        .header("accept", STREAM)
        .header("origin", "https://evil.example")
        .json(&json!({ "query": SUBSCRIPTION }))
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);

    let response = live
        .http()
        .put(live.graphql_url())
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(response.status(), 403);

    // With its own key, another origin may subscribe.
    let response = live
        .http()
        .post(live.graphql_url())
        .header("accept", STREAM)
        .header("origin", "https://evil.example")
        .header("authorization", format!("Bearer {KEY_2}"))
        .json(&json!({ "query": SUBSCRIPTION }))
        .send()
        .await
        .expect("gateway answers");
    let _stream = SseStream::new(response);
    live.wait_for_subscribers(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_run_operations_on_one_reserved_stream_in_single_connection_mode() {
    let live = TestGateway::fed(Feed::Webhooks).await;
    let token = reserve(&live, KEY_1).await;
    let mut stream = SseStream::new(open(&live, &token).await);

    let started = start(
        &live,
        &token,
        "watch",
        SUBSCRIPTION,
        json!({ "d": "august_device_2" }),
    )
    .await;
    assert_eq!(started.status(), 202);
    live.wait_for_subscribers(1).await;
    // A query on the same stream: its result and completion carry its own id.
    let query = start(
        &live,
        &token,
        "q1",
        "{ device(id: \"august_device_2\") { id } }",
        json!({}),
    )
    .await;
    assert_eq!(query.status(), 202);
    let result = stream.expect_event().await;
    assert_eq!(result.event, "next");
    assert_eq!(result.data["id"], "q1");
    assert_eq!(
        result.data["payload"]["data"]["device"]["id"],
        "august_device_2"
    );
    assert_eq!(stream.expect_event().await.data, json!({ "id": "q1" }));

    let code = live.create_code(KEY_1, "august_device_2", "Single").await;
    live.advance(2).await;
    let created = stream.expect_event().await;
    assert_eq!(created.data["id"], "watch");
    assert_eq!(
        status_line(&created.data["payload"]),
        "access_code.created null->SETTING"
    );
    assert_eq!(
        created.data["payload"]["data"]["accessCodeStatusChanged"]["accessCodeId"],
        code.as_str()
    );
    let set = stream.expect_event().await;
    assert_eq!(
        status_line(&set.data["payload"]),
        "access_code.set_on_device SETTING->SET"
    );

    // DELETE stops it: 200, a `complete` for it, and the hub lets go.
    let stopped = live
        .http()
        .delete(format!("{}?operationId=watch", live.graphql_url()))
        .header(TOKEN, &token)
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(stopped.status(), 200);
    let complete = stream.expect_event().await;
    assert_eq!(
        (complete.event.as_str(), &complete.data),
        ("complete", &json!({ "id": "watch" }))
    );
    wait_until(
        || live.gateway.live_subscribers() == 0,
        "the subscription to stop",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_answer_the_protocols_status_codes_for_tokens_and_operations() {
    let mut c = config();
    c.ws_max_subscriptions = 1;
    let live = TestGateway::start_with(c).await;
    let url = live.graphql_url();

    // Unknown tokens: 404 with NOT_FOUND, whatever the request.
    assert_eq!(open(&live, "not-a-token").await.status(), 404);
    let unknown = start(&live, "not-a-token", "1", SUBSCRIPTION, json!({})).await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        error_codes(&unknown.json().await.expect("json")),
        ["NOT_FOUND"]
    );
    let delete = live
        .http()
        .delete(format!("{url}?operationId=1"))
        .send()
        .await
        .expect("answers");
    assert_eq!(delete.status(), 404);

    let token = reserve(&live, KEY_1).await;
    let _stream = SseStream::new(open(&live, &token).await);
    // One connection per reservation.
    assert_eq!(open(&live, &token).await.status(), 409);
    // Another key may not use the stream.
    let foreign = live
        .http()
        .post(&url)
        .header(TOKEN, &token)
        .header("authorization", format!("Bearer {KEY_2}"))
        .json(&json!({ "query": SUBSCRIPTION, "extensions": { "operationId": "x" } }))
        .send()
        .await
        .expect("answers");
    assert_eq!(foreign.status(), 403);
    // No operation id: 400.
    let anonymous = live
        .http()
        .post(&url)
        .header(TOKEN, &token)
        .json(&json!({ "query": SUBSCRIPTION }))
        .send()
        .await
        .expect("answers");
    assert_eq!(anonymous.status(), 400);
    // An invalid document is answered as GraphQL over HTTP answers it, not accepted.
    let invalid = start(&live, &token, "bad", "subscription { nope }", json!({})).await;
    assert_ne!(invalid.status(), 202);
    assert_eq!(
        error_codes(&invalid.json().await.expect("json")),
        ["BAD_USER_INPUT"]
    );

    assert_eq!(
        start(&live, &token, "a", SUBSCRIPTION, json!({}))
            .await
            .status(),
        202
    );
    let duplicate = start(&live, &token, "a", SUBSCRIPTION, json!({})).await;
    assert_eq!(duplicate.status(), 409);
    // Over the cap (1 here): TOO_MANY_SUBSCRIPTIONS, as on a websocket.
    let over = start(&live, &token, "b", SUBSCRIPTION, json!({})).await;
    assert_eq!(over.status(), 409);
    assert_eq!(
        error_codes(&over.json().await.expect("json")),
        ["TOO_MANY_SUBSCRIPTIONS"]
    );
    live.wait_for_subscribers(1).await;
}

/// A PUT without the assertions of [`reserve`]: the raw answer.
async fn try_reserve(t: &TestGateway, key: &str) -> reqwest::Response {
    t.http()
        .put(t.graphql_url())
        .header("authorization", format!("Bearer {key}"))
        .send()
        .await
        .expect("gateway answers")
}

/// Asserts a 429 RATE_LIMITED with `Retry-After` whose message says `why`.
async fn assert_reservation_refused(response: reqwest::Response, why: &str) {
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_codes(&body), ["RATE_LIMITED"], "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(why), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn must_cap_streams_reserved_and_not_opened_per_key_and_in_all() {
    let mut c = config();
    c.sse_max_pending_streams = 2;
    c.sse_max_pending_streams_total = 3;
    c.ws_init_timeout_ms = 1_500;
    let live = TestGateway::start_with(c).await;

    let first = reserve(&live, KEY_1).await;
    reserve(&live, KEY_1).await;
    let over_key = try_reserve(&live, KEY_1).await;
    assert_reservation_refused(over_key, "This API key already has 2 streams reserved").await;
    // Another key has room of its own, up to the gateway's total; a made-up key too.
    reserve(&live, KEY_2).await;
    let over_total = try_reserve(&live, "seam_made_up_key").await;
    assert_reservation_refused(over_total, "The gateway already holds 3 streams").await;

    // Opening a stream gives its room back (and it keeps running past the expiry).
    let mut opened = SseStream::new(open(&live, &first).await);
    reserve(&live, KEY_1).await;
    assert_eq!(try_reserve(&live, KEY_1).await.status(), 429);

    // Unopened reservations expire, and their room with them.
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    reserve(&live, KEY_1).await;
    reserve(&live, KEY_1).await;
    assert_eq!(
        start(&live, &first, "q", "{ __typename }", json!({}))
            .await
            .status(),
        202,
        "the opened stream is still there"
    );
    assert_eq!(opened.expect_event().await.data["id"], "q");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_send_keep_alive_comments_and_drop_a_client_that_went_away() {
    let mut c = config();
    c.ws_keepalive_ms = 200;
    let live = TestGateway::start_with(c).await;
    let mut stream = SseStream::new(post_stream(&live, Some(KEY_1), SUBSCRIPTION, json!({})).await);
    live.wait_for_subscribers(1).await;
    assert_eq!(sse_subscriptions(&live).await, (1.0, 1.0), "active, total");
    // The greeting, then a comment per interval while nothing happens.
    let mut comments = 0;
    while comments < 3 {
        let event = stream
            .next_any(Duration::from_secs(2))
            .await
            .expect("a keep-alive within 2 s");
        assert!(event.is_comment(), "{event:?}");
        comments += 1;
    }
    // Gone without a word: the next keep-alive write fails and the subscription is dropped.
    drop(stream);
    wait_until(
        || live.gateway.live_subscribers() == 0,
        "the dead client's subscription to go",
    )
    .await;
    assert_eq!(sse_subscriptions(&live).await, (0.0, 1.0), "active, total");

    // The same for a single-connection stream; its token dies with it.
    let token = reserve(&live, KEY_1).await;
    let stream = SseStream::new(open(&live, &token).await);
    assert_eq!(
        start(&live, &token, "1", SUBSCRIPTION, json!({}))
            .await
            .status(),
        202
    );
    live.wait_for_subscribers(1).await;
    drop(stream);
    wait_until(
        || live.gateway.live_subscribers() == 0,
        "the stream's subscription to go",
    )
    .await;
    assert_eq!(
        start(&live, &token, "2", SUBSCRIPTION, json!({}))
            .await
            .status(),
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_complete_every_stream_on_shutdown() {
    let live = TestGateway::start().await;
    let mut distinct =
        SseStream::new(post_stream(&live, Some(KEY_1), SUBSCRIPTION, json!({})).await);
    let token = reserve(&live, KEY_1).await;
    let mut single = SseStream::new(open(&live, &token).await);
    assert_eq!(
        start(&live, &token, "s", SUBSCRIPTION, json!({}))
            .await
            .status(),
        202
    );
    live.wait_for_subscribers(2).await;

    live.gateway.begin_shutdown();
    let last = distinct.expect_event().await;
    assert_eq!(
        (last.event.as_str(), &last.data),
        ("complete", &Value::Null)
    );
    assert!(distinct.ends_within(Duration::from_secs(5)).await);
    let last = single.expect_event().await;
    assert_eq!(
        (last.event.as_str(), &last.data),
        ("complete", &json!({ "id": "s" }))
    );
    assert!(single.ends_within(Duration::from_secs(5)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_let_listed_origins_use_single_connection_mode_across_origins() {
    let mut c = config();
    c.cors_allow_origin = vec!["https://app.example.com".into()];
    let live = TestGateway::start_with(c).await;
    for method in ["PUT", "DELETE"] {
        let preflight = live
            .http()
            .request(reqwest::Method::OPTIONS, live.graphql_url())
            .header("origin", "https://app.example.com")
            .header("access-control-request-method", method)
            .header(
                "access-control-request-headers",
                "authorization,x-graphql-event-stream-token",
            )
            .send()
            .await
            .expect("gateway answers");
        assert!(
            preflight.status().is_success(),
            "{method}: {}",
            preflight.status()
        );
        let header = |name: &str| {
            preflight
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        assert!(
            header("access-control-allow-methods").contains(&method.to_ascii_lowercase()),
            "{method}"
        );
        assert!(
            header("access-control-allow-headers").contains(TOKEN),
            "{method}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_run_a_mutation_over_sse_but_never_over_get() {
    let live = TestGateway::start().await;
    let create = "mutation($input: CreateAccessCodeInput!) { createAccessCode(input: $input) { accessCode { id status } } }";
    let input = json!({ "input": { "deviceId": "august_device_1", "name": "By SSE" } });
    let mut stream = SseStream::new(post_stream(&live, Some(KEY_1), create, input).await);
    let next = stream.expect_event().await;
    let code = &next.data["data"]["createAccessCode"]["accessCode"];
    assert_eq!(code["status"], "SETTING", "{next:?}");
    assert_eq!(stream.expect_event().await.event, "complete");

    // Over GET, as on plain /graphql: 405, nothing created.
    let before = live.upstream_count("/access_codes/create");
    let response = live
        .http()
        .get(live.graphql_url())
        .query(&[(
            "query",
            "mutation { deleteAccessCode(input: {accessCodeId: \"x\"}) { __typename } }",
        )])
        .header("accept", STREAM)
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(response.status(), 405);
    assert_eq!(live.upstream_count("/access_codes/create"), before);
}
