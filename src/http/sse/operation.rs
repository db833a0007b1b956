//! One GraphQL operation on an event stream: executed with the caller's key and a fresh
//! [`RequestScope`], as results followed by an end marker (so the stream can send `complete`).

use std::pin::Pin;

use async_graphql::{Request, Response, ServerError};
use futures::stream::{self, BoxStream, Stream, StreamExt};
use tokio::sync::oneshot;

use crate::http::AppState;
use crate::schema::RequestScope;
use crate::seam::ApiKey;

/// An operation's results, then `None` once it is over.
pub(super) type Operation = Pin<Box<dyn Stream<Item = Option<Response>> + Send>>;

/// The request's results. Without a key it still runs: resolvers answer UNAUTHENTICATED.
pub(super) fn execute(
    state: &AppState,
    request: Request,
    key: Option<ApiKey>,
) -> BoxStream<'static, Response> {
    // A fresh scope per operation, as per HTTP request: loaders memoise for one operation.
    let mut request = match key {
        Some(key) => request.data(RequestScope::new(&state.services, key)),
        None => request,
    };
    // Counted by transport while it runs, if it is a subscription (as on the websocket).
    let is_subscription = matches!(
        crate::http::graphql::operation_type(&mut request),
        Some(async_graphql::parser::types::OperationType::Subscription)
    );
    let results = state.schema.execute_stream(request);
    if !is_subscription {
        return results;
    }
    let guard = state
        .services
        .client
        .metrics()
        .subscription_started(crate::metrics::Transport::Sse);
    results
        .map(move |response| {
            let _counted = &guard;
            response
        })
        .boxed()
}

/// Results with the end marker.
pub(super) fn ending(results: BoxStream<'static, Response>) -> Operation {
    Box::pin(results.map(Some).chain(stream::once(async { None })))
}

/// An operation refused before it ran: one result holding the error, then the end.
pub(super) fn refused(error: ServerError) -> Operation {
    ending(stream::once(async move { Response::from_errors(vec![error]) }).boxed())
}

/// Whether a request got past parsing and validation.
pub(super) enum Prepared {
    /// Valid: its results, the first of which may already be here.
    Running(BoxStream<'static, Response>),
    /// Refused before it ran: the response saying why.
    Refused(Box<Response>),
}

/// Drives `results` until the request's [`crate::schema::ValidationSignal`] fires (valid) or a
/// response comes without it (invalid). A subscription then waits for events elsewhere; a query
/// or mutation may already have its result, which is kept.
pub(super) async fn prepare(
    mut results: BoxStream<'static, Response>,
    mut validated: oneshot::Receiver<()>,
) -> Prepared {
    tokio::select! {
        biased;
        Ok(()) = &mut validated => Prepared::Running(results),
        first = results.next() => match first {
            // Validated and finished within the same poll: the signal fired before the result.
            Some(response) if validated.try_recv().is_ok() => {
                Prepared::Running(stream::once(async { response }).chain(results).boxed())
            }
            Some(response) => Prepared::Refused(Box::new(response)),
            None => Prepared::Running(stream::empty().boxed()),
        },
    }
}
