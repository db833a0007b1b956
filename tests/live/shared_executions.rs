//! Identical subscriptions (same key, document and variables) share one execution per connection
//! lane: each subscriber still receives every change exactly once, from when it subscribed; a
//! subscriber leaving does not disturb the others; other filters and other tenants never share; and
//! a subscription that fails is not joined by the next one.

use std::time::Duration;

use serde_json::json;

use crate::support::{config, Feed, TestGateway, WsSub, KEY_1, KEY_2};

const QUIET: Duration = Duration::from_millis(300);
const EXECUTIONS: &str = "seam_graphql_subscription_executions";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_run_identical_subscriptions_once_and_deliver_each_change_to_each_once() {
    // One lane, so that every subscriber here shares (the lanes' test is below).
    let mut config = config();
    config.connection_threads = 1;
    let live = TestGateway::fed_with(Feed::Webhooks, config).await;
    let url = live.ws_url();
    let device_1 = json!({ "d": "august_device_1" });
    let mut a = WsSub::subscribe(&url, Some(KEY_1), device_1.clone()).await;
    let mut b = WsSub::subscribe(&url, Some(KEY_1), device_1.clone()).await;
    let mut c = WsSub::subscribe(&url, Some(KEY_1), device_1.clone()).await;
    let mut other_filter =
        WsSub::subscribe(&url, Some(KEY_1), json!({ "d": "august_device_2" })).await;
    let mut other_tenant = WsSub::subscribe(&url, Some(KEY_2), device_1.clone()).await;
    live.wait_for_subscribers(5).await;
    // a, b and c share one; the other filter and the other tenant run their own.
    assert_eq!(live.metric(EXECUTIONS).await, 3.0);

    let id = live.create_code(KEY_1, "august_device_1", "Shared").await;
    for sub in [&mut a, &mut b, &mut c] {
        let (created, change) = sub.next_change().await;
        assert_eq!(created, "access_code.created null->SETTING");
        assert_eq!(change["accessCodeId"], id.as_str());
    }

    // The one that started the execution leaves; the others carry on.
    a.close().await;
    live.wait_for_subscribers(4).await;
    live.advance(2).await;
    for sub in [&mut b, &mut c] {
        assert_eq!(
            sub.changes(1).await,
            ["access_code.set_on_device SETTING->SET"]
        );
    }

    // A late subscriber joins the running execution and gets what happens from now on.
    let mut late = WsSub::subscribe(&url, Some(KEY_1), device_1.clone()).await;
    live.wait_for_subscribers(5).await;
    assert_eq!(live.metric(EXECUTIONS).await, 3.0);
    live.delete_code(KEY_1, &id).await;
    live.advance(2).await;
    let removal = [
        "access_code.deleted SET->REMOVING",
        "access_code.removed_from_device REMOVING->UNSET",
    ];
    for sub in [&mut b, &mut c, &mut late] {
        assert_eq!(sub.changes(2).await, removal);
    }
    // Exactly once each, and nothing for the others.
    for sub in [
        &mut b,
        &mut c,
        &mut late,
        &mut other_filter,
        &mut other_tenant,
    ] {
        sub.expect_silence(QUIET).await;
    }

    for sub in [b, c, late, other_filter, other_tenant] {
        sub.close().await;
    }
    live.wait_for_subscribers(0).await;
    crate::support::wait_until_async(Duration::from_secs(10), || async {
        live.metric(EXECUTIONS).await == 0.0
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_not_join_a_subscription_that_failed() {
    let live = TestGateway::fed(Feed::Webhooks).await;
    let url = live.ws_url();
    // A key Seam refuses: the subscription fails before it registers, with its error, then ends.
    // Started together, so that later ones come while earlier ones are failing.
    let subscribe = || {
        WsSub::subscribe(
            &url,
            Some("seam_not_a_key"),
            json!({ "d": "august_device_1" }),
        )
    };
    let subs = futures::future::join_all((0..5).map(|_| subscribe())).await;
    for mut sub in subs {
        let message = sub.recv(Duration::from_secs(5)).await.expect("an answer");
        assert_eq!(message["type"], "next", "{message:#}");
        let code = &message["payload"]["errors"][0]["extensions"]["code"];
        assert!(code.is_string(), "{message:#}");
        let end = sub.recv(Duration::from_secs(5)).await.expect("the end");
        assert_eq!(end["type"], "complete", "{end:#}");
    }
    assert_eq!(live.gateway.live_subscribers(), 0);
    assert_eq!(live.metric(EXECUTIONS).await, 0.0);
}

/// One connection with several subscriptions (as graphql-ws clients multiplex a page's): each
/// operation id gets each change once, written together.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_deliver_to_every_subscription_of_one_connection_once() {
    let live = TestGateway::fed(Feed::Webhooks).await;
    let mut ws = WsSub::connect(&live.ws_url(), Some(KEY_1)).await;
    for id in ["1", "2", "3"] {
        ws.send(json!({
            "id": id,
            "type": "subscribe",
            "payload": {
                "query": crate::support::SUBSCRIPTION,
                "variables": { "d": "august_device_1" },
            },
        }))
        .await;
    }
    live.wait_for_subscribers(3).await;
    live.create_code(KEY_1, "august_device_1", "Three times")
        .await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let message = ws.recv(Duration::from_secs(5)).await.expect("a result");
        assert_eq!(message["type"], "next", "{message:#}");
        let change = &message["payload"]["data"]["accessCodeStatusChanged"];
        assert_eq!(change["eventType"], "access_code.created");
        ids.push(message["id"].as_str().expect("an id").to_owned());
    }
    ids.sort();
    assert_eq!(ids, ["1", "2", "3"]);
    ws.expect_silence(QUIET).await;
}

/// Sharing stays within a connection lane: a result sent to a subscriber on another lane would
/// wake that lane's thread once per subscriber (an eventfd write each), where one execution per
/// lane wakes it once per event. Four identical subscriptions on four connections over two lanes
/// run as two executions, and each still gets each change once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_share_within_each_connection_lane_and_deliver_each_change_to_each_once() {
    let mut config = config();
    config.connection_threads = 2;
    let live = TestGateway::fed_with(Feed::Webhooks, config).await;
    let device_1 = json!({ "d": "august_device_1" });
    let mut subs = Vec::new();
    for _ in 0..4 {
        subs.push(WsSub::subscribe(&live.ws_url(), Some(KEY_1), device_1.clone()).await);
    }
    live.wait_for_subscribers(4).await;
    // Connections go to the lane with the fewest open, so both lanes hold some of the four.
    assert_eq!(live.metric(EXECUTIONS).await, 2.0);

    let id = live.create_code(KEY_1, "august_device_1", "Per lane").await;
    live.advance(2).await;
    for sub in &mut subs {
        let (created, change) = sub.next_change().await;
        assert_eq!(created, "access_code.created null->SETTING");
        assert_eq!(change["accessCodeId"], id.as_str());
        assert_eq!(
            sub.changes(1).await,
            ["access_code.set_on_device SETTING->SET"]
        );
    }
    for sub in &mut subs {
        sub.expect_silence(QUIET).await;
    }
}

/// A subscription started on a connection that already waits on another gets its own changes,
/// though nothing else on the connection stirs: the session polls only what woke it, and a new
/// operation must be polled once to be waited on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_deliver_to_a_later_subscription_of_a_connection_whose_first_stays_quiet() {
    let live = TestGateway::fed(Feed::Webhooks).await;
    let mut ws = WsSub::connect(&live.ws_url(), Some(KEY_1)).await;
    for (id, device) in [("quiet", "august_device_1"), ("busy", "august_device_2")] {
        ws.send(json!({
            "id": id,
            "type": "subscribe",
            "payload": {
                "query": crate::support::SUBSCRIPTION,
                "variables": { "d": device },
            },
        }))
        .await;
        // One at a time: the second arrives while the session already waits on the first.
        ws.expect_silence(QUIET).await;
    }
    live.wait_for_subscribers(2).await;
    live.create_code(KEY_1, "august_device_2", "Second only")
        .await;
    let message = ws.recv(Duration::from_secs(5)).await.expect("a result");
    assert_eq!(message["type"], "next", "{message:#}");
    assert_eq!(message["id"], "busy", "{message:#}");
    let change = &message["payload"]["data"]["accessCodeStatusChanged"];
    assert_eq!(change["eventType"], "access_code.created");
    ws.expect_silence(QUIET).await;
}
