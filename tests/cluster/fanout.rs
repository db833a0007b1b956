//! Webhooks spread over two replicas reach every subscriber on both, once and in order.

use std::time::Duration;

use serde_json::json;

use crate::support::cluster::Cluster;
use crate::support::{Feed, WsSub, KEY_1};
use crate::{assert_once_and_in_order, read_changes};

const QUIET: Duration = Duration::from_millis(500);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_on_both_replicas_should_get_every_change_once_and_in_order() {
    let c = Cluster::start(2, Feed::Webhooks, |_| {}).await;
    let mut on_a = WsSub::subscribe(&c.ws_url(0), Some(KEY_1), json!({})).await;
    let mut on_b = WsSub::subscribe(&c.ws_url(1), Some(KEY_1), json!({})).await;
    c.wait_for_subscribers(0, 1).await;
    c.wait_for_subscribers(1, 1).await;
    let before = c.status_event_ids().await;

    let id = c.create_code(0, "august_device_1", "Guest").await;
    c.data_as(
        1,
        KEY_1,
        "mutation($input: CreateLinkedAccessCodesInput!) { createLinkedAccessCodes(input: $input) { commonCodeKey } }",
        json!({ "input": { "deviceIds": ["august_device_1", "august_device_2"], "name": "Cleaner" } }),
    )
    .await;
    c.advance(2).await;
    c.data_as(
        0,
        KEY_1,
        "mutation($input: UpdateAccessCodeInput!) { updateAccessCode(input: $input) { accessCode { id } } }",
        json!({ "input": { "accessCodeId": id, "name": "Guest, renamed" } }),
    )
    .await;
    c.data_as(
        1,
        KEY_1,
        "mutation($input: DeleteAccessCodeInput!) { deleteAccessCode(input: $input) { __typename } }",
        json!({ "input": { "accessCodeId": id } }),
    )
    .await;
    c.advance(2).await;

    let all = c.status_event_ids().await;
    let expected: Vec<String> = all.into_iter().filter(|e| !before.contains(e)).collect();
    // created x3, set x3, changed, deleted, removed.
    assert!(expected.len() >= 9, "{expected:?}");
    let got_a = read_changes(&mut on_a, expected.len()).await;
    let got_b = read_changes(&mut on_b, expected.len()).await;
    assert_once_and_in_order(&got_a, &expected);
    assert_once_and_in_order(&got_b, &expected);
    on_a.expect_silence(QUIET).await;
    on_b.expect_silence(QUIET).await;

    let deliveries = c.balancer.deliveries();
    for replica in [0, 1] {
        assert!(
            deliveries.iter().any(|d| d.replica == replica),
            "the balancer sent replica {replica} nothing"
        );
    }
    // One resolution per event in the cluster: `access_codes/get` once per status event.
    let gets: u64 = [0, 1]
        .iter()
        .map(|&i| {
            c.replica(i)
                .upstream_calls()
                .get("/access_codes/get")
                .copied()
                .unwrap_or(0)
        })
        .sum();
    assert!(
        gets <= expected.len() as u64,
        "{gets} lookups for {} events",
        expected.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_replayed_to_the_other_replica_should_change_nothing() {
    let c = Cluster::start(2, Feed::Webhooks, |_| {}).await;
    let mut on_a = WsSub::subscribe(&c.ws_url(0), Some(KEY_1), json!({})).await;
    let mut on_b = WsSub::subscribe(&c.ws_url(1), Some(KEY_1), json!({})).await;
    c.wait_for_subscribers(0, 1).await;
    c.wait_for_subscribers(1, 1).await;
    c.create_code(0, "august_device_1", "Guest").await;
    assert_eq!(read_changes(&mut on_a, 1).await.len(), 1);
    assert_eq!(read_changes(&mut on_b, 1).await.len(), 1);

    let delivery = c
        .balancer
        .deliveries()
        .into_iter()
        .find(|d| String::from_utf8_lossy(&d.body).contains("access_code.created"))
        .expect("the creation was delivered");
    let other = 1 - delivery.replica;
    let (status, body) = c.replay(&delivery, other).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["duplicate"], true, "{body}");
    on_a.expect_silence(QUIET).await;
    on_b.expect_silence(QUIET).await;
}
