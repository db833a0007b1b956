//! Gateway integration tests: GraphQL over real HTTP against the embedded sandbox.

mod backup_codes;
mod batching;
mod binary;
mod cost;
mod errors;
mod faults;
mod generated_codes;
mod graphiql;
mod hostile_http;
mod http;
mod observability;
mod offline_codes;
mod over_http;
mod redaction;
mod refusals;
mod seeds;
#[path = "../kit/mod.rs"]
mod support;
mod timeline;
mod unmanaged_codes;
mod workspace;
