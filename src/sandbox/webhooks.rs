//! Svix-style webhook signing and in-order delivery from one background task.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::WebhookTarget;

/// Events waiting for delivery beyond this are dropped (request handling never blocks).
pub(crate) const QUEUE_CAPACITY: usize = 4096;
const ATTEMPTS: u32 = 3;

/// One event body (the event object itself) for one target.
pub(crate) struct Delivery {
    pub(crate) target: WebhookTarget,
    pub(crate) body: String,
}

/// `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`, the key being the base64-decoded
/// secret after an optional `whsec_` prefix.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &str) -> anyhow::Result<String> {
    let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap_or(secret))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)?;
    mac.update(format!("{msg_id}.{timestamp}.{body}").as_bytes());
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

pub(crate) fn spawn_delivery(mut rx: mpsc::Receiver<Delivery>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let client = match reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
        {
            Ok(c) => c,
            Err(err) => {
                tracing::error!(%err, "sandbox webhook client");
                return;
            }
        };
        while let Some(delivery) = rx.recv().await {
            deliver(&client, &delivery).await;
        }
    })
}

async fn deliver(client: &reqwest::Client, d: &Delivery) {
    let msg_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    for attempt in 1..=ATTEMPTS {
        // Real wall time: receivers check it against their own clock (±300 s), whatever the sandbox clock says.
        let ts = chrono::Utc::now().timestamp();
        let signature = match sign(&d.target.secret, &msg_id, ts, &d.body) {
            Ok(s) => s,
            Err(err) => {
                tracing::warn!(%err, "sandbox webhook secret is not valid base64; not delivering");
                return;
            }
        };
        let result = client
            .post(&d.target.url)
            .header("content-type", "application/json")
            .header("svix-id", &msg_id)
            .header("svix-timestamp", ts.to_string())
            .header("svix-signature", signature)
            .body(d.body.clone())
            .send()
            .await;
        match result {
            Ok(res) if res.status().is_success() => return,
            Ok(res) => {
                tracing::debug!(status = %res.status(), %msg_id, attempt, "sandbox webhook refused")
            }
            Err(err) => tracing::debug!(%err, %msg_id, attempt, "sandbox webhook failed"),
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
        }
    }
    tracing::warn!(%msg_id, "sandbox webhook dropped after retries");
}

#[cfg(test)]
mod tests {
    use super::sign;

    #[test]
    fn should_sign_the_contract_test_vector() {
        let body = r#"{"event_id":"8d2f3a1e-7b4c-4e59-9a0d-2c6f1b7e5a90","event_type":"access_code.set_on_device","workspace_id":"seed_workspace_1","device_id":"august_device_1","access_code_id":"access_code1","connected_account_id":"john_connected_account_id","code":"1234","created_at":"2023-11-14T22:13:20.000Z","occurred_at":"2023-11-14T22:13:20.000Z"}"#;
        let sig = sign(
            "whsec_ZmFrZS1zZWFtIGhhcm5lc3Mgd2ViaG9vayBrZXkgMDE=",
            "msg_2bVxVkqYgH3oWm6cZtQ1fE8rJ0a",
            1_700_000_000,
            body,
        )
        .unwrap();
        assert_eq!(sig, "v1,76TsUqDfrVKABQFkV4TntyMZuDS5kfj8Ii1sGM+AAZc=");
    }
}
