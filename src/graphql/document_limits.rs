//! Limits on the size of a GraphQL document, checked before and just after parsing: depth and
//! complexity are checked by async-graphql during validation, but by then a huge document has
//! already been parsed, and aliases let one small query ask for the same field many times.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::Name;
use std::collections::HashMap;

/// Bounds on a document's size.
#[derive(Debug, Clone, Copy)]
pub struct DocumentLimits {
    /// Most lexical tokens a document may have (names, punctuators, values).
    pub max_tokens: usize,
    /// Most aliased fields a document may select, counting each fragment once per spread.
    pub max_aliases: usize,
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The stable code clients match on.
    pub code: &'static str,
    /// What the client should change.
    pub message: String,
}

impl DocumentLimits {
    /// Refuses a document with too many tokens, before it is parsed: parsing is the expensive
    /// part, so this check stops counting as soon as the limit is passed.
    pub fn check_tokens(&self, query: &str) -> Result<(), Refusal> {
        if count_tokens(query, self.max_tokens.saturating_add(1)) > self.max_tokens {
            return Err(Refusal {
                code: "QUERY_TOO_LARGE",
                message: format!("the document has more than {} tokens", self.max_tokens),
            });
        }
        Ok(())
    }

    /// Refuses a parsed document that selects too many aliased fields.
    pub fn check_aliases(&self, document: &ExecutableDocument) -> Result<(), Refusal> {
        let aliases = count_aliases(document);
        if aliases > self.max_aliases {
            return Err(Refusal {
                code: "TOO_MANY_ALIASES",
                message: format!(
                    "the query uses {aliases} aliases; at most {} are allowed",
                    self.max_aliases
                ),
            });
        }
        Ok(())
    }
}

/// Counts GraphQL tokens (per the spec's lexical grammar; commas, whitespace and comments are
/// ignored), stopping at `stop`. Malformed input is counted loosely and left to the parser.
fn count_tokens(source: &str, stop: usize) -> usize {
    let bytes = source.as_bytes();
    let mut i = 0;
    let mut tokens = 0;
    while i < bytes.len() && tokens < stop {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                tokens += 1;
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                }
                i += 3;
            }
            b'"' => {
                tokens += 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                tokens += 1;
                i += 3;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                tokens += 1;
                // A name or a number (with sign, fraction and exponent) is one token.
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'.' | b'+'))
                {
                    if bytes[i] == b'.' && bytes[i..].starts_with(b"...") {
                        break;
                    }
                    i += 1;
                }
            }
            _ => {
                tokens += 1;
                i += 1;
            }
        }
    }
    tokens
}

/// Aliased fields in the operations, with every fragment counted as often as it is spread,
/// so that hiding aliases in a fragment spread many times does not get around the limit.
fn count_aliases(document: &ExecutableDocument) -> usize {
    let mut memo = HashMap::new();
    document.operations.iter().fold(0usize, |sum, (_, operation)| {
        sum.saturating_add(in_selection(&operation.node.selection_set.node, document, &mut memo))
    })
}

fn in_selection(
    set: &SelectionSet,
    document: &ExecutableDocument,
    memo: &mut HashMap<Name, usize>,
) -> usize {
    set.items.iter().fold(0usize, |sum, item| {
        let count = match &item.node {
            Selection::Field(field) => usize::from(field.node.alias.is_some())
                .saturating_add(in_selection(&field.node.selection_set.node, document, memo)),
            Selection::InlineFragment(inline) => {
                in_selection(&inline.node.selection_set.node, document, memo)
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                match memo.get(name) {
                    Some(count) => *count,
                    None => {
                        // A cycle counts as nothing here; validation refuses it anyway.
                        memo.insert(name.clone(), 0);
                        let count = document.fragments.get(name).map_or(0, |fragment| {
                            in_selection(&fragment.node.selection_set.node, document, memo)
                        });
                        memo.insert(name.clone(), count);
                        count
                    }
                }
            }
        };
        sum.saturating_add(count)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_counted_as_the_spec_lexes_them() {
        assert_eq!(count_tokens("{ a }", 100), 3);
        assert_eq!(count_tokens("query Q($x: Int = -1.5e3) { a(x: $x) }", 100), 19);
        assert_eq!(count_tokens("{ a(s: \"x y \\\" z\", b: \"\"\"p q\"\"\") }", 100), 11);
        assert_eq!(count_tokens("# comment { { {\n{ ...F }", 100), 4);
        assert_eq!(count_tokens("{ a } { a } { a }", 5), 5, "stops counting at the bound");
    }

    #[test]
    fn aliases_in_fragments_count_once_per_spread() {
        let document = async_graphql::parser::parse_query(
            "{ a: x b: x ...F ...F y { ...F } } fragment F on T { c: x d: x e: x }",
        )
        .unwrap();
        assert_eq!(count_aliases(&document), 2 + 3 * 3);
    }
}
