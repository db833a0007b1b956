//! Test kit: a Manual-clock sandbox plus a gateway, both on ephemeral loopback ports, and a client
//! that speaks GraphQL over real HTTP.

use std::collections::BTreeMap;
use std::time::Duration;

use clap::Parser;
use seam_graphql::config::{Cli, GatewayConfig};
use seam_graphql::sandbox::{ClockMode, Sandbox, SandboxOptions};
use seam_graphql::{serve, RunningGateway, UpstreamTarget};
use serde_json::{json, Value};
use tokio::net::TcpListener;

pub const KEY_1: &str = "seam_apikey1_token";
pub const KEY_2: &str = "seam_apikey2_token";

pub struct TestGateway {
    pub sandbox: Sandbox,
    pub gateway: RunningGateway,
    http: reqwest::Client,
    url: String,
}

/// Defaults for tests: no env, a short upstream timeout.
pub fn config() -> GatewayConfig {
    let mut config = Cli::parse_from(["seam-graphql"]).gateway;
    config.seam_api_key = None;
    config.seam_endpoint = None;
    config.webhook_secret = None;
    config
}

impl TestGateway {
    pub async fn start() -> Self {
        Self::start_with(config()).await
    }

    pub async fn start_with(config: GatewayConfig) -> Self {
        let sandbox = Sandbox::start(SandboxOptions {
            clock: ClockMode::Manual,
            set_delay: Duration::from_secs(2),
            ..Default::default()
        })
        .await
        .expect("sandbox starts");
        let upstream = UpstreamTarget {
            base_url: sandbox.base_url(),
            default_key: Some(KEY_1.into()),
        };
        let gateway = start_gateway(&config, upstream).await;
        let url = format!("http://{}/graphql", gateway.addr());
        Self {
            sandbox,
            gateway,
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
