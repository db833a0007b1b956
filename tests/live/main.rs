//! TestGateway access-code status: subscriptions over a real WebSocket against the embedded sandbox,
//! fed by signed webhooks or by polling.

mod browser;
mod cleanup;
mod device_events;
mod keepalive;
mod npm_client;
mod security;
mod shared_executions;
mod shutdown;
mod soak;
mod sse;
#[path = "../kit/mod.rs"]
mod support;
mod transitions;
mod typescript_example;
mod ws_limits;
