//! Graceful shutdown: a webhook accepted (2xx) before SIGTERM is still resolved and delivered to
//! its subscribers, an in-flight request still gets its answer, and only then do websockets close
//! with 1001.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{config, Fault, Feed, TestGateway, WsSub, KEY_1};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_deliver_accepted_webhooks_and_finish_requests_before_closing_sockets() {
    let mut c = config();
    c.shutdown_timeout_ms = 5_000;
    let (live, proxy) = TestGateway::behind_faults_fed(Feed::SilentWebhooks, c).await;
    let secret = live.secret.clone().expect("secret");
    // Fields that need no further Seam call, so the Seam latency below holds up only the event.
    let mut sub = WsSub::connect(&live.ws_url(), Some(KEY_1)).await;
    sub.send(json!({
        "id": "1",
        "type": "subscribe",
        "payload": { "query": "subscription { accessCodeStatusChanged { eventType accessCodeId } }" }
    }))
    .await;
    live.wait_for_subscribers(1).await;
    let code = live.create_code(KEY_1, "august_device_1", "Drain").await;

    // Every Seam call now takes 800 ms: the event's lookup, and the request's.
    proxy.set(Fault::Latency(Duration::from_millis(800)));
    let body = json!({
        "event_id": uuid::Uuid::new_v4().to_string(),
        "event_type": "access_code.set_on_device",
        "workspace_id": "seed_workspace_1",
        "access_code_id": code,
        "device_id": "august_device_1",
    })
    .to_string();
    let ts = chrono::Utc::now().timestamp();
    let signature =
        seam_graphql::sandbox::sign_webhook(&secret, "msg_drain", ts, &body).expect("signs");
    let signed = [
        ("svix-id", "msg_drain".to_owned()),
        ("svix-timestamp", ts.to_string()),
        ("svix-signature", signature),
    ];
    assert_eq!(live.post_webhook(&signed, &body).await, 200, "accepted");
    let in_flight = {
        let url = format!("http://{}/graphql", live.gateway.addr());
        tokio::spawn(async move {
            reqwest::Client::new()
                .post(url)
                .json(&json!({ "query": "{ devices(first: 1) { nodes { id } } }" }))
                .send()
                .await
                .expect("answered")
                .json::<serde_json::Value>()
                .await
                .expect("json")
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;

    let started = Instant::now();
    live.gateway.begin_shutdown();
    let payload = sub.next_payload().await;
    let change = &payload["data"]["accessCodeStatusChanged"];
    assert_eq!(change["eventType"], "access_code.set_on_device", "{change}");
    assert_eq!(change["accessCodeId"], code.as_str());
    assert_eq!(
        sub.closed(Duration::from_secs(5)).await,
        (1001, "server shutting down".to_owned())
    );
    let answer = in_flight.await.expect("request task");
    assert!(answer.get("errors").is_none(), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "within the bound"
    );
}
