use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use seam_graphql::sandbox::{ClockMode, SandboxOptions, WebhookTarget};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::Env;

const SECRET: &str = "whsec_ZmFrZS1zZWFtIGhhcm5lc3Mgd2ViaG9vayBrZXkgMDE=";

type Received = (HeaderMap, String);

async fn receiver() -> (String, mpsc::UnboundedReceiver<Received>) {
    let (tx, rx) = mpsc::unbounded_channel::<Received>();
    let app = Router::new()
        .route(
            "/webhooks/seam",
            post(
                |State(tx): State<mpsc::UnboundedSender<Received>>,
                 headers: HeaderMap,
                 body: String| async move {
                    let _ = tx.send((headers, body));
                    "ok"
                },
            ),
        )
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/webhooks/seam"), rx)
}

/// Verifies like Svix / `SeamWebhook.verify`, then returns the payload.
fn verify(headers: &HeaderMap, body: &str) -> Value {
    let id = headers["svix-id"].to_str().unwrap();
    assert!(id.starts_with("msg_"));
    let ts: i64 = headers["svix-timestamp"].to_str().unwrap().parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - ts).abs() <= 300);
    let key = STANDARD
        .decode(SECRET.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.{body}").as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    let sigs = headers["svix-signature"].to_str().unwrap();
    assert!(
        sigs.split(' ').any(|s| s == format!("v1,{expected}")),
        "no matching signature"
    );
    let payload: Value = serde_json::from_str(body).unwrap();
    assert!(payload["event_id"].is_string() && payload["event_type"].is_string());
    payload
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Value {
    let (headers, body) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("webhook delivered in time")
        .expect("receiver open");
    verify(&headers, &body)
}

#[tokio::test]
async fn should_deliver_signed_webhooks_in_order() {
    let (url, mut rx) = receiver().await;
    let env = Env::with_options(SandboxOptions {
        clock: ClockMode::Manual,
        set_delay: Duration::from_secs(2),
        webhook: Some(WebhookTarget {
            url,
            secret: SECRET.into(),
        }),
        ..SandboxOptions::default()
    })
    .await;
    let ac = env
        .create(json!({ "device_id": "august_device_1", "code": "1357" }))
        .await;
    env.advance_secs(2).await;
    let del = env
        .post(
            "/access_codes/delete",
            json!({ "access_code_id": ac["access_code_id"] }),
        )
        .await;
    assert_eq!(del.status, 200);
    env.advance_secs(2).await;
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(next(&mut rx).await);
    }
    let types: Vec<&str> = got
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "access_code.created",
            "access_code.set_on_device",
            "access_code.deleted",
            "access_code.removed_from_device"
        ]
    );
    assert!(got
        .iter()
        .all(|e| e["access_code_id"] == ac["access_code_id"]));
    assert_eq!(got[1]["code"], "1357");
    let listed = env.events_for(ac["access_code_id"].as_str().unwrap()).await;
    assert_eq!(listed, got, "the payload is the event object itself");

    env.sb.set_webhook(None);
    env.create(json!({ "device_id": "august_device_2" })).await;
    assert!(
        tokio::time::timeout(Duration::from_millis(300), rx.recv())
            .await
            .is_err(),
        "no delivery without a target"
    );
}
