//! Live access-code status: the [`LiveHub`] that the app owns, fed by two sources (signed webhooks
//! and, where no webhook feed is live, polling `/events/list`), fanning out per Seam workspace over
//! bounded broadcast channels. Knows nothing of axum or GraphQL; `schema::subscription` filters and
//! shapes what it publishes.
//!
//! Flow: source -> [`LiveHub::receive`] (status events only, de-duplicated by `event_id`, see
//! `dedup`) -> one of a few ordered shards (`shards`: by access code, so each code's events stay in
//! order) -> one `access_codes/get` per event with a key of the event's workspace (`resolve`) ->
//! [`StatusChange`] -> that workspace's channel (`workspaces`).
//!
//! An event's `workspace_id` is only a claim: it is published to that workspace only when the
//! workspace's own key proves the event belongs there (see `resolve`).
//!
//! With Redis (`replicas`), replicas share this: an accepted webhook event is claimed cluster-wide
//! and queued in its workspace's inbox; the replica holding the workspace's lease resolves it and
//! appends the change to the workspace's changes stream, which every replica with subscribers of
//! the workspace reads and delivers locally.

mod dedup;
mod poller;
mod replicas;
mod resolve;
mod shards;
mod status;
mod webhook;
mod webhook_feed;
mod workspace_of;
mod workspaces;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast;

use crate::cluster::live::{Accepted, RedisLive};
use crate::seam::wire::Event;
use crate::seam::{ApiKey, SeamClient, SeamError};
use crate::services::devices::DeviceService;
use dedup::SeenEvents;
use replicas::{Replicas, Role};
use resolve::Resolver;
pub(crate) use resolve::StatusChange;
use shards::{ShardFull, Shards};
use status::is_status_event;
/// The event types the gateway acts on (what it asks Seam to post to its webhook).
pub(crate) use status::{DEVICE_EVENT_TYPES, STATUS_EVENT_TYPES};
pub(crate) use webhook::{WebhookRejection, WebhookSecret};
use webhook_feed::WebhookFeed;
use workspace_of::WorkspaceOf;
use workspaces::{Joined, SubscriberGuard, Workspaces};

/// Tuning of the live pipeline.
#[derive(Clone, Debug)]
pub(crate) struct LiveOptions {
    /// How often a workspace without a live webhook feed is polled.
    pub(crate) poll_interval: Duration,
    /// Verifies webhook deliveries; None: `/webhooks/seam` refuses everything and polling is used.
    pub(crate) webhook_secret: Option<WebhookSecret>,
    /// A workspace whose last delivery is older than this (or, before any, the gateway's start) is
    /// polled although webhooks are configured.
    pub(crate) webhook_stale_after: Duration,
    /// Changes buffered per workspace channel; a subscriber further behind is told it lagged.
    pub(crate) buffer: usize,
}

/// Where an event came from (logging, and webhook freshness).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Webhook,
    Poll,
}

/// An event waiting on its shard: when and how it came, and the span it was taken in under (a
/// webhook's), so that resolving and publishing it are part of that span.
pub(super) struct Queued {
    event: Event,
    source: Source,
    received: std::time::Instant,
    span: tracing::Span,
    /// For an event taken from the cluster's inbox: dropped once it is published (or dropped),
    /// so the lease holder records it done only then (see `replicas::InboxTicket`).
    inbox_ticket: Option<replicas::InboxTicket>,
}

impl Source {
    fn label(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Poll => "poll",
        }
    }
}

/// The event's shard queue is full; the sender should retry (webhooks answer 503).
#[derive(Debug)]
pub(crate) struct Busy;

/// Why a subscription could not start.
#[derive(Clone, Debug)]
pub(crate) enum SubscribeError {
    /// Seam refused or failed the lookup of the key's workspace.
    Upstream(SeamError),
    /// The key sees no device and no event, so its workspace is unknown.
    UnknownWorkspace,
}

/// How long a new subscription waits for its workspace's poller to skip past events.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// The app's live-status hub. Cheap to clone; dropping the last clone (and the last
/// [`Subscription`]) stops its tasks.
#[derive(Clone)]
pub(crate) struct LiveHub(Arc<Inner>);

struct Inner {
    client: SeamClient,
    /// The gateway's device cache: `device.*` events drop the device from it.
    devices: DeviceService,
    options: LiveOptions,
    seen: SeenEvents,
    workspace_of: WorkspaceOf,
    resolver: Resolver,
    workspaces: Arc<Workspaces>,
    shards: Shards,
    webhook_feed: WebhookFeed,
    /// Present with Redis: what this replica shares with the others.
    replicas: Option<Replicas>,
}

/// One live subscription: a receiver on its workspace's channel. Dropping it unregisters.
pub(crate) struct Subscription {
    pub(crate) changes: broadcast::Receiver<Arc<StatusChange>>,
    /// The subscriber's workspace (its channel carries nothing else; checked again on delivery).
    pub(crate) workspace_id: String,
    _guard: SubscriberGuard,
    /// Keeps the hub's workers and this workspace's poller running while anyone listens.
    _hub: LiveHub,
}

impl LiveHub {
    /// Starts the hub's shard workers (and, with `shared`, its reader of the cluster's streams).
    /// Must run inside a tokio runtime.
    pub(crate) fn new(
        client: SeamClient,
        devices: DeviceService,
        options: LiveOptions,
        shared: Option<RedisLive>,
    ) -> Self {
        let (shards, queues) = Shards::new();
        let inner = Arc::new(Inner {
            seen: SeenEvents::new(),
            workspace_of: WorkspaceOf::new(client.clone()),
            resolver: Resolver::new(client.clone(), devices.clone()),
            workspaces: Arc::new(Workspaces::new(options.buffer)),
            shards,
            webhook_feed: WebhookFeed::new(
                options.webhook_secret.is_some(),
                options.webhook_stale_after,
            ),
            client,
            devices,
            options,
            replicas: shared.map(Replicas::new),
        });
        queues.spawn_workers(
            Arc::downgrade(&inner),
            |hub: Arc<Inner>, queued| async move { hub.publish(queued).await },
        );
        replicas::spawn_pump(&inner);
        Self(inner)
    }

    /// True while the tasks that resolve and publish events run.
    pub(crate) fn is_running(&self) -> bool {
        self.0.shards.all_running()
    }

    /// Resolves once the events taken in so far (accepted webhooks, polled events) have been
    /// resolved and published: shutdown waits on it, bounded by its timeout.
    pub(crate) async fn drained(&self) {
        self.0.shards.drained().await
    }

    /// Live subscriptions right now (all workspaces).
    pub(crate) fn subscriber_count(&self) -> usize {
        self.0.workspaces.subscriber_count()
    }

    /// `n` more (positive) or fewer (negative) subscriptions riding on registered ones: they share
    /// a registered subscription's execution (see `http::multiplex`) and count as subscribers.
    pub(crate) fn add_riders(&self, n: isize) {
        self.0.workspaces.add_riders(n);
    }

    /// Workspaces with at least one live subscription (each has one poller task).
    pub(crate) fn workspace_count(&self) -> usize {
        self.0.workspaces.workspace_count()
    }

    /// Workspaces whose events this replica resolves and polls: with Redis, those it holds the
    /// lease of; alone, all of them.
    pub(crate) fn leading_workspace_count(&self) -> usize {
        match &self.0.replicas {
            Some(replicas) => replicas.leading(),
            None => self.workspace_count(),
        }
    }

    /// None without Redis; else whether it answers now.
    pub(crate) fn redis_reachable(&self) -> Option<bool> {
        self.0
            .replicas
            .as_ref()
            .map(|r| r.redis.link().is_reachable())
    }

    /// Round trips to Redis so far (0 without it).
    pub(crate) fn redis_round_trips(&self) -> u64 {
        self.0
            .replicas
            .as_ref()
            .map_or(0, |r| r.redis.link().round_trips())
    }

    pub(crate) fn webhooks_enabled(&self) -> bool {
        self.0.options.webhook_secret.is_some()
    }

    /// Checks a webhook delivery's signature (at `now_unix`) and reads its event. No side effect.
    pub(crate) fn verify_webhook<'h>(
        &self,
        header: impl Fn(&str) -> Option<&'h str>,
        body: &[u8],
        now_unix: i64,
    ) -> Result<Event, WebhookRejection> {
        let secret = self
            .0
            .options
            .webhook_secret
            .as_ref()
            .ok_or(WebhookRejection::NoMatch)?;
        let msg_id = secret.verify(header, body, now_unix)?;
        let event = webhook::parse_event(body)?;
        tracing::debug!(%msg_id, event_id = %event.event_id, event_type = %event.event_type, "webhook verified");
        Ok(event)
    }

    /// Takes in one event from a source. Ok(true) when it is new and queued, Ok(false) when it is a
    /// duplicate or not about a code's status.
    pub(crate) async fn receive(&self, event: Event, source: Source) -> Result<bool, Busy> {
        self.0.receive(event, source).await
    }

    /// Registers a subscriber acting with `key`; returns once its workspace is known and, for a
    /// workspace new to the hub, once events up to now have been skipped.
    pub(crate) async fn subscribe(&self, key: &ApiKey) -> Result<Subscription, SubscribeError> {
        let workspace_id = self.0.workspace_of.lookup(key).await?;
        let hub = Arc::downgrade(&self.0);
        let poller_workspace = workspace_id.clone();
        let Joined {
            changes,
            mut ready,
            mut guard,
        } = self.0.workspaces.join(&workspace_id, key, |ready_tx| {
            tokio::spawn(poller::run(hub, poller_workspace, ready_tx))
        });
        let _ = tokio::time::timeout(READY_TIMEOUT, ready.wait_for(|r| *r)).await;
        guard.count();
        Ok(Subscription {
            changes,
            workspace_id,
            _guard: guard,
            _hub: self.clone(),
        })
    }
}

impl Inner {
    /// Takes in one event from either source (see [`LiveHub::receive`]).
    async fn receive(&self, event: Event, source: Source) -> Result<bool, Busy> {
        if source == Source::Webhook {
            if let Some(workspace_id) = &event.workspace_id {
                self.webhook_feed.delivered(workspace_id);
            }
        }
        self.forget_changed_device(&event, source);
        let Some(replicas) = &self.replicas else {
            return self.queue_if_new_status_event(event, source);
        };
        if let Some(taken) = self.share(replicas, &event, source).await {
            return Ok(taken);
        }
        let event_id = event.event_id.clone();
        let queued = self.queue_if_new_status_event(event, source);
        if queued.is_err() && source == Source::Poll {
            // Claimed in Redis but not queued: free it, so the next poll takes it in.
            replicas.redis.unclaim(&event_id).await;
        }
        queued
    }

    /// Hands an event to the cluster: a webhook event is claimed and queued for the workspace's
    /// lease holder; a polled one (polled by the lease holder) is claimed, then queued here.
    /// Some(taken) when the cluster took it or refused it as a duplicate; None to take it in
    /// locally (Redis unreachable, or polled and new).
    async fn share(&self, replicas: &Replicas, event: &Event, source: Source) -> Option<bool> {
        let is_status = is_status_event(&event.event_type) && event.access_code_id.is_some();
        match source {
            Source::Webhook => {
                let workspace_id = event.workspace_id.as_deref()?;
                let payload = serde_json::to_string(event).expect("an event serializes");
                let accepted = replicas
                    .redis
                    .accept(workspace_id, &event.event_id, &payload)
                    .await
                    .ok()?;
                match accepted {
                    Accepted::Duplicate => {
                        tracing::debug!(event_id = %event.event_id, "duplicate event skipped (cluster)");
                        Some(false)
                    }
                    Accepted::Queued => {
                        self.seen.mark_seen(&event.event_id);
                        Some(is_status)
                    }
                    // Nobody listens, as far as Redis knows; unless someone here does (Redis just
                    // came back, presence not yet renewed), in which case it is resolved here.
                    Accepted::Unheard if self.workspaces.live(workspace_id).is_some() => None,
                    Accepted::Unheard => Some(false),
                }
            }
            Source::Poll => {
                if !is_status || !self.seen.first_sighting(&event.event_id) {
                    return None;
                }
                match replicas.redis.claim(&event.event_id).await {
                    Ok(true) | Err(_) => {
                        // Claimed (or Redis is down): seen locally already, so queue it directly.
                        self.seen.forget(&event.event_id);
                        None
                    }
                    Ok(false) => {
                        tracing::debug!(event_id = %event.event_id, "polled event already taken in (cluster)");
                        Some(false)
                    }
                }
            }
        }
    }

    /// An event from the workspace's inbox (this replica holds its lease): queued to be resolved.
    fn take_from_inbox(&self, workspace_id: &str, payload: &str, ticket: replicas::InboxTicket) {
        let Ok(event) = serde_json::from_str::<Event>(payload) else {
            tracing::debug!(%workspace_id, "unreadable inbox entry skipped");
            return;
        };
        self.webhook_feed.delivered(workspace_id);
        if !is_status_event(&event.event_type) {
            return;
        }
        let Some(code_id) = event.access_code_id.clone() else {
            return;
        };
        self.seen.mark_seen(&event.event_id);
        let event_id = event.event_id.clone();
        let queued = Queued {
            event,
            source: Source::Webhook,
            received: std::time::Instant::now(),
            span: tracing::Span::current(),
            inbox_ticket: Some(ticket),
        };
        if self.shards.queue(&code_id, queued).is_err() {
            tracing::warn!(%event_id, %workspace_id, "shard queue full; inbox event dropped");
        }
    }

    /// A change another replica (or this one) resolved, read from the workspace's changes stream.
    fn deliver_shared(&self, workspace_id: &str, payload: &str) {
        match serde_json::from_str::<StatusChange>(payload) {
            Ok(mut change) if change.workspace_id == workspace_id => {
                change.pin_withheld = true;
                self.resolver.learn(&change);
                self.deliver(change);
            }
            _ => tracing::debug!(%workspace_id, "unreadable change skipped"),
        }
    }

    /// Sends a change to its workspace's local subscribers (once per event, with Redis).
    fn deliver(&self, change: StatusChange) {
        if let Some(replicas) = &self.replicas {
            if !replicas.first_delivery(&change.event_id) {
                return;
            }
        }
        if let Some((channel, _)) = self.workspaces.live(&change.workspace_id) {
            let _ = channel.send(Arc::new(change));
        }
    }

    /// What this replica does for the workspace now (renewing its lease, with Redis).
    async fn role(&self, workspace_id: &str) -> Role {
        match &self.replicas {
            Some(replicas) => replicas.renew(workspace_id).await,
            None => Role::Alone,
        }
    }

    /// A `device.*` event drops its device from the gateway's cache, in every tenant.
    fn forget_changed_device(&self, event: &Event, source: Source) {
        if !event.event_type.starts_with("device.") {
            return;
        }
        if let Some(device_id) = &event.device_id {
            tracing::debug!(%device_id, event_type = %event.event_type, ?source, "device event: dropping cached device");
            let (devices, device_id) = (self.devices.clone(), device_id.clone());
            tokio::spawn(async move { devices.forget_everywhere(&device_id).await });
        }
    }

    /// Queues a status event seen for the first time on its code's shard. Ok(false) for any other.
    fn queue_if_new_status_event(&self, event: Event, source: Source) -> Result<bool, Busy> {
        if !is_status_event(&event.event_type) {
            return Ok(false);
        }
        let Some(code_id) = event.access_code_id.clone() else {
            return Ok(false);
        };
        if !self.seen.first_sighting(&event.event_id) {
            tracing::debug!(event_id = %event.event_id, ?source, "duplicate event skipped");
            return Ok(false);
        }
        let event_id = event.event_id.clone();
        let queued = Queued {
            event,
            source,
            received: std::time::Instant::now(),
            span: tracing::Span::current(),
            inbox_ticket: None,
        };
        match self.shards.queue(&code_id, queued) {
            Ok(()) => {
                tracing::debug!(%event_id, ?source, "event queued");
                Ok(true)
            }
            Err(ShardFull) => {
                // Forget it, so the sender's retry is taken in.
                self.seen.forget(&event_id);
                Err(Busy)
            }
        }
    }

    /// Resolves one event and publishes it to its workspace's subscribers, within the span it was
    /// taken in under.
    async fn publish(&self, queued: Queued) {
        let span = queued.span.clone();
        tracing::Instrument::instrument(self.publish_in_span(queued), span).await
    }

    async fn publish_in_span(&self, queued: Queued) {
        let Queued {
            event,
            source,
            received,
            // Dropped when this returns, the event published or dropped (see `InboxTicket`).
            inbox_ticket: _ticket,
            ..
        } = queued;
        let (Some(workspace_id), Some(code_id)) = (&event.workspace_id, &event.access_code_id)
        else {
            return;
        };
        let Some((channel, key)) = self.workspaces.live(workspace_id) else {
            tracing::debug!(event_id = %event.event_id, %workspace_id, "no subscriber for workspace");
            return;
        };
        let resolved = self
            .resolver
            .resolve(&event, workspace_id, code_id, &key)
            .await;
        let Some(change) = resolved else {
            tracing::debug!(event_id = %event.event_id, %workspace_id, access_code_id = %code_id, "event not provably of its workspace; dropped");
            return;
        };
        tracing::debug!(
            event_id = %change.event_id,
            event_type = %change.event_type,
            access_code_id = %change.access_code_id,
            status = %change.status,
            receivers = channel.receiver_count(),
            "status change published"
        );
        let occurred = event.occurred_at.or(event.created_at);
        let mut shared = false;
        if let Some(replicas) = &self.replicas {
            let payload = serde_json::to_string(&change).expect("a status change serializes");
            // On success every replica (this one too) delivers it from the stream.
            shared = replicas.redis.publish(workspace_id, &payload).await.is_ok();
        }
        if !shared {
            self.deliver(change);
        }
        // With Redis, the lag is measured to the hand-over into the cluster's stream.
        let age = occurred.and_then(|t| (chrono::Utc::now() - t).to_std().ok());
        self.client
            .metrics()
            .event_delivered(source.label(), received.elapsed(), age);
    }
}
