//! Keep-alive on `/graphql/ws`: a quiet subscription gets pings (so proxies with idle timeouts keep
//! it), and a client that stops answering is closed and its subscription cleaned up.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{config, wait_until, Feed, TestGateway, WsSub, KEY_1};

async fn quick_keepalive() -> TestGateway {
    let mut c = config();
    c.ws_keepalive_ms = 200;
    TestGateway::fed_with(Feed::Polling, c).await
}

/// Connects with `protocol`, initialises with KEY_1, and returns after the ack.
async fn initialised(t: &TestGateway, protocol: &str) -> WsSub {
    let mut ws = WsSub::connect_as(&t.ws_url(), protocol, None).await;
    ws.send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {KEY_1}") } }))
        .await;
    let ack = ws.next_frame(Duration::from_secs(5)).await.expect("ack");
    assert!(
        matches!(&ack, Message::Text(t) if t.contains("connection_ack")),
        "{ack:?}"
    );
    ws
}

/// The frames that arrive within `wait`.
async fn frames_within(ws: &mut WsSub, wait: Duration) -> Vec<Message> {
    let deadline = Instant::now() + wait;
    let mut frames = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match ws.next_frame(left).await {
            Some(frame) => frames.push(frame),
            None => break,
        }
    }
    frames
}

fn protocol_types(frames: &[Message]) -> Vec<String> {
    frames
        .iter()
        .filter_map(|f| match f {
            Message::Text(t) => serde_json::from_str::<Value>(t.as_str()).ok(),
            _ => None,
        })
        .filter_map(|v| v["type"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_keep_a_quiet_connection_alive_on_both_protocols() {
    let t = quick_keepalive().await;
    for (protocol, keepalive) in [("graphql-transport-ws", "ping"), ("graphql-ws", "ka")] {
        let mut ws = initialised(&t, protocol).await;
        let frames = frames_within(&mut ws, Duration::from_millis(700)).await;
        assert!(
            protocol_types(&frames).iter().any(|t| t == keepalive),
            "{protocol}: no `{keepalive}` in {frames:?}"
        );
        assert!(
            frames.iter().any(|f| matches!(f, Message::Ping(_))),
            "{protocol}: no WebSocket ping in {frames:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_close_a_client_that_stops_answering_and_drop_its_subscription() {
    let t = quick_keepalive().await;
    let mut ws = initialised(&t, "graphql-transport-ws").await;
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": crate::support::SUBSCRIPTION } }))
        .await;
    t.wait_for_subscribers(1).await;
    // Read nothing, answer nothing: neither the protocol's pong nor the WebSocket's.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    wait_until(
        || t.gateway.live_subscribers() == 0,
        "the silent subscriber dropped",
    )
    .await;
    let frames = frames_within(&mut ws, Duration::from_secs(2)).await;
    let close = frames.iter().find_map(|f| match f {
        Message::Close(Some(frame)) => Some(u16::from(frame.code)),
        _ => None,
    });
    assert_eq!(close, Some(3008), "{frames:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_keep_a_client_that_answers() {
    let t = quick_keepalive().await;
    let mut ws = WsSub::subscribe(&t.ws_url(), Some(KEY_1), json!({})).await;
    t.wait_for_subscribers(1).await;
    // `recv` answers every protocol ping, as graphql-ws clients do.
    ws.expect_silence(Duration::from_millis(1200)).await;
    assert_eq!(t.gateway.live_subscribers(), 1);
}
