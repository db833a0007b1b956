//! Hostile HTTP: other websites cannot spend the server's key, malformed requests get coded
//! errors, and slow or half-open clients cannot hold connections or the shutdown.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{config, TestGateway, KEY_1};

const CREATE: &str = r#"mutation { createAccessCode(input: {deviceId: "august_device_1", name: "csrf", code: "4829"}) { accessCode { id code } } }"#;

/// POSTs `body` to `/graphql` with these headers; returns the status and the JSON body.
async fn post_raw(t: &TestGateway, headers: &[(&str, &str)], body: String) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("http://{}/graphql", t.gateway.addr()))
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("gateway answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, json)
}

fn code(v: &Value) -> &str {
    v["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

fn query_body(query: &str) -> String {
    json!({ "query": query }).to_string()
}

#[tokio::test]
async fn should_refuse_cross_site_use_of_the_servers_key() {
    let t = TestGateway::start().await;
    t.sandbox.reset_calls();
    // The simple request a page on another site can send without a preflight.
    let (status, body) = post_raw(
        &t,
        &[
            ("content-type", "text/plain"),
            ("origin", "https://evil.example"),
        ],
        query_body(CREATE),
    )
    .await;
    assert_eq!((status, code(&body)), (403, "FORBIDDEN"), "{body:#}");
    // JSON from another origin (it would need a preflight, but be sure anyway).
    let (status, body) = post_raw(
        &t,
        &[
            ("content-type", "application/json"),
            ("origin", "https://evil.example"),
        ],
        query_body(CREATE),
    )
    .await;
    assert_eq!((status, code(&body)), (403, "FORBIDDEN"), "{body:#}");
    // text/plain with no Origin (a non-browser client) still may not use the server's key.
    let (status, body) = post_raw(&t, &[("content-type", "text/plain")], query_body(CREATE)).await;
    assert_eq!((status, code(&body)), (415, "BAD_REQUEST"), "{body:#}");
    assert!(
        t.upstream().values().all(|n| *n == 0),
        "upstream was called: {:?}",
        t.upstream()
    );
}

#[tokio::test]
async fn should_serve_same_origin_and_callers_with_their_own_key() {
    let t = TestGateway::start().await;
    let own_origin = format!("http://{}", t.gateway.addr());
    let query = query_body(r#"{ device(id: "august_device_1") { id } }"#);
    let (status, body) = post_raw(
        &t,
        &[
            ("content-type", "application/json"),
            ("origin", own_origin.as_str()),
        ],
        query.clone(),
    )
    .await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["data"]["device"]["id"], "august_device_1", "{body:#}");
    let bearer = format!("Bearer {KEY_1}");
    let (status, body) = post_raw(
        &t,
        &[
            ("content-type", "application/json"),
            ("origin", "https://evil.example"),
            ("authorization", bearer.as_str()),
        ],
        query,
    )
    .await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["data"]["device"]["id"], "august_device_1", "{body:#}");
}

#[tokio::test]
async fn should_allow_listed_origins() {
    let mut c = config();
    c.allowed_origins = vec!["https://app.example.com".into()];
    let t = TestGateway::start_with(c).await;
    let (status, body) = post_raw(
        &t,
        &[
            ("content-type", "application/json"),
            ("origin", "https://app.example.com"),
        ],
        query_body(r#"{ device(id: "august_device_1") { id } }"#),
    )
    .await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["data"]["device"]["id"], "august_device_1", "{body:#}");
}

#[tokio::test]
async fn should_give_every_transport_refusal_a_code() {
    let t = TestGateway::start().await;
    let json_type = [("content-type", "application/json")];
    let (status, body) = post_raw(&t, &json_type, "{\"query\": ".into()).await;
    assert_eq!((status, code(&body)), (400, "BAD_REQUEST"), "{body:#}");
    let (status, body) = post_raw(&t, &json_type, "[{\"query\": \"{ __typename }\"}]".into()).await;
    assert_eq!((status, code(&body)), (400, "BAD_REQUEST"), "{body:#}");
    let huge = json!({ "query": format!("{{ __typename }} #{}", "x".repeat(2 * 1024 * 1024)) });
    let (status, body) = post_raw(&t, &json_type, huge.to_string()).await;
    assert_eq!(
        (status, code(&body)),
        (413, "PAYLOAD_TOO_LARGE"),
        "{body:#}"
    );
}

/// Reads until the server closes the connection; the time it took.
async fn time_until_closed(stream: &mut TcpStream, limit: Duration) -> Duration {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(limit, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return started.elapsed(),
            Ok(Ok(_)) => continue,
            Err(_) => panic!("the connection was still open after {limit:?}"),
        }
    }
}

#[tokio::test]
async fn should_close_connections_that_send_half_a_head_or_sit_idle() {
    let mut c = config();
    c.header_read_timeout_ms = 300;
    let t = TestGateway::start_with(c).await;
    let mut half = TcpStream::connect(t.gateway.addr()).await.expect("connect");
    half.write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    let took = time_until_closed(&mut half, Duration::from_secs(5)).await;
    assert!(took >= Duration::from_millis(250), "closed after {took:?}");
    let mut idle = TcpStream::connect(t.gateway.addr()).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    time_until_closed(&mut idle, Duration::from_secs(5)).await;
}

#[tokio::test]
async fn should_answer_a_half_sent_body_with_a_timeout() {
    let mut c = config();
    c.body_read_timeout_ms = 300;
    let t = TestGateway::start_with(c).await;
    let mut slow = TcpStream::connect(t.gateway.addr()).await.expect("connect");
    slow.write_all(
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\"",
    )
    .await
    .expect("write");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(read.is_ok(), "no answer within 5 s");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("BAD_REQUEST"), "{answer}");
}

#[tokio::test]
async fn should_shut_down_within_the_timeout_despite_half_open_clients() {
    let mut c = config();
    c.shutdown_timeout_ms = 500;
    let t = TestGateway::start_with(c).await;
    let addr = t.gateway.addr();
    // A half-sent head and a half-sent body, both held open.
    let mut head = TcpStream::connect(addr).await.expect("connect");
    head.write_all(b"POST /graphql HTTP/1.1\r\n")
        .await
        .expect("write");
    let mut body = TcpStream::connect(addr).await.expect("connect");
    body.write_all(
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    )
    .await
    .expect("write");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    t.gateway.begin_shutdown();
    let TestGateway { gateway, .. } = t;
    tokio::time::timeout(Duration::from_secs(5), gateway.wait())
        .await
        .expect("the server stops within 5 s")
        .expect("clean stop");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "shutdown took {took:?}");
    assert!(TcpStream::connect(addr).await.is_err(), "still accepting");
}
