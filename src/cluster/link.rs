//! One Redis server, shared by every replica: a multiplexed connection that reconnects by itself,
//! whose outage and recovery are each logged once, and whose commands fail fast while it is down,
//! so that queries, mutations and local subscriptions never wait on it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, FromRedisValue};
use tokio::sync::Mutex;

/// How long one command may take before Redis counts as unreachable.
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(1_000);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// After a failure, commands fail at once for this long before a reconnect is tried; it doubles up
/// to [`MAX_BACKOFF`] while Redis stays down.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// A cheap handle on the shared Redis connection.
#[derive(Clone)]
pub(crate) struct RedisLink(Arc<Inner>);

struct Inner {
    client: Client,
    /// The connection, once made; dropped after a failure so the next command reconnects.
    conn: Mutex<Connecting>,
    /// False from a failure until a command succeeds again (what `/readyz` reports).
    reachable: AtomicBool,
    /// Commands sent (round trips), for the benchmark and `/metrics`.
    round_trips: AtomicU64,
}

#[derive(Default)]
struct Connecting {
    conn: Option<MultiplexedConnection>,
    /// No reconnect before this instant (after a failure).
    retry_at: Option<Instant>,
    backoff: Duration,
}

/// Redis could not be asked (down, restarting, too slow); the caller falls back to what its own
/// process knows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unreachable;

impl RedisLink {
    /// Parses `url`; does not connect (Redis may come up after the gateway).
    pub(crate) fn new(url: &str) -> anyhow::Result<Self> {
        let client = Client::open(url)
            .map_err(|e| anyhow::anyhow!("--redis-url is not a valid Redis URL: {e}"))?;
        Ok(Self(Arc::new(Inner {
            client,
            conn: Mutex::default(),
            reachable: AtomicBool::new(true),
            round_trips: AtomicU64::new(0),
        })))
    }

    /// False while Redis is down (since the last failed command, until one succeeds).
    pub(crate) fn is_reachable(&self) -> bool {
        self.0.reachable.load(Ordering::Relaxed)
    }

    /// Round trips to Redis so far.
    pub(crate) fn round_trips(&self) -> u64 {
        self.0.round_trips.load(Ordering::Relaxed)
    }

    /// Runs one command (or a pipeline, or a script invocation) on the shared connection.
    pub(crate) async fn query<T: FromRedisValue>(
        &self,
        command: &(impl Command + ?Sized),
    ) -> Result<T, Unreachable> {
        let mut conn = self.connection().await?;
        self.0.round_trips.fetch_add(1, Ordering::Relaxed);
        match command.send(&mut conn).await {
            Ok(v) => {
                self.succeeded();
                redis::from_redis_value(v).map_err(|e| {
                    tracing::debug!(error = %e, "unexpected answer from redis");
                    Unreachable
                })
            }
            Err(e) => {
                self.failed(&e).await;
                Err(Unreachable)
            }
        }
    }

    /// A connection of its own, for commands that block (XREAD BLOCK) and would stall the shared one.
    pub(crate) async fn dedicated(
        &self,
        block: Duration,
    ) -> Result<MultiplexedConnection, Unreachable> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(block + RESPONSE_TIMEOUT));
        match self
            .0
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await
        {
            Ok(conn) => Ok(conn),
            Err(e) => {
                self.mark_down(&e);
                Err(Unreachable)
            }
        }
    }

    /// A subscription connection (pub/sub), or Unreachable.
    pub(crate) async fn pubsub(&self) -> Result<redis::aio::PubSub, Unreachable> {
        match tokio::time::timeout(CONNECT_TIMEOUT, self.0.client.get_async_pubsub()).await {
            Ok(Ok(p)) => Ok(p),
            Ok(Err(e)) => {
                self.mark_down(&e);
                Err(Unreachable)
            }
            Err(_) => Err(Unreachable),
        }
    }

    /// Counts a round trip made on a dedicated connection.
    pub(crate) fn count_round_trip(&self) {
        self.0.round_trips.fetch_add(1, Ordering::Relaxed);
    }

    /// Records that a command on a dedicated connection worked (Redis is back, if it was down).
    pub(crate) fn succeeded(&self) {
        if !self.0.reachable.swap(true, Ordering::Relaxed) {
            tracing::warn!("redis reachable again; shared live status, de-dup and indexes resume");
        }
    }

    /// Records that Redis failed a command (logs the outage once).
    pub(crate) fn mark_down(&self, error: &redis::RedisError) {
        if self.0.reachable.swap(false, Ordering::Relaxed) {
            tracing::warn!(error = %error, "redis unreachable; each replica goes on alone (local webhooks, local polling) until it is back");
        }
    }

    async fn connection(&self) -> Result<MultiplexedConnection, Unreachable> {
        let mut slot = self.0.conn.lock().await;
        if let Some(conn) = &slot.conn {
            return Ok(conn.clone());
        }
        if slot.retry_at.is_some_and(|t| Instant::now() < t) {
            return Err(Unreachable);
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT));
        match self
            .0
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await
        {
            Ok(conn) => {
                slot.conn = Some(conn.clone());
                slot.retry_at = None;
                slot.backoff = FIRST_BACKOFF;
                Ok(conn)
            }
            Err(e) => {
                slot.backoff = (slot.backoff * 2).clamp(FIRST_BACKOFF, MAX_BACKOFF);
                slot.retry_at = Some(Instant::now() + slot.backoff);
                drop(slot);
                self.mark_down(&e);
                Err(Unreachable)
            }
        }
    }

    async fn failed(&self, error: &redis::RedisError) {
        // A server-side error (a wrong type, a script error) says nothing about the connection.
        let broken = error.is_io_error()
            || error.is_timeout()
            || error.is_connection_dropped()
            || error.is_connection_refusal()
            || error.is_unrecoverable_error();
        if !broken {
            tracing::debug!(error = %error, "redis refused a command");
            return;
        }
        let mut slot = self.0.conn.lock().await;
        slot.conn = None;
        slot.backoff = FIRST_BACKOFF;
        slot.retry_at = Some(Instant::now() + slot.backoff);
        drop(slot);
        self.mark_down(error);
    }
}

/// Something sent to Redis as one round trip: a command, a pipeline or a script invocation.
pub(crate) trait Command: Sync {
    fn send<'a>(
        &'a self,
        conn: &'a mut MultiplexedConnection,
    ) -> futures::future::BoxFuture<'a, redis::RedisResult<redis::Value>>;
}

impl Command for redis::Cmd {
    fn send<'a>(
        &'a self,
        conn: &'a mut MultiplexedConnection,
    ) -> futures::future::BoxFuture<'a, redis::RedisResult<redis::Value>> {
        Box::pin(self.query_async(conn))
    }
}

impl Command for redis::Pipeline {
    fn send<'a>(
        &'a self,
        conn: &'a mut MultiplexedConnection,
    ) -> futures::future::BoxFuture<'a, redis::RedisResult<redis::Value>> {
        Box::pin(self.query_async(conn))
    }
}
