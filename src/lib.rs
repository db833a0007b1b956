//! seam-graphql: a GraphQL gateway over Seam's access codes REST API.
//!
//! Module map (arrows point at what a module may use):
//! `run` -> `http` -> `schema` -> {`loaders`, `events`, `seam`}; `loaders` -> {`cache`, `seam`}.
//! `sandbox` stands apart: its own model and Router, reached by the gateway only over HTTP.
#![warn(unreachable_pub)]

pub mod config;
pub mod sandbox;
pub mod schema;
pub mod seam;
pub mod telemetry;

use std::time::Duration;

use config::{GatewayConfig, SandboxArgs};

/// Runs the gateway until Ctrl-C / SIGTERM.
pub async fn run(config: GatewayConfig) -> anyhow::Result<()> {
    tracing::info!(?config, "starting gateway");
    anyhow::bail!("gateway not built yet")
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
