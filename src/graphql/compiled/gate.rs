//! Which requests async-graphql has validated: a compiled request skips validation, so its
//! document must have passed it before with the same page sizes.

use super::select::int_variables;
use async_graphql::Request;
use std::collections::HashSet;
use std::sync::Mutex;

/// How many validated shapes are remembered; the set starts over when full, so a client
/// sending endless distinct documents costs memory up to this bound and no more.
const CAPACITY: usize = 4096;

/// A document, the operation picked in it, and the values of its `Int` variables.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Shape(String, Option<String>, Vec<String>);

/// The shapes whose requests ran through the resolvers without an error.
#[derive(Default)]
pub struct Gate {
    validated: Mutex<HashSet<Shape>>,
}

impl Gate {
    /// The shape of a request whose document parsed and is short enough to remember.
    pub fn shape(request: &mut Request) -> Option<Shape> {
        if request.query.len() > crate::graphql::parse_cache::MAX_QUERY_BYTES {
            return None;
        }
        let query = request.query.clone();
        super::with_parsed(request, |document, name, given| {
            let operation = super::operation(document, name)?;
            let ints = int_variables(operation, given).iter().map(ToString::to_string).collect();
            Some(Shape(query, name.map(str::to_owned), ints))
        })
    }

    /// Whether a request of this shape passed validation before.
    pub fn admits(&self, shape: &Shape) -> bool {
        self.validated.lock().is_ok_and(|set| set.contains(shape))
    }

    /// Records that a request of this shape passed validation (and ran without error).
    pub fn validated(&self, shape: Shape) {
        if let Ok(mut set) = self.validated.lock() {
            if set.len() >= CAPACITY {
                set.clear();
            }
            set.insert(shape);
        }
    }
}
