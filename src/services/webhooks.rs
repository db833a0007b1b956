//! The gateway's own webhook registration with Seam: at start, with a public URL, it makes sure
//! Seam posts the event types it uses to `/webhooks/seam`, and learns the signing secret from
//! Seam's answer. An existing registration for the same URL is reused (widened if it lacks types)
//! rather than piling up a new one per restart.

use crate::seam::wire::WebhookCreateRequest;
use crate::seam::{ApiKey, SeamClient, SeamError};

/// What the gateway registered (or found) and the secret deliveries are signed with.
pub(crate) struct Registered {
    pub(crate) webhook_id: String,
    /// True when an existing registration for the URL was reused.
    pub(crate) reused: bool,
    /// `whsec_...`; never logged.
    pub(crate) secret: String,
}

/// Ensures one registration for `url` covering `event_types`, and returns its secret.
pub(crate) async fn ensure_registered(
    client: &SeamClient,
    key: &ApiKey,
    url: &str,
    event_types: &[&str],
) -> Result<Registered, SeamError> {
    let wanted: Vec<String> = event_types.iter().map(|t| (*t).to_owned()).collect();
    let existing = client
        .list_webhooks(key)
        .await?
        .into_iter()
        .find(|w| w.url == url);
    let Some(hook) = existing else {
        let request = WebhookCreateRequest {
            url: url.to_owned(),
            event_types: wanted,
        };
        let created = client.create_webhook(key, &request).await?;
        let secret = created
            .secret
            .ok_or_else(|| SeamError::Decode("/webhooks/create: no secret".into()))?;
        return Ok(Registered {
            webhook_id: created.webhook_id,
            reused: false,
            secret,
        });
    };
    let covers = |t: &String| hook.event_types.iter().any(|h| h == "*" || h == t);
    if !wanted.iter().all(covers) {
        let mut types = hook.event_types.clone();
        types.extend(
            wanted
                .iter()
                .filter(|t| !hook.event_types.contains(t))
                .cloned(),
        );
        client.update_webhook(key, &hook.webhook_id, &types).await?;
    }
    let secret = match hook.secret {
        Some(secret) => secret,
        None => client
            .get_webhook(key, &hook.webhook_id)
            .await?
            .secret
            .ok_or_else(|| SeamError::Decode("/webhooks/get: no secret".into()))?,
    };
    Ok(Registered {
        webhook_id: hook.webhook_id,
        reused: true,
        secret,
    })
}
