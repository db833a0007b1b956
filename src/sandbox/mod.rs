//! The embedded Seam sandbox: an HTTP server speaking Seam's access-code REST contract.
//!
//! It keeps its own model of workspaces, locks and codes and writes the wire JSON itself. It imports
//! nothing from the gateway side; the gateway reaches it only over HTTP, exactly as it reaches Seam.
//!
//! (stub: replaced by the real sandbox)

use std::net::SocketAddr;
use std::time::Duration;

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

/// A running sandbox.
pub struct Sandbox {
    addr: SocketAddr,
}

impl Sandbox {
    /// Binds, seeds both workspaces and starts serving.
    pub async fn start(options: SandboxOptions) -> anyhow::Result<Sandbox> {
        let _ = options;
        anyhow::bail!("sandbox not built yet")
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
        Vec::new()
    }
    /// Moves the clock forward and runs every lifecycle step that falls due, in order.
    pub async fn advance(&self, by: Duration) {
        let _ = by;
    }
    /// Upstream calls received so far, per path (e.g. `/devices/list`).
    pub fn calls(&self) -> std::collections::BTreeMap<String, u64> {
        Default::default()
    }
    /// Zeroes the call counters.
    pub fn reset_calls(&self) {}
    /// Sets or clears the webhook target at runtime.
    pub fn set_webhook(&self, target: Option<WebhookTarget>) {
        let _ = target;
    }
}
