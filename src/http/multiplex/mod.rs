//! Operations of the streaming transports (websocket, SSE), and the sharing of identical
//! subscriptions between them.
//!
//! Subscriptions with the same key (by tenant hash), document, operation and variables receive the
//! same results, so they share one execution per connection lane: the document is executed once
//! per event and lane, and each result serialised once, however many subscribers there are. Each
//! subscriber's transport then only frames the shared JSON. A dashboard open in many browsers
//! costs one subscription per event and lane (two on a two-core replica), not one per browser.
//! Queries and mutations are never shared, and neither are operations without a key.
//!
//! A subscriber joins an execution that has registered with the live hub (so every later change
//! reaches it), or one that has not produced anything yet (it then receives everything). It never
//! joins one that was refused or failed, or has ended: it starts a new one instead.
//!
//! A query or mutation holds one of its key's in-flight slots while it runs, as over HTTP (see
//! `http::tenant_limit`): a websocket or an event stream is no way around that limit. A
//! subscription holds none: it waits for events, and the key's calls it causes are one per event
//! for every subscriber together. It counts instead against the key's `--tenant-max-subscriptions`
//! (`http::key_counts`), shared or not, since each subscriber holds memory for as long as it stays.

mod executed;
mod group;

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use async_graphql::parser::types::OperationType;
use async_graphql::Request;
use futures::future::{BoxFuture, FutureExt};
use futures::stream::{BoxStream, StreamExt};

pub(crate) use executed::{Executed, Shared};
use group::{Core, Group, GroupKey, Registry};

use crate::events::LiveHub;
use crate::http::graphql::refusal::Refusal;
use crate::http::key_counts::{Full, KeyCounts};
use crate::http::TenantLimiter;
use crate::schema::{ErrorCode, GatewaySchema, RequestScope, SubscribedHook, ValidationSignal};
use crate::seam::ApiKey;
use crate::services::Services;

/// An operation as its transport runs it.
pub(crate) struct Execution {
    /// Its results, each serialised once.
    pub(crate) results: BoxStream<'static, Shared>,
    /// Resolves to true once its document has been validated, false if it never will be.
    pub(crate) validated: BoxFuture<'static, bool>,
    /// Whether it is a subscription (transports count those).
    pub(crate) is_subscription: bool,
}

/// The running shared subscriptions.
#[derive(Clone)]
pub(crate) struct Multiplexer {
    groups: Arc<Registry>,
    live: LiveHub,
    /// Results buffered per shared execution; a member further behind gets SUBSCRIPTION_LAGGED.
    buffer: usize,
    /// The keys' in-flight limit, which queries and mutations count against.
    tenant_limit: TenantLimiter,
    /// The keys' open subscriptions.
    subscriptions: KeyCounts,
}

impl Multiplexer {
    pub(crate) fn new(
        live: LiveHub,
        buffer: usize,
        tenant_limit: TenantLimiter,
        max_subscriptions_per_key: usize,
    ) -> Self {
        Self {
            groups: Arc::new(Registry::new(HashMap::new())),
            live,
            buffer,
            tenant_limit,
            // No cap in all: made-up keys hold none (Seam knows no workspace for them).
            subscriptions: KeyCounts::new(max_subscriptions_per_key, usize::MAX),
        }
    }

    /// Runs `request` with `key` (without one, resolvers answer UNAUTHENTICATED) and a fresh
    /// [`RequestScope`], as an HTTP request runs; a subscription shares the execution of an
    /// identical one when there is one.
    pub(crate) fn execute(
        &self,
        schema: &GatewaySchema,
        services: &Services,
        mut request: Request,
        key: Option<ApiKey>,
    ) -> Execution {
        let is_subscription = matches!(
            crate::http::graphql::operation_type(&mut request),
            Some(OperationType::Subscription)
        );
        match key {
            Some(key) if is_subscription => self.shared(schema, services, request, key),
            key => {
                let (signal, validated) = ValidationSignal::new();
                let mut request = request.data(signal);
                let mut slot = None;
                if let Some(key) = key {
                    slot = match self.tenant_limit.try_enter(key.tenant()) {
                        Some(slot) => Some(slot),
                        None => return busy(services),
                    };
                    request = request.data(RequestScope::new(services, key));
                }
                let results = schema.execute_stream(request).map(move |response| {
                    // Held until the operation's last result.
                    let _slot = &slot;
                    Executed::new(response)
                });
                Execution {
                    results: results.boxed(),
                    validated: validated.map(|v| v.is_ok()).boxed(),
                    is_subscription,
                }
            }
        }
    }

    fn shared(
        &self,
        schema: &GatewaySchema,
        services: &Services,
        request: Request,
        key: ApiKey,
    ) -> Execution {
        let held = match self.subscriptions.take(Some(key.tenant())) {
            Ok(held) => held,
            Err(full) => {
                let max = match full {
                    Full::Key(max) | Full::Total(max) => max,
                };
                let message = format!(
                    "This API key already has {max} subscriptions open, the most it may; complete one first"
                );
                return refused(services, ErrorCode::TooManySubscriptions, message);
            }
        };
        let group_key = GroupKey::new(key.tenant().clone(), &request);
        // Upgraded under the lock, joined (or dropped) outside it: a group's drop takes the lock.
        let existing = group::lock(&self.groups)
            .get(&group_key)
            .and_then(Weak::upgrade);
        let member = match existing.and_then(Group::join) {
            Some(member) => member,
            None => {
                let core = Core::new(self.live.clone(), self.buffer);
                let hook = {
                    let core = Arc::downgrade(&core);
                    SubscribedHook::new(move || {
                        if let Some(core) = core.upgrade() {
                            core.registered();
                        }
                    })
                };
                let (signal, validated) = ValidationSignal::new();
                let request = request
                    .data(signal)
                    .data(hook)
                    .data(RequestScope::new(services, key));
                let results = schema.execute_stream(request);
                let validated = validated.map(|v| v.is_ok()).boxed();
                Group::start(group_key, &self.groups, core, results, validated)
            }
        };
        let member_validated = member.validated();
        let results = member.into_results().map(move |result| {
            // The key's place, held while the subscriber stays.
            let _held = &held;
            result
        });
        Execution {
            validated: member_validated,
            results: results.boxed(),
            is_subscription: true,
        }
    }

    /// Executions serving subscriptions now: identical subscriptions share one.
    pub(crate) fn execution_count(&self) -> usize {
        group::lock(&self.groups)
            .values()
            .filter(|group| group.strong_count() > 0)
            .count()
    }
}

/// A query or mutation refused because its key has every in-flight slot taken: RATE_LIMITED, as
/// over HTTP.
fn busy(services: &Services) -> Execution {
    refused_with(services, Refusal::busy().to_error())
}

/// An operation refused before it ran, with `code`: one result holding the error, then the end.
fn refused(services: &Services, code: ErrorCode, message: String) -> Execution {
    let mut error = async_graphql::ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", code.as_str());
    error.extensions = Some(extensions);
    refused_with(services, error)
}

/// The error as an operation's one result, counted like the schema's errors. Not counted as a
/// subscription even when it was asked as one: it never ran.
fn refused_with(services: &Services, error: async_graphql::ServerError) -> Execution {
    if let Some(async_graphql::Value::String(code)) =
        error.extensions.as_ref().and_then(|e| e.get("code"))
    {
        services.client.metrics().error(code);
    }
    let result = Executed::new(async_graphql::Response::from_errors(vec![error]));
    Execution {
        results: futures::stream::once(async move { result }).boxed(),
        validated: futures::future::ready(false).boxed(),
        is_subscription: false,
    }
}

#[cfg(test)]
mod tests {
    //! Lag is a race over a real socket, so a member's lag is pinned down here in-process: a
    //! one-result buffer per shared execution, a member that does not read while several changes
    //! are published, then reads.

    use std::time::Duration;

    use async_graphql::Request;
    use futures::StreamExt;

    use super::Multiplexer;
    use crate::schema::live_fixture::LiveFixture;

    const DOCUMENT: &str = "subscription { accessCodeStatusChanged { eventId status } }";

    #[tokio::test]
    async fn should_tell_a_lagging_member_how_much_it_missed_while_the_execution_goes_on() {
        // The execution itself keeps up (64 changes per workspace): only the member falls behind.
        let f = LiveFixture::start(64).await;
        let (schema, services, live, key) = (&f.schema, &f.services, &f.live, &f.key);
        let multiplex = Multiplexer::new(live.clone(), 1, crate::http::TenantLimiter::new(64), 100);

        let run = || multiplex.execute(schema, services, Request::new(DOCUMENT), Some(key.clone()));
        let (first, second) = (run(), run());
        assert!(first.is_subscription);
        let mut results = first.results;
        let idle = second.results;
        // Poll once, so the shared execution registers; nothing has been published yet.
        assert!(
            tokio::time::timeout(Duration::from_millis(300), results.next())
                .await
                .is_err()
        );
        assert_eq!(multiplex.execution_count(), 1);
        assert_eq!(
            live.subscriber_count(),
            2,
            "the rider counts as a subscriber"
        );

        f.publish("member-lag", 5).await;
        tokio::time::sleep(Duration::from_millis(500)).await;

        let lagged = results.next().await.expect("a result");
        let error = &lagged.response.errors[0];
        let code_of = error.extensions.as_ref().and_then(|e| e.get("code"));
        assert_eq!(
            code_of.map(ToString::to_string).as_deref(),
            Some("\"SUBSCRIPTION_LAGGED\"")
        );
        assert!(error.message.contains("missed 4"), "{}", error.message);
        let next = results.next().await.expect("the member continues");
        let json: serde_json::Value = serde_json::from_str(next.json.get()).expect("json");
        assert_eq!(
            json["data"]["accessCodeStatusChanged"]["eventId"],
            "member-lag-4"
        );

        drop(idle);
        assert_eq!(live.subscriber_count(), 1);
        drop(results);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(multiplex.execution_count(), 0);
        assert_eq!(live.subscriber_count(), 0);
    }
}
