//! Which operation of a parsed document a request runs, for the extensions that look at it before
//! async-graphql does (the cost check, the operation log).

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition};
use async_graphql::{Name, Positioned};

/// The operation named by the request, or the document's only one; None when the name matches no
/// operation or an unnamed request carries several (validation refuses both).
pub(super) fn selected<'a>(
    doc: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<(Option<&'a Name>, &'a Positioned<OperationDefinition>)> {
    match &doc.operations {
        DocumentOperations::Single(op) => Some((None, op)),
        DocumentOperations::Multiple(ops) => match name {
            Some(name) => ops.iter().find(|(n, _)| n.as_str() == name),
            None if ops.len() == 1 => ops.iter().next(),
            None => None,
        }
        .map(|(n, op)| (Some(n), op)),
    }
}
