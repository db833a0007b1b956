//! Tracing setup. Secrets never reach a log line: they are kept out of every span and event at the
//! source (`Pin` and `ApiKey` print redacted, upstream error strings are scrubbed when built, the
//! config's `Debug` hides keys), so the subscriber needs no scrubbing pass.
//!
//! Spans: the gateway's spans (the HTTP request, each GraphQL operation, each DataLoader batch, each
//! call to Seam, each webhook) are at `debug` level, so that with the default filter and no OTLP
//! endpoint they are disabled at their call sites and cost nothing. With `--otlp-endpoint`, a
//! second layer, with its own filter, exports them over OTLP whatever the log filter says.

mod log_writer;
mod otlp;
mod plain_fields;
mod traceparent;
mod utc_clock;

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

pub use otlp::OtlpGuard;
pub use traceparent::TraceParent;

/// The request being served: its id (from `x-request-id`, or made up) and the caller's trace
/// context (`traceparent`), if it sent one.
#[derive(Clone, Debug)]
pub struct RequestTrace {
    pub id: Arc<str>,
    pub parent: Option<TraceParent>,
}

tokio::task_local! {
    /// The HTTP request being served, for log lines written deep inside its handling and for the
    /// request scope that carries it to Seam.
    pub static REQUEST: RequestTrace;
}

/// The current request's id, when there is one.
pub fn request_id() -> Option<String> {
    REQUEST.try_with(|r| r.id.to_string()).ok()
}

/// The current request, when there is one.
pub fn current_request() -> Option<RequestTrace> {
    REQUEST.try_with(Clone::clone).ok()
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

/// Set once OTLP export is on: spans then carry OpenTelemetry contexts.
static OTLP_ON: AtomicBool = AtomicBool::new(false);

/// Keeps the telemetry's buffers until the process ends: dropping it writes out the last log lines
/// and flushes the spans still queued for export.
pub struct TelemetryGuard {
    _otlp: Option<OtlpGuard>,
    _logs: log_writer::FlushOnDrop,
}

/// Installs the global subscriber; `RUST_LOG` overrides the default filter. Log lines go to stderr
/// in batches (`log_writer`). With an OTLP endpoint (a base URL such as `http://collector:4318`),
/// spans are exported there too. Keep the guard until exit.
pub fn init(format: LogFormat, otlp_endpoint: Option<&str>) -> anyhow::Result<TelemetryGuard> {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("seam_graphql=info,tower_http=warn"));
    let (stderr, flush) = log_writer::BatchedWriter::start(std::io::stderr());
    let logs: Box<dyn Layer<Registry> + Send + Sync> = match format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_writer(stderr)
            .with_filter(filter)
            .boxed(),
        // On a terminal, colours; anywhere else the same text, written faster (`plain_fields`).
        LogFormat::Text if std::io::stderr().is_terminal() => tracing_subscriber::fmt::layer()
            .with_target(false)
            .with_ansi(true)
            .with_writer(stderr)
            .with_filter(filter)
            .boxed(),
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_target(false)
            .with_ansi(false)
            .fmt_fields(plain_fields::PlainFields)
            .with_timer(utc_clock::UtcClock)
            .with_writer(stderr)
            .with_filter(filter)
            .boxed(),
    };
    let (otel, guard) = match otlp_endpoint.map(str::trim).filter(|e| !e.is_empty()) {
        Some(endpoint) => {
            let (layer, guard) = otlp::layer(endpoint)?;
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let on = otel.is_some();
    if tracing_subscriber::registry()
        .with(logs)
        .with(otel)
        .try_init()
        .is_ok()
    {
        OTLP_ON.store(on, Ordering::Relaxed);
        flush.flush_before_panics();
    }
    Ok(TelemetryGuard {
        _otlp: guard,
        _logs: flush,
    })
}

/// The `traceparent` for a call to Seam made in the current span: with OTLP on, the span's own
/// context (so Seam's span hangs under ours); otherwise the caller's trace with a fresh span id.
/// None when there is no trace to continue.
pub fn outgoing_traceparent(caller: Option<&TraceParent>) -> Option<String> {
    if OTLP_ON.load(Ordering::Relaxed) {
        if let Some(header) = otlp::current_traceparent() {
            return Some(header);
        }
    }
    caller.map(|parent| parent.child_header(rand::random::<u64>().max(1).to_be_bytes()))
}

/// Makes the caller's trace the parent of `span` (a request's root span), when exporting.
pub fn continue_trace(span: &tracing::Span, caller: Option<&TraceParent>) {
    if let Some(caller) = caller {
        if OTLP_ON.load(Ordering::Relaxed) && !span.is_disabled() {
            otlp::set_remote_parent(span, caller);
        }
    }
}

/// The trace id the current work belongs to (for log lines): the exported trace's, else the
/// caller's.
pub fn trace_id(caller: Option<&TraceParent>) -> Option<String> {
    if OTLP_ON.load(Ordering::Relaxed) {
        if let Some(id) = otlp::current_trace_id() {
            return Some(id);
        }
    }
    caller.map(TraceParent::trace_id_hex)
}
