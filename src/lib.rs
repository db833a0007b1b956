//! seam-graphql: a GraphQL gateway over Seam's access codes REST API.
//!
//! Module map (arrows point at what a module may use):
//! `run` -> `http` -> `schema` -> {`loaders`, `events`, `seam`}; `loaders` -> {`cache`, `seam`}.
//! `sandbox` stands apart: its own model and Router, reached by the gateway only over HTTP.
#![warn(unreachable_pub)]

pub(crate) mod cache;
pub mod config;
pub(crate) mod http;
pub(crate) mod loaders;
pub mod sandbox;
pub mod schema;
pub mod seam;
pub mod telemetry;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use config::{GatewayConfig, SandboxArgs};

/// Where the gateway sends its upstream calls.
#[derive(Clone)]
pub struct UpstreamTarget {
    /// Base URL of a Seam API (real, or a sandbox).
    pub base_url: String,
    /// Key for requests that carry no `Authorization` header.
    pub default_key: Option<String>,
}

/// A gateway serving on a bound listener. Dropping it stops the server.
pub struct RunningGateway {
    addr: SocketAddr,
    client: seam::SeamClient,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningGateway {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// Upstream calls made so far, per Seam endpoint path.
    pub fn upstream_calls(&self) -> std::collections::BTreeMap<String, u64> {
        self.client.stats().snapshot()
    }
    /// Serves until the process is asked to stop.
    pub async fn wait(mut self) -> anyhow::Result<()> {
        if let Some(task) = self.task.take() {
            task.await?;
        }
        Ok(())
    }
}

impl Drop for RunningGateway {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Builds the gateway and serves it on `listener` in a background task.
pub async fn serve(
    config: &GatewayConfig,
    listener: TcpListener,
    upstream: UpstreamTarget,
) -> anyhow::Result<RunningGateway> {
    let client = seam::SeamClient::new(&upstream.base_url, config.upstream_timeout())?;
    let gateway = schema::Gateway {
        client: client.clone(),
        devices: cache::DeviceCache::new(config.device_cache_ttl(), config.device_cache_capacity),
        groups: cache::LinkedGroupIndex::new(Duration::from_secs(3600), 100_000),
    };
    let state = http::AppState {
        schema: schema::build_schema(gateway.clone()),
        gateway,
        default_key: upstream.default_key.map(|k| Arc::new(seam::ApiKey::new(k))),
    };
    let addr = listener.local_addr()?;
    let app = http::app(state);
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
        {
            tracing::error!(error = %e, "server stopped");
        }
    });
    Ok(RunningGateway {
        addr,
        client,
        task: Some(task),
    })
}

/// Runs the gateway until Ctrl-C / SIGTERM: against Seam when a key is configured, otherwise
/// against the embedded sandbox started on an ephemeral loopback port.
pub async fn run(config: GatewayConfig) -> anyhow::Result<()> {
    tracing::debug!(?config, "starting gateway");
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let (upstream, _sandbox) = if config.uses_embedded_sandbox() {
        let sandbox = sandbox::Sandbox::start(sandbox::SandboxOptions {
            set_delay: Duration::from_millis(config.sandbox_set_delay_ms),
            ..Default::default()
        })
        .await?;
        let keys = sandbox.api_keys();
        println!(
            "No SEAM_API_KEY: using the embedded Seam sandbox at {}",
            sandbox.base_url()
        );
        for key in &keys {
            println!(
                "  it accepts API key {} (workspace {})",
                key.api_key, key.workspace_id
            );
        }
        println!(
            "  requests without an Authorization header act as workspace {}",
            keys.first().map(|k| k.workspace_id.as_str()).unwrap_or("-")
        );
        let target = UpstreamTarget {
            base_url: sandbox.base_url(),
            default_key: keys.first().map(|k| k.api_key.clone()),
        };
        (target, Some(sandbox))
    } else {
        let target = UpstreamTarget {
            base_url: config
                .seam_endpoint
                .clone()
                .unwrap_or_else(|| config::SEAM_PUBLIC_ENDPOINT.into()),
            default_key: config.seam_api_key.clone(),
        };
        (target, None)
    };
    println!("Upstream: {}", upstream.base_url);
    let running = serve(&config, listener, upstream).await?;
    println!("GraphiQL: http://{addr}/graphql");
    running.wait().await
}

/// Runs the sandbox alone until Ctrl-C / SIGTERM.
pub async fn run_sandbox(args: SandboxArgs) -> anyhow::Result<()> {
    let webhook = match (args.webhook_url, args.webhook_secret) {
        (Some(url), Some(secret)) => Some(sandbox::WebhookTarget { url, secret }),
        (None, _) => None,
        (Some(_), None) => {
            anyhow::bail!("--webhook-url needs --webhook-secret (or SEAM_WEBHOOK_SECRET)")
        }
    };
    let sandbox = sandbox::Sandbox::start(sandbox::SandboxOptions {
        listen: args.listen,
        set_delay: Duration::from_millis(args.set_delay_ms),
        clock: sandbox::ClockMode::Real,
        webhook,
    })
    .await?;
    println!("Seam sandbox listening on {}", sandbox.base_url());
    for key in sandbox.api_keys() {
        println!(
            "  API key {} -> workspace {}",
            key.api_key, key.workspace_id
        );
    }
    shutdown_signal().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
