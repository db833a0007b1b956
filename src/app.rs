//! Building the gateway and serving it: the services, the live-status hub and the schema, wired into
//! the HTTP app on a bound listener. Tests and benchmarks start gateways through [`serve`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::config::GatewayConfig;
use crate::{cache, cluster, events, http, schema, seam, services};

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
    live: events::LiveHub,
    /// Cancelled to shut the server down as SIGTERM would.
    stop: tokio_util::sync::CancellationToken,
    lanes: crate::lanes::LaneLoads,
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
    /// Tasks alive on the connection threads (`--connection-threads`): client connections and
    /// websocket sessions run there, not on the caller's runtime.
    pub fn connection_thread_tasks(&self) -> usize {
        self.lanes.alive_tasks()
    }
    /// Live status subscriptions currently open (all workspaces).
    pub fn live_subscribers(&self) -> usize {
        self.live.subscriber_count()
    }
    /// Workspaces with at least one live subscription (one poller task each).
    pub fn live_workspaces(&self) -> usize {
        self.live.workspace_count()
    }
    /// Workspaces whose events this replica resolves and polls (with Redis: whose lease it holds).
    pub fn live_leading_workspaces(&self) -> usize {
        self.live.leading_workspace_count()
    }
    /// Round trips to Redis so far (0 without Redis).
    pub fn redis_round_trips(&self) -> u64 {
        self.live.redis_round_trips()
    }
    /// Begins a graceful shutdown, as SIGTERM does: stop accepting, let in-flight requests finish
    /// and accepted webhooks be published within the shutdown timeout, close websockets with 1001.
    pub fn begin_shutdown(&self) {
        self.stop.cancel();
    }
    /// Checks, in the background, that Seam answers and accepts `key`, and logs what it found.
    /// Not awaited: a slow or absent upstream must not hold up serving.
    pub(crate) fn probe_upstream_in_background(&self, key: &str) {
        let key = Arc::new(seam::ApiKey::new(key));
        tokio::spawn(probe_upstream(self.client.clone(), key));
    }
    /// Serves until the process is asked to stop, and has shut down.
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

/// The gateway's HTTP app, not yet bound to a socket: for tests that call it directly
/// (`tower::ServiceExt::oneshot`). Shutdown and websockets need [`serve`].
pub fn router(config: &GatewayConfig, upstream: UpstreamTarget) -> anyhow::Result<axum::Router> {
    Ok(http::app(app_state(config, upstream, Default::default())?))
}

/// Builds the gateway and serves it on `listener` in a background task.
pub async fn serve(
    config: &GatewayConfig,
    listener: TcpListener,
    upstream: UpstreamTarget,
) -> anyhow::Result<RunningGateway> {
    let lanes = crate::lanes::Lanes::start(config.connection_threads)
        .map_err(|e| anyhow::anyhow!("cannot start the connection threads: {e}"))?;
    let lane_loads = lanes.loads();
    let state = app_state(config, upstream, lane_loads.clone())?;
    let client = state.services.client.clone();
    let addr = listener.local_addr()?;
    let state_live = state.live.clone();
    let (shutdown, sessions) = (state.shutdown.clone(), state.sessions.clone());
    let connections = state.connections.clone();
    let options = http::ServeOptions {
        header_read_timeout: Duration::from_millis(config.header_read_timeout_ms.max(1)),
        shutdown_timeout: Duration::from_millis(config.shutdown_timeout_ms),
    };
    let stop = tokio_util::sync::CancellationToken::new();
    let stop_requested = stop.clone();
    let live = state.live.clone();
    let app = http::app(state);
    let task = tokio::spawn(async move {
        let stop = async move {
            tokio::select! {
                _ = shutdown_signal() => {}
                _ = stop_requested.cancelled() => {}
            }
        };
        let events_drained = async move { live.drained().await };
        http::serve(
            listener,
            app,
            connections,
            lanes,
            options,
            shutdown,
            sessions,
            stop,
            events_drained,
        )
        .await;
    });
    Ok(RunningGateway {
        addr,
        client,
        live: state_live,
        stop,
        lanes: lane_loads,
        task: Some(task),
    })
}

/// One cheap call with the default key at start-up, so the log says at once whether Seam is
/// reachable, whether it accepts the key, and which workspace it belongs to (`workspaces/get`;
/// one device's workspace where that route is missing).
async fn probe_upstream(client: seam::SeamClient, key: Arc<seam::ApiKey>) {
    match client.get_workspace(&key).await {
        Ok(ws) => {
            tracing::info!(upstream = %client.base_url(), tenant = %key.tenant(), workspace = %ws.workspace_id, "upstream reachable; key accepted");
            return;
        }
        Err(e) if e.status() == Some(404) => {}
        Err(e) => {
            tracing::warn!(upstream = %client.base_url(), tenant = %key.tenant(), error = %e, "upstream probe failed at start-up");
            return;
        }
    }
    let request = seam::wire::DeviceListRequest {
        limit: Some(1),
        ..Default::default()
    };
    match client.list_devices(&key, &request).await {
        Ok(page) => {
            let workspace = page
                .devices
                .first()
                .and_then(|d| d.workspace_id.clone())
                .unwrap_or_else(|| "unknown (no devices)".into());
            tracing::info!(upstream = %client.base_url(), tenant = %key.tenant(), %workspace, "upstream reachable; key accepted");
        }
        Err(e) => {
            tracing::warn!(upstream = %client.base_url(), tenant = %key.tenant(), error = %e, "upstream probe failed at start-up")
        }
    }
}

/// The services, the live-status hub and the schema, as the HTTP handlers' state.
fn app_state(
    config: &GatewayConfig,
    upstream: UpstreamTarget,
    lanes: crate::lanes::LaneLoads,
) -> anyhow::Result<http::AppState> {
    let client = seam::SeamClient::with_breaker(
        &upstream.base_url,
        config.upstream_timeout(),
        Duration::from_millis(config.breaker_cooldown_ms),
    )?
    .with_unproven_key_limit(config.unproven_key_max_in_flight);
    let devices = cache::DeviceCache::bounded(
        config.device_cache_ttl(),
        config.device_cache_capacity,
        config.device_cache_max_bytes,
    );
    // Chosen once: with Redis, replicas share state through it; without, all of it is in process.
    let redis = config
        .redis_url
        .as_deref()
        .map(cluster::RedisLink::new)
        .transpose()?;
    let services = services::Services::with_redis(client.clone(), devices, redis.as_ref());
    let live = live_hub(config, &client, services.devices.clone(), redis.as_ref())?;
    let tenant_limit = http::TenantLimiter::new(config.tenant_max_in_flight);
    let multiplex = http::Multiplexer::new(
        live.clone(),
        config.subscription_buffer,
        tenant_limit.clone(),
        config.tenant_max_subscriptions,
    );
    Ok(http::AppState::new(http::SharedState {
        schema: schema::build_schema(
            services.clone(),
            live.clone(),
            u64::from(config.max_upstream_calls),
        ),
        services,
        live,
        default_key: upstream.default_key.map(|k| Arc::new(seam::ApiKey::new(k))),
        origins: http::OriginPolicy::new(&server_key_origins(config)),
        limits: http::Limits::from_config(config),
        shutdown: tokio_util::sync::CancellationToken::new(),
        sessions: tokio_util::task::TaskTracker::new(),
        tenant_limit,
        persisted: redis.map_or_else(Default::default, |redis| {
            http::PersistedQueries::shared(cluster::documents::RedisDocuments::new(
                redis,
                config.redis_max_documents.max(1),
            ))
        }),
        cors_origins: config.cors_allow_origin.clone().into(),
        sse_streams: http::SseStreams::new(http::SsePendingLimits {
            per_key: config.sse_max_pending_streams,
            total: config.sse_max_pending_streams_total,
        }),
        multiplex,
        connections: http::ConnectionLimit::new(
            config.max_connections,
            crate::open_files::current(),
        ),
        lanes,
    }))
}

/// Origins whose browsers may use the server's key: the allow-list plus the CORS origins. A CORS
/// `*` is not among them: it lets any page read answers, not spend the server's key.
fn server_key_origins(config: &GatewayConfig) -> Vec<String> {
    let cors = config.cors_allow_origin.iter().filter(|o| o.trim() != "*");
    config.allowed_origins.iter().chain(cors).cloned().collect()
}

/// The live-status hub: webhook verification from `webhook_secret`, polling every `poll_interval`.
fn live_hub(
    config: &GatewayConfig,
    client: &seam::SeamClient,
    devices: services::devices::DeviceService,
    redis: Option<&cluster::RedisLink>,
) -> anyhow::Result<events::LiveHub> {
    let webhook_secret = config
        .webhook_secret
        .as_deref()
        .map(events::WebhookSecret::parse)
        .transpose()?;
    let poll_interval = config.poll_interval().max(Duration::from_millis(10));
    Ok(events::LiveHub::new(
        client.clone(),
        devices,
        events::LiveOptions {
            poll_interval,
            webhook_secret,
            webhook_stale_after: (poll_interval * 10).max(Duration::from_secs(30)),
            buffer: config.subscription_buffer.max(1),
        },
        redis.map(|redis| {
            let lease = match config.redis_lease_ms {
                0 => poll_interval,
                ms => Duration::from_millis(ms),
            };
            cluster::live::RedisLive::new(redis.clone(), lease)
        }),
    ))
}

/// Registers `webhook_url` with the upstream (webhooks/create, only the event types the gateway
/// acts on; an existing registration for the same URL is reused) with the upstream's default
/// key, and returns the secret deliveries will be signed with.
pub async fn register_webhook(
    config: &GatewayConfig,
    upstream: &UpstreamTarget,
    webhook_url: &str,
) -> anyhow::Result<String> {
    let key = upstream.default_key.as_deref().ok_or_else(|| {
        anyhow::anyhow!(
            "--public-url needs SEAM_API_KEY: webhooks are registered with the gateway's own key"
        )
    })?;
    let key = seam::ApiKey::new(key);
    let client = seam::SeamClient::new(&upstream.base_url, config.upstream_timeout())?;
    let event_types: Vec<&str> = events::STATUS_EVENT_TYPES
        .iter()
        .chain(events::DEVICE_EVENT_TYPES)
        .copied()
        .collect();
    let registered =
        services::webhooks::ensure_registered(&client, &key, webhook_url, &event_types)
            .await
            .map_err(|e| {
                anyhow::anyhow!("registering the webhook {webhook_url} with Seam failed: {e}")
            })?;
    tracing::info!(url = %webhook_url, webhook_id = %registered.webhook_id, reused = registered.reused, "webhook registered with Seam");
    Ok(registered.secret)
}

/// `<public url>/webhooks/seam`.
pub fn public_webhook_url(public_url: &str) -> String {
    format!("{}/webhooks/seam", public_url.trim_end_matches('/'))
}

/// A fresh `whsec_` secret, for a gateway and the sandbox it receives webhooks from.
pub fn generate_webhook_secret() -> String {
    events::WebhookSecret::generate()
}

/// The URL of a gateway's webhook receiver (`0.0.0.0` is reached over loopback).
pub fn webhook_url(addr: SocketAddr) -> String {
    let host = if addr.ip().is_unspecified() {
        std::net::IpAddr::from([127, 0, 0, 1])
    } else {
        addr.ip()
    };
    format!(
        "http://{}/webhooks/seam",
        SocketAddr::new(host, addr.port())
    )
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
