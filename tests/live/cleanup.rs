//! Closed sockets free their subscription, their workspace's poller and their tasks.

use std::time::Duration;

use serde_json::json;

use crate::support::{wait_until, Feed, Live, WsSub, KEY_1, KEY_2};

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_leave_task_count_flat_after_many_connect_disconnect_cycles() {
    let live = Live::start(Feed::Polling).await;
    let url = live.ws_url();
    // Warm up (HTTP client pools, caches), then measure.
    let sub = WsSub::subscribe(&url, Some(KEY_1), json!({})).await;
    live.wait_for_subscribers(1).await;
    sub.close().await;
    wait_until(|| live.gateway.live_subscribers() == 0, "no subscribers").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let baseline = alive_tasks();

    for round in 0..5 {
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
        assert!(alive_tasks() >= baseline + 20);
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
    // 100 subscriptions came and went; a leak of one task each would show. A few pooled HTTP
    // connections (gateway -> sandbox) may come and go with their own idle timers.
    let slack = 4;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while alive_tasks() > baseline + slack && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        alive_tasks() <= baseline + slack,
        "tasks grew from {baseline} to {}",
        alive_tasks()
    );
}
