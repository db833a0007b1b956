//! The gateway's one async-graphql extension: it calls, at each hook, the concerns that need it.
//!
//! The concerns keep their own modules: the operation's log line and span (`op_log`), error codes
//! (`error`), the validation signal (`validated`), the upstream cost limit (`cost_limit`). They were
//! four extensions, and async-graphql runs every extension's hooks around every field it resolves,
//! each a boxed future: one extension for all of them cut that plumbing to a quarter.
//!
//! Order within each hook, outermost first: the log line sees the response with its error codes;
//! the cost check runs right after parsing, before the log learns the operation (a refused
//! request logs as `unknown`, as before); validation is signalled only when it passed.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextRequest, NextSubscribe, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, Response, ServerError, ServerResult, ValidationResult, Variables};
use futures::stream::BoxStream;
use futures::StreamExt;

use super::cost_limit::CostCheck;
use super::op_log::OperationLogLine;
use super::validated_documents::{Candidate, Earlier, ValidatedDocuments};
use crate::metrics::Metrics;

/// Makes each request's [`RequestHooks`].
pub(crate) struct GatewayHooks {
    /// Where operations' durations and error codes are recorded.
    metrics: Arc<Metrics>,
    /// Requests estimated to make more upstream calls than this are refused before they run.
    budget: u64,
    /// Documents of this schema that passed validation.
    documents: Arc<ValidatedDocuments>,
}

impl GatewayHooks {
    pub(crate) fn new(metrics: Arc<Metrics>, budget: u64) -> Self {
        Self {
            metrics,
            budget,
            documents: Default::default(),
        }
    }
}

impl ExtensionFactory for GatewayHooks {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestHooks {
            log: OperationLogLine::new(self.metrics.clone()),
            cost: CostCheck::new(self.budget),
            documents: self.documents.clone(),
            metrics: self.metrics.clone(),
            operation_name: OnceLock::new(),
            earlier_validation: Mutex::new(None),
        })
    }
}

/// One request's state for the concerns that keep any.
struct RequestHooks {
    log: OperationLogLine,
    cost: CostCheck,
    documents: Arc<ValidatedDocuments>,
    metrics: Arc<Metrics>,
    /// The operation the request names, if any (known before parsing): for the cost check and
    /// the validated documents.
    operation_name: OnceLock<Option<Box<str>>>,
    /// Set after parsing: an earlier result to reuse, or what to remember if validation passes.
    earlier_validation: Mutex<Option<Result<Earlier, Candidate>>>,
}

#[async_trait::async_trait]
impl Extension for RequestHooks {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        self.log
            .around_request(async {
                let mut response = next.run(ctx).await;
                super::error::give_codes(&mut response);
                response
            })
            .await
    }

    /// Streamed results (every operation over a websocket or SSE) never pass the `request` hook.
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream)
            .map(|mut response| {
                super::error::give_codes(&mut response);
                response
            })
            .boxed()
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        self.log.note_request(&request);
        let _ = self
            .operation_name
            .set(request.operation_name.as_deref().map(Into::into));
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let operation_name = self.operation_name.get().and_then(Option::as_deref);
        let mut earlier = self
            .documents
            .look_up(query, operation_name, &doc, variables);
        // A repeated document's estimate, when it held for any variables, is not walked again.
        let known_cost = match &earlier {
            Some(Ok(earlier)) => earlier.cost,
            _ => None,
        };
        let keep_cost = self.cost.check(
            &ctx.schema_env.registry,
            &doc,
            variables,
            operation_name,
            known_cost,
        )?;
        if let Some(Err(candidate)) = &mut earlier {
            candidate.cost = keep_cost;
        }
        self.log.note_document(&doc);
        *self
            .earlier_validation
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = earlier;
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let earlier = self
            .earlier_validation
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let reused = matches!(earlier, Some(Ok(_)));
        self.metrics.validation(reused);
        let result = match earlier {
            Some(Ok(earlier)) => Ok(earlier.result),
            candidate => {
                let result = next.run(ctx).await;
                if let (Ok(passed), Some(Err(candidate))) = (&result, candidate) {
                    self.documents.remember(candidate, *passed);
                }
                result
            }
        };
        if result.is_ok() {
            super::validated::signal_valid(ctx);
        }
        result
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        self.log
            .around_execute(ctx, next.run(ctx, operation_name))
            .await
    }
}
