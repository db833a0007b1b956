//! seam-graphql: a GraphQL gateway over Seam's access codes REST API.
//!
//! Arrows point at what a module may use (ARCHITECTURE.md draws them):
//! `run` -> `app` -> `http` -> `schema` -> `loaders` -> `services` -> {`cache`, `seam`};
//! `events` -> `services`; `error` is shared; `sandbox` stands apart, reached only over HTTP.
#![warn(unreachable_pub)]

mod app;
pub(crate) mod cache;
pub(crate) mod cluster;
pub mod config;
pub(crate) mod error;
pub(crate) mod events;
pub(crate) mod http;
pub(crate) mod lanes;
pub(crate) mod loaders;
pub(crate) mod memory;
pub(crate) mod metrics;
mod open_files;
mod run;
pub mod sandbox;
pub mod schema;
pub mod seam;
pub(crate) mod services;
pub mod telemetry;

pub use app::{
    generate_webhook_secret, public_webhook_url, register_webhook, router, serve, webhook_url,
    RunningGateway, UpstreamTarget,
};
pub use run::{healthcheck, run, run_sandbox};
