//! The subscription root: live access-code status, fed by `crate::events`.

use std::sync::Arc;

use async_graphql::{Context, Object, Result, Subscription, ID};
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::access_code::{AccessCode, AccessCodeStatus};
use super::context::{live_hub, scope, services};
use super::error::{ErrorCode, GatewayError};
use super::issue::{self, SeamIssueError, SeamIssueWarning};
use super::scalars::DateTime;
use super::SubscribedHook;
use crate::events::{StatusChange, SubscribeError};

pub struct SubscriptionRoot;

pub(super) struct AccessCodeStatusChange(Arc<StatusChange>);

/// A change in an access code's status on its lock, as reported by a Seam event.
#[Object]
impl AccessCodeStatusChange {
    /// The code as it is now, resolvable like any other access code; null once it has been
    /// removed from Seam.
    async fn access_code(&self, ctx: &Context<'_>) -> Option<AccessCode> {
        let code = self.0.access_code.clone()?;
        // A change shared through Redis carries no PIN: read it with the subscriber's own key,
        // and only for a subscriber that asks for it.
        if self.0.pin_withheld && code.code.is_none() && ctx.look_ahead().field("code").exists() {
            if let Some(fresh) = read_pin(ctx, &code.access_code_id).await {
                return Some(AccessCode::from(fresh));
            }
        }
        Some(AccessCode::from(code))
    }
    /// Id of the access code that changed.
    async fn access_code_id(&self) -> ID {
        ID(self.0.access_code_id.clone())
    }
    /// Id of the device (lock) the code is on.
    async fn device_id(&self) -> ID {
        ID(self.0.device_id.clone())
    }
    /// Key shared by linked codes (see `createLinkedAccessCodes`); null for unlinked codes.
    async fn common_code_key(&self) -> Option<&str> {
        self.0.common_code_key.as_deref()
    }
    /// The status this gateway last reported for the code; null when unknown (e.g. on creation).
    async fn previous_status(&self) -> Option<AccessCodeStatus> {
        self.0.previous_status.map(AccessCodeStatus::from)
    }
    /// The status after this event: `SETTING` or `UNSET` on creation, `SET` once on the lock,
    /// `REMOVING` on deletion, `UNSET` once removed from the lock, `SETTING` with a warning on
    /// delays; a failure keeps the
    /// previous status (or `UNSET`) and carries the error.
    async fn status(&self) -> AccessCodeStatus {
        self.0.status.into()
    }
    /// Seam's event type, e.g. `access_code.set_on_device` or `access_code.failed_to_set_on_device`.
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    /// Seam's event id (each event is delivered once, whether it came by webhook or by polling).
    async fn event_id(&self) -> ID {
        ID(self.0.event_id.clone())
    }
    /// When the change happened, per Seam.
    async fn occurred_at(&self) -> Option<DateTime> {
        self.0.occurred_at.map(DateTime)
    }
    /// Errors reported with the event, e.g. `failed_to_set_on_device`; empty otherwise.
    async fn errors(&self) -> Vec<SeamIssueError> {
        issue::errors(&self.0.errors)
    }
    /// Warnings reported with the event, e.g. `delay_in_setting_on_device`; empty otherwise.
    async fn warnings(&self) -> Vec<SeamIssueWarning> {
        issue::warnings(&self.0.warnings)
    }
}

/// The code as the subscriber's key reads it now (with its PIN); None if it cannot be read.
async fn read_pin(
    ctx: &Context<'_>,
    access_code_id: &str,
) -> Option<Arc<crate::seam::wire::AccessCode>> {
    let key = &scope(ctx).ok()?.key;
    let ids = [access_code_id.to_owned()];
    let mut found = services(ctx)
        .ok()?
        .access_codes
        .by_ids(key, &ids)
        .await
        .ok()?;
    found.remove(access_code_id)
}

/// Which changes a subscriber wants; every given filter must match.
struct Filter {
    access_code_id: Option<String>,
    device_id: Option<String>,
    common_code_key: Option<String>,
}

impl Filter {
    fn matches(&self, c: &StatusChange) -> bool {
        self.access_code_id
            .as_ref()
            .is_none_or(|id| *id == c.access_code_id)
            && self.device_id.as_ref().is_none_or(|id| *id == c.device_id)
            && self
                .common_code_key
                .as_ref()
                .is_none_or(|k| Some(k) == c.common_code_key.as_ref())
    }
}

/// Live updates, over WebSocket at `/graphql/ws` (graphql-transport-ws or graphql-ws; the key comes
/// from the `connection_init` payload's `Authorization: Bearer <seam api key>`), or over
/// Server-Sent Events at `/graphql` (graphql-sse; the key comes from the `Authorization` header).
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Status changes of the caller's access codes, live (Seam webhooks, or polling Seam's events
    /// when no webhook feed is configured). The filters combine with AND; without any, every code of
    /// the caller's workspace is watched. A subscriber that falls too far behind receives one
    /// `SUBSCRIPTION_LAGGED` error saying how many changes it missed, then continues.
    async fn access_code_status_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this access code.")] access_code_id: Option<ID>,
        #[graphql(desc = "Only codes on this device.")] device_id: Option<ID>,
        #[graphql(desc = "Only linked codes with this `commonCodeKey`.")] common_code_key: Option<
            String,
        >,
    ) -> Result<impl Stream<Item = Result<AccessCodeStatusChange>>> {
        let key = scope(ctx)?.key.clone();
        let hub = live_hub(ctx)?.clone();
        let subscription = hub.subscribe(&key).await.map_err(|e| match e {
            SubscribeError::Upstream(e) => GatewayError::from(e),
            SubscribeError::UnknownWorkspace => GatewayError::new(
                ErrorCode::UpstreamError,
                "Seam shows this API key no device and no event, so its workspace is unknown",
            ),
        })?;
        if let Some(hook) = ctx.data_opt::<SubscribedHook>() {
            hook.fire();
        }
        let filter = Filter {
            access_code_id: access_code_id.map(|id| id.0),
            device_id: device_id.map(|id| id.0),
            common_code_key,
        };
        Ok(futures::stream::unfold(
            (subscription, filter),
            |(mut sub, filter)| async move {
                loop {
                    match sub.changes.recv().await {
                        Ok(change)
                            if change.workspace_id == sub.workspace_id
                                && filter.matches(&change) =>
                        {
                            return Some((Ok(AccessCodeStatusChange(change)), (sub, filter)));
                        }
                        Ok(_) => continue,
                        Err(RecvError::Lagged(missed)) => {
                            let e = GatewayError::new(
                                ErrorCode::SubscriptionLagged,
                                format!("This subscriber fell behind and missed {missed} status changes; it continues with the next"),
                            );
                            return Some((Err(e.into()), (sub, filter)));
                        }
                        Err(RecvError::Closed) => return None,
                    }
                }
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    //! Lag is a race over a real socket, so it is pinned down here in-process: a one-slot channel,
    //! a subscriber that does not read while several changes are published, then reads.

    use std::time::Duration;

    use async_graphql::Request;
    use futures::StreamExt;

    use crate::schema::live_fixture::LiveFixture;
    use crate::schema::RequestScope;

    #[tokio::test]
    async fn should_tell_a_lagging_subscriber_how_much_it_missed_and_carry_on() {
        let f = LiveFixture::start(1).await;
        let request = Request::new("subscription { accessCodeStatusChanged { eventId status } }")
            .data(RequestScope::new(&f.services, f.key.clone()));
        let mut stream = f.schema.execute_stream(request);
        // Poll once, so the subscription registers; nothing has been published yet.
        assert!(
            tokio::time::timeout(Duration::from_millis(300), stream.next())
                .await
                .is_err()
        );
        assert_eq!(f.live.subscriber_count(), 1);

        f.publish("lag-test", 5).await;
        tokio::time::sleep(Duration::from_millis(500)).await;

        let first = stream.next().await.expect("an item");
        assert_eq!(first.errors.len(), 1, "{first:?}");
        let ext = first.errors[0].extensions.as_ref().expect("extensions");
        assert_eq!(
            ext.get("code").map(ToString::to_string).as_deref(),
            Some("\"SUBSCRIPTION_LAGGED\"")
        );
        assert!(
            first.errors[0].message.contains("missed 4"),
            "{}",
            first.errors[0].message
        );

        let next = stream.next().await.expect("the stream continues");
        assert!(next.errors.is_empty(), "{next:?}");
        let data = next.data.into_json().expect("json");
        assert_eq!(data["accessCodeStatusChanged"]["eventId"], "lag-test-4");
    }
}
