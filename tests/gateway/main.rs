//! Gateway integration tests: GraphQL over real HTTP against the embedded sandbox.

mod batching;
mod errors;
mod seeds;
mod support;
