//! The gateway's Prometheus metrics: a small registry of atomics, one per gateway (tests run
//! several in one process), rendered in the text exposition format at `/metrics`.
//!
//! A leaf like `telemetry`: it imports nothing of the gateway, and anything may record into it.
//! Recording is cheap (relaxed atomics; a read lock and a map lookup for labelled series), and
//! every label's values are bounded: operation names are capped, everything else is a closed set.

mod histogram;
mod process;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use histogram::{Histogram, BATCH_SIZES, LAG_SECONDS, LATENCY_SECONDS};

/// Distinct operation names given their own series; later names are counted as `other`, so a
/// client sending random names cannot grow `/metrics` without bound.
pub(crate) const MAX_OPERATION_NAMES: usize = 100;
/// Distinct error codes given their own series (the codes are a closed set well below this).
const MAX_ERROR_CODES: usize = 64;
/// The label value of names past the cap.
const OTHER: &str = "other";

/// How a subscription reaches its client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transport {
    /// graphql-transport-ws (the `graphql-ws` npm package).
    GraphqlTransportWs,
    /// The legacy subscriptions-transport-ws protocol (`graphql-ws` subprotocol).
    GraphqlWs,
    /// Server-sent events.
    Sse,
}

impl Transport {
    const ALL: [Transport; 3] = [Self::GraphqlTransportWs, Self::GraphqlWs, Self::Sse];
    fn label(self) -> &'static str {
        match self {
            Self::GraphqlTransportWs => "graphql-transport-ws",
            Self::GraphqlWs => "graphql-ws",
            Self::Sse => "sse",
        }
    }
}

/// What became of one webhook delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WebhookOutcome {
    /// Verified and queued.
    Accepted,
    /// Verified, but a duplicate or not about a code's status (`skipped`): 2xx, nothing queued.
    Duplicate,
    /// No webhook secret configured (404).
    NotConfigured,
    MissingHeaders,
    InvalidHeaders,
    TooOld,
    TooNew,
    BadSignature,
    InvalidPayload,
    /// Verified, but the queue was full (503; the sender retries).
    Busy,
}

impl WebhookOutcome {
    const ALL: [WebhookOutcome; 10] = [
        Self::Accepted,
        Self::Duplicate,
        Self::NotConfigured,
        Self::MissingHeaders,
        Self::InvalidHeaders,
        Self::TooOld,
        Self::TooNew,
        Self::BadSignature,
        Self::InvalidPayload,
        Self::Busy,
    ];
    /// (outcome, reason) labels.
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            Self::Accepted => ("accepted", "new"),
            Self::Duplicate => ("accepted", "skipped"),
            Self::NotConfigured => ("rejected", "not_configured"),
            Self::MissingHeaders => ("rejected", "missing_headers"),
            Self::InvalidHeaders => ("rejected", "invalid_headers"),
            Self::TooOld => ("rejected", "timestamp_too_old"),
            Self::TooNew => ("rejected", "timestamp_too_new"),
            Self::BadSignature => ("rejected", "bad_signature"),
            Self::InvalidPayload => ("rejected", "invalid_payload"),
            Self::Busy => ("rejected", "busy"),
        }
    }
}

/// What an upstream call came to: Seam's HTTP status, or no answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum UpstreamStatus {
    Http(u16),
    /// No answer within the upstream timeout.
    Timeout,
    /// No answer at all (refused, reset, DNS, TLS).
    Unreachable,
}

impl UpstreamStatus {
    fn label(self) -> String {
        match self {
            Self::Http(code) => code.to_string(),
            Self::Timeout => "timeout".into(),
            Self::Unreachable => "unreachable".into(),
        }
    }
}

/// GraphQL operation types, as labels.
const OPERATION_TYPES: [&str; 4] = ["query", "mutation", "subscription", "unknown"];

/// The registry. Share it as `Arc<Metrics>`.
pub(crate) struct Metrics {
    /// Request durations per operation type (index into `OPERATION_TYPES`), then name.
    operations: [RwLock<HashMap<String, Arc<Histogram>>>; 4],
    operation_names: AtomicUsize,
    operations_other: [Histogram; 4],
    errors: RwLock<BTreeMap<String, AtomicU64>>,
    upstream: RwLock<HashMap<(&'static str, UpstreamStatus), Arc<Histogram>>>,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
    /// Validations run in full, and results reused for a repeated document.
    validations: [AtomicU64; 2],
    batches: StaticFamily,
    webhooks: [AtomicU64; WebhookOutcome::ALL.len()],
    subscriptions_active: [AtomicI64; Transport::ALL.len()],
    subscriptions_total: [AtomicU64; Transport::ALL.len()],
    /// From the gateway taking an event in to publishing it, per source.
    event_lag: StaticFamily,
    /// From Seam's `occurred_at` to publishing, per source.
    event_age: StaticFamily,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            operations: Default::default(),
            operation_names: AtomicUsize::new(0),
            operations_other: std::array::from_fn(|_| Histogram::seconds(LATENCY_SECONDS)),
            errors: RwLock::default(),
            upstream: RwLock::default(),
            cache_hits: AtomicU64::new(0),
            cache_misses: AtomicU64::new(0),
            validations: Default::default(),
            batches: StaticFamily::new(|| Histogram::counts(BATCH_SIZES)),
            webhooks: Default::default(),
            subscriptions_active: Default::default(),
            subscriptions_total: Default::default(),
            event_lag: StaticFamily::new(|| Histogram::seconds(LAG_SECONDS)),
            event_age: StaticFamily::new(|| Histogram::seconds(LAG_SECONDS)),
        }
    }
}

/// Keeps a subscription counted as active until dropped.
pub(crate) struct SubscriptionGuard {
    metrics: Arc<Metrics>,
    transport: Transport,
}

impl Drop for SubscriptionGuard {
    fn drop(&mut self) {
        self.metrics.subscriptions_active[self.transport as usize].fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    /// One GraphQL operation ran: its type (`query`, `mutation`, `subscription`, or `None` when
    /// the document did not parse), its name, how long it took, and its errors' codes.
    pub(crate) fn operation(
        &self,
        kind: Option<&str>,
        name: Option<&str>,
        elapsed: Duration,
        error_codes: &[String],
    ) {
        let index = kind
            .and_then(|k| OPERATION_TYPES.iter().position(|t| *t == k))
            .unwrap_or(3);
        let name = name.unwrap_or("");
        match self.operation_histogram(index, name) {
            Some(h) => h.observe_duration(elapsed),
            None => self.operations_other[index].observe_duration(elapsed),
        }
        for code in error_codes {
            self.error(code);
        }
    }

    /// The named series, created while under the cap; `None` means `other`.
    fn operation_histogram(&self, index: usize, name: &str) -> Option<Arc<Histogram>> {
        let map = &self.operations[index];
        if let Some(h) = map.read().unwrap_or_else(PoisonError::into_inner).get(name) {
            return Some(h.clone());
        }
        let mut map = map.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(h) = map.get(name) {
            return Some(h.clone());
        }
        let taken = self.operation_names.fetch_add(1, Ordering::Relaxed);
        if taken >= MAX_OPERATION_NAMES {
            self.operation_names.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        let h = Arc::new(Histogram::seconds(LATENCY_SECONDS));
        map.insert(name.to_owned(), h.clone());
        Some(h)
    }

    /// One error returned to a client, by its `extensions.code`.
    pub(crate) fn error(&self, code: &str) {
        if let Some(n) = self
            .errors
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(code)
        {
            n.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let mut errors = self.errors.write().unwrap_or_else(PoisonError::into_inner);
        let code = if errors.len() >= MAX_ERROR_CODES && !errors.contains_key(code) {
            OTHER
        } else {
            code
        };
        errors
            .entry(code.to_owned())
            .or_default()
            .fetch_add(1, Ordering::Relaxed);
    }

    /// One HTTP request to Seam (each attempt of a retried read counts).
    pub(crate) fn upstream_call(
        &self,
        endpoint: &'static str,
        status: UpstreamStatus,
        elapsed: Duration,
    ) {
        let key = (endpoint, status);
        let found = self
            .upstream
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        let h = found.unwrap_or_else(|| {
            self.upstream
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(key)
                .or_insert_with(|| Arc::new(Histogram::seconds(LATENCY_SECONDS)))
                .clone()
        });
        h.observe_duration(elapsed);
    }

    /// Device lookups answered from the shared cache, and those that were not.
    pub(crate) fn device_cache(&self, hits: usize, misses: usize) {
        if hits > 0 {
            self.cache_hits.fetch_add(hits as u64, Ordering::Relaxed);
        }
        if misses > 0 {
            self.cache_misses
                .fetch_add(misses as u64, Ordering::Relaxed);
        }
    }

    /// One request's validation: `reused` when an earlier result for its document stood in.
    pub(crate) fn validation(&self, reused: bool) {
        self.validations[usize::from(reused)].fetch_add(1, Ordering::Relaxed);
    }

    /// One DataLoader batch of `size` keys, by loader (`device`, `access_code`, ...).
    pub(crate) fn loader_batch(&self, loader: &'static str, size: usize) {
        self.batches.get(loader).observe_count(size as u64);
    }

    pub(crate) fn webhook(&self, outcome: WebhookOutcome) {
        self.webhooks[outcome as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// A subscription started; it counts as active until the guard is dropped.
    pub(crate) fn subscription_started(
        self: &Arc<Self>,
        transport: Transport,
    ) -> SubscriptionGuard {
        self.subscriptions_total[transport as usize].fetch_add(1, Ordering::Relaxed);
        self.subscriptions_active[transport as usize].fetch_add(1, Ordering::Relaxed);
        SubscriptionGuard {
            metrics: self.clone(),
            transport,
        }
    }

    /// An event reached its subscribers: `since_received` after the gateway took it in (from a
    /// webhook or a poll), `since_occurred` after Seam says it happened (when it says).
    pub(crate) fn event_delivered(
        &self,
        source: &'static str,
        since_received: Duration,
        since_occurred: Option<Duration>,
    ) {
        self.event_lag.get(source).observe_duration(since_received);
        if let Some(age) = since_occurred {
            self.event_age.get(source).observe_duration(age);
        }
    }

    /// The text exposition format. `extra` is appended (gauges other parts own).
    pub(crate) fn render(&self, extra: &str) -> String {
        let mut out = String::with_capacity(16 * 1024);
        self.render_operations(&mut out);
        self.render_upstream(&mut out);
        self.render_events(&mut out);
        out.push_str(extra);
        process::render(&mut out);
        out
    }

    fn render_operations(&self, out: &mut String) {
        header(
            out,
            "seam_graphql_request_duration_seconds",
            "histogram",
            "GraphQL operations by type and name (the first 100 names, then `other`), in seconds.",
        );
        for (index, kind) in OPERATION_TYPES.iter().enumerate() {
            let map = self.operations[index]
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            let mut names: Vec<_> = map.iter().collect();
            names.sort_by(|a, b| a.0.cmp(b.0));
            for (name, h) in names {
                let labels = format!(
                    "operation_type=\"{kind}\",operation_name=\"{}\"",
                    escape(name)
                );
                h.render(out, "seam_graphql_request_duration_seconds", &labels);
            }
            let other = &self.operations_other[index];
            if other.count() > 0 {
                let labels = format!("operation_type=\"{kind}\",operation_name=\"{OTHER}\"");
                other.render(out, "seam_graphql_request_duration_seconds", &labels);
            }
        }
        header(
            out,
            "seam_graphql_errors_total",
            "counter",
            "Errors returned to clients, by extensions.code.",
        );
        for (code, n) in self
            .errors
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(
                out,
                "seam_graphql_errors_total{{code=\"{}\"}} {}",
                escape(code),
                n.load(Ordering::Relaxed)
            );
        }
        header(
            out,
            "seam_graphql_loader_batch_size",
            "histogram",
            "Keys per DataLoader batch, by loader.",
        );
        self.batches
            .render(out, "seam_graphql_loader_batch_size", "loader");
        header(
            out,
            "seam_graphql_subscriptions_active",
            "gauge",
            "Subscriptions open now, by transport.",
        );
        for t in Transport::ALL {
            let n = self.subscriptions_active[t as usize].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "seam_graphql_subscriptions_active{{transport=\"{}\"}} {n}",
                t.label()
            );
        }
        header(
            out,
            "seam_graphql_subscriptions_total",
            "counter",
            "Subscriptions started, by transport.",
        );
        for t in Transport::ALL {
            let n = self.subscriptions_total[t as usize].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "seam_graphql_subscriptions_total{{transport=\"{}\"}} {n}",
                t.label()
            );
        }
    }

    fn render_upstream(&self, out: &mut String) {
        header(
            out,
            "seam_graphql_upstream_call_duration_seconds",
            "histogram",
            "HTTP requests to Seam by endpoint and status (`timeout`, `unreachable`: no answer), in seconds.",
        );
        let upstream = self.upstream.read().unwrap_or_else(PoisonError::into_inner);
        let mut series: Vec<_> = upstream
            .iter()
            .map(|((endpoint, status), h)| ((*endpoint, status.label()), h))
            .collect();
        series.sort_by(|a, b| a.0.cmp(&b.0));
        for ((endpoint, status), h) in series {
            let labels = format!("endpoint=\"{endpoint}\",status=\"{status}\"");
            h.render(out, "seam_graphql_upstream_call_duration_seconds", &labels);
        }
        header(
            out,
            "seam_graphql_device_cache_requests_total",
            "counter",
            "Device lookups by whether the shared cache had the device.",
        );
        let _ = writeln!(
            out,
            "seam_graphql_device_cache_requests_total{{result=\"hit\"}} {}\nseam_graphql_device_cache_requests_total{{result=\"miss\"}} {}",
            self.cache_hits.load(Ordering::Relaxed),
            self.cache_misses.load(Ordering::Relaxed)
        );
        header(
            out,
            "seam_graphql_validations_total",
            "counter",
            "GraphQL validations, run in full or reused for a repeated document whose variables plainly fit.",
        );
        let _ = writeln!(
            out,
            "seam_graphql_validations_total{{result=\"full\"}} {}\nseam_graphql_validations_total{{result=\"reused\"}} {}",
            self.validations[0].load(Ordering::Relaxed),
            self.validations[1].load(Ordering::Relaxed)
        );
    }

    fn render_events(&self, out: &mut String) {
        header(
            out,
            "seam_graphql_webhooks_total",
            "counter",
            "Webhook deliveries by outcome (accepted, rejected) and reason.",
        );
        for outcome in WebhookOutcome::ALL {
            let (result, reason) = outcome.labels();
            let n = self.webhooks[outcome as usize].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "seam_graphql_webhooks_total{{outcome=\"{result}\",reason=\"{reason}\"}} {n}"
            );
        }
        header(
            out,
            "seam_graphql_event_delivery_lag_seconds",
            "histogram",
            "From the gateway taking an event in (webhook or poll) to publishing it to subscribers, in seconds.",
        );
        self.event_lag
            .render(out, "seam_graphql_event_delivery_lag_seconds", "source");
        header(
            out,
            "seam_graphql_event_age_at_delivery_seconds",
            "histogram",
            "From Seam's occurred_at to publishing to subscribers (includes Seam's own delay and clock skew), in seconds.",
        );
        self.event_age
            .render(out, "seam_graphql_event_age_at_delivery_seconds", "source");
    }
}

/// Histograms keyed by a label from a closed set of `&'static str` (loader kinds, event sources).
struct StaticFamily {
    series: RwLock<Vec<(&'static str, Arc<Histogram>)>>,
    make: fn() -> Histogram,
}

impl StaticFamily {
    fn new(make: fn() -> Histogram) -> Self {
        Self {
            series: RwLock::default(),
            make,
        }
    }

    fn get(&self, label: &'static str) -> Arc<Histogram> {
        let find = |series: &[(&'static str, Arc<Histogram>)]| {
            series
                .iter()
                .find(|(l, _)| *l == label)
                .map(|(_, h)| h.clone())
        };
        if let Some(h) = find(&self.series.read().unwrap_or_else(PoisonError::into_inner)) {
            return h;
        }
        let mut series = self.series.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(h) = find(&series) {
            return h;
        }
        let h = Arc::new((self.make)());
        series.push((label, h.clone()));
        h
    }

    fn render(&self, out: &mut String, name: &str, label_name: &str) {
        let mut series = self
            .series
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        series.sort_by_key(|(l, _)| *l);
        for (label, h) in series {
            h.render(out, name, &format!("{label_name}=\"{label}\""));
        }
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value as the exposition format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_give_the_first_names_their_own_series_and_count_the_rest_as_other() {
        let m = Metrics::default();
        for n in 0..MAX_OPERATION_NAMES + 5 {
            m.operation(Some("query"), Some(&format!("Op{n}")), Duration::ZERO, &[]);
        }
        m.operation(Some("query"), Some("Op0"), Duration::ZERO, &[]);
        let text = m.render("");
        let named = text
            .lines()
            .filter(|l| l.starts_with("seam_graphql_request_duration_seconds_count"))
            .count();
        assert_eq!(named, MAX_OPERATION_NAMES + 1, "{text}");
        assert!(text.contains(
            "seam_graphql_request_duration_seconds_count{operation_type=\"query\",operation_name=\"other\"} 5"
        ));
        assert!(text.contains(
            "seam_graphql_request_duration_seconds_count{operation_type=\"query\",operation_name=\"Op0\"} 2"
        ));
    }

    #[test]
    fn should_count_active_subscriptions_until_their_guard_drops() {
        let m = Arc::new(Metrics::default());
        let guard = m.subscription_started(Transport::Sse);
        assert!(m
            .render("")
            .contains("seam_graphql_subscriptions_active{transport=\"sse\"} 1"));
        drop(guard);
        let text = m.render("");
        assert!(text.contains("seam_graphql_subscriptions_active{transport=\"sse\"} 0"));
        assert!(text.contains("seam_graphql_subscriptions_total{transport=\"sse\"} 1"));
    }
}
