//! Command line and environment, parsed in one place.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// Seam's public API, used when a key is given without an endpoint.
pub const SEAM_PUBLIC_ENDPOINT: &str = "https://connect.getseam.com";

/// `seam-graphql [serve] | sandbox | print-schema | healthcheck`. The gateway's options go after
/// `serve`, or with no subcommand at all (`seam-graphql --listen ...` runs the gateway); before
/// another subcommand they are refused, not ignored. `--log-format` and `--otlp-endpoint` go
/// anywhere.
#[derive(Parser, Debug)]
#[command(name = "seam-graphql", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// How log lines are written: `text` (colours only on a terminal) or `json` (one object a line).
    #[arg(
        long,
        global = true,
        env = "SEAM_GRAPHQL_LOG_FORMAT",
        value_enum,
        default_value_t
    )]
    pub log_format: crate::telemetry::LogFormat,
    /// Export traces over OTLP/HTTP (protobuf) to this collector, e.g. `http://localhost:4318`
    /// (`/v1/traces` is added). Off when unset.
    #[arg(long, global = true, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
    /// The gateway's options when no subcommand is given.
    #[command(flatten)]
    pub gateway: GatewayConfig,
}

impl Cli {
    /// Parses the command line, refusing (with usage, exit status 2) gateway options written before
    /// a subcommand other than `serve`, which would otherwise be silently ignored. Environment
    /// variables are not options: they still apply.
    pub fn parse_checked() -> Self {
        use clap::{CommandFactory, FromArgMatches};
        let mut command = Self::command();
        let matches = command.get_matches_mut();
        if let Some((subcommand, _)) = matches.subcommand() {
            let misplaced = command.get_arguments().find(|arg| {
                !arg.is_global_set()
                    && matches.value_source(arg.get_id().as_str())
                        == Some(clap::parser::ValueSource::CommandLine)
            });
            if let Some(arg) = misplaced {
                let flag = arg
                    .get_long()
                    .map_or_else(|| arg.get_id().to_string(), |l| format!("--{l}"));
                let own = command
                    .find_subcommand(subcommand)
                    .is_some_and(|sub| sub.get_arguments().any(|a| a.get_long() == arg.get_long()));
                let hint = if own {
                    format!("write it after `{subcommand}`")
                } else {
                    format!("it is an option of `serve`, which `{subcommand}` does not take")
                };
                command
                    .error(
                        clap::error::ErrorKind::ArgumentConflict,
                        format!("`{flag}` was given before the subcommand `{subcommand}`: {hint}"),
                    )
                    .exit();
            }
        }
        Self::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }

    /// What to run: the subcommand, or the gateway with the options given without one.
    pub fn into_command(self) -> Command {
        match self.command {
            Some(command) => command,
            None => Command::Serve(Box::new(self.gateway)),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the gateway (the default).
    // Boxed: the enum is built once per process, and the other variants are small.
    Serve(Box<GatewayConfig>),
    /// Run the embedded Seam sandbox alone, as its own REST server.
    Sandbox(SandboxArgs),
    /// Print the GraphQL schema (SDL) to stdout.
    PrintSchema,
    /// Exit 0 if a gateway answers its health check (for container health checks: no curl needed).
    Healthcheck {
        /// The URL to check.
        #[arg(long, default_value = "http://127.0.0.1:8080/healthz")]
        url: String,
    },
}

/// Everything the gateway needs to run.
#[derive(Args, Clone)]
pub struct GatewayConfig {
    /// Address the gateway listens on.
    #[arg(long, env = "SEAM_GRAPHQL_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Seam API key used when a request carries no `Authorization` header. Without any key
    /// the embedded sandbox is started and used.
    #[arg(long, env = "SEAM_API_KEY", hide_env_values = true)]
    pub seam_api_key: Option<String>,
    /// Base URL of the Seam API (default: Seam's public API when a key is set).
    #[arg(long, env = "SEAM_ENDPOINT")]
    pub seam_endpoint: Option<String>,
    /// Secret (`whsec_...`) that Seam signs webhooks with.
    #[arg(long, env = "SEAM_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// The gateway's base URL as Seam reaches it (e.g. `https://gw.example.com`). With it, the
    /// gateway registers `<url>/webhooks/seam` with Seam at start (reusing a registration for the
    /// same URL) and verifies deliveries with the secret Seam returns; `--webhook-secret` is then
    /// not needed.
    #[arg(long, env = "SEAM_GRAPHQL_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Timeout of one upstream call, in milliseconds.
    #[arg(
        long,
        env = "SEAM_GRAPHQL_UPSTREAM_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub upstream_timeout_ms: u64,
    /// How long a device stays in the shared cache, in milliseconds (0 turns the cache off).
    #[arg(
        long,
        env = "SEAM_GRAPHQL_DEVICE_CACHE_TTL_MS",
        default_value_t = 5_000
    )]
    pub device_cache_ttl_ms: u64,
    /// Most devices the shared cache holds, over all API keys.
    #[arg(
        long,
        env = "SEAM_GRAPHQL_DEVICE_CACHE_CAPACITY",
        default_value_t = 10_000
    )]
    pub device_cache_capacity: u64,
    /// Most bytes the shared device cache holds, over all API keys (estimated per device); the
    /// bound that keeps the gateway's memory small when devices are large.
    #[arg(
        long,
        env = "SEAM_GRAPHQL_DEVICE_CACHE_MAX_BYTES",
        default_value_t = crate::cache::DEFAULT_MAX_BYTES
    )]
    pub device_cache_max_bytes: u64,
    /// How often `/events/list` is polled for keys with subscribers and no webhook feed, in ms.
    #[arg(long, env = "SEAM_GRAPHQL_POLL_INTERVAL_MS", default_value_t = 2_000)]
    pub poll_interval_ms: u64,
    /// Status changes buffered per workspace for live subscriptions, and results per shared
    /// subscription execution; a subscriber further behind receives a SUBSCRIPTION_LAGGED error and
    /// continues.
    #[arg(long, env = "SEAM_GRAPHQL_SUBSCRIPTION_BUFFER", default_value_t = 256)]
    pub subscription_buffer: usize,
    /// Most upstream (Seam) calls one GraphQL request may cost, as estimated before it runs (see
    /// README, "Upstream cost"); a request over it is refused with COST_LIMIT_EXCEEDED.
    #[arg(long, env = "SEAM_GRAPHQL_MAX_UPSTREAM_CALLS", default_value_t = 50)]
    pub max_upstream_calls: u32,
    /// Browser origins (e.g. `https://app.example.com`) allowed to use the gateway's own key
    /// (requests without `Authorization`), besides the gateway's own origin. Comma-separated.
    #[arg(long, env = "SEAM_GRAPHQL_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// Browser origins whose pages may call `/graphql` across origins (CORS), comma-separated; `*`
    /// for any page, but then without credentials. Off when empty. Listed origins (not `*`) may also
    /// use the gateway's own key, as with `--allowed-origins`.
    #[arg(long, env = "SEAM_GRAPHQL_CORS_ALLOW_ORIGIN", value_delimiter = ',')]
    pub cors_allow_origin: Vec<String>,
    /// A client must send a request's head within this time, in ms. It also bounds how long an idle
    /// keep-alive connection stays open (the wait for the next request's head).
    #[arg(
        long,
        env = "SEAM_GRAPHQL_HEADER_READ_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub header_read_timeout_ms: u64,
    /// A client must send a request's body within this time, in ms.
    #[arg(
        long,
        env = "SEAM_GRAPHQL_BODY_READ_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub body_read_timeout_ms: u64,
    /// On SIGTERM / Ctrl-C: how long in-flight requests may take to finish before the process
    /// exits anyway, in ms. Websockets are closed with 1001 at the start of it.
    #[arg(
        long,
        env = "SEAM_GRAPHQL_SHUTDOWN_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub shutdown_timeout_ms: u64,
    /// A websocket that sends no `connection_init` within this time is closed with 4408, in ms; an
    /// SSE stream reserved with PUT and not opened within it is forgotten.
    #[arg(
        long,
        env = "SEAM_GRAPHQL_WS_INIT_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub ws_init_timeout_ms: u64,
    /// Largest websocket message a client may send, in bytes.
    #[arg(long, env = "SEAM_GRAPHQL_WS_MAX_MESSAGE_BYTES", default_value_t = 64 * 1024)]
    pub ws_max_message_bytes: usize,
    /// How often a websocket gets a keep-alive (a WebSocket ping plus the protocol's `ping` or
    /// `ka`), in ms; a client that answers nothing for two intervals is disconnected. SSE streams
    /// get a comment line (`:`) as often; a client gone is noticed when it fails.
    #[arg(
        long,
        visible_alias = "keepalive-ms",
        env = "SEAM_GRAPHQL_WS_KEEPALIVE_MS",
        default_value_t = 15_000
    )]
    pub ws_keepalive_ms: u64,
    /// Most operations one websocket connection (or one SSE stream in single connection mode)
    /// may run at once.
    #[arg(long, env = "SEAM_GRAPHQL_WS_MAX_SUBSCRIPTIONS", default_value_t = 100)]
    pub ws_max_subscriptions: usize,
    /// Most SSE streams one API key may hold reserved (PUT, single connection mode) and not yet
    /// opened; beyond it, RATE_LIMITED until some are opened or expire (see `--ws-init-timeout-ms`).
    #[arg(
        long,
        env = "SEAM_GRAPHQL_SSE_MAX_PENDING_STREAMS",
        default_value_t = 256
    )]
    pub sse_max_pending_streams: usize,
    /// Most SSE streams reserved and not yet opened across all keys (keys are only checked with
    /// Seam once a stream runs an operation, so this is what bounds made-up ones).
    #[arg(
        long,
        env = "SEAM_GRAPHQL_SSE_MAX_PENDING_STREAMS_TOTAL",
        default_value_t = 4_096
    )]
    pub sse_max_pending_streams_total: usize,
    /// Once Seam keeps failing (5 failures in a row), how long the gateway stops calling it and
    /// answers UPSTREAM_UNAVAILABLE at once, before one call probes for recovery, in ms.
    #[arg(
        long,
        env = "SEAM_GRAPHQL_BREAKER_COOLDOWN_MS",
        default_value_t = 5_000
    )]
    pub breaker_cooldown_ms: u64,
    /// Most client connections open at once: HTTP keep-alive connections, SSE streams and
    /// websockets together (kept under the open files limit less a tenth, for Seam and Redis).
    /// Beyond it a new connection gets 503 TOO_MANY_CONNECTIONS (`/healthz` still answers 200)
    /// and is closed.
    #[arg(long, env = "SEAM_GRAPHQL_MAX_CONNECTIONS", default_value_t = 25_000)]
    pub max_connections: usize,
    /// Threads that serve client connections, each a single-threaded runtime given the accepted
    /// connections when it has the fewest open; a connection's requests, calls to Seam and
    /// websocket session stay on its thread. Defaults to one per available core; 0 serves them on
    /// the main runtime's workers instead. At most 1024.
    #[arg(
        long,
        env = "SEAM_GRAPHQL_CONNECTION_THREADS",
        default_value_t = crate::lanes::default_count(),
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=1024)
    )]
    pub connection_threads: usize,
    /// Most calls to Seam in flight with API keys Seam has not accepted yet (keys it answered with
    /// anything but 401 in the last 10 minutes are accepted and never wait); beyond it, RATE_LIMITED
    /// without a call. Bounds what a flood of made-up keys costs Seam.
    #[arg(
        long,
        env = "SEAM_GRAPHQL_UNPROVEN_KEY_MAX_IN_FLIGHT",
        default_value_t = crate::seam::DEFAULT_UNPROVEN_KEY_MAX_IN_FLIGHT
    )]
    pub unproven_key_max_in_flight: usize,
    /// Most GraphQL requests one API key may have in flight; beyond it, RATE_LIMITED.
    #[arg(long, env = "SEAM_GRAPHQL_TENANT_MAX_IN_FLIGHT", default_value_t = 64)]
    pub tenant_max_in_flight: usize,
    /// Most subscriptions one API key may have open at once, over every websocket and SSE stream
    /// together; beyond it, TOO_MANY_SUBSCRIPTIONS.
    #[arg(
        long,
        env = "SEAM_GRAPHQL_TENANT_MAX_SUBSCRIPTIONS",
        default_value_t = 20_000
    )]
    pub tenant_max_subscriptions: usize,
    /// In sandbox mode: how long a new code stays `setting` before it is `set`, in ms.
    #[arg(long, env = "SEAM_SANDBOX_SET_DELAY_MS", default_value_t = 2_000)]
    pub sandbox_set_delay_ms: u64,
    /// Redis shared by several replicas (`redis://host:6379/0`): live status fan-out, webhook
    /// de-dup, the poller lease, device cache invalidation, the linked-group index and persisted
    /// queries go through it. Without it the gateway runs alone, with everything in process.
    #[arg(long, env = "REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,
    /// With Redis: how long a replica's lease on polling a workspace lasts without renewal, in ms
    /// (0: the poll interval). Another replica takes over within about this long after it stops.
    #[arg(long, env = "SEAM_GRAPHQL_REDIS_LEASE_MS", default_value_t = 0)]
    pub redis_lease_ms: u64,
    /// With Redis: most persisted query documents kept there for all replicas; the oldest stored
    /// go first (anyone may send new documents, so their number is capped).
    #[arg(
        long,
        env = "SEAM_GRAPHQL_REDIS_MAX_DOCUMENTS",
        default_value_t = 10_000
    )]
    pub redis_max_documents: usize,
}

impl GatewayConfig {
    pub fn upstream_timeout(&self) -> Duration {
        Duration::from_millis(self.upstream_timeout_ms)
    }
    pub fn device_cache_ttl(&self) -> Duration {
        Duration::from_millis(self.device_cache_ttl_ms)
    }
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }
    /// True when no Seam key is configured, so the embedded sandbox is the upstream.
    pub fn uses_embedded_sandbox(&self) -> bool {
        self.seam_api_key.is_none()
    }
}

/// Keys and secrets are printed as `[redacted]`, so a config can be logged safely.
impl std::fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |v: &Option<String>| v.as_ref().map(|_| "[redacted]");
        f.debug_struct("GatewayConfig")
            .field("listen", &self.listen)
            .field("seam_api_key", &redact(&self.seam_api_key))
            .field("seam_endpoint", &self.seam_endpoint)
            .field("webhook_secret", &redact(&self.webhook_secret))
            .field("public_url", &self.public_url)
            .field("upstream_timeout_ms", &self.upstream_timeout_ms)
            .field("device_cache_ttl_ms", &self.device_cache_ttl_ms)
            .field("device_cache_capacity", &self.device_cache_capacity)
            .field("device_cache_max_bytes", &self.device_cache_max_bytes)
            .field("poll_interval_ms", &self.poll_interval_ms)
            .field("subscription_buffer", &self.subscription_buffer)
            .field("sandbox_set_delay_ms", &self.sandbox_set_delay_ms)
            .field("max_upstream_calls", &self.max_upstream_calls)
            .field("allowed_origins", &self.allowed_origins)
            .field("cors_allow_origin", &self.cors_allow_origin)
            .field("header_read_timeout_ms", &self.header_read_timeout_ms)
            .field("body_read_timeout_ms", &self.body_read_timeout_ms)
            .field("shutdown_timeout_ms", &self.shutdown_timeout_ms)
            .field("ws_init_timeout_ms", &self.ws_init_timeout_ms)
            .field("ws_max_message_bytes", &self.ws_max_message_bytes)
            .field("ws_max_subscriptions", &self.ws_max_subscriptions)
            .field("ws_keepalive_ms", &self.ws_keepalive_ms)
            .field("sse_max_pending_streams", &self.sse_max_pending_streams)
            .field(
                "sse_max_pending_streams_total",
                &self.sse_max_pending_streams_total,
            )
            .field("breaker_cooldown_ms", &self.breaker_cooldown_ms)
            .field("max_connections", &self.max_connections)
            .field("connection_threads", &self.connection_threads)
            .field("tenant_max_in_flight", &self.tenant_max_in_flight)
            .field(
                "unproven_key_max_in_flight",
                &self.unproven_key_max_in_flight,
            )
            .field("tenant_max_subscriptions", &self.tenant_max_subscriptions)
            .field("redis_url", &redact(&self.redis_url))
            .field("redis_lease_ms", &self.redis_lease_ms)
            .field("redis_max_documents", &self.redis_max_documents)
            .finish()
    }
}

/// `seam-graphql sandbox`: the sandbox as its own process.
#[derive(Args, Debug, Clone)]
pub struct SandboxArgs {
    /// Address the sandbox listens on.
    #[arg(long, default_value = "127.0.0.1:4010")]
    pub listen: SocketAddr,
    /// How long a new code stays `setting` before it is `set`, in milliseconds.
    #[arg(long, default_value_t = 2_000)]
    pub set_delay_ms: u64,
    /// Deliver signed webhooks to this URL.
    #[arg(long)]
    pub webhook_url: Option<String>,
    /// Secret (`whsec_<base64>`) the webhooks are signed with.
    #[arg(long, env = "SEAM_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
}
