//! Tracing setup. Secrets never reach a log line: they are kept out of every span and event at the
//! source (`Pin` and `ApiKey` print redacted, upstream error strings are scrubbed when built, the
//! config's `Debug` hides keys), so the subscriber needs no scrubbing pass.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

tokio::task_local! {
    /// The request id of the HTTP request being served (from `x-request-id`, or made up), for log
    /// lines written deep inside its handling.
    pub static REQUEST_ID: String;
}

/// The current request's id, when there is one.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines; colours only on a terminal.
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Installs the global subscriber; `RUST_LOG` overrides the default filter.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("seam_graphql=info,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder
            .with_target(false)
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
    };
}
