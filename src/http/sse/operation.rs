//! One GraphQL operation on an event stream: run as every streaming operation is (see
//! `http::multiplex`), as results followed by an end marker (so the stream can send `complete`).

use std::pin::Pin;

use async_graphql::{Request, Response, ServerError};
use futures::future::FutureExt;
use futures::stream::{self, BoxStream, Stream, StreamExt};

use crate::http::multiplex::{Executed, Execution, Shared};
use crate::http::AppState;
use crate::seam::ApiKey;

/// An operation's results, then `None` once it is over.
pub(super) type Operation = Pin<Box<dyn Stream<Item = Option<Shared>> + Send>>;

/// The request's results. Without a key it still runs: resolvers answer UNAUTHENTICATED.
pub(super) fn execute(state: &AppState, request: Request, key: Option<ApiKey>) -> Execution {
    let execution = state
        .multiplex
        .execute(&state.schema, &state.services, request, key);
    if !execution.is_subscription {
        return execution;
    }
    // Counted by transport while it runs (as on the websocket).
    let guard = state
        .services
        .client
        .metrics()
        .subscription_started(crate::metrics::Transport::Sse);
    Execution {
        results: execution
            .results
            .map(move |result| {
                let _counted = &guard;
                result
            })
            .boxed(),
        ..execution
    }
}

/// Results with the end marker.
pub(super) fn ending(results: BoxStream<'static, Shared>) -> Operation {
    Box::pin(results.map(Some).chain(stream::once(async { None })))
}

/// An operation refused before it ran: one result holding the error, then the end.
pub(super) fn refused(error: ServerError) -> Operation {
    let result = Executed::new(Response::from_errors(vec![error]));
    ending(stream::once(async move { result }).boxed())
}

/// Whether a request got past parsing and validation.
pub(super) enum Prepared {
    /// Valid: its results, the first of which may already be here.
    Running(BoxStream<'static, Shared>),
    /// Refused before it ran: the response saying why.
    Refused(Box<Response>),
}

/// Drives the execution until its document is known valid, or a result comes without that
/// (invalid). A subscription then waits for events elsewhere; a query or mutation may already
/// have its result, which is kept.
pub(super) async fn prepare(execution: Execution) -> Prepared {
    let Execution {
        mut results,
        validated,
        ..
    } = execution;
    // Fused: it is looked at again after the race below, whichever way that went.
    let mut validated = validated.fuse();
    tokio::select! {
        biased;
        true = &mut validated => Prepared::Running(results),
        first = results.next() => match first {
            // Validated and finished within the same poll: validation passed before the result.
            Some(result) if (&mut validated).now_or_never() == Some(true) => {
                Prepared::Running(stream::once(async { result }).chain(results).boxed())
            }
            Some(result) => Prepared::Refused(Box::new(owned(result))),
            None => Prepared::Running(stream::empty().boxed()),
        },
    }
}

/// The response of a result, taken out if nobody else holds it, else copied (a refusal: its
/// data and errors are all there is).
fn owned(result: Shared) -> Response {
    match std::sync::Arc::try_unwrap(result) {
        Ok(executed) => executed.response,
        Err(shared) => {
            let response = &shared.response;
            let mut copy = Response::new(response.data.clone());
            copy.errors = response.errors.clone();
            copy.extensions = response.extensions.clone();
            copy
        }
    }
}
