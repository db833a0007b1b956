//! Documents that passed validation, so that a repeated one skips it when its variables plainly fit.
//!
//! async-graphql validates every request in full (21 rules over the whole document) because one of
//! the rules checks the variables' values against the arguments they fill. Frontends send the same
//! few documents over and over with new variables: validation was about 5% of the gateway's CPU on
//! the cold path (issue 14's profile). A document that passed once is valid for every request with
//! the same text and operation name, except for what depends on the values. So a request may reuse
//! an earlier result only when each of its operation's variables is declared as a built-in scalar
//! (or a list of them) and its value is one that scalar accepts; any other request, with an enum,
//! an input object, a custom scalar, a missing or extra variable, is validated in full, and its
//! errors are exactly what they were. Mutations are never kept: their literals may hold a PIN.
//! An entry also keeps the document's upstream cost estimate when no variable went into it
//! (`cost.rs` says whether one did), so that a repeated document is not walked again either.

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Type,
};
use async_graphql::{Name, ValidationResult, Value, Variables};

/// Most bytes of document text kept: a few hundred typical documents.
const MAX_BYTES: u64 = 1024 * 1024;

/// Validated documents of one schema, by text and operation name.
pub(crate) struct ValidatedDocuments {
    /// Keyed by a hash of text and operation name (so a lookup copies nothing); the entry holds
    /// both, compared in full before it is used.
    entries: moka::sync::Cache<u64, Arc<Entry>>,
    hasher: std::collections::hash_map::RandomState,
}

struct Entry {
    text: Box<str>,
    operation: Option<Box<str>>,
    result: ValidationResult,
    /// The upstream cost estimate, when it holds for any variables (`cost.rs`).
    cost: Option<u64>,
}

/// What an earlier request with the same document left: its validation, and its cost estimate
/// when that holds for any variables.
#[derive(Clone, Copy)]
pub(crate) struct Earlier {
    pub(crate) result: ValidationResult,
    pub(crate) cost: Option<u64>,
}

/// A request whose variables plainly fit its document: what to look up, and to store after it
/// passed validation.
pub(crate) struct Candidate {
    key: u64,
    text: Box<str>,
    operation: Option<Box<str>>,
    /// Its cost estimate, to keep when it holds for any variables.
    pub(crate) cost: Option<u64>,
}

impl Default for ValidatedDocuments {
    fn default() -> Self {
        Self {
            entries: moka::sync::Cache::builder()
                .weigher(|_, entry: &Arc<Entry>| {
                    let bytes = entry.text.len() + entry.operation.as_ref().map_or(0, |o| o.len());
                    u32::try_from(bytes + 64).unwrap_or(u32::MAX)
                })
                .max_capacity(MAX_BYTES)
                .build(),
            hasher: Default::default(),
        }
    }
}

impl ValidatedDocuments {
    /// An earlier result for this request, or the candidate to store once it passes validation;
    /// neither when its variables need the full check.
    pub(crate) fn look_up(
        &self,
        text: &str,
        operation: Option<&str>,
        document: &ExecutableDocument,
        variables: &Variables,
    ) -> Option<Result<Earlier, Candidate>> {
        let definition = selected_operation(document, operation)?;
        // A mutation's literals may hold a PIN: its text is not kept (and mutations are rare).
        if definition.ty == OperationType::Mutation || !variables_plainly_fit(definition, variables)
        {
            return None;
        }
        let key = self.key(text, operation);
        if let Some(entry) = self.entries.get(&key) {
            if &*entry.text == text && entry.operation.as_deref() == operation {
                return Some(Ok(Earlier {
                    result: entry.result,
                    cost: entry.cost,
                }));
            }
        }
        Some(Err(Candidate {
            key,
            text: text.into(),
            operation: operation.map(Into::into),
            cost: None,
        }))
    }

    /// Remembers a candidate that passed validation.
    pub(crate) fn remember(&self, candidate: Candidate, result: ValidationResult) {
        let entry = Entry {
            text: candidate.text,
            operation: candidate.operation,
            result,
            cost: candidate.cost,
        };
        self.entries.insert(candidate.key, Arc::new(entry));
    }

    fn key(&self, text: &str, operation: Option<&str>) -> u64 {
        let mut hasher = self.hasher.build_hasher();
        text.hash(&mut hasher);
        operation.hash(&mut hasher);
        hasher.finish()
    }
}

/// The operation a request runs, chosen as async-graphql chooses it: the named one, or the
/// document's only one. None where it would refuse the request, so validation runs and says why.
fn selected_operation<'d>(
    document: &'d ExecutableDocument,
    operation: Option<&str>,
) -> Option<&'d OperationDefinition> {
    match (&document.operations, operation) {
        (DocumentOperations::Single(single), None) => Some(&single.node),
        (DocumentOperations::Multiple(many), Some(name)) => many.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(many), None) if many.len() == 1 => {
            many.values().next().map(|op| &op.node)
        }
        _ => None,
    }
}

/// Whether every variable the operation declares is a built-in scalar, or a list of them, with a
/// value that type accepts (or none, where allowed), and no undeclared variable was sent.
fn variables_plainly_fit(operation: &OperationDefinition, variables: &Variables) -> bool {
    let declared = &operation.variable_definitions;
    let all_declared = variables
        .keys()
        .all(|name| declared.iter().any(|d| d.node.name.node == *name));
    all_declared
        && declared.iter().all(|definition| {
            let definition = &definition.node;
            definition.directives.is_empty()
                && match variables.get(&definition.name.node) {
                    None => definition.var_type.node.nullable || definition.default_value.is_some(),
                    Some(value) => fits(&definition.var_type.node, value),
                }
        })
}

fn fits(ty: &Type, value: &Value) -> bool {
    if let Value::Null = value {
        return ty.nullable;
    }
    match &ty.base {
        // A single value where a list is declared is coerced by validation: left to it.
        BaseType::List(item) => match value {
            Value::List(items) => items.iter().all(|v| fits(item, v)),
            _ => false,
        },
        BaseType::Named(name) => scalar_accepts(name, value),
    }
}

/// What async-graphql's built-in scalars accept as input (`ScalarType::is_valid`), or stricter.
fn scalar_accepts(name: &Name, value: &Value) -> bool {
    match (name.as_str(), value) {
        ("ID", Value::String(_)) | ("String", Value::String(_)) => true,
        ("ID", Value::Number(n)) => n.is_i64(),
        ("Int", Value::Number(n)) => n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        ("Float", Value::Number(_)) | ("Boolean", Value::Boolean(_)) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use serde_json::json;

    use super::*;

    fn fit(query: &str, variables: serde_json::Value) -> bool {
        let document = parse_query(query).expect("parses");
        let operation = selected_operation(&document, None).expect("one operation");
        variables_plainly_fit(operation, &Variables::from_json(variables))
    }

    #[test]
    fn plainly_typed_values_fit_and_everything_else_goes_to_full_validation() {
        let device = "query($id: ID!){ device(id: $id){ id } }";
        assert!(fit(device, json!({ "id": "d1" })));
        assert!(fit(device, json!({ "id": 7 })));
        assert!(!fit(device, json!({ "id": 7.5 })), "not an ID");
        assert!(!fit(device, json!({ "id": null })), "null for a non-null");
        assert!(!fit(device, json!({})), "missing and required");
        assert!(
            !fit(device, json!({ "id": "d1", "extra": 1 })),
            "undeclared"
        );
        let codes = "query($ids: [ID!], $n: Int, $on: Boolean = true){ a: __typename }";
        assert!(fit(codes, json!({ "ids": ["a", "b"], "n": 3 })));
        assert!(fit(codes, json!({ "ids": null })));
        assert!(
            !fit(codes, json!({ "ids": "a" })),
            "a single value for a list"
        );
        assert!(!fit(codes, json!({ "ids": ["a", null] })), "null item");
        assert!(!fit(codes, json!({ "n": 3_000_000_000u64 })), "beyond Int");
        assert!(!fit(codes, json!({ "on": "yes" })));
        let custom = "query($s: AccessCodeStatus){ a: __typename }";
        assert!(
            !fit(custom, json!({ "s": "SET" })),
            "enums are left to validation"
        );
    }

    #[test]
    fn a_result_is_reused_only_for_the_same_text_and_operation() {
        let documents = ValidatedDocuments::default();
        let text = "query Q($id: ID!){ device(id: $id){ id } }";
        let document = parse_query(text).expect("parses");
        let variables = Variables::from_json(json!({ "id": "d1" }));
        let Some(Err(candidate)) = documents.look_up(text, None, &document, &variables) else {
            panic!("a first look finds nothing to reuse");
        };
        let result = ValidationResult {
            cache_control: Default::default(),
            complexity: 3,
            depth: 2,
        };
        documents.remember(candidate, result);
        let again = documents.look_up(text, None, &document, &variables);
        assert!(matches!(again, Some(Ok(r)) if r.result.complexity == 3));
        let named = documents.look_up(text, Some("Q"), &document, &variables);
        assert!(
            matches!(named, Some(Err(_))),
            "another operation name, another entry"
        );
        let unknown = documents.look_up(text, Some("R"), &document, &variables);
        assert!(
            unknown.is_none(),
            "an unknown operation: validation refuses it"
        );
        let other = "query Q($id: ID!){ device(id: $id){ id name } }";
        let other_document = parse_query(other).expect("parses");
        let other_result = documents.look_up(other, None, &other_document, &variables);
        assert!(matches!(other_result, Some(Err(_))));
        let pin = r#"mutation { createAccessCode(input: {deviceId: "d", code: "1234"}) { accessCode { id } } }"#;
        let pin_document = parse_query(pin).expect("parses");
        let none = Variables::default();
        assert!(
            documents.look_up(pin, None, &pin_document, &none).is_none(),
            "a mutation's text, which may hold a PIN, is never kept"
        );
    }
}
