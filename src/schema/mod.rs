//! The GraphQL schema. async-graphql only: no axum, no reqwest here (upstream calls go through
//! `crate::seam`, batched by `crate::loaders`).

mod access_code;
mod action_attempt;
mod connection;
mod context;
mod cost;
mod cost_limit;
mod device;
mod error;
mod hooks;
mod issue;
mod linked_code_group;
#[cfg(test)]
pub(crate) mod live_fixture;
mod mutation;
mod op_log;
mod operation;
mod query;
mod scalars;
mod subscribed;
mod subscription;
mod timeline;
mod unmanaged_access_code;
mod validate;
mod validated;
mod validated_documents;
mod workspace;

use async_graphql::{SDLExportOptions, Schema};

use crate::events::LiveHub;
use crate::services::Services;

pub use crate::error::{ErrorCode, GatewayError};
pub use context::RequestScope;
pub use subscribed::SubscribedHook;
pub use validated::ValidationSignal;

/// The gateway's schema type.
pub type GatewaySchema =
    Schema<query::QueryRoot, mutation::MutationRoot, subscription::SubscriptionRoot>;

/// Builds the schema with its process-wide dependencies; requests estimated to make more than
/// `max_upstream_calls` Seam calls are refused before they run.
pub(crate) fn build_schema(
    services: Services,
    live: LiveHub,
    max_upstream_calls: u64,
) -> GatewaySchema {
    Schema::build(
        query::QueryRoot,
        mutation::MutationRoot,
        subscription::SubscriptionRoot,
    )
    .extension(hooks::GatewayHooks::new(
        services.client.metrics().clone(),
        max_upstream_calls,
    ))
    .data(services)
    .data(live)
    .limit_depth(16)
    .limit_complexity(5_000)
    .finish()
}

/// The schema as SDL, fields sorted so the committed `schema.graphql` diffs cleanly.
pub fn sdl() -> String {
    Schema::build(
        query::QueryRoot,
        mutation::MutationRoot,
        subscription::SubscriptionRoot,
    )
    .finish()
    .sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_enum_items())
}
