//! Closed sockets free their subscription, their workspace's poller and their tasks.

use std::time::Duration;

use serde_json::json;

use crate::support::{rss_kib, wait_until, Feed, TestGateway, WsSub, KEY_1, KEY_2};

/// Tasks on the test's runtime and on the gateway's connection threads (sessions run there).
fn alive_tasks(live: &TestGateway) -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
        + live.gateway.connection_thread_tasks()
}

/// 50 rounds of 20 subscriptions: 1,000 connect/subscribe/disconnect cycles.
const ROUNDS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_leave_task_count_and_memory_flat_after_1000_connect_disconnect_cycles() {
    let live = TestGateway::fed(Feed::Polling).await;
    let url = live.ws_url();
    // Warm up (HTTP client pools, caches), then measure.
    let sub = WsSub::subscribe(&url, Some(KEY_1), json!({})).await;
    live.wait_for_subscribers(1).await;
    sub.close().await;
    wait_until(|| live.gateway.live_subscribers() == 0, "no subscribers").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Two rounds first, so allocator pools reach their working size before memory is measured.
    let warm_rounds = 2;
    let mut baseline = alive_tasks(&live);
    let mut rss_baseline = rss_kib();

    for round in 0..ROUNDS {
        if round == warm_rounds {
            baseline = alive_tasks(&live);
            rss_baseline = rss_kib();
        }
        let mut subs = Vec::new();
        for i in 0..20 {
            let key = if i % 2 == 0 { KEY_1 } else { KEY_2 };
            subs.push(
                WsSub::subscribe(&url, Some(key), json!({ "d": format!("d{round}_{i}") })).await,
            );
        }
        live.wait_for_subscribers(20).await;
        assert_eq!(live.gateway.live_workspaces(), 2);
        // At least one task per open socket.
        assert!(alive_tasks(&live) >= baseline + 20);
        for (i, sub) in subs.into_iter().enumerate() {
            if i % 3 == 0 {
                drop(sub); // vanish without a close frame
            } else {
                sub.close().await;
            }
        }
        wait_until(|| live.gateway.live_subscribers() == 0, "subscribers gone").await;
        wait_until(|| live.gateway.live_workspaces() == 0, "pollers stopped").await;
    }
    // 1,000 subscriptions came and went; a leak of one task each would show. A few pooled HTTP
    // connections (gateway -> sandbox) may come and go with their own idle timers.
    let slack = 4;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while alive_tasks(&live) > baseline + slack && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        alive_tasks(&live) <= baseline + slack,
        "tasks grew from {baseline} to {}",
        alive_tasks(&live)
    );
    // A leak of even 16 KiB per subscription would add about 15 MiB over the measured 960 cycles.
    let grown = rss_kib().saturating_sub(rss_baseline);
    eprintln!(
        "tasks {baseline} -> {}, rss {rss_baseline} KiB -> +{grown} KiB",
        alive_tasks(&live)
    );
    assert!(
        grown < 8 * 1024,
        "memory grew by {grown} KiB over {} cycles",
        (ROUNDS - warm_rounds) * 20
    );
}
