//! The test kit every suite shares: a Manual-clock sandbox and a gateway in front of it, both on
//! ephemeral loopback ports, a client that speaks GraphQL over real HTTP, and (in `ws`) one that
//! speaks it over a real WebSocket. Each suite includes it as its `support` module; not every suite
//! uses every helper.
#![allow(dead_code, unused_imports)]

pub mod cluster;
pub mod faults;
mod sse;
mod ws;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use clap::Parser;
use seam_graphql::config::{Cli, GatewayConfig};
use seam_graphql::sandbox::{ClockMode, Sandbox, SandboxOptions, WebhookTarget};
use seam_graphql::{serve, RunningGateway, UpstreamTarget};
use serde_json::{json, Value};
use tokio::net::TcpListener;

pub use faults::{Fault, FaultProxy, SeenRequest};
pub use sse::{SseEvent, SseStream};
pub use ws::{WsSub, SUBSCRIPTION};

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

/// Defaults for tests: no environment, no webhook secret, and quick polling.
pub fn config() -> GatewayConfig {
    let mut config = Cli::parse_from(["seam-graphql"]).gateway;
    config.seam_api_key = None;
    config.seam_endpoint = None;
    config.webhook_secret = None;
    config.poll_interval_ms = 50;
    config
}

/// A sandbox with a manual clock (tests move time with [`TestGateway::advance`]).
pub async fn start_sandbox() -> Sandbox {
    Sandbox::start(SandboxOptions {
        clock: ClockMode::Manual,
        set_delay: Duration::from_secs(2),
        ..Default::default()
    })
    .await
    .expect("sandbox starts")
}

/// A gateway in front of a sandbox; requests without `Authorization` act as workspace 1.
pub struct TestGateway {
    pub sandbox: Sandbox,
    pub gateway: RunningGateway,
    /// The webhook secret the gateway verifies with, if its feed has one.
    pub secret: Option<String>,
    http: reqwest::Client,
    url: String,
}

impl TestGateway {
    /// A polling gateway with the test defaults.
    pub async fn start() -> Self {
        Self::start_with(config()).await
    }

    pub async fn start_with(config: GatewayConfig) -> Self {
        Self::fed_with(Feed::Polling, config).await
    }

    /// A gateway with the test defaults, fed by `feed`.
    pub async fn fed(feed: Feed) -> Self {
        Self::fed_with(feed, config()).await
    }

    pub async fn fed_with(feed: Feed, config: GatewayConfig) -> Self {
        let sandbox = start_sandbox().await;
        let base_url = sandbox.base_url();
        Self::assemble(feed, config, sandbox, base_url).await
    }

    /// A polling gateway whose calls to the sandbox go through a [`FaultProxy`].
    pub async fn behind_faults(config: GatewayConfig) -> (Self, FaultProxy) {
        Self::behind_faults_fed(Feed::Polling, config).await
    }

    /// Like [`Self::behind_faults`], fed by `feed`; the sandbox's webhooks reach the gateway
    /// directly, only the gateway's REST calls pass the proxy.
    pub async fn behind_faults_fed(feed: Feed, config: GatewayConfig) -> (Self, FaultProxy) {
        let sandbox = start_sandbox().await;
        let proxy = FaultProxy::start(sandbox.base_url()).await;
        let gateway = Self::assemble(feed, config, sandbox, proxy.base_url()).await;
        (gateway, proxy)
    }

    async fn assemble(
        feed: Feed,
        mut config: GatewayConfig,
        sandbox: Sandbox,
        upstream_base_url: String,
    ) -> Self {
        let secret = (feed != Feed::Polling).then(seam_graphql::generate_webhook_secret);
        config.webhook_secret = secret.clone();
        let upstream = UpstreamTarget {
            base_url: upstream_base_url,
            default_key: Some(KEY_1.into()),
        };
        let gateway = start_gateway(&config, upstream).await;
        if feed == Feed::Webhooks {
            sandbox.set_webhook(Some(WebhookTarget {
                url: seam_graphql::webhook_url(gateway.addr()),
                secret: secret.clone().expect("secret"),
            }));
        }
        let url = format!("http://{}/graphql", gateway.addr());
        Self {
            sandbox,
            gateway,
            secret,
            http: reqwest::Client::new(),
            url,
        }
    }

    /// Runs a GraphQL operation as the default key (workspace 1) and returns the whole response.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_with(None, query, variables).await
    }

    /// Runs a GraphQL operation with an `Authorization` header value.
    pub async fn gql_with(
        &self,
        authorization: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Value {
        post_graphql(&self.http, &self.url, authorization, query, variables).await
    }

    /// Runs a GraphQL operation with `key`; the whole response.
    pub async fn gql_as(&self, key: &str, query: &str, variables: Value) -> Value {
        let bearer = format!("Bearer {key}");
        self.gql_with(Some(&bearer), query, variables).await
    }

    /// Runs a GraphQL operation with `key`; its `data`, which must come without errors.
    pub async fn data_as(&self, key: &str, query: &str, variables: Value) -> Value {
        data(&self.gql_as(key, query, variables).await).clone()
    }

    /// Calls the sandbox received, per path, since the last reset.
    pub fn upstream(&self) -> BTreeMap<String, u64> {
        self.sandbox.calls()
    }

    pub fn upstream_count(&self, path: &str) -> u64 {
        self.sandbox.calls().get(path).copied().unwrap_or(0)
    }

    /// The sandbox clock, as an ISO string offset by `hours`.
    pub fn at(&self, hours: i64) -> String {
        (self.sandbox.now() + chrono::Duration::hours(hours))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    /// Moves the sandbox clock.
    pub async fn advance(&self, secs: u64) {
        self.sandbox.advance(Duration::from_secs(secs)).await;
    }

    /// `http://<gateway>/graphql`.
    pub fn graphql_url(&self) -> String {
        self.url.clone()
    }

    /// A plain HTTP client, for requests the helpers above do not make.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The gateway's whole `/metrics` page.
    pub async fn metrics_text(&self) -> String {
        self.http
            .get(format!("http://{}/metrics", self.gateway.addr()))
            .send()
            .await
            .expect("metrics answer")
            .text()
            .await
            .expect("metrics text")
    }

    /// A series of the gateway's `/metrics`, as a number (0 when absent).
    pub async fn metric(&self, series: &str) -> f64 {
        let text = self.metrics_text().await;
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .map_or(0.0, |v| v.parse().expect("a number"))
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/graphql/ws", self.gateway.addr())
    }

    pub fn webhook_url(&self) -> String {
        seam_graphql::webhook_url(self.gateway.addr())
    }

    /// Creates an ongoing code on `device_id` (workspace of `key`); returns its id.
    pub async fn create_code(&self, key: &str, device_id: &str, name: &str) -> String {
        let data = self
            .data_as(
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
        self.data_as(
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
}

/// The gateway's HTTP app in front of `sandbox`, without a socket: call it with
/// `tower::ServiceExt::oneshot`.
pub fn router_for(sandbox: &Sandbox) -> axum::Router {
    let upstream = UpstreamTarget {
        base_url: sandbox.base_url(),
        default_key: Some(KEY_1.into()),
    };
    seam_graphql::router(&config(), upstream).expect("router builds")
}

pub async fn start_gateway(config: &GatewayConfig, upstream: UpstreamTarget) -> RunningGateway {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    serve(config, listener, upstream)
        .await
        .expect("gateway starts")
}

pub async fn post_graphql(
    http: &reqwest::Client,
    url: &str,
    authorization: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut request = http
        .post(url)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(auth) = authorization {
        request = request.header("authorization", auth);
    }
    let response = request.send().await.expect("gateway answers");
    assert!(response.status().is_success(), "HTTP {}", response.status());
    response.json().await.expect("json body")
}

/// The `extensions.code` of every error, in order.
pub fn error_codes(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<none>")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `data` of a response that must have no errors.
pub fn data(response: &Value) -> &Value {
    assert!(
        response.get("errors").is_none(),
        "unexpected errors: {response:#}"
    );
    &response["data"]
}

/// This test process's resident memory, in KiB (the gateway runs in-process).
pub fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
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
