//! Gateway integration tests: GraphQL over real HTTP against the embedded sandbox.

mod batching;
mod errors;
mod http;
mod redaction;
mod seeds;
mod support;
