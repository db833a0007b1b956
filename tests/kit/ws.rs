//! A minimal GraphQL-over-WebSocket client (graphql-transport-ws, or another subprotocol by name)
//! over a real socket, for the subscription tests.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// What every test selects.
pub const SUBSCRIPTION: &str = "subscription($a: ID, $d: ID, $k: String) {
  accessCodeStatusChanged(accessCodeId: $a, deviceId: $d, commonCodeKey: $k) {
    eventType eventId accessCodeId deviceId previousStatus status occurredAt
    accessCode { id status commonCodeKey device { id } }
    errors { errorCode } warnings { warningCode }
  }
}";

/// A graphql-transport-ws client with one subscription.
pub struct WsSub {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl WsSub {
    /// Connects with the graphql-transport-ws subprotocol, sending nothing.
    pub async fn connect_raw(url: &str) -> Self {
        let mut request = url.into_client_request().expect("ws url");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().expect("header"),
        );
        let (ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("ws connects");
        Self { ws }
    }

    /// Connects with the given subprotocol and, when given, an `Origin` header; sends nothing.
    pub async fn connect_as(url: &str, protocol: &str, origin: Option<&str>) -> Self {
        let mut request = url.into_client_request().expect("ws url");
        let headers = request.headers_mut();
        headers.insert("sec-websocket-protocol", protocol.parse().expect("header"));
        if let Some(origin) = origin {
            headers.insert("origin", origin.parse().expect("origin"));
        }
        let (ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("ws connects");
        Self { ws }
    }

    /// Connects, sends `connection_init` (with `Authorization` when a key is given), awaits the ack.
    pub async fn connect(url: &str, key: Option<&str>) -> Self {
        let mut request = url.into_client_request().expect("ws url");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().expect("header"),
        );
        let (ws, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("ws connects");
        assert_eq!(
            response
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok()),
            Some("graphql-transport-ws")
        );
        let mut sub = Self { ws };
        let payload = match key {
            Some(k) => json!({ "Authorization": format!("Bearer {k}") }),
            None => json!({}),
        };
        sub.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        let ack = sub.recv(Duration::from_secs(5)).await.expect("ack");
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        sub
    }

    /// Connects and subscribes to `accessCodeStatusChanged` with the given variables.
    pub async fn subscribe(url: &str, key: Option<&str>, variables: Value) -> Self {
        let mut sub = Self::connect(url, key).await;
        sub.send(json!({
            "id": "1",
            "type": "subscribe",
            "payload": { "query": SUBSCRIPTION, "variables": variables }
        }))
        .await;
        sub
    }

    pub async fn send(&mut self, v: Value) {
        self.ws
            .send(Message::Text(v.to_string().into()))
            .await
            .expect("ws send");
    }

    /// The next protocol message (pings answered), or None on timeout / close.
    pub async fn recv(&mut self, timeout: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .ok()??
                .ok()?;
            match msg {
                Message::Text(t) => {
                    let v: Value = serde_json::from_str(t.as_str()).expect("json message");
                    if v["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    return Some(v);
                }
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// The next `accessCodeStatusChanged` item (the whole `next` payload).
    pub async fn next_payload(&mut self) -> Value {
        let msg = self
            .recv(Duration::from_secs(10))
            .await
            .expect("a status change within 10 s");
        assert_eq!(msg["type"], "next", "{msg}");
        msg["payload"].clone()
    }

    /// The next change, summarised as `event_type PREVIOUS->STATUS`.
    pub async fn next_change(&mut self) -> (String, Value) {
        let payload = self.next_payload().await;
        assert!(payload.get("errors").is_none(), "{payload:#}");
        let c = payload["data"]["accessCodeStatusChanged"].clone();
        let summary = format!(
            "{} {}->{}",
            c["eventType"].as_str().unwrap_or("?"),
            c["previousStatus"].as_str().unwrap_or("null"),
            c["status"].as_str().unwrap_or("?")
        );
        (summary, c)
    }

    /// `n` changes, summarised.
    pub async fn changes(&mut self, n: usize) -> Vec<String> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.next_change().await.0);
        }
        out
    }

    /// Asserts nothing arrives for `wait`.
    pub async fn expect_silence(&mut self, wait: Duration) {
        if let Some(msg) = self.recv(wait).await {
            panic!("expected nothing, got {msg:#}");
        }
    }

    /// Sends a text frame as is (not necessarily JSON).
    pub async fn send_text(&mut self, text: String) {
        self.ws
            .send(Message::Text(text.into()))
            .await
            .expect("ws send");
    }

    /// Waits for the server to close the socket: the Close frame's code and reason (1006 when the
    /// socket ended without one). Panics on any protocol message before it.
    pub async fn closed(&mut self, timeout: Duration) -> (u16, String) {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("the server did not close within {timeout:?}"));
            match msg {
                None | Some(Err(_)) => return (1006, String::new()),
                Some(Ok(Message::Close(frame))) => {
                    return frame.map_or((1005, String::new()), |f| {
                        (f.code.into(), f.reason.as_str().to_owned())
                    })
                }
                Some(Ok(Message::Text(t))) => panic!("expected the socket to close, got {t}"),
                Some(Ok(_)) => continue,
            }
        }
    }

    /// The next frame as it is, pings and all (None on timeout or end); nothing is answered.
    pub async fn next_frame(&mut self, timeout: Duration) -> Option<Message> {
        tokio::time::timeout(timeout, self.ws.next())
            .await
            .ok()??
            .ok()
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}
