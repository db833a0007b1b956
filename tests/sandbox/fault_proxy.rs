//! The kit's fault proxy in front of the sandbox: it forwards faithfully when no fault is on, and
//! each fault does exactly what the gateway's fault tests rely on.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{Fault, FaultProxy};
use crate::{Env, KEY1};

async fn proxied() -> (Env, FaultProxy) {
    let env = Env::new().await;
    let proxy = FaultProxy::start(env.sb.base_url()).await;
    (env, proxy)
}

/// POSTs `body` to `path` through the proxy as workspace 1.
async fn post(
    env: &Env,
    proxy: &FaultProxy,
    path: &str,
    body: Value,
) -> reqwest::Result<reqwest::Response> {
    env.client
        .post(format!("{}{path}", proxy.base_url()))
        .bearer_auth(KEY1)
        .json(&body)
        .timeout(Duration::from_secs(2))
        .send()
        .await
}

#[tokio::test]
async fn should_forward_method_path_query_authorization_and_body() {
    let (env, proxy) = proxied().await;
    let r = post(
        &env,
        &proxy,
        "/devices/get",
        json!({ "device_id": "august_device_1" }),
    )
    .await
    .expect("answer");
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["device"]["device_id"], "august_device_1");

    // A wrong key reaches the sandbox as sent, and its refusal comes back as sent.
    let refused = env
        .client
        .post(format!("{}/devices/list", proxy.base_url()))
        .bearer_auth("seam_wrong_key")
        .json(&json!({}))
        .send()
        .await
        .expect("answer");
    assert_eq!(refused.status(), 401);

    let by_get = env
        .client
        .get(format!(
            "{}/devices/get?device_id=august_device_2",
            proxy.base_url()
        ))
        .bearer_auth(KEY1)
        .send()
        .await
        .expect("answer");
    assert_eq!(by_get.status(), 200);
    let body: Value = by_get.json().await.expect("json");
    assert_eq!(body["device"]["device_id"], "august_device_2");

    assert_eq!(proxy.seen("/devices/get"), 2);
    assert_eq!(proxy.forwarded("/devices/get"), 2);
    assert_eq!(env.sb.calls().get("/devices/get").copied(), Some(2));
}

#[tokio::test]
async fn should_answer_429_with_retry_after_and_seams_envelope_without_forwarding() {
    let (env, proxy) = proxied().await;
    proxy.set(Fault::RateLimit {
        retry_after_secs: 7,
    });
    let r = post(&env, &proxy, "/devices/list", json!({}))
        .await
        .expect("answer");
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "7");
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"]["type"], "rate_limited");
    assert!(body["error"]["message"].is_string());
    assert_eq!(proxy.seen("/devices/list"), 1);
    assert_eq!(proxy.forwarded("/devices/list"), 0);
    assert!(env.sb.calls().values().all(|n| *n == 0));
}

#[tokio::test]
async fn should_fail_a_counted_burst_of_server_errors_then_forward() {
    let (env, proxy) = proxied().await;
    proxy.set(Fault::ServerErrors {
        status: 503,
        count: 2,
    });
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = post(&env, &proxy, "/devices/list", json!({}))
            .await
            .expect("answer");
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [503, 503, 200]);
    assert_eq!(proxy.fault(), Fault::None, "the burst is used up");
    assert_eq!(proxy.seen("/devices/list"), 3);
    assert_eq!(proxy.forwarded("/devices/list"), 1);
}

#[tokio::test]
async fn should_apply_a_fault_scoped_to_one_path_only_there() {
    let (env, proxy) = proxied().await;
    proxy.set_on(
        "/access_codes/create",
        Fault::ServerErrors {
            status: 502,
            count: 10,
        },
    );
    let read = post(&env, &proxy, "/devices/list", json!({}))
        .await
        .expect("answer");
    assert_eq!(read.status(), 200);
    let create = post(
        &env,
        &proxy,
        "/access_codes/create",
        json!({ "device_id": "august_device_1" }),
    )
    .await
    .expect("answer");
    assert_eq!(create.status(), 502);
    assert_eq!(proxy.forwarded("/access_codes/create"), 0);
}

#[tokio::test]
async fn should_drop_the_connection_without_an_answer_on_reset() {
    let (env, proxy) = proxied().await;
    proxy.set_next(1, Fault::Reset);
    let started = Instant::now();
    let error = post(&env, &proxy, "/devices/list", json!({}))
        .await
        .expect_err("no answer");
    assert!(
        !error.is_timeout(),
        "dropped at once, not timed out: {error}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(proxy.seen("/devices/list"), 1);
    assert_eq!(proxy.forwarded("/devices/list"), 0);
    // Only the next request was reset; the one after is forwarded.
    let r = post(&env, &proxy, "/devices/list", json!({}))
        .await
        .expect("answer");
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn should_hold_requests_in_a_black_hole_until_it_is_switched_off() {
    let (env, proxy) = proxied().await;
    proxy.set(Fault::BlackHole);
    let error = post(&env, &proxy, "/devices/list", json!({}))
        .await
        .expect_err("no answer");
    assert!(error.is_timeout(), "{error}");

    let held = tokio::spawn({
        let client = env.client.clone();
        let url = format!("{}/devices/list", proxy.base_url());
        async move {
            client
                .post(url)
                .bearer_auth(KEY1)
                .json(&json!({}))
                .send()
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!held.is_finished());
    proxy.clear();
    let released = tokio::time::timeout(Duration::from_secs(2), held)
        .await
        .expect("let go once the fault is off")
        .expect("task");
    assert!(released.is_err(), "let go without an answer");
    assert_eq!(proxy.forwarded("/devices/list"), 0);
    let r = post(&env, &proxy, "/devices/list", json!({}))
        .await
        .expect("answer");
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn should_delay_by_the_latency_then_forward() {
    let (env, proxy) = proxied().await;
    proxy.set(Fault::Latency(Duration::from_millis(300)));
    let started = Instant::now();
    let r = post(&env, &proxy, "/devices/list", json!({}))
        .await
        .expect("answer");
    assert_eq!(r.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(proxy.forwarded("/devices/list"), 1);
}
