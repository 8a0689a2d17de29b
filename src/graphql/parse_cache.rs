//! Remembers parsed documents: clients send the same few queries over and over, and parsing
//! was a tenth of the server's CPU under load (see BENCHMARKS.md). Validation still runs on
//! every request, against the request's own variables.
//!
//! The cache hands the parsed document to the request before execution rather than being a
//! schema extension: any registered extension is called around every field's resolution,
//! which cost more than the parsing it saved. It is also where the document-size limits are
//! applied, so that a cached document is never checked twice.

use super::document_limits::{DocumentLimits, Refusal};
use super::variables::InputTypes;
use crate::error::ErrorCode;
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, Selection};
use async_graphql::Name;
use async_graphql::Request;
use std::collections::HashMap;
use std::sync::Mutex;

/// How many distinct documents are kept; the cache starts over when full, so a client sending
/// endless distinct queries costs memory up to this bound and no more.
const CAPACITY: usize = 1024;
/// Documents longer than this are not kept (nor remembered by the compiled-reads gate).
pub(crate) const MAX_QUERY_BYTES: usize = 16 * 1024;

/// Parsed documents that passed the limits, by query text, shared by every worker.
pub struct ParseCache {
    limits: DocumentLimits,
    inputs: InputTypes,
    documents: Mutex<HashMap<String, ExecutableDocument>>,
}

impl ParseCache {
    /// An empty cache that admits documents within `limits`, and variables that fit the
    /// schema's `inputs`.
    pub fn new(limits: DocumentLimits, inputs: InputTypes) -> Self {
        ParseCache { limits, inputs, documents: Mutex::default() }
    }

    /// Gives `request` its parsed document, from the cache or by parsing it now, or refuses a
    /// document over the limits, or variables that do not fit the operation's definitions.
    /// A document that does not parse is left alone: execution reports the syntax error.
    ///
    /// A document with several operations is cut to the one the request runs; the whole
    /// document is returned, for `Validator` to check the others.
    pub fn prepare(&self, request: &mut Request) -> Result<Option<ExecutableDocument>, Refusal> {
        self.limits.check_variables(&request.variables)?;
        self.parse(request)?;
        // One look at the document: the variables against the operation's definitions, and the
        // document cut to that operation when it holds others.
        let checked = super::compiled::with_parsed(request, |document, name, variables| {
            let (_, operation) = super::compiled::operation(document, name)?;
            let cut = match &document.operations {
                DocumentOperations::Multiple(operations) if operations.len() > 1 => name
                    .and_then(|name| only_operation(document, name))
                    .map(|cut| (cut, document.clone())),
                _ => None,
            };
            Some(self.inputs.coerce(operation, variables).map(|()| cut))
        });
        match checked {
            Some(Err(message)) => {
                Err(Refusal { code: ErrorCode::GraphqlValidationFailed, message })
            }
            Some(Ok(Some((cut, whole)))) => {
                request.set_parsed_query(cut);
                Ok(Some(whole))
            }
            // No such operation: execution names the problem.
            Some(Ok(None)) | None => Ok(None),
        }
    }

    fn parse(&self, request: &mut Request) -> Result<(), Refusal> {
        let cached = self.documents.lock().ok().and_then(|map| map.get(&request.query).cloned());
        if let Some(document) = cached {
            request.set_parsed_query(document);
            return Ok(());
        }
        self.limits.check_tokens(&request.query)?;
        let cacheable = request.query.len() <= MAX_QUERY_BYTES;
        let Ok(document) = request.parsed_query() else { return Ok(()) };
        self.limits.check_aliases(document)?;
        self.limits.check_typename(document)?;
        if cacheable {
            let document = document.clone();
            if let Ok(mut map) = self.documents.lock() {
                if map.len() >= CAPACITY {
                    map.clear();
                }
                map.insert(request.query.clone(), document);
            }
        }
        Ok(())
    }
}

/// `document` with only the operation `name` and the fragments it reaches. async-graphql
/// checks variables and cost for every operation of a document, so that `query A` was refused
/// for a variable that only `query B` needs; the operation the request runs is the one to
/// price and run, and `Validator` checks the others against the rules.
fn only_operation(document: &ExecutableDocument, name: &str) -> Option<ExecutableDocument> {
    let DocumentOperations::Multiple(operations) = &document.operations else { return None };
    let (key, operation) = operations.get_key_value(name)?;
    let mut reached: Vec<Name> = Vec::new();
    let mut pending = vec![&operation.node.selection_set.node];
    while let Some(set) = pending.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => pending.push(&field.node.selection_set.node),
                Selection::InlineFragment(inline) => pending.push(&inline.node.selection_set.node),
                Selection::FragmentSpread(spread) => {
                    let fragment = &spread.node.fragment_name.node;
                    if !reached.contains(fragment) {
                        reached.push(fragment.clone());
                        if let Some(definition) = document.fragments.get(fragment) {
                            pending.push(&definition.node.selection_set.node);
                        }
                    }
                }
            }
        }
    }
    let fragments = document
        .fragments
        .iter()
        .filter(|(fragment, _)| reached.contains(fragment))
        .map(|(fragment, definition)| (fragment.clone(), definition.clone()))
        .collect();
    let operations = std::iter::once((key.clone(), operation.clone())).collect();
    Some(ExecutableDocument { operations: DocumentOperations::Multiple(operations), fragments })
}
