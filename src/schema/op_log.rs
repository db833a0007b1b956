//! One info line per GraphQL operation: what ran (type and name), how long it took, how it ended
//! (the error codes), how many Seam calls it made, for which tenant, under which request id.
//! Never the query's variables: they carry PINs. The same facts go to `/metrics` (duration by
//! type and name, errors by code) and onto the operation's span.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use std::future::Future;

use async_graphql::extensions::ExtensionContext;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Request, Response, Value};
use tracing::field::Empty;
use tracing::Instrument;

use super::context::RequestScope;
use crate::metrics::Metrics;
use crate::seam::ApiKey;

/// One request's log line, filled in as the request goes through async-graphql's hooks
/// (`hooks.rs` calls it).
pub(super) struct OperationLogLine {
    metrics: Arc<Metrics>,
    /// (type, name) of the operation, once known.
    operation: Mutex<(Option<&'static str>, Option<String>)>,
    /// The caller's key, once the request's data is there (it counts the upstream calls).
    key: Mutex<Option<ApiKey>>,
    /// The operation's span, from the `execute` hook on.
    span: Mutex<Option<tracing::Span>>,
}

impl OperationLogLine {
    pub(super) fn new(metrics: Arc<Metrics>) -> Self {
        Self {
            metrics,
            operation: Mutex::default(),
            key: Mutex::default(),
            span: Mutex::default(),
        }
    }

    /// Runs the whole request, then writes the line and records the metrics.
    pub(super) async fn around_request(&self, run: impl Future<Output = Response>) -> Response {
        let started = Instant::now();
        let response = run.await;
        let elapsed = started.elapsed();
        let span = self
            .span
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .unwrap_or_else(tracing::Span::none);
        let (kind, name) = self
            .operation
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let key = self
            .key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let codes = error_codes(&response);
        self.metrics
            .operation(kind, name.as_deref(), elapsed, &codes);
        let request = crate::telemetry::current_request();
        let tenant = key
            .as_ref()
            .map_or_else(|| "-".to_owned(), |k| k.tenant().to_string());
        if !codes.is_empty() && !span.is_disabled() {
            span.record("graphql.error_codes", codes.join(",").as_str());
            span.record("otel.status_code", "ERROR");
        }
        let trace_id = {
            let _in_span = span.enter();
            crate::telemetry::trace_id(request.as_ref().and_then(|r| r.parent.as_ref()))
        };
        tracing::info!(
            target: "seam_graphql::operation",
            operation_type = kind.unwrap_or("unknown"),
            operation_name = name.as_deref().unwrap_or("-"),
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            outcome = if codes.is_empty() { "ok" } else { "error" },
            error_codes = %codes.join(","),
            upstream_calls = key.as_ref().map_or(0, ApiKey::calls),
            tenant = %tenant,
            request_id = %request.as_ref().map_or("-", |r| &*r.id),
            trace_id = %trace_id.as_deref().unwrap_or("-"),
            "graphql operation"
        );
        response
    }

    /// Runs the operation in its span.
    pub(super) async fn around_execute(
        &self,
        ctx: &ExtensionContext<'_>,
        run: impl Future<Output = Response>,
    ) -> Response {
        // The request's data is reachable from here on, not in the `request` hook.
        let key = ctx
            .data_opt::<RequestScope>()
            .map(|scope| scope.key.clone());
        // The span starts here, once the operation's type and name are known: an exported span's
        // name cannot change after it starts.
        let span = {
            let operation = self
                .operation
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let kind = operation.0.unwrap_or("unknown");
            let name = operation.1.as_deref();
            tracing::debug_span!(
                "graphql.operation",
                otel.name = %format_args!("{kind} {}", name.unwrap_or("anonymous")),
                otel.status_code = Empty,
                graphql.operation.type = kind,
                graphql.operation.name = name.unwrap_or(""),
                graphql.error_codes = Empty,
                tenant = %key.as_ref().map_or_else(|| "-".to_owned(), |k| k.tenant().to_string()),
                request_id = %key
                    .as_ref()
                    .and_then(ApiKey::request)
                    .map_or("-", |r| &*r.id),
            )
        };
        *self.key.lock().unwrap_or_else(PoisonError::into_inner) = key;
        *self.span.lock().unwrap_or_else(PoisonError::into_inner) = Some(span.clone());
        run.instrument(span).await
    }

    /// The operation the request names, if any (known before parsing).
    pub(super) fn note_request(&self, request: &Request) {
        self.operation
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1 = request.operation_name.clone();
    }

    /// The type of the operation that will run (and its name, if the request gave none).
    pub(super) fn note_document(&self, doc: &ExecutableDocument) {
        let mut operation = self
            .operation
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (kind, name) = operation_of(doc, operation.1.as_deref());
        *operation = (kind, operation.1.take().or(name));
    }
}

/// The type (and the name, if the request gave none) of the operation that will run.
fn operation_of(
    doc: &ExecutableDocument,
    wanted: Option<&str>,
) -> (Option<&'static str>, Option<String>) {
    let Some((name, op)) = super::operation::selected(doc, wanted) else {
        return (None, None);
    };
    let kind = match op.node.ty {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    };
    (Some(kind), name.map(ToString::to_string))
}

fn error_codes(response: &Response) -> Vec<String> {
    response
        .errors
        .iter()
        .filter_map(|e| match e.extensions.as_ref()?.get("code")? {
            Value::String(code) => Some(code.clone()),
            _ => None,
        })
        .collect()
}
