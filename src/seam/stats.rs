//! Counts upstream calls per endpoint, for tests, benchmarks and `/metrics`.

use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct UpstreamStats {
    calls: Mutex<BTreeMap<&'static str, u64>>,
}

impl UpstreamStats {
    pub(crate) fn record(&self, path: &'static str) {
        *self
            .calls
            .lock()
            .expect("stats lock poisoned")
            .entry(path)
            .or_default() += 1;
    }

    /// Calls so far per endpoint path (e.g. `/devices/list`).
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        let calls = self.calls.lock().expect("stats lock poisoned");
        calls
            .iter()
            .map(|(path, n)| (path.to_string(), *n))
            .collect()
    }

    /// Total calls to one path.
    pub fn count(&self, path: &str) -> u64 {
        let calls = self.calls.lock().expect("stats lock poisoned");
        calls.get(path).copied().unwrap_or(0)
    }
}
