//! Tracing setup. Secrets never reach a log line: they are kept out of every span and event at the
//! source (`Pin` and `ApiKey` print redacted, upstream error strings are scrubbed when built, the
//! config's `Debug` hides keys), so the subscriber needs no scrubbing pass.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber; `RUST_LOG` overrides the default filter.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("seam_graphql=info,tower_http=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
