//! Redis restarted in the middle of a stream: each replica goes on alone meanwhile, and after
//! recovery no change is lost or duplicated.

use std::time::Duration;

use serde_json::json;

use crate::support::cluster::Cluster;
use crate::support::{wait_until_async, Feed, WsSub, KEY_1};
use crate::{assert_once_and_in_order, read_changes};

async fn redis_degraded(c: &Cluster, i: usize) -> bool {
    let (status, body) = c.get(i, "/readyz").await;
    assert_eq!(status, 200, "a replica without Redis stays ready: {body}");
    body["checks"]["redis"]["degraded"] == true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_change_should_be_lost_or_duplicated_across_a_redis_restart() {
    let mut c = Cluster::start(2, Feed::Webhooks, |cfg| {
        cfg.poll_interval_ms = 100;
        cfg.redis_lease_ms = 300;
    })
    .await;
    let mut on_a = WsSub::subscribe(&c.ws_url(0), Some(KEY_1), json!({})).await;
    let mut on_b = WsSub::subscribe(&c.ws_url(1), Some(KEY_1), json!({})).await;
    c.wait_for_subscribers(0, 1).await;
    c.wait_for_subscribers(1, 1).await;
    let before = c.status_event_ids().await;
    let first = c.create_code(0, "august_device_1", "Before").await;
    let mut got_a = read_changes(&mut on_a, 1).await;
    let mut got_b = read_changes(&mut on_b, 1).await;

    c.redis.stop();
    for i in [0, 1] {
        wait_until_async(Duration::from_secs(5), || redis_degraded(&c, i)).await;
    }
    // Queries and mutations keep working; so do subscriptions, per replica.
    c.create_code(1, "august_device_2", "During").await;
    c.advance(2).await;
    got_a.extend(read_changes(&mut on_a, 3).await);
    got_b.extend(read_changes(&mut on_b, 3).await);

    c.redis.restart().await;
    for i in [0, 1] {
        wait_until_async(Duration::from_secs(5), || async {
            !redis_degraded(&c, i).await
        })
        .await;
    }
    c.create_code(0, "august_device_1", "After").await;
    c.data_as(
        1,
        KEY_1,
        "mutation($input: DeleteAccessCodeInput!) { deleteAccessCode(input: $input) { __typename } }",
        json!({ "input": { "accessCodeId": first } }),
    )
    .await;
    c.advance(2).await;

    let all = c.status_event_ids().await;
    let expected: Vec<String> = all.into_iter().filter(|e| !before.contains(e)).collect();
    let remaining = expected.len() - got_a.len();
    got_a.extend(read_changes(&mut on_a, remaining).await);
    got_b.extend(read_changes(&mut on_b, expected.len() - got_b.len()).await);
    assert_once_and_in_order(&got_a, &expected);
    assert_once_and_in_order(&got_b, &expected);
    on_a.expect_silence(Duration::from_millis(800)).await;
    on_b.expect_silence(Duration::from_millis(800)).await;
}
