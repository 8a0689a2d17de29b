//! Remembers parsed documents: clients send the same few queries over and over, and parsing
//! was a tenth of the server's CPU under load (see BENCHMARKS.md). Validation still runs on
//! every request, against the request's own variables.
//!
//! The cache hands the parsed document to the request before execution rather than being a
//! schema extension: any registered extension is called around every field's resolution,
//! which cost more than the parsing it saved.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::Request;
use std::collections::HashMap;
use std::sync::Mutex;

/// How many distinct documents are kept; the cache starts over when full, so a client sending
/// endless distinct queries costs memory up to this bound and no more.
const CAPACITY: usize = 1024;
/// Documents longer than this are not kept.
const MAX_QUERY_BYTES: usize = 16 * 1024;

/// Parsed documents by query text, shared by every worker.
#[derive(Default)]
pub struct ParseCache {
    documents: Mutex<HashMap<String, ExecutableDocument>>,
}

impl ParseCache {
    /// Gives `request` its parsed document, from the cache or by parsing it now. A document
    /// that does not parse is left alone: execution reports the syntax error.
    pub fn prepare(&self, request: &mut Request) {
        let cached = self.documents.lock().ok().and_then(|map| map.get(&request.query).cloned());
        if let Some(document) = cached {
            request.set_parsed_query(document);
            return;
        }
        let Ok(document) = request.parsed_query().cloned() else { return };
        if request.query.len() <= MAX_QUERY_BYTES {
            if let Ok(mut map) = self.documents.lock() {
                if map.len() >= CAPACITY {
                    map.clear();
                }
                map.insert(request.query.clone(), document);
            }
        }
    }
}
