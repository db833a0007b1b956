//! A code's timeline: what happened to it, oldest first (`access_codes/get_timeline`).

use async_graphql::{Context, Enum, Object, SimpleObject, ID};

use super::connection::{connection, paginate, PageArgs};
use super::context::{scope, services};
use super::error::{GatewayError, GatewayResult};
use super::scalars::DateTime;
use crate::seam::{redact_pins, wire};
use crate::services::access_codes::{is_timeline_cursor, MAX_TIMELINE_PAGE};

/// One event in a code's life.
#[derive(Clone)]
pub(super) struct TimelineEvent(pub wire::TimelineEvent);

connection!(
    TimelineEventConnection,
    TimelineEventEdge,
    TimelineEvent,
    "timeline events"
);

/// Who or what caused a timeline event.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum TimelineActorType {
    /// A request made with an API key.
    ApiKey,
    /// Someone in the Seam console.
    ConsoleUser,
    /// Seam itself (scheduling, programming the lock).
    System,
    /// Something outside Seam (the lock's app, its keypad).
    External,
    /// An actor type this gateway does not know.
    Other,
}

/// Who or what caused a timeline event.
#[derive(SimpleObject, Clone)]
pub(super) struct TimelineActor {
    /// The kind of actor.
    #[graphql(name = "type")]
    pub kind: TimelineActorType,
    /// The actor's id (an API key id, a user id), when Seam gives one.
    pub id: Option<String>,
    /// The actor's name to show, when Seam gives one.
    pub display_name: Option<String>,
}

/// A page of the code's timeline, oldest first. At most 200 events per page.
pub(super) async fn timeline(
    ctx: &Context<'_>,
    access_code_id: &str,
    page: PageArgs,
) -> GatewayResult<TimelineEventConnection> {
    if page.first() > u64::from(MAX_TIMELINE_PAGE) {
        return Err(GatewayError::bad_input(format!(
            "`first` must be at most {MAX_TIMELINE_PAGE} for a timeline, got {}",
            page.first()
        )));
    }
    if page
        .upstream_cursor()
        .is_some_and(|c| !is_timeline_cursor(c))
    {
        return Err(GatewayError::bad_input(
            "`after` is not a cursor this API returned",
        ));
    }
    let scope = scope(ctx)?;
    let codes = &services(ctx)?.access_codes;
    let page = paginate(
        page,
        |page_cursor, limit| async move {
            codes
                .timeline_page(&scope.key, access_code_id, page_cursor.as_deref(), limit)
                .await
        },
        TimelineEvent,
    )
    .await?;
    Ok(page.into())
}

/// One event in a code's life: created, changed, set on the lock, removed, ...
#[Object]
impl TimelineEvent {
    /// Seam's timeline event id.
    async fn id(&self) -> ID {
        ID(self.0.timeline_event_id.clone())
    }
    /// Seam's event type, e.g. `access_code.created`, `access_code.set_on_device`.
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    /// When it happened.
    async fn occurred_at(&self) -> DateTime {
        DateTime(self.0.occurred_at)
    }
    /// What happened, in words (any PIN in it is redacted).
    async fn description(&self) -> String {
        redact_pins(&self.0.description)
    }
    /// Who or what caused it, when Seam says.
    async fn actor(&self) -> Option<TimelineActor> {
        self.0.actor.as_ref().map(|a| TimelineActor {
            kind: match a.kind.as_str() {
                "api_key" => TimelineActorType::ApiKey,
                "console_user" => TimelineActorType::ConsoleUser,
                "system" => TimelineActorType::System,
                "external" => TimelineActorType::External,
                _ => TimelineActorType::Other,
            },
            id: a.id.clone(),
            display_name: a.display_name.clone(),
        })
    }
    /// The Seam event behind this entry, if any (`events/list`).
    async fn event_id(&self) -> Option<ID> {
        self.related()?.event_id.clone().map(ID)
    }
    /// The action attempt behind this entry, if any.
    async fn action_attempt_id(&self) -> Option<ID> {
        self.related()?.action_attempt_id.clone().map(ID)
    }
}

impl TimelineEvent {
    fn related(&self) -> Option<&wire::RelatedResourceIds> {
        self.0.related_resource_ids.as_ref()
    }
}
