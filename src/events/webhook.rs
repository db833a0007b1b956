//! Verifying Seam's signed webhook deliveries (Svix / Standard Webhooks, contract §7).
//!
//! Pure: no HTTP types here. The caller hands over a header lookup (case-insensitive), the raw body and
//! the current time, so the verifier can be tested with the contract's fixed test vector.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a delivery's timestamp may be from our clock, either way.
pub(crate) const TOLERANCE_SECS: i64 = 300;

/// Why a delivery was refused. The messages are Svix's, so senders recognise them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum WebhookRejection {
    #[error("Missing required headers")]
    MissingHeaders,
    #[error("Invalid Signature Headers")]
    InvalidHeaders,
    #[error("Message timestamp too old")]
    TooOld,
    #[error("Message timestamp too new")]
    TooNew,
    #[error("No matching signature found")]
    NoMatch,
    #[error("The payload must be a JSON object with string `event_id` and `event_type`")]
    InvalidPayload,
}

impl WebhookRejection {
    /// True when the delivery is authentic but its body is not an event: the sender's mistake
    /// rather than a forgery, so a receiver may answer it apart (400 rather than 401).
    pub(crate) fn is_malformed(self) -> bool {
        self == Self::InvalidPayload
    }
}

/// A webhook signing secret (`whsec_<base64>`), decoded once. `Debug` never shows it.
#[derive(Clone)]
pub(crate) struct WebhookSecret {
    key: Vec<u8>,
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

impl WebhookSecret {
    /// Decodes `whsec_<base64>` (the prefix is optional).
    pub(crate) fn parse(secret: &str) -> anyhow::Result<Self> {
        let encoded = secret.trim();
        let encoded = encoded.strip_prefix("whsec_").unwrap_or(encoded);
        let key = STANDARD
            .decode(encoded)
            .map_err(|_| anyhow::anyhow!("the webhook secret must be `whsec_<base64>`"))?;
        anyhow::ensure!(!key.is_empty(), "the webhook secret is empty");
        Ok(Self { key })
    }

    /// A fresh random secret, as `whsec_<base64>` text.
    pub(crate) fn generate() -> String {
        use rand::RngCore;
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        format!("whsec_{}", STANDARD.encode(key))
    }

    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// `v1,<base64>` for a message: what a sender puts in `svix-signature`. The gateway only
    /// verifies; this checks the verifier against the contract's test vector.
    #[cfg(test)]
    pub(crate) fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mac = self.mac(id, &timestamp.to_string(), body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }

    /// Checks a delivery. `header` looks a header up by lower-case name (case-insensitively);
    /// `now_unix` is the receiver's clock in unix seconds. Returns the message id on success.
    pub(crate) fn verify<'h>(
        &self,
        header: impl Fn(&str) -> Option<&'h str>,
        body: &[u8],
        now_unix: i64,
    ) -> Result<&'h str, WebhookRejection> {
        let pick = |name: &str| {
            header(&format!("svix-{name}")).or_else(|| header(&format!("webhook-{name}")))
        };
        let (Some(id), Some(timestamp), Some(signatures)) =
            (pick("id"), pick("timestamp"), pick("signature"))
        else {
            return Err(WebhookRejection::MissingHeaders);
        };
        let ts: i64 = timestamp
            .trim()
            .parse()
            .map_err(|_| WebhookRejection::InvalidHeaders)?;
        if ts < now_unix - TOLERANCE_SECS {
            return Err(WebhookRejection::TooOld);
        }
        if ts > now_unix + TOLERANCE_SECS {
            return Err(WebhookRejection::TooNew);
        }
        let expected = self.mac(id, timestamp.trim(), body);
        let matched = signatures.split_whitespace().any(|entry| {
            let Some(("v1", sig)) = entry.split_once(',') else {
                return false;
            };
            let Ok(sig) = STANDARD.decode(sig) else {
                return false;
            };
            // `verify_slice` compares in constant time.
            expected.clone().verify_slice(&sig).is_ok()
        });
        if matched {
            Ok(id)
        } else {
            Err(WebhookRejection::NoMatch)
        }
    }
}

/// The event in a verified body: a JSON object with string `event_id` and `event_type`.
pub(crate) fn parse_event(body: &[u8]) -> Result<crate::seam::wire::Event, WebhookRejection> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| WebhookRejection::InvalidPayload)?;
    let is_str = |k: &str| value.get(k).is_some_and(|v| v.is_string());
    if !value.is_object() || !is_str("event_id") || !is_str("event_type") {
        return Err(WebhookRejection::InvalidPayload);
    }
    serde_json::from_value(value).map_err(|_| WebhookRejection::InvalidPayload)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const SECRET: &str = "whsec_ZmFrZS1zZWFtIGhhcm5lc3Mgd2ViaG9vayBrZXkgMDE=";
    const ID: &str = "msg_2bVxVkqYgH3oWm6cZtQ1fE8rJ0a";
    const TS: i64 = 1_700_000_000;
    const SIG: &str = "v1,76TsUqDfrVKABQFkV4TntyMZuDS5kfj8Ii1sGM+AAZc=";
    const BODY: &str = r#"{"event_id":"8d2f3a1e-7b4c-4e59-9a0d-2c6f1b7e5a90","event_type":"access_code.set_on_device","workspace_id":"seed_workspace_1","device_id":"august_device_1","access_code_id":"access_code1","connected_account_id":"john_connected_account_id","code":"1234","created_at":"2023-11-14T22:13:20.000Z","occurred_at":"2023-11-14T22:13:20.000Z"}"#;

    fn headers(prefix: &str, sig: &str, ts: &str) -> HashMap<String, String> {
        HashMap::from([
            (format!("{prefix}-id"), ID.to_string()),
            (format!("{prefix}-timestamp"), ts.to_string()),
            (format!("{prefix}-signature"), sig.to_string()),
        ])
    }

    fn verify(h: &HashMap<String, String>, body: &str, now: i64) -> Result<(), WebhookRejection> {
        let secret = WebhookSecret::parse(SECRET).unwrap();
        secret
            .verify(|n| h.get(n).map(String::as_str), body.as_bytes(), now)
            .map(|_| ())
    }

    #[test]
    fn should_accept_the_contract_test_vector() {
        assert_eq!(
            verify(&headers("svix", SIG, "1700000000"), BODY, TS),
            Ok(())
        );
        assert_eq!(
            verify(&headers("webhook", SIG, "1700000000"), BODY, TS + 299),
            Ok(())
        );
        let several = format!("v2,AAAA v1,bm90IGl0 {SIG}");
        assert_eq!(
            verify(&headers("svix", &several, "1700000000"), BODY, TS),
            Ok(())
        );
        let secret = WebhookSecret::parse(SECRET).unwrap();
        assert_eq!(secret.sign(ID, TS, BODY.as_bytes()), SIG);
    }

    #[test]
    fn should_reject_tampered_stale_future_and_unsigned_deliveries() {
        let h = headers("svix", SIG, "1700000000");
        let tampered = BODY.replace("set_on_device", "removed_from_device");
        assert_eq!(verify(&h, &tampered, TS), Err(WebhookRejection::NoMatch));
        assert_eq!(verify(&h, BODY, TS + 301), Err(WebhookRejection::TooOld));
        assert_eq!(verify(&h, BODY, TS - 301), Err(WebhookRejection::TooNew));
        let v2_only = SIG.replace("v1,", "v2,");
        assert_eq!(
            verify(&headers("svix", &v2_only, "1700000000"), BODY, TS),
            Err(WebhookRejection::NoMatch)
        );
        assert_eq!(
            verify(&headers("svix", SIG, "soon"), BODY, TS),
            Err(WebhookRejection::InvalidHeaders)
        );
        assert_eq!(
            verify(&HashMap::new(), BODY, TS),
            Err(WebhookRejection::MissingHeaders)
        );
        let other = WebhookSecret::parse(&WebhookSecret::generate()).unwrap();
        let h = h.clone();
        assert_eq!(
            other
                .verify(|n| h.get(n).map(String::as_str), BODY.as_bytes(), TS)
                .map(|_| ()),
            Err(WebhookRejection::NoMatch)
        );
    }

    #[test]
    fn should_require_event_id_and_event_type() {
        assert!(parse_event(BODY.as_bytes()).is_ok());
        assert_eq!(
            parse_event(br#"{"event_type":"x"}"#).err(),
            Some(WebhookRejection::InvalidPayload)
        );
        assert_eq!(
            parse_event(b"[1]").err(),
            Some(WebhookRejection::InvalidPayload)
        );
    }
}
