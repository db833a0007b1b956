//! Device cache invalidation across replicas: Redis pub/sub on one channel.
//!
//! Pub/sub, not a stream: a message missed while a replica was disconnected costs only staleness,
//! bounded by the device cache's TTL (seconds by default), never a wrong answer that lasts; a
//! stream would buy nothing for that risk but another reader per replica.

use std::future::Future;
use std::time::Duration;

use futures::StreamExt;

use super::keys::DEVICE_CHANNEL;
use super::link::RedisLink;

/// Wait before subscribing again after the subscription dropped.
const RESUBSCRIBE_AFTER: Duration = Duration::from_millis(250);

/// One invalidation: a device, for one tenant (by hash) or for all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invalidation {
    /// None: every tenant (after a `device.*` event).
    pub(crate) tenant: Option<String>,
    pub(crate) device_id: String,
}

impl Invalidation {
    fn encode(&self) -> String {
        format!(
            "{}\t{}",
            self.tenant.as_deref().unwrap_or("*"),
            self.device_id
        )
    }

    fn decode(message: &str) -> Option<Self> {
        let (tenant, device_id) = message.split_once('\t')?;
        Some(Self {
            tenant: (tenant != "*").then(|| tenant.to_owned()),
            device_id: device_id.to_owned(),
        })
    }
}

/// Sends and receives device invalidations.
#[derive(Clone)]
pub(crate) struct DeviceInvalidations {
    link: RedisLink,
}

impl DeviceInvalidations {
    pub(crate) fn new(link: RedisLink) -> Self {
        Self { link }
    }

    /// Tells every replica to drop the device (best effort: see the module's doc).
    pub(crate) async fn send(&self, invalidation: &Invalidation) {
        let mut publish = redis::cmd("PUBLISH");
        publish.arg(DEVICE_CHANNEL).arg(invalidation.encode());
        let _ = self.link.query::<i64>(&publish).await;
    }

    /// Applies every invalidation any replica sends with `apply`, for as long as the task runs;
    /// subscribes again by itself after Redis comes back.
    pub(crate) fn listen<F, Fut>(&self, apply: F) -> tokio::task::JoinHandle<()>
    where
        F: Fn(Invalidation) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send,
    {
        let link = self.link.clone();
        tokio::spawn(async move {
            loop {
                if let Ok(mut pubsub) = link.pubsub().await {
                    if pubsub.subscribe(DEVICE_CHANNEL).await.is_ok() {
                        let mut messages = pubsub.on_message();
                        while let Some(message) = messages.next().await {
                            let Ok(text) = message.get_payload::<String>() else {
                                continue;
                            };
                            if let Some(invalidation) = Invalidation::decode(&text) {
                                apply(invalidation).await;
                            }
                        }
                    }
                }
                tokio::time::sleep(RESUBSCRIBE_AFTER).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_read_back_what_it_writes() {
        for tenant in [None, Some("abc123".to_owned())] {
            let i = Invalidation {
                tenant,
                device_id: "dev_1".into(),
            };
            assert_eq!(Invalidation::decode(&i.encode()), Some(i));
        }
    }
}
