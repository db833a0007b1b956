//! The upstream cost of a request, estimated before it runs, and the per-request budget.
//!
//! GraphQL lets a 150-byte query fan out into thousands of Seam calls (nested connections, aliases,
//! cursors with a small page size). Field counts say nothing about that, so the gateway counts what
//! it will ask of Seam instead, walking the parsed operation with the variables applied:
//!
//! - a field costs its own upstream calls times the number of objects it is resolved on;
//! - a connection costs the upstream pages it may fetch ([`PageArgs::max_pages`], the same bound
//!   the resolver obeys), and multiplies what is selected under `nodes` / `edges` by `first`;
//! - batched lookups (devices, codes by id, linked groups) cost once per batch: once per parent
//!   list, however many items or aliases ask;
//! - everything else (plain fields of a fetched object) is free.
//!
//! `cost_limit` refuses a request over the budget with COST_LIMIT_EXCEEDED right after parsing:
//! before validation, and before any resolver runs.

use std::collections::HashSet;

use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::{MetaTypeName, Registry};
use async_graphql::{Name, Positioned, Value, Variables};

use super::connection::PageArgs;

/// Calls charged for a linked code group: one `access_codes/list` when the gateway's index knows the
/// group, else a scan of the workspace (one `devices/list` plus one list per lock). A fixed
/// estimate: the gateway cannot know the number of locks before asking Seam.
pub(crate) const LINKED_GROUP_CALLS: u64 = 10;
/// Most codes a linked group is assumed to hold (`createLinkedAccessCodes` accepts this many locks).
pub(crate) const MAX_GROUP_SIZE: u64 = 25;

/// What one field asks of Seam.
#[derive(Clone, Copy)]
enum Rule {
    /// This many calls each time the field is resolved.
    Each(u64),
    /// This many calls per batch: siblings and list items asking for it share one call.
    Batched(u64),
    /// A Relay connection: pages per resolution, `first` items underneath.
    Connection,
    /// A list of the connection's items (`nodes`, `edges`).
    PageItems,
    /// A list of at most this many objects already fetched; asks nothing itself.
    List(u64),
    /// Batched lookups returning a list of at most this many objects.
    BatchedList(u64, u64),
    /// Reads what is already fetched.
    Free,
}

fn rule(type_name: &str, field: &str) -> Rule {
    match (type_name, field) {
        ("Query", "device" | "accessCode") => Rule::Batched(1),
        ("Query", "devices" | "accessCodes") => Rule::Connection,
        ("Query", "linkedCodeGroup") => Rule::Batched(LINKED_GROUP_CALLS),
        ("Query", "actionAttempt" | "workspace" | "unmanagedAccessCode") => Rule::Each(1),
        // The device (to check it takes custom PINs) + generate_code.
        ("Query", "generateCode") => Rule::Each(2),
        ("Query", "unmanagedAccessCodes") => Rule::Connection,
        ("Device", "unmanagedAccessCodes") => Rule::Connection,
        ("AccessCode", "timeline") => Rule::Connection,
        ("UnmanagedAccessCode", "device") => Rule::Batched(1),
        ("Device", "accessCodes") => Rule::Connection,
        ("AccessCode", "device") => Rule::Batched(1),
        ("AccessCode", "linkedCodeGroup") => Rule::Batched(LINKED_GROUP_CALLS),
        ("LinkedCodeGroup", "accessCodes") => Rule::List(MAX_GROUP_SIZE),
        ("LinkedCodeGroup", "devices") => Rule::BatchedList(1, MAX_GROUP_SIZE),
        (t, "nodes" | "edges") if t.ends_with("Connection") => Rule::PageItems,
        // Mutations: device lookup + create; read + device + update + re-read; group + update +
        // re-read; read (for the device whose cached codes it drops) + delete.
        ("Mutation", "createAccessCode" | "createLinkedAccessCodes") => Rule::Each(2),
        ("Mutation", "updateAccessCode") => Rule::Each(4),
        ("Mutation", "updateLinkedCodeGroup") => Rule::Each(2 * LINKED_GROUP_CALLS + 1),
        ("Mutation", "deleteAccessCode") => Rule::Each(2),
        // Read + pull; read + convert + re-read; read + delete.
        ("Mutation", "pullBackupAccessCode") => Rule::Each(2),
        ("Mutation", "convertUnmanagedAccessCode") => Rule::Each(3),
        ("Mutation", "deleteUnmanagedAccessCode") => Rule::Each(2),
        _ => Rule::Free,
    }
}

/// How many objects a selection set is resolved on, and in how many batches.
#[derive(Clone, Copy)]
struct At {
    /// Objects of this type being resolved.
    objects: u64,
    /// Batches they fall into (one per parent list).
    batches: u64,
    /// For a connection's selection set: its `first`.
    page: u64,
}

struct Walk<'a> {
    registry: &'a Registry,
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    /// Fragments being expanded, so a (not yet validated) fragment cycle ends.
    expanding: Vec<&'a Name>,
    /// Whether an argument the estimate read took a variable's value: if none did, the estimate
    /// holds for every request with the same document.
    read_variables: std::cell::Cell<bool>,
}

impl<'a> Walk<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet, type_name: &str, at: At) -> u64 {
        let mut cost = 0u64;
        let mut batched_seen: HashSet<&str> = HashSet::new();
        for selection in &set.items {
            let add = match &selection.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    let first_in_batch = batched_seen.insert(name);
                    self.field(&field.node, type_name, at, first_in_batch)
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    match self.doc.fragments.get(name) {
                        Some(fragment) if !self.expanding.contains(&name) => {
                            self.expanding.push(name);
                            let on = fragment.node.type_condition.node.on.node.to_string();
                            let c = self.selection_set(&fragment.node.selection_set.node, &on, at);
                            self.expanding.pop();
                            c
                        }
                        _ => 0,
                    }
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.to_string())
                        .unwrap_or_else(|| type_name.to_owned());
                    self.selection_set(&inline.node.selection_set.node, &on, at)
                }
            };
            cost = cost.saturating_add(add);
        }
        cost
    }

    fn field(&mut self, field: &'a Field, type_name: &str, at: At, first_in_batch: bool) -> u64 {
        let name = field.name.node.as_str();
        let Some(meta) = self
            .registry
            .types
            .get(type_name)
            .and_then(|t| t.field_by_name(name))
        else {
            return 0; // unknown fields and introspection: validation answers them, Seam is not asked
        };
        let child_type = MetaTypeName::concrete_typename(&meta.ty);
        let children = &field.selection_set.node;
        let batch_cost = |n: u64| if first_in_batch { n * at.batches } else { 0 };
        let (own, child_at) = match rule(type_name, name) {
            Rule::Each(n) => (n.saturating_mul(at.objects), at),
            Rule::Batched(n) => (batch_cost(n), at),
            Rule::Free => (0, at),
            Rule::Connection => {
                let page = self.page_args(field);
                let pages = page.as_ref().map_or(0, PageArgs::max_pages);
                let first = page.as_ref().map_or(0, PageArgs::first);
                (pages.saturating_mul(at.objects), At { page: first, ..at })
            }
            Rule::PageItems => (0, list_of(at, at.page)),
            Rule::List(size) => (0, list_of(at, size)),
            Rule::BatchedList(n, size) => (batch_cost(n), list_of(at, size)),
        };
        own.saturating_add(self.selection_set(children, child_type, child_at))
    }

    /// The connection's `first` / `after`, as the resolver will read them; None if invalid (the
    /// resolver then refuses it without calling Seam).
    fn page_args(&self, field: &Field) -> Option<PageArgs> {
        let first = match self.argument(field, "first") {
            Some(Value::Number(n)) => Some(i32::try_from(n.as_i64()?).ok()?),
            Some(Value::Null) | None => None,
            Some(_) => return None,
        };
        let after = match self.argument(field, "after") {
            Some(Value::String(s)) => Some(s),
            Some(Value::Null) | None => None,
            Some(_) => return None,
        };
        PageArgs::new(first, after).ok()
    }

    fn argument(&self, field: &Field, name: &str) -> Option<Value> {
        let value = field.get_argument(name)?.node.clone();
        value
            .into_const_with(|var| {
                self.read_variables.set(true);
                Ok::<_, ()>(self.variables.get(&var).cloned().unwrap_or(Value::Null))
            })
            .ok()
    }
}

fn list_of(at: At, size: u64) -> At {
    At {
        objects: at.objects.saturating_mul(size),
        batches: at.objects,
        page: 0,
    }
}

/// An estimate of the upstream calls a request makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Estimate {
    /// The calls.
    pub(super) calls: u64,
    /// Whether a variable's value went into it; if not, it holds for any variables.
    pub(super) read_variables: bool,
}

/// The estimated upstream calls of the operation the request runs (named `name`, or the only
/// one), and whether they depend on the variables. When no operation can be chosen, validation
/// will refuse the request; until then it is charged as its costliest operation.
pub(super) fn estimate<'a>(
    registry: &'a Registry,
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    name: Option<&str>,
) -> Estimate {
    let root = At {
        objects: 1,
        batches: 1,
        page: 0,
    };
    let mut walk = Walk {
        registry,
        doc,
        variables,
        expanding: Vec::new(),
        read_variables: std::cell::Cell::new(false),
    };
    let mut cost_of = |op: &'a Positioned<OperationDefinition>| {
        let root_type = match op.node.ty {
            OperationType::Query => registry.query_type.as_str(),
            OperationType::Mutation => registry.mutation_type.as_deref().unwrap_or("Mutation"),
            OperationType::Subscription => return 0, // costs accrue per event, not per request
        };
        walk.selection_set(&op.node.selection_set.node, root_type, root)
    };
    let calls = match super::operation::selected(doc, name) {
        Some((_, op)) => cost_of(op),
        None => doc
            .operations
            .iter()
            .map(|(_, op)| cost_of(op))
            .max()
            .unwrap_or(0),
    };
    Estimate {
        calls,
        read_variables: walk.read_variables.get(),
    }
}

#[cfg(test)]
#[path = "cost_tests.rs"]
mod tests;
