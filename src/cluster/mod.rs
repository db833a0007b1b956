//! State that several replicas share through Redis, when `--redis-url` is given: the Redis side of
//! each port whose in-process side lives with its owner (Grafbase's `runtime-local` split). Each
//! owner keeps its in-process store and puts the Redis one behind it or beside it:
//!
//! - live status (`live.rs`): webhook de-dup, the per-workspace inbox of accepted events, the
//!   per-workspace stream of resolved changes, the poller lease and subscriber presence; used by
//!   `events`;
//! - device cache invalidation (`invalidation.rs`): pub/sub, used by `services::devices`;
//! - the linked-group index (`groups.rs`), used by `cache::LinkedGroupIndex`;
//! - persisted query documents (`documents.rs`), used by `http::graphql::persisted`;
//! - idempotency keys of creates (`idempotency.rs`), used by `services::idempotency`.
//!
//! Nothing here is needed for the gateway to answer: every call fails fast while Redis is down
//! (`link.rs`), and the caller goes on with what its own process knows. Keys and PINs never go in:
//! tenants by their hash (`seam::api_key`), access codes without their PIN.

pub(crate) mod documents;
pub(crate) mod groups;
pub(crate) mod idempotency;
pub(crate) mod invalidation;
mod keys;
mod link;
pub(crate) mod live;

pub(crate) use link::RedisLink;
