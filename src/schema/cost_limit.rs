//! The per-request budget of upstream calls, enforced with the estimate of `cost`.

use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Pos, Request, ServerError, ServerResult, Variables};

use super::cost::operation_cost;
use super::error::ErrorCode;

/// Refuses requests whose estimated upstream calls exceed `budget`.
pub(crate) struct UpstreamCostLimit {
    pub(crate) budget: u64,
}

impl ExtensionFactory for UpstreamCostLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostCheck {
            budget: self.budget,
            operation_name: Mutex::default(),
        })
    }
}

/// One request's check, made as soon as the document is parsed: validation alone of a query with
/// thousands of aliases takes milliseconds, and a refused request should not pay for it.
struct CostCheck {
    budget: u64,
    /// The operation the request names, if any (known before parsing).
    operation_name: Mutex<Option<String>>,
}

#[async_trait::async_trait]
impl Extension for CostCheck {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        *self
            .operation_name
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = request.operation_name.clone();
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
        let name = self
            .operation_name
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let cost = operation_cost(&ctx.schema_env.registry, &doc, variables, name.as_deref());
        if cost > self.budget {
            return Err(over_budget(cost, self.budget));
        }
        Ok(doc)
    }
}

fn over_budget(cost: u64, budget: u64) -> ServerError {
    let mut error = ServerError::new(
        format!(
            "This request could make up to {cost} calls to Seam; the limit is {budget}. \
             Ask for fewer items (`first`), nest fewer connections, use fewer aliases, \
             or split it into several requests"
        ),
        Some(Pos { line: 1, column: 1 }),
    );
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", ErrorCode::CostLimitExceeded.as_str());
    extensions.set("cost", cost);
    extensions.set("budget", budget);
    error.extensions = Some(extensions);
    error
}
