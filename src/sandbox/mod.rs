//! The embedded Seam sandbox: an HTTP server speaking Seam's access-code REST contract.
//!
//! It keeps its own model of workspaces, locks and codes and writes the wire JSON itself. It imports
//! nothing from the gateway side; the gateway reaches it only over HTTP, exactly as it reaches Seam.
//!
//! Module map: `routes` (axum Router, request decoding, dispatch) -> handlers `devices`,
//! `access_codes`, `events`, `action_attempts` and `admin` (`/_sandbox/*`); they work on `model`
//! (state) through `lifecycle` (clock-driven transitions), `pins` (PIN rules), `validation`
//! (zod-style input errors, over `query_string` for GETs) and `wire` (JSON objects, events, error
//! envelope). `seed` builds the workspaces, `clock` tells the time and `webhooks` signs and
//! delivers events (to the fixed target and to what `webhook_routes` registered), `workspaces`
//! answers `/workspaces/get`.
//!
//! Arrows run one way: handlers -> `wire` -> `model`. The model records events as data; this
//! module renders them with `wire` when it hands them to the webhook queue.

mod access_codes;
mod action_attempts;
mod admin;
mod clock;
mod devices;
mod events;
mod lifecycle;
mod model;
mod pagination;
mod pins;
mod query_string;
mod routes;
mod seed;
mod validation;
mod webhook_routes;
mod webhooks;
mod wire;
mod workspaces;

/// Signs a webhook body as Seam does (Svix `v1,<base64>`): what the sandbox sends, and what tests
/// use to forge or replay deliveries.
pub use webhooks::sign as sign_webhook;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use clock::Clock;
use model::Model;

/// Where the sandbox POSTs its signed webhooks.
#[derive(Clone)]
pub struct WebhookTarget {
    /// Full URL, e.g. `http://127.0.0.1:8080/webhooks/seam`.
    pub url: String,
    /// Svix-style secret, `whsec_<base64>`.
    pub secret: String,
}

/// How time passes inside the sandbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockMode {
    /// Wall-clock time drives the lifecycle (a background task ticks).
    Real,
    /// Time stands still until [`Sandbox::advance`] moves it (tests).
    Manual,
}

/// Options for starting a sandbox.
#[derive(Clone)]
pub struct SandboxOptions {
    /// Address to bind; port 0 picks an ephemeral port.
    pub listen: SocketAddr,
    /// How long a code stays `setting` before it is `set` on an online lock.
    pub set_delay: Duration,
    /// Real or manual clock.
    pub clock: ClockMode,
    /// Where to deliver signed webhooks, if anywhere.
    pub webhook: Option<WebhookTarget>,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            set_delay: Duration::from_secs(2),
            clock: ClockMode::Real,
            webhook: None,
        }
    }
}

/// An API key the sandbox accepts and the workspace it opens.
#[derive(Clone, Debug)]
pub struct WorkspaceKey {
    pub api_key: String,
    pub workspace_id: String,
}

/// State shared by the server, the ticker and the public handle.
pub(crate) struct Shared {
    pub(crate) model: Mutex<Model>,
    pub(crate) clock: Clock,
    pub(crate) calls: Mutex<BTreeMap<String, u64>>,
    pub(crate) outage: AtomicBool,
    pub(crate) webhook: RwLock<Option<WebhookTarget>>,
    pub(crate) webhook_tx: mpsc::Sender<webhooks::Delivery>,
}

impl Shared {
    /// Locks the model, brings the lifecycle up to "now", runs `f`, then queues the webhooks of every
    /// event recorded meanwhile (still under the lock, so deliveries keep the model's order).
    pub(crate) fn with_model<R>(&self, f: impl FnOnce(&mut Model, DateTime<Utc>) -> R) -> R {
        let mut model = self.model.lock().unwrap_or_else(PoisonError::into_inner);
        let now = self.clock.now();
        lifecycle::process_due(&mut model, now);
        let out = f(&mut model, now);
        self.flush_outbox(&mut model);
        out
    }

    /// Moves the clock and processes every transition that falls due, in due-time order.
    pub(crate) fn advance(&self, by: Duration) -> DateTime<Utc> {
        let mut model = self.model.lock().unwrap_or_else(PoisonError::into_inner);
        let by = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::zero());
        let now = self.clock.advance(by);
        lifecycle::process_due(&mut model, now);
        self.flush_outbox(&mut model);
        now
    }

    fn flush_outbox(&self, model: &mut Model) {
        let events = std::mem::take(&mut model.outbox);
        if events.is_empty() {
            return;
        }
        let target = self
            .webhook
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for event in events {
            // The fixed target (tests, `--webhook-url`) gets every event; a registration made
            // through `/webhooks/create` gets its workspace's events of the types it asked for.
            let event_type = wire::event_type_name(event.event_type);
            let registered = model
                .webhooks
                .iter()
                .filter(|w| w.workspace_id == event.workspace_id && w.wants(event_type))
                .map(|w| WebhookTarget {
                    url: w.url.clone(),
                    secret: w.secret.clone(),
                });
            let targets: Vec<WebhookTarget> = target.iter().cloned().chain(registered).collect();
            if targets.is_empty() {
                continue;
            }
            let body = wire::event_json(&event).to_string();
            for target in targets {
                let delivery = webhooks::Delivery {
                    target,
                    body: body.clone(),
                };
                if self.webhook_tx.try_send(delivery).is_err() {
                    tracing::warn!("sandbox webhook queue full or closed; dropping an event");
                }
            }
        }
    }

    pub(crate) fn count_call(&self, path: &str) {
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        *calls.entry(path.to_string()).or_insert(0) += 1;
    }

    pub(crate) fn outage(&self) -> bool {
        self.outage.load(Ordering::SeqCst)
    }
}

/// A running sandbox. Dropping it stops the server and its background tasks.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds, seeds both workspaces and starts serving.
    pub async fn start(options: SandboxOptions) -> anyhow::Result<Sandbox> {
        let set_delay = chrono::Duration::from_std(options.set_delay)?;
        let clock = Clock::new(options.clock);
        let model = seed::seeded_model(set_delay);
        let (webhook_tx, webhook_rx) = mpsc::channel(webhooks::QUEUE_CAPACITY);
        let shared = Arc::new(Shared {
            model: Mutex::new(model),
            clock,
            calls: Mutex::new(BTreeMap::new()),
            outage: AtomicBool::new(false),
            webhook: RwLock::new(options.webhook.clone()),
            webhook_tx,
        });
        let listener = tokio::net::TcpListener::bind(options.listen).await?;
        let addr = listener.local_addr()?;
        let app = routes::router(shared.clone());
        let mut tasks = vec![
            tokio::spawn(async move {
                if let Err(err) = axum::serve(listener, app).await {
                    tracing::error!(%err, "sandbox server stopped");
                }
            }),
            webhooks::spawn_delivery(webhook_rx),
        ];
        if options.clock == ClockMode::Real {
            let ticker = shared.clone();
            tasks.push(tokio::spawn(async move {
                let mut interval = tokio::time::interval(Duration::from_millis(100));
                loop {
                    interval.tick().await;
                    ticker.with_model(|_, _| ());
                }
            }));
        }
        tracing::debug!(%addr, "sandbox listening");
        Ok(Sandbox {
            addr,
            shared,
            tasks,
        })
    }
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// `http://ADDR`, the base URL a Seam client should use.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// The seeded API keys, first workspace first.
    pub fn api_keys(&self) -> Vec<WorkspaceKey> {
        self.shared.with_model(|m, _| {
            m.workspaces
                .iter()
                .map(|w| WorkspaceKey {
                    api_key: w.api_key.clone(),
                    workspace_id: w.workspace_id.clone(),
                })
                .collect()
        })
    }
    /// Moves the clock forward and runs every lifecycle step that falls due, in order.
    pub async fn advance(&self, by: Duration) {
        self.shared.advance(by);
    }
    /// The sandbox's current time (manual or real clock).
    pub fn now(&self) -> DateTime<Utc> {
        self.shared.clock.now()
    }
    /// Upstream calls received so far, per path (e.g. `/devices/list`).
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.shared
            .calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
    /// Zeroes the call counters.
    pub fn reset_calls(&self) {
        self.shared
            .calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
    /// The URLs registered through `/webhooks/create`, in all workspaces.
    pub fn registered_webhooks(&self) -> Vec<String> {
        self.shared
            .with_model(|m, _| m.webhooks.iter().map(|w| w.url.clone()).collect())
    }
    /// Sets or clears the webhook target at runtime.
    pub fn set_webhook(&self, target: Option<WebhookTarget>) {
        *self
            .shared
            .webhook
            .write()
            .unwrap_or_else(PoisonError::into_inner) = target;
    }
    /// Turns the simulated outage on or off (every Seam route answers 503 with an empty body).
    pub fn set_outage(&self, enabled: bool) {
        self.shared.outage.store(enabled, Ordering::SeqCst);
    }
    /// Simulates a device vanishing upstream; its codes remain. Returns false if it was unknown.
    pub fn remove_device(&self, device_id: &str) -> bool {
        self.shared
            .with_model(|m, now| m.remove_device(device_id, now))
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
