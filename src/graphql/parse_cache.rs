//! Remembers parsed documents: clients send the same few queries over and over, and parsing
//! was a tenth of the server's CPU under load (see BENCHMARKS.md). Validation still runs on
//! every request, against the request's own variables.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerResult, Variables};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How many distinct documents are kept; the cache starts over when full, so a client sending
/// endless distinct queries costs memory up to this bound and no more.
const CAPACITY: usize = 1024;
/// Documents longer than this are not kept.
const MAX_QUERY_BYTES: usize = 16 * 1024;

/// The extension factory; one cache shared by every request.
#[derive(Default, Clone)]
pub struct ParseCache {
    documents: Arc<Mutex<HashMap<String, ExecutableDocument>>>,
}

impl ExtensionFactory for ParseCache {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(self.clone())
    }
}

#[async_trait::async_trait]
impl Extension for ParseCache {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if let Some(document) = self.documents.lock().ok().and_then(|map| map.get(query).cloned()) {
            return Ok(document);
        }
        let document = next.run(ctx, query, variables).await?;
        if query.len() <= MAX_QUERY_BYTES {
            if let Ok(mut map) = self.documents.lock() {
                if map.len() >= CAPACITY {
                    map.clear();
                }
                map.insert(query.to_owned(), document.clone());
            }
        }
        Ok(document)
    }
}
