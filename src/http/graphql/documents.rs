//! Parsed documents kept by their text: frontends send the same few documents with new variables,
//! and parsing (pest) was a visible share of a request's CPU. Only parsing is skipped; validation,
//! the depth checks and the cost check still run for every request, since they depend on its
//! variables. Bounded by count and by text size, so unique documents cannot grow it without end.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use async_graphql::parser::types::ExecutableDocument;

/// Distinct documents kept; past this the cache starts afresh (a client inventing documents gains
/// nothing from it, and frontends' few documents are back after one parse each).
const MAX_DOCUMENTS: usize = 512;
/// Longer documents are parsed every time (the cost check refuses the huge ones anyway).
const MAX_TEXT: usize = 16 * 1024;

type Documents = Mutex<HashMap<Arc<str>, Arc<ExecutableDocument>>>;

/// One cache for the process: a parse depends on the text alone, never on the schema or the key.
fn documents() -> &'static Documents {
    static DOCUMENTS: OnceLock<Documents> = OnceLock::new();
    DOCUMENTS.get_or_init(Documents::default)
}

/// Gives the request its parsed document, from the cache or parsed now. A document that does not
/// parse is left for async-graphql to parse and report.
pub(crate) fn attach(request: &mut async_graphql::Request) {
    if request.query.len() > MAX_TEXT {
        return;
    }
    let cached = documents()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(request.query.as_str())
        .cloned();
    let document = match cached {
        Some(document) => document,
        None => {
            let Ok(parsed) = async_graphql::parser::parse_query(&request.query) else {
                return;
            };
            let parsed = Arc::new(parsed);
            let mut documents = documents().lock().unwrap_or_else(PoisonError::into_inner);
            if documents.len() >= MAX_DOCUMENTS {
                documents.clear();
            }
            documents.insert(request.query.as_str().into(), parsed.clone());
            parsed
        }
    };
    request.set_parsed_query(ExecutableDocument::clone(&document));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_give_a_repeated_document_the_same_parse() {
        let text = "query Doc($id: ID!) { device(id: $id) { id } }";
        let mut first = async_graphql::Request::new(text);
        attach(&mut first);
        let mut second = async_graphql::Request::new(text);
        attach(&mut second);
        let parsed = |r: &mut async_graphql::Request| {
            format!(
                "{:?}",
                r.parsed_query().map(|d| d.operations.iter().count())
            )
        };
        assert_eq!(parsed(&mut first), "Ok(1)");
        assert_eq!(parsed(&mut second), "Ok(1)");
        assert!(documents()
            .lock()
            .expect("documents lock")
            .contains_key(text));
    }

    #[test]
    fn should_leave_a_document_that_does_not_parse_to_async_graphql() {
        let text = "query { device(id: ";
        let mut request = async_graphql::Request::new(text);
        attach(&mut request);
        assert!(!documents()
            .lock()
            .expect("documents lock")
            .contains_key(text));
        assert!(request.parsed_query().is_err());
    }
}
