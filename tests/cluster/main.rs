//! Two gateway replicas sharing a real Redis, in front of one sandbox whose webhooks reach them
//! round robin: fan-out, de-dup, the poller lease, Redis going away, and shared caches and indexes.

mod fanout;
mod idempotency;
mod outage;
mod secrets;
mod shared_state;
#[path = "../kit/mod.rs"]
mod support;
mod takeover;

use std::collections::{HashMap, HashSet};

use crate::support::WsSub;

/// Reads `n` changes: (event id, event type, access code id), in the order they came.
pub async fn read_changes(sub: &mut WsSub, n: usize) -> Vec<(String, String, String)> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let (_, c) = sub.next_change().await;
        out.push((
            c["eventId"].as_str().expect("event id").to_owned(),
            c["eventType"].as_str().expect("event type").to_owned(),
            c["accessCodeId"].as_str().expect("code id").to_owned(),
        ));
    }
    out
}

/// Asserts `got` holds each of `expected` (the sandbox's event ids, oldest first) exactly once,
/// and each code's events in the sandbox's order.
pub fn assert_once_and_in_order(got: &[(String, String, String)], expected: &[String]) {
    let ids: Vec<&String> = got.iter().map(|(id, _, _)| id).collect();
    let unique: HashSet<&String> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "a change came twice: {got:#?}");
    let wanted: HashSet<&String> = expected.iter().collect();
    assert_eq!(unique, wanted, "changes lost or foreign: {got:#?}");
    let position: HashMap<&String, usize> =
        expected.iter().enumerate().map(|(i, id)| (id, i)).collect();
    let mut last_per_code: HashMap<&String, usize> = HashMap::new();
    for (id, event_type, code) in got {
        let at = position[id];
        if let Some(before) = last_per_code.insert(code, at) {
            assert!(
                before < at,
                "{event_type} of {code} came before an earlier event of it: {got:#?}"
            );
        }
    }
}
