//! A Prometheus histogram on atomics: observing is a short scan of the bounds and three relaxed
//! increments, with no lock and no allocation.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds for request and upstream latencies, in seconds.
pub(crate) const LATENCY_SECONDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Upper bounds for event lag, in seconds: polling alone adds an interval (2 s by default).
pub(crate) const LAG_SECONDS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];
/// Upper bounds for DataLoader batch sizes (Seam lists at most 500 ids a call).
pub(crate) const BATCH_SIZES: &[f64] = &[1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0];

/// Durations are kept in microseconds, so the sum is an integer too.
const MICROS: f64 = 1_000_000.0;

pub(crate) struct Histogram {
    bounds: &'static [f64],
    /// Per bucket (not cumulative); the last one is `+Inf`.
    buckets: Box<[AtomicU64]>,
    /// In units of `1 / scale`.
    sum: AtomicU64,
    scale: f64,
}

impl Histogram {
    /// A histogram of durations, in seconds.
    pub(crate) fn seconds(bounds: &'static [f64]) -> Self {
        Self::new(bounds, MICROS)
    }

    /// A histogram of whole numbers (sizes, counts).
    pub(crate) fn counts(bounds: &'static [f64]) -> Self {
        Self::new(bounds, 1.0)
    }

    fn new(bounds: &'static [f64], scale: f64) -> Self {
        Self {
            bounds,
            buckets: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum: AtomicU64::new(0),
            scale,
        }
    }

    pub(crate) fn observe_duration(&self, elapsed: Duration) {
        self.observe_units(elapsed.as_micros().min(u128::from(u64::MAX)) as u64);
    }

    pub(crate) fn observe_count(&self, n: u64) {
        self.observe_units(n);
    }

    fn observe_units(&self, units: u64) {
        let value = units as f64 / self.scale;
        let bucket = self
            .bounds
            .iter()
            .position(|bound| value <= *bound)
            .unwrap_or(self.bounds.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.sum.fetch_add(units, Ordering::Relaxed);
    }

    /// Observations so far.
    pub(crate) fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).sum()
    }

    /// Writes the `_bucket`, `_sum` and `_count` lines; `labels` is empty or `a="x",b="y"`.
    pub(crate) fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (i, bucket) in self.buckets.iter().enumerate() {
            cumulative += bucket.load(Ordering::Relaxed);
            let le = match self.bounds.get(i) {
                Some(bound) => bound.to_string(),
                None => "+Inf".to_owned(),
            };
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {cumulative}"
            );
        }
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let sum = self.sum.load(Ordering::Relaxed) as f64 / self.scale;
        let _ = writeln!(out, "{name}_sum{braces} {sum}");
        let _ = writeln!(out, "{name}_count{braces} {cumulative}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_count_each_observation_in_its_bucket_and_render_them_cumulatively() {
        let h = Histogram::seconds(&[0.01, 0.1]);
        h.observe_duration(Duration::from_millis(5));
        h.observe_duration(Duration::from_millis(50));
        h.observe_duration(Duration::from_secs(1));
        let mut out = String::new();
        h.render(&mut out, "x", "a=\"b\"");
        assert_eq!(
            out,
            "x_bucket{a=\"b\",le=\"0.01\"} 1\nx_bucket{a=\"b\",le=\"0.1\"} 2\nx_bucket{a=\"b\",le=\"+Inf\"} 3\nx_sum{a=\"b\"} 1.055\nx_count{a=\"b\"} 3\n"
        );
    }
}
