//! The per-request budget of upstream calls, enforced with the estimate of `cost`.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::registry::Registry;
use async_graphql::{Pos, ServerError, ServerResult, Variables};

use super::cost::estimate;
use super::error::ErrorCode;

/// One request's check against a budget of upstream calls, made as soon as the document is
/// parsed (`hooks.rs` calls it): validation alone of a query with thousands of aliases takes
/// milliseconds, and a refused request should not pay for it.
pub(super) struct CostCheck {
    budget: u64,
}

impl CostCheck {
    pub(super) fn new(budget: u64) -> Self {
        Self { budget }
    }

    /// Refuses the document when its estimated upstream calls exceed the budget. `operation_name`
    /// is the one the request names, if any. `known` is the estimate of an earlier request with
    /// the same document, when it held for any variables; otherwise the document is walked.
    /// Returns the estimate when it holds for any variables, so that it can be kept.
    pub(super) fn check(
        &self,
        registry: &Registry,
        doc: &ExecutableDocument,
        variables: &Variables,
        operation_name: Option<&str>,
        known: Option<u64>,
    ) -> ServerResult<Option<u64>> {
        let (cost, keep) = match known {
            Some(cost) => (cost, Some(cost)),
            None => {
                let estimate = estimate(registry, doc, variables, operation_name);
                let keep = (!estimate.read_variables).then_some(estimate.calls);
                (estimate.calls, keep)
            }
        };
        if cost > self.budget {
            return Err(over_budget(cost, self.budget));
        }
        Ok(keep)
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
