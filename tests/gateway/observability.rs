//! What an on-call engineer reads: the request id and the caller's trace travel to Seam, and
//! `/metrics` moves as requests, errors, cache hits, batches, webhooks and subscriptions happen.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{config, wait_until_async, Feed, TestGateway, WsSub, KEY_1};

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

async fn post(
    t: &TestGateway,
    headers: &[(&str, &str)],
    query: &str,
) -> (reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("http://{}/graphql", t.gateway.addr()))
        .json(&json!({ "query": query }));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("gateway answers");
    let headers = response.headers().clone();
    (headers, response.json().await.expect("json"))
}

async fn metrics(t: &TestGateway) -> String {
    reqwest::get(format!("http://{}/metrics", t.gateway.addr()))
        .await
        .expect("metrics answer")
        .text()
        .await
        .expect("text")
}

/// The value of one series (exact name and labels), 0 when absent.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.parse().expect("a number"))
}

#[tokio::test]
async fn should_send_the_request_id_and_the_callers_trace_on_every_seam_call() {
    let (t, proxy) = TestGateway::behind_faults(config()).await;
    proxy.reset_counts();
    // Two devices through the DataLoader (a batch in a task of its own), and a list.
    let query = r#"{ a: device(id: "august_device_1") { id } b: device(id: "august_device_2") { id }
        devices(first: 1) { nodes { id } } }"#;
    let (headers, body) = post(
        &t,
        &[
            ("x-request-id", "req-trace-1"),
            ("traceparent", TRACEPARENT),
        ],
        query,
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(headers["x-request-id"], "req-trace-1");

    let seen = proxy.requests();
    assert!(seen.len() >= 2, "{seen:?}");
    for request in &seen {
        assert_eq!(
            request.request_id.as_deref(),
            Some("req-trace-1"),
            "{request:?}"
        );
        let traceparent = request.traceparent.as_deref().expect("a traceparent");
        let parts: Vec<&str> = traceparent.split('-').collect();
        assert_eq!(parts.len(), 4, "{traceparent}");
        assert_eq!(parts[1], "4bf92f3577b34da6a3ce929d0e0e4736", "same trace");
        assert_ne!(parts[2], "00f067aa0ba902b7", "a span of ours as parent");
        assert_eq!(parts[3], "01");
    }

    // Without a traceparent there is no trace to continue; the generated request id still goes.
    proxy.reset_counts();
    let (headers, _) = post(&t, &[], r#"{ device(id: "august_device_3") { id } }"#).await;
    let id = headers["x-request-id"].to_str().expect("ascii").to_owned();
    let seen = proxy.requests();
    assert!(!seen.is_empty());
    for request in seen {
        assert_eq!(request.request_id.as_deref(), Some(id.as_str()));
        assert_eq!(request.traceparent, None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_move_the_request_upstream_cache_and_batch_series_as_requests_run() {
    let t = TestGateway::start().await;
    let before = metrics(&t).await;
    assert!(before.contains("# TYPE seam_graphql_request_duration_seconds histogram"));
    let named = "seam_graphql_request_duration_seconds_count{operation_type=\"query\",operation_name=\"TwoDevices\"}";
    assert_eq!(value(&before, named), 0.0);

    let query = r#"query TwoDevices { a: device(id: "august_device_1") { id } b: device(id: "august_device_2") { id } }"#;
    let (_, body) = post(&t, &[], query).await;
    assert!(body.get("errors").is_none(), "{body}");
    let (_, body) = post(&t, &[], query).await;
    assert!(body.get("errors").is_none(), "{body}");
    let (_, missing) = post(&t, &[], r#"query Missing { device(id: "nope") { id } }"#).await;
    assert_eq!(missing["errors"][0]["extensions"]["code"], "NOT_FOUND");

    let after = metrics(&t).await;
    assert_eq!(value(&after, named), 2.0, "{after}");
    assert_eq!(
        value(
            &after,
            "seam_graphql_request_duration_seconds_bucket{operation_type=\"query\",operation_name=\"TwoDevices\",le=\"+Inf\"}"
        ),
        2.0
    );
    assert_eq!(
        value(&after, "seam_graphql_errors_total{code=\"NOT_FOUND\"}"),
        1.0
    );
    // The first request missed both devices in one batch; the second found both in the cache.
    assert_eq!(
        value(
            &after,
            "seam_graphql_loader_batch_size_count{loader=\"device\"}"
        ),
        2.0,
        "{after}"
    );
    assert_eq!(
        value(
            &after,
            "seam_graphql_loader_batch_size_bucket{loader=\"device\",le=\"1\"}"
        ),
        1.0,
        "the lookup of `nope` is a batch of one: {after}"
    );
    assert_eq!(
        value(
            &after,
            "seam_graphql_device_cache_requests_total{result=\"hit\"}"
        ),
        2.0,
        "{after}"
    );
    assert_eq!(
        value(
            &after,
            "seam_graphql_device_cache_requests_total{result=\"miss\"}"
        ),
        3.0,
        "{after}"
    );
    let upstream = value(
        &after,
        "seam_graphql_upstream_call_duration_seconds_count{endpoint=\"/devices/list\",status=\"200\"}",
    );
    assert_eq!(
        upstream,
        t.gateway.upstream_calls()["/devices/list"] as f64,
        "{after}"
    );
    assert!(value(&after, "process_resident_memory_bytes") > 1e6);
    assert!(value(&after, "process_open_fds") > 0.0);
    assert!(value(&after, "process_start_time_seconds") > 1.7e9);
}

#[tokio::test]
async fn should_cap_operation_names_so_clients_cannot_grow_the_metrics() {
    let t = TestGateway::start().await;
    for n in 0..105 {
        let (_, body) = post(&t, &[], &format!("query Name{n} {{ __typename }}")).await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    let text = metrics(&t).await;
    let series = text
        .lines()
        .filter(|l| l.starts_with("seam_graphql_request_duration_seconds_count"))
        .count();
    assert_eq!(series, 101, "100 names and `other`");
    assert_eq!(
        value(
            &text,
            "seam_graphql_request_duration_seconds_count{operation_type=\"query\",operation_name=\"other\"}"
        ),
        5.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_count_webhooks_subscriptions_and_event_lag() {
    let t = TestGateway::fed(Feed::SilentWebhooks).await;
    let secret = t.secret.clone().expect("secret");
    let mut sub = WsSub::subscribe(&t.ws_url(), Some(KEY_1), json!({})).await;
    t.wait_for_subscribers(1).await;
    let text = metrics(&t).await;
    assert_eq!(
        value(
            &text,
            "seam_graphql_subscriptions_active{transport=\"graphql-transport-ws\"}"
        ),
        1.0
    );

    let code = t.create_code(KEY_1, "august_device_1", "Lag").await;
    let body = json!({
        "event_id": uuid::Uuid::new_v4().to_string(),
        "event_type": "access_code.set_on_device",
        "workspace_id": "seed_workspace_1",
        "access_code_id": code,
        "device_id": "august_device_1",
        "occurred_at": chrono::Utc::now().to_rfc3339(),
    })
    .to_string();
    let ts = chrono::Utc::now().timestamp();
    let signature =
        seam_graphql::sandbox::sign_webhook(&secret, "msg_lag", ts, &body).expect("signs");
    let signed = [
        ("svix-id", "msg_lag".to_owned()),
        ("svix-timestamp", ts.to_string()),
        ("svix-signature", signature),
    ];
    assert_eq!(t.post_webhook(&signed, &body).await, 200);
    assert_eq!(t.post_webhook(&signed, &body).await, 200, "a replay");
    let forged = [
        ("svix-id", "msg_lag".to_owned()),
        ("svix-timestamp", ts.to_string()),
        ("svix-signature", "v1,AAAA".to_owned()),
    ];
    assert_eq!(t.post_webhook(&forged, &body).await, 401);
    sub.next_change().await;

    let text = metrics(&t).await;
    for (series, expected) in [
        (
            "seam_graphql_webhooks_total{outcome=\"accepted\",reason=\"new\"}",
            1.0,
        ),
        (
            "seam_graphql_webhooks_total{outcome=\"accepted\",reason=\"skipped\"}",
            1.0,
        ),
        (
            "seam_graphql_webhooks_total{outcome=\"rejected\",reason=\"bad_signature\"}",
            1.0,
        ),
        (
            "seam_graphql_event_delivery_lag_seconds_count{source=\"webhook\"}",
            1.0,
        ),
        (
            "seam_graphql_event_age_at_delivery_seconds_count{source=\"webhook\"}",
            1.0,
        ),
    ] {
        assert_eq!(value(&text, series), expected, "{series}\n{text}");
    }

    sub.close().await;
    wait_until_async(Duration::from_secs(5), || async {
        let text = metrics(&t).await;
        value(
            &text,
            "seam_graphql_subscriptions_active{transport=\"graphql-transport-ws\"}",
        ) == 0.0
            && value(
                &text,
                "seam_graphql_subscriptions_total{transport=\"graphql-transport-ws\"}",
            ) == 1.0
    })
    .await;
}
