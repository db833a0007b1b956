//! The live-status subscriber both fan-out benchmarks open by the thousand (`fanout.rs`, `cluster.rs`),
//! and their latency arithmetic. Included by those two only, beside `support/mod.rs`.

use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

/// Each client's read buffer. tungstenite zero-fills its whole read buffer before every read
/// (128 KiB by default), which made a third of these clients' CPU a `memset`: on the gateway's
/// own cores, that is time taken from the gateway. The gateway reads with 4 KiB too.
const READ_BUFFER: usize = 4 * 1024;

/// The sandbox's first workspace, whose lock `august_device_1` every subscriber filters on.
pub const KEY: &str = "seam_apikey1_token";

/// `seam_graphql_live_subscribers` from a gateway's `/metrics`; 0 while it does not answer.
pub async fn live_subscribers(http: &reqwest::Client, gateway: &str) -> usize {
    let Ok(r) = http.get(format!("{gateway}/metrics")).send().await else {
        return 0;
    };
    let text = r.text().await.unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("seam_graphql_live_subscribers "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// What a subscriber reads of each message: its type and, in a `next`, the event id. Parsed into
/// these types rather than a `serde_json::Value`, so the clients (on the same cores as the
/// gateway) spend as little as they can.
#[derive(Deserialize)]
struct Incoming {
    #[serde(rename = "type")]
    kind: String,
    payload: Option<Payload>,
}

#[derive(Deserialize)]
struct Payload {
    data: Option<Data>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "accessCodeStatusChanged")]
    change: Option<Change>,
}

#[derive(Deserialize)]
struct Change {
    #[serde(rename = "eventId")]
    event_id: String,
}

/// One client socket with `subscriptions` identical subscriptions (ids 1..): handshake,
/// subscribe, then report every event id it receives, once per subscription.
pub async fn subscriber(
    url: String,
    subscriptions: usize,
    tx: mpsc::UnboundedSender<(String, Instant)>,
) {
    let mut request = url.into_client_request().expect("url");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), false)
        .await
        .expect("ws connects");
    let send = |v: Value| Message::Text(v.to_string().into());
    ws.send(send(
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {KEY}")}}),
    ))
    .await
    .expect("init");
    for id in 1..=subscriptions {
        ws.send(send(json!({"id": id.to_string(), "type": "subscribe", "payload": {
            "query": "subscription { accessCodeStatusChanged(deviceId: \"august_device_1\") { eventId status } }"
        }})))
        .await
        .expect("subscribe");
    }
    while let Some(Ok(msg)) = ws.next().await {
        let Message::Text(t) = msg else { continue };
        let at = Instant::now();
        let Ok(incoming) = serde_json::from_str::<Incoming>(t.as_str()) else {
            continue;
        };
        match incoming.kind.as_str() {
            "next" => {
                if let Some(change) = incoming.payload.and_then(|p| p.data?.change) {
                    let _ = tx.send((change.event_id, at));
                }
            }
            "ping" => {
                let _ = ws.send(send(json!({"type": "pong"}))).await;
            }
            _ => {}
        }
    }
}

/// A webhook the benchmarks post: where it went, and its event's id, send time and POST duration.
pub struct Posted {
    pub event_id: String,
    pub sent_at: Instant,
    /// How long the POST took (the cluster bench does not report it).
    #[allow(dead_code)]
    pub took: Duration,
}

/// Posts a signed `access_code.set_on_device` webhook for `code_id` to `gateway`, as Seam would
/// (delivery id `msg_id`), and checks that it was accepted.
pub async fn post_status_webhook(
    http: &reqwest::Client,
    gateway: &str,
    secret: &str,
    msg_id: &str,
    code_id: &str,
) -> Posted {
    let event_id = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "event_id": event_id,
        "event_type": "access_code.set_on_device",
        "workspace_id": "seed_workspace_1",
        "device_id": "august_device_1",
        "access_code_id": code_id,
        "occurred_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    })
    .to_string();
    let ts = chrono::Utc::now().timestamp();
    let sig = seam_graphql::sandbox::sign_webhook(secret, msg_id, ts, &body).expect("sign");
    let sent_at = Instant::now();
    let status = http
        .post(format!("{gateway}/webhooks/seam"))
        .header("svix-id", msg_id)
        .header("svix-timestamp", ts.to_string())
        .header("svix-signature", sig)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("webhook")
        .status();
    let took = sent_at.elapsed();
    assert!(status.is_success(), "webhook answered {status}");
    Posted {
        event_id,
        sent_at,
        took,
    }
}

/// Every delivery's latency: for each `(event id, read at)` the subscribers report, how long after
/// its event was sent (`sent_at`) it was read; until `expected` are in, or 30 s pass. Unsorted:
/// callers sort once the CPU figures are taken, so that sorting is not counted as the clients' work.
pub async fn collect_latencies(
    rx: &mut mpsc::UnboundedReceiver<(String, Instant)>,
    sent_at: &std::collections::HashMap<String, Instant>,
    expected: usize,
) -> Vec<Duration> {
    let mut latencies = Vec::with_capacity(expected);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while latencies.len() < expected {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some((id, at))) => {
                if let Some(t0) = sent_at.get(&id) {
                    latencies.push(at.duration_since(*t0));
                }
            }
            _ => break,
        }
    }
    latencies
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    ms(sorted[((sorted.len() as f64 - 1.0) * p).round() as usize])
}
