//! Exactly one replica polls a workspace without webhooks; when it stops, another takes over.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::cluster::Cluster;
use crate::support::faults::Fault;
use crate::support::{wait_until, Feed, WsSub, KEY_1};

const POLL_MS: u64 = 300;

fn event_list_calls(c: &Cluster, i: usize) -> u64 {
    c.replica(i)
        .upstream_calls()
        .get("/events/list")
        .copied()
        .unwrap_or(0)
}

/// A subscriber on replica A, which then holds the workspace's lease, and one on replica B.
async fn subscribe_with_a_leading(c: &Cluster) -> (WsSub, WsSub) {
    let on_a = WsSub::subscribe(&c.ws_url(0), Some(KEY_1), json!({})).await;
    c.wait_for_subscribers(0, 1).await;
    wait_until(
        || c.replica(0).live_leading_workspaces() == 1,
        "replica A leads",
    )
    .await;
    let on_b = WsSub::subscribe(&c.ws_url(1), Some(KEY_1), json!({})).await;
    c.wait_for_subscribers(1, 1).await;
    (on_a, on_b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_replica_should_take_over_polling_when_the_polling_one_stops() {
    let mut c = Cluster::start(2, Feed::Polling, |cfg| {
        cfg.poll_interval_ms = POLL_MS;
        cfg.redis_lease_ms = POLL_MS;
    })
    .await;
    let (mut on_a, mut on_b) = subscribe_with_a_leading(&c).await;

    // Only the lease holder polls.
    let (a0, b0) = (event_list_calls(&c, 0), event_list_calls(&c, 1));
    tokio::time::sleep(Duration::from_millis(POLL_MS * 5)).await;
    let (a1, b1) = (event_list_calls(&c, 0), event_list_calls(&c, 1));
    assert!(a1 >= a0 + 3, "the lease holder polls: {a0} -> {a1}");
    assert_eq!(b1, b0, "the other replica does not poll");
    assert_eq!(c.replica(1).live_leading_workspaces(), 0);

    let id = c.create_code(1, "august_device_1", "Guest").await;
    assert_eq!(on_a.changes(1).await, ["access_code.created null->SETTING"]);
    assert_eq!(on_b.changes(1).await, ["access_code.created null->SETTING"]);

    let stopped = Instant::now();
    c.stop(0).await;
    c.advance(2).await;
    wait_until(
        || c.replica(1).live_leading_workspaces() == 1,
        "replica B takes over",
    )
    .await;
    let took = stopped.elapsed();
    assert!(
        took <= Duration::from_millis(POLL_MS * 2 + 200),
        "took over after {took:?}"
    );
    assert_eq!(
        on_b.changes(1).await,
        ["access_code.set_on_device SETTING->SET"]
    );
    c.data_as(
        1,
        KEY_1,
        "mutation($input: DeleteAccessCodeInput!) { deleteAccessCode(input: $input) { __typename } }",
        json!({ "input": { "accessCodeId": id } }),
    )
    .await;
    c.advance(2).await;
    assert_eq!(
        on_b.changes(2).await,
        [
            "access_code.deleted SET->REMOVING",
            "access_code.removed_from_device REMOVING->UNSET"
        ]
    );
    on_b.expect_silence(Duration::from_millis(POLL_MS * 3))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_a_crashed_lease_holder_was_resolving_should_reach_subscribers_through_the_next() {
    const LEASE_MS: u64 = 300;
    let (mut c, proxy) = Cluster::start_with_faults_on_first(2, Feed::Webhooks, |cfg| {
        cfg.redis_lease_ms = LEASE_MS;
        // A's stuck lookup must not time out and publish within the test: A is dead.
        cfg.upstream_timeout_ms = 60_000;
    })
    .await;
    let (on_a, mut on_b) = subscribe_with_a_leading(&c).await;

    // A takes the event off the inbox, and its lookup of the code never comes back.
    proxy.set_on("/access_codes/get", Fault::BlackHole);
    c.create_code(1, "august_device_1", "Guest").await;
    wait_until(
        || proxy.seen("/access_codes/get") >= 1,
        "replica A resolves the event",
    )
    .await;

    // A dies before publishing it (no graceful shutdown: nothing is drained). The event was
    // claimed cluster-wide when it came, so B's catch-up poll skips it: only the inbox has it.
    drop(on_a);
    c.kill(0);
    wait_until(
        || c.replica(1).live_leading_workspaces() == 1,
        "replica B takes over",
    )
    .await;
    assert_eq!(on_b.changes(1).await, ["access_code.created null->SETTING"]);
    on_b.expect_silence(Duration::from_millis(LEASE_MS * 3))
        .await;
}
