//! Which requests async-graphql has validated: a compiled request skips validation, so its
//! document must have passed it before with the same page sizes.

use super::select::int_variables;
use async_graphql::Request;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// How many validated documents are remembered; the map starts over when full, so a client
/// sending endless distinct documents costs memory up to this bound and no more.
const CAPACITY: usize = 4096;

/// What validation depends on besides the document: the operation picked in it and the
/// values of its `Int` variables (the page sizes its complexity is priced by).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Variant(Option<String>, Vec<String>);

/// The documents, and their variants, whose requests ran through the resolvers without an
/// error. Keyed by the query text, so that a lookup borrows it instead of copying it.
#[derive(Default)]
pub struct Gate {
    validated: Mutex<HashMap<String, HashSet<Variant>>>,
}

impl Gate {
    /// The variant of a request whose document parsed and is short enough to remember.
    pub fn variant(request: &mut Request) -> Option<Variant> {
        if request.query.len() > crate::graphql::parse_cache::MAX_QUERY_BYTES {
            return None;
        }
        super::with_parsed(request, |document, name, given| {
            let (_, operation) = super::operation(document, name)?;
            let ints = int_variables(operation, given).iter().map(ToString::to_string).collect();
            Some(Variant(name.map(str::to_owned), ints))
        })
    }

    /// Whether `query` in this variant passed validation before.
    pub fn admits(&self, query: &str, variant: &Variant) -> bool {
        self.validated
            .lock()
            .is_ok_and(|map| map.get(query).is_some_and(|variants| variants.contains(variant)))
    }

    /// Records that `query` in this variant passed validation (and ran without error).
    pub fn validated(&self, query: String, variant: Variant) {
        if let Ok(mut map) = self.validated.lock() {
            if map.len() >= CAPACITY && !map.contains_key(&query) {
                map.clear();
            }
            map.entry(query).or_default().insert(variant);
        }
    }
}
