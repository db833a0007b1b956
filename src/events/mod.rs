//! Live access-code status: the [`LiveHub`] that the app owns, fed by two sources (signed webhooks
//! and, where no webhook feed is live, polling `/events/list`), fanning out per Seam workspace over
//! bounded broadcast channels. Knows nothing of axum or GraphQL; `schema::subscription` filters and
//! shapes what it publishes.
//!
//! Flow: source -> [`LiveHub::ingest`] (status events only, de-duplicated by `event_id`) -> one of a
//! few ordered shards (by access code, so each code's events stay in order) -> one `access_codes/get`
//! per event with a key of the event's workspace -> [`StatusChange`] -> that workspace's channel.
//!
//! An event's `workspace_id` is only a claim: it is published to that workspace only when the
//! workspace's own key proves the event belongs there (see [`Inner::resolve`]).

mod poller;
mod status;
pub(crate) mod webhook;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{broadcast, mpsc, watch};

use crate::seam::wire::{AccessCode, DeviceListRequest, Event, EventListRequest, Issue};
use crate::seam::{ApiKey, CodeStatus, SeamClient, SeamError, TenantId};
use crate::services::devices::DeviceService;
pub(crate) use status::is_status_event;
use webhook::{WebhookRejection, WebhookSecret};

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

/// A code's status change, resolved once per event and shared by every subscriber of the workspace.
#[derive(Debug)]
pub(crate) struct StatusChange {
    pub(crate) workspace_id: String,
    pub(crate) event_id: String,
    pub(crate) event_type: String,
    pub(crate) access_code_id: String,
    pub(crate) device_id: String,
    pub(crate) common_code_key: Option<String>,
    pub(crate) occurred_at: Option<DateTime<Utc>>,
    pub(crate) previous_status: Option<CodeStatus>,
    pub(crate) status: CodeStatus,
    /// The code as fetched after the event; None once it is gone.
    pub(crate) access_code: Option<Arc<AccessCode>>,
    pub(crate) errors: Vec<Issue>,
    pub(crate) warnings: Vec<Issue>,
}

/// Where an event came from (logging, and webhook freshness).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Webhook,
    Poll,
}

/// The ingest queue is full; the sender should retry (webhooks answer 503).
#[derive(Debug)]
pub(crate) struct Busy;

/// Why a subscription could not start.
#[derive(Debug)]
pub(crate) enum SubscribeError {
    /// Seam refused or failed the lookup of the key's workspace.
    Upstream(SeamError),
    /// The key sees no device and no event, so its workspace is unknown.
    UnknownWorkspace,
}

const SHARDS: usize = 4;
const SHARD_QUEUE: usize = 1024;
const PRIMING_LOOKBACK: chrono::Duration = chrono::Duration::minutes(10);

/// The app's live-status hub. Cheap to clone; dropping the last clone stops its tasks.
#[derive(Clone)]
pub(crate) struct LiveHub(Arc<Inner>);

struct Inner {
    client: SeamClient,
    /// The gateway's device cache: `device.*` events drop the device from it.
    devices: DeviceService,
    options: LiveOptions,
    /// Event ids already taken in, from either source.
    seen: moka::sync::Cache<String, ()>,
    /// Tenant (API key) -> its Seam workspace id.
    workspace_of: moka::future::Cache<TenantId, String>,
    /// (Workspace id, access code id) -> what was last published about it there (previous status,
    /// device, key). Keyed by workspace too, so one workspace's history never fills another's event.
    known: moka::sync::Cache<(String, String), Known>,
    workspaces: Mutex<HashMap<String, Workspace>>,
    shards: Vec<mpsc::Sender<Event>>,
    last_delivery: Mutex<HashMap<String, Instant>>,
    started: Instant,
    subscribers: AtomicUsize,
}

#[derive(Clone)]
struct Known {
    status: CodeStatus,
    device_id: String,
    common_code_key: Option<String>,
}

/// A workspace with live subscribers: its channel, the keys they use, and its poller.
struct Workspace {
    channel: broadcast::Sender<Arc<StatusChange>>,
    keys: HashMap<TenantId, (ApiKey, usize)>,
    ready: watch::Receiver<bool>,
    _poller: AbortOnDrop,
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One live subscription: a receiver on its workspace's channel. Dropping it unregisters.
pub(crate) struct Subscription {
    pub(crate) changes: broadcast::Receiver<Arc<StatusChange>>,
    /// The subscriber's workspace (its channel carries nothing else; checked again on delivery).
    pub(crate) workspace_id: String,
    _guard: SubscriberGuard,
}

struct SubscriberGuard {
    hub: Arc<Inner>,
    workspace_id: String,
    tenant: TenantId,
    /// Counted in the gauge (once ready).
    counted: bool,
}

impl Drop for SubscriberGuard {
    fn drop(&mut self) {
        if self.counted {
            self.hub.subscribers.fetch_sub(1, Ordering::Relaxed);
        }
        let removed = {
            let mut map = self
                .hub
                .workspaces
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let Some(ws) = map.get_mut(&self.workspace_id) else {
                return;
            };
            if let Some((_, count)) = ws.keys.get_mut(&self.tenant) {
                *count -= 1;
                if *count == 0 {
                    ws.keys.remove(&self.tenant);
                }
            }
            if ws.keys.is_empty() {
                map.remove(&self.workspace_id)
            } else {
                None
            }
        };
        if removed.is_some() {
            tracing::debug!(workspace_id = %self.workspace_id, "last subscriber left; poller stopped");
        }
        // `removed` drops here, outside the lock: its poller is aborted.
    }
}

impl LiveHub {
    /// Starts the hub's shard workers. Must run inside a tokio runtime.
    pub(crate) fn new(client: SeamClient, devices: DeviceService, options: LiveOptions) -> Self {
        let mut shards = Vec::with_capacity(SHARDS);
        let mut receivers = Vec::with_capacity(SHARDS);
        for _ in 0..SHARDS {
            let (tx, rx) = mpsc::channel(SHARD_QUEUE);
            shards.push(tx);
            receivers.push(rx);
        }
        let inner = Arc::new(Inner {
            client,
            devices,
            options,
            seen: moka::sync::Cache::builder()
                .max_capacity(200_000)
                .time_to_live(Duration::from_secs(24 * 3600))
                .build(),
            workspace_of: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(3600))
                .build(),
            known: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs(24 * 3600))
                .build(),
            workspaces: Mutex::default(),
            shards,
            last_delivery: Mutex::default(),
            started: Instant::now(),
            subscribers: AtomicUsize::new(0),
        });
        for rx in receivers {
            tokio::spawn(shard_worker(Arc::downgrade(&inner), rx));
        }
        Self(inner)
    }

    /// Live subscriptions right now (all workspaces).
    pub(crate) fn subscriber_count(&self) -> usize {
        self.0.subscribers.load(Ordering::Relaxed)
    }

    /// Workspaces with at least one live subscription (each has one poller task).
    pub(crate) fn workspace_count(&self) -> usize {
        self.0
            .workspaces
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
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
    pub(crate) fn ingest(&self, event: Event, source: Source) -> Result<bool, Busy> {
        if source == Source::Webhook {
            if let Some(ws) = &event.workspace_id {
                self.0
                    .last_delivery
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(ws.clone(), Instant::now());
            }
        }
        self.0.ingest(event, source)
    }

    /// Registers a subscriber acting with `key`; returns once its workspace is known and, for a
    /// workspace new to the hub, once events up to now have been skipped.
    pub(crate) async fn subscribe(&self, key: &ApiKey) -> Result<Subscription, SubscribeError> {
        let workspace_id = self.0.workspace_of(key).await?;
        let (changes, mut ready) = {
            let mut map = self
                .0
                .workspaces
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let ws = map.entry(workspace_id.clone()).or_insert_with(|| {
                let (channel, _) = broadcast::channel(self.0.options.buffer.max(1));
                let (ready_tx, ready) = watch::channel(false);
                let poller = tokio::spawn(poller::run(
                    Arc::downgrade(&self.0),
                    workspace_id.clone(),
                    ready_tx,
                ));
                Workspace {
                    channel,
                    keys: HashMap::new(),
                    ready,
                    _poller: AbortOnDrop(poller),
                }
            });
            ws.keys
                .entry(key.tenant().clone())
                .or_insert_with(|| (key.clone(), 0))
                .1 += 1;
            (ws.channel.subscribe(), ws.ready.clone())
        };
        let mut guard = SubscriberGuard {
            hub: self.0.clone(),
            workspace_id: workspace_id.clone(),
            tenant: key.tenant().clone(),
            counted: false,
        };
        let _ = tokio::time::timeout(Duration::from_secs(10), ready.wait_for(|r| *r)).await;
        // Counted once it receives everything from now on, so a caller seeing the gauge rise knows
        // that later events reach it.
        self.0.subscribers.fetch_add(1, Ordering::Relaxed);
        guard.counted = true;
        Ok(Subscription {
            changes,
            workspace_id,
            _guard: guard,
        })
    }
}

impl Inner {
    fn ingest(&self, event: Event, source: Source) -> Result<bool, Busy> {
        if event.event_type.starts_with("device.") {
            if let Some(device_id) = &event.device_id {
                tracing::debug!(%device_id, event_type = %event.event_type, ?source, "device event: dropping cached device");
                let (devices, device_id) = (self.devices.clone(), device_id.clone());
                tokio::spawn(async move { devices.forget_everywhere(&device_id).await });
            }
        }
        if !is_status_event(&event.event_type) {
            return Ok(false);
        }
        let Some(code_id) = event.access_code_id.clone() else {
            return Ok(false);
        };
        let fresh = self
            .seen
            .entry(event.event_id.clone())
            .or_insert(())
            .is_fresh();
        if !fresh {
            tracing::debug!(event_id = %event.event_id, ?source, "duplicate event skipped");
            return Ok(false);
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        code_id.hash(&mut h);
        let shard = &self.shards[(h.finish() as usize) % self.shards.len()];
        let event_id = event.event_id.clone();
        match shard.try_send(event) {
            Ok(()) => {
                tracing::debug!(%event_id, ?source, "event queued");
                Ok(true)
            }
            Err(_) => {
                // Forget it, so the sender's retry is taken in.
                self.seen.invalidate(&event_id);
                Err(Busy)
            }
        }
    }

    /// The Seam workspace of a key: from one cached `devices/list` (limit 1), else `events/list`.
    async fn workspace_of(&self, key: &ApiKey) -> Result<String, SubscribeError> {
        let client = self.client.clone();
        let lookup_key = key.clone();
        self.workspace_of
            .try_get_with(key.tenant().clone(), async move {
                let devices = client
                    .list_devices(
                        &lookup_key,
                        &DeviceListRequest {
                            limit: Some(1),
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(SubscribeError::Upstream)?;
                if let Some(ws) = devices.devices.into_iter().find_map(|d| d.workspace_id) {
                    return Ok(ws);
                }
                let since = Utc::now() - chrono::Duration::days(30);
                let events = client
                    .list_events(
                        &lookup_key,
                        &EventListRequest {
                            since: Some(crate::seam::wire::format_time(&since)),
                            limit: Some(1),
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(SubscribeError::Upstream)?;
                events
                    .into_iter()
                    .find_map(|e| e.workspace_id)
                    .ok_or(SubscribeError::UnknownWorkspace)
            })
            .await
            .map_err(|e: Arc<SubscribeError>| match &*e {
                SubscribeError::Upstream(s) => SubscribeError::Upstream(s.clone()),
                SubscribeError::UnknownWorkspace => SubscribeError::UnknownWorkspace,
            })
    }

    /// The channel of a workspace with subscribers, and a key to read its codes with.
    fn live_workspace(
        &self,
        workspace_id: &str,
    ) -> Option<(broadcast::Sender<Arc<StatusChange>>, ApiKey)> {
        let map = self
            .workspaces
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let ws = map.get(workspace_id)?;
        let (key, _) = ws.keys.values().next()?;
        Some((ws.channel.clone(), key.clone()))
    }

    /// True when this workspace's webhooks can be trusted to arrive (so it need not be polled).
    fn webhook_fresh(&self, workspace_id: &str) -> bool {
        if self.options.webhook_secret.is_none() {
            return false;
        }
        let last = self
            .last_delivery
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(workspace_id)
            .copied()
            .unwrap_or(self.started);
        last.elapsed() < self.options.webhook_stale_after
    }

    /// Resolves one event and publishes it to its workspace's subscribers.
    async fn publish(&self, event: Event) {
        let (Some(workspace_id), Some(code_id)) = (&event.workspace_id, &event.access_code_id)
        else {
            return;
        };
        let Some((channel, key)) = self.live_workspace(workspace_id) else {
            tracing::debug!(event_id = %event.event_id, %workspace_id, "no subscriber for workspace");
            return;
        };
        let Some(Resolved {
            code,
            known,
            device_id,
        }) = self.resolve(&event, workspace_id, code_id, &key).await
        else {
            tracing::debug!(event_id = %event.event_id, %workspace_id, access_code_id = %code_id, "event not provably of its workspace; dropped");
            return;
        };
        let status = status::derive(&event, code.as_deref(), known.as_ref().map(|k| k.status));
        let common_code_key = code
            .as_ref()
            .and_then(|c| c.common_code_key.clone())
            .or_else(|| known.as_ref().and_then(|k| k.common_code_key.clone()));
        let known_key = (workspace_id.clone(), code_id.clone());
        if event.event_type == "access_code.removed_from_device" {
            self.known.invalidate(&known_key);
        } else {
            self.known.insert(
                known_key,
                Known {
                    status,
                    device_id: device_id.clone(),
                    common_code_key: common_code_key.clone(),
                },
            );
        }
        let (errors, warnings) = match (&code, event.event_type.as_str()) {
            (_, _)
                if !event.access_code_errors.is_empty()
                    || !event.access_code_warnings.is_empty() =>
            {
                (
                    event.access_code_errors.clone(),
                    event.access_code_warnings.clone(),
                )
            }
            (
                Some(c),
                "access_code.failed_to_set_on_device" | "access_code.delay_in_setting_on_device",
            ) => (c.errors.clone(), c.warnings.clone()),
            _ => (Vec::new(), Vec::new()),
        };
        let change = StatusChange {
            workspace_id: workspace_id.clone(),
            event_id: event.event_id.clone(),
            event_type: event.event_type.clone(),
            access_code_id: code_id.clone(),
            device_id,
            common_code_key,
            occurred_at: event.occurred_at.or(event.created_at),
            previous_status: known.map(|k| k.status),
            status,
            access_code: code,
            errors,
            warnings,
        };
        tracing::debug!(
            event_id = %change.event_id,
            event_type = %change.event_type,
            access_code_id = %change.access_code_id,
            status = %change.status,
            receivers = channel.receiver_count(),
            "status change published"
        );
        let _ = channel.send(Arc::new(change));
    }

    /// What an event may be published with in `workspace_id`, or None when nothing proves the event
    /// belongs there. The proof, always with the workspace's own key: the code is readable; or, the
    /// code being gone or unreadable, the workspace already knew it, or can read the event's device.
    async fn resolve(
        &self,
        event: &Event,
        workspace_id: &str,
        code_id: &str,
        key: &ApiKey,
    ) -> Option<Resolved> {
        let code = self.read_code(event, key, code_id).await;
        let known = self
            .known
            .get(&(workspace_id.to_owned(), code_id.to_owned()));
        // The event's device is the last resort: it is only a claim, checked against the workspace.
        let device_id = match (&code, &known) {
            (Some(code), _) => code.device_id.clone(),
            (None, Some(known)) => known.device_id.clone(),
            (None, None) => {
                let device_id = event.device_id.as_deref()?;
                if !self.devices.is_visible(key, device_id).await {
                    return None;
                }
                device_id.to_owned()
            }
        };
        Some(Resolved {
            code,
            known,
            device_id,
        })
    }

    /// The event's code as `key` reads it after the event; None once it is gone (or unreadable).
    async fn read_code(
        &self,
        event: &Event,
        key: &ApiKey,
        code_id: &str,
    ) -> Option<Arc<AccessCode>> {
        if event.event_type == "access_code.removed_from_device" {
            return None;
        }
        match self.client.get_access_code(key, code_id).await {
            Ok(c) => Some(Arc::new(c)),
            Err(e) if e.is_not_found() => None,
            Err(e) => {
                tracing::debug!(error = %e, access_code_id = %code_id, tenant = %key.tenant(), "could not read the code");
                None
            }
        }
    }
}

/// An event's facts, each established with the key of the workspace it is published to.
struct Resolved {
    /// The code as read after the event; None once it is gone.
    code: Option<Arc<AccessCode>>,
    /// What this workspace last published about the code.
    known: Option<Known>,
    device_id: String,
}

async fn shard_worker(hub: Weak<Inner>, mut rx: mpsc::Receiver<Event>) {
    while let Some(event) = rx.recv().await {
        let Some(hub) = hub.upgrade() else { break };
        hub.publish(event).await;
    }
}
