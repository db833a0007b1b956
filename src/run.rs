//! The command line's entry points: the gateway (on Seam, or on the embedded sandbox it starts) and
//! the sandbox alone, each until Ctrl-C / SIGTERM, with the banner that tells a user where things are.

use std::time::Duration;

use tokio::net::TcpListener;

use crate::app::{
    public_webhook_url, register_webhook, serve, shutdown_signal, webhook_url, UpstreamTarget,
};
use crate::config::{self, GatewayConfig, SandboxArgs};
use crate::sandbox;

/// Runs the gateway until Ctrl-C / SIGTERM: against Seam when a key is configured, otherwise
/// against the embedded sandbox started on an ephemeral loopback port.
pub async fn run(mut config: GatewayConfig) -> anyhow::Result<()> {
    tracing::debug!(?config, "starting gateway");
    crate::open_files::raise_and_report();
    let listener = TcpListener::bind(config.listen).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot listen on {}: {e}; choose another address with --listen or SEAM_GRAPHQL_LISTEN",
            config.listen
        )
    })?;
    let addr = listener.local_addr()?;
    // The embedded sandbox's other workspaces, registered for webhooks too.
    let mut other_sandbox_keys: Vec<String> = Vec::new();
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
        other_sandbox_keys = keys.iter().skip(1).map(|k| k.api_key.clone()).collect();
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
    // Live status: register the webhook receiver with Seam (or the sandbox, which implements the
    // webhooks routes) and verify deliveries with the secret it returns.
    let public_webhook = match &config.public_url {
        Some(url) => Some(public_webhook_url(url)),
        None if config.uses_embedded_sandbox() => Some(webhook_url(addr)),
        None => None,
    };
    if let Some(url) = public_webhook {
        let secret = register_webhook(&config, &upstream, &url).await?;
        // The sandbox signs one URL's deliveries with one secret, whichever workspace registered it.
        for key in other_sandbox_keys {
            let other = UpstreamTarget {
                default_key: Some(key),
                ..upstream.clone()
            };
            if register_webhook(&config, &other, &url).await? != secret {
                tracing::warn!("a sandbox workspace got another webhook secret; it will be polled");
            }
        }
        config.webhook_secret = Some(secret);
        println!("Webhooks: Seam posts events to {url}");
    }
    println!("Upstream: {}", upstream.base_url);
    let default_key = upstream.default_key.clone();
    let running = serve(&config, listener, upstream).await?;
    if let Some(key) = &default_key {
        running.probe_upstream_in_background(key);
    }
    println!("GraphiQL: http://{addr}/graphql");
    running.wait().await
}

/// Checks a gateway's health endpoint: Ok on a 2xx within 3 s, an error naming the cause otherwise.
pub async fn healthcheck(url: &str) -> anyhow::Result<()> {
    let response = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()?
        .get(url)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{url} did not answer: {e}"))?;
    anyhow::ensure!(
        response.status().is_success(),
        "{url} answered {}",
        response.status()
    );
    Ok(())
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
