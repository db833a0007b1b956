//! Request-scoped batch loaders: what one GraphQL request asks of a kind is gathered into one call
//! to its service, matched by id, never by position. The loaders implement async-graphql's
//! `Loader`; [`Batch`] gathers their keys (without async-graphql's timer-driven DataLoader).

mod access_codes;
mod batch;
mod devices;
mod linked_groups;

pub(crate) use access_codes::AccessCodeLoader;
pub(crate) use batch::Batch;
pub(crate) use devices::DeviceLoader;
pub(crate) use linked_groups::LinkedGroupLoader;

use std::future::Future;

use crate::metrics::Metrics;

/// Runs one batch of `size` keys of `loader`'s kind under its own span, and counts its size.
pub(crate) async fn batch<T>(
    metrics: &Metrics,
    loader: &'static str,
    size: usize,
    load: impl Future<Output = T>,
) -> T {
    metrics.loader_batch(loader, size);
    let span = tracing::debug_span!(
        "dataloader.batch",
        otel.name = %format_args!("load {loader}"),
        loader,
        batch_size = size,
    );
    tracing::Instrument::instrument(load, span).await
}
