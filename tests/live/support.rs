//! Test kit: a Manual-clock sandbox, a gateway fed by webhooks or by polling, GraphQL over HTTP and
//! a minimal graphql-transport-ws client over a real WebSocket.

use std::time::{Duration, Instant};

use clap::Parser;
use futures::{SinkExt, StreamExt};
use seam_graphql::config::{Cli, GatewayConfig};
use seam_graphql::sandbox::{ClockMode, Sandbox, SandboxOptions, WebhookTarget};
use seam_graphql::{serve, RunningGateway, UpstreamTarget};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const KEY_1: &str = "seam_apikey1_token";
pub const KEY_2: &str = "seam_apikey2_token";

/// How a gateway learns about events.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Feed {
    /// The sandbox delivers signed webhooks to the gateway.
    Webhooks,
    /// The gateway has a secret but the sandbox delivers nothing (tests post deliveries by hand).
    SilentWebhooks,
    /// No secret: the gateway polls `/events/list`.
    Polling,
}

pub struct Live {
    pub sandbox: Sandbox,
    pub gateway: RunningGateway,
    pub secret: Option<String>,
    http: reqwest::Client,
}

pub fn config() -> GatewayConfig {
    let mut config = Cli::parse_from(["seam-graphql"]).gateway;
    config.seam_api_key = None;
    config.seam_endpoint = None;
    config.webhook_secret = None;
    config.poll_interval_ms = 50;
    config
}

impl Live {
    pub async fn start(feed: Feed) -> Self {
        Self::start_with(feed, config()).await
    }

    pub async fn start_with(feed: Feed, mut config: GatewayConfig) -> Self {
        let sandbox = Sandbox::start(SandboxOptions {
            clock: ClockMode::Manual,
            set_delay: Duration::from_secs(2),
            ..Default::default()
        })
        .await
        .expect("sandbox starts");
        let secret = (feed != Feed::Polling).then(seam_graphql::generate_webhook_secret);
        config.webhook_secret = secret.clone();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let gateway = serve(
            &config,
            listener,
            UpstreamTarget {
                base_url: sandbox.base_url(),
                default_key: Some(KEY_1.into()),
            },
        )
        .await
        .expect("gateway starts");
        if feed == Feed::Webhooks {
            sandbox.set_webhook(Some(WebhookTarget {
                url: seam_graphql::webhook_url(gateway.addr()),
                secret: secret.clone().expect("secret"),
            }));
        }
        Self {
            sandbox,
            gateway,
            secret,
            http: reqwest::Client::new(),
        }
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/graphql/ws", self.gateway.addr())
    }

    pub fn webhook_url(&self) -> String {
        seam_graphql::webhook_url(self.gateway.addr())
    }

    pub async fn gql(&self, key: &str, query: &str, variables: Value) -> Value {
        let body = self.gql_response(key, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// The whole GraphQL response, errors included.
    pub async fn gql_response(&self, key: &str, query: &str, variables: Value) -> Value {
        let response = self
            .http
            .post(format!("http://{}/graphql", self.gateway.addr()))
            .header("authorization", format!("Bearer {key}"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("gateway answers");
        response.json().await.expect("json")
    }

    /// Creates an ongoing code on `device_id` (workspace of `key`); returns its id.
    pub async fn create_code(&self, key: &str, device_id: &str, name: &str) -> String {
        let data = self
            .gql(
                key,
                "mutation($input: CreateAccessCodeInput!) { createAccessCode(input: $input) { accessCode { id } } }",
                json!({ "input": { "deviceId": device_id, "name": name } }),
            )
            .await;
        data["createAccessCode"]["accessCode"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    pub async fn delete_code(&self, key: &str, id: &str) {
        self.gql(
            key,
            "mutation($input: DeleteAccessCodeInput!) { deleteAccessCode(input: $input) { __typename } }",
            json!({ "input": { "accessCodeId": id } }),
        )
        .await;
    }

    /// Posts a webhook delivery with the given headers; returns the HTTP status.
    pub async fn post_webhook(&self, headers: &[(&str, String)], body: &str) -> u16 {
        let mut request = self
            .http
            .post(self.webhook_url())
            .header("content-type", "application/json")
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request
            .send()
            .await
            .expect("gateway answers")
            .status()
            .as_u16()
    }

    /// Waits until `n` subscriptions are registered with the hub (so later events reach them).
    pub async fn wait_for_subscribers(&self, n: usize) {
        wait_until(|| self.gateway.live_subscribers() == n, "live subscribers").await;
    }

    pub async fn advance(&self, secs: u64) {
        self.sandbox.advance(Duration::from_secs(secs)).await;
    }
}

pub async fn wait_until(mut ok: impl FnMut() -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Polls an async condition until it holds, failing after `limit`.
pub async fn wait_until_async<F, Fut>(limit: Duration, mut ok: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !ok().await {
        assert!(
            Instant::now() < deadline,
            "condition never held within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

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

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}
