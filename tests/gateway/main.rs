//! Gateway integration tests: GraphQL over real HTTP against the embedded sandbox.

mod batching;
mod binary;
mod cost;
mod errors;
mod faults;
mod graphiql;
mod hostile_http;
mod http;
mod observability;
mod over_http;
mod redaction;
mod refusals;
mod seeds;
#[path = "../kit/mod.rs"]
mod support;
