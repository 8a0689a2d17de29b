//! Limits on the size of a GraphQL document, checked before and just after parsing: depth and
//! complexity are checked by async-graphql during validation, but by then a huge document has
//! already been parsed, and aliases let one small query ask for the same field many times.

use crate::error::ErrorCode;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::Name;
use std::collections::HashMap;

/// The deepest nesting of brackets (`{`, `[`, `(`) a document may have, and of lists and
/// objects in its variables. The parser, validation and value coercion are recursive: a
/// document of a few thousand `[` overflowed a worker's stack and aborted the process. A
/// query at the deepest allowed selection depth with nested input objects stays far below.
pub const MAX_NESTING: usize = 64;

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
    pub code: ErrorCode,
    /// What the client should change.
    pub message: String,
}

impl DocumentLimits {
    /// Refuses a document with too many tokens or nested too deep, before it is parsed:
    /// parsing is the expensive part, and recursive, so this check stops as soon as a limit is
    /// passed.
    pub fn check_tokens(&self, query: &str) -> Result<(), Refusal> {
        let scan = scan(query, self.max_tokens.saturating_add(1));
        if scan.tokens > self.max_tokens {
            return Err(Refusal {
                code: ErrorCode::QueryTooLarge,
                message: format!("the document has more than {} tokens", self.max_tokens),
            });
        }
        if scan.deepest > MAX_NESTING {
            return Err(too_deep("the document nests brackets"));
        }
        if let Some(field) = scan.duplicate {
            return Err(Refusal {
                code: ErrorCode::GraphqlValidationFailed,
                message: format!("an input object gives the field `{field}` twice"),
            });
        }
        Ok(())
    }

    /// Refuses variables whose lists and objects nest deeper than [`MAX_NESTING`].
    pub fn check_variables(&self, variables: &async_graphql::Variables) -> Result<(), Refusal> {
        fn depth_within(value: &async_graphql::Value, room: usize) -> bool {
            use async_graphql::Value;
            match value {
                Value::List(items) => room > 0 && items.iter().all(|v| depth_within(v, room - 1)),
                Value::Object(fields) => {
                    room > 0 && fields.values().all(|v| depth_within(v, room - 1))
                }
                _ => true,
            }
        }
        if variables.iter().all(|(_, value)| depth_within(value, MAX_NESTING)) {
            Ok(())
        } else {
            Err(too_deep("the variables nest lists and objects"))
        }
    }

    /// Refuses `__typename` with arguments or a selection set, which async-graphql's
    /// validation lets through: the meta-field is a `String!` that takes no arguments.
    pub fn check_typename(&self, document: &ExecutableDocument) -> Result<(), Refusal> {
        fn misused(set: &SelectionSet) -> bool {
            set.items.iter().any(|item| match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    (field.name.node == "__typename"
                        && (!field.arguments.is_empty()
                            || !field.selection_set.node.items.is_empty()))
                        || misused(&field.selection_set.node)
                }
                Selection::InlineFragment(inline) => misused(&inline.node.selection_set.node),
                Selection::FragmentSpread(_) => false,
            })
        }
        let operations = document.operations.iter().map(|(_, op)| &op.node.selection_set.node);
        let fragments = document.fragments.values().map(|f| &f.node.selection_set.node);
        if operations.chain(fragments).any(misused) {
            return Err(Refusal {
                code: ErrorCode::GraphqlValidationFailed,
                message: "__typename takes no arguments and has no fields to select".to_owned(),
            });
        }
        Ok(())
    }

    /// Refuses a parsed document that selects too many aliased fields.
    pub fn check_aliases(&self, document: &ExecutableDocument) -> Result<(), Refusal> {
        let aliases = count_aliases(document);
        if aliases > self.max_aliases {
            return Err(Refusal {
                code: ErrorCode::TooManyAliases,
                message: format!(
                    "the query uses {aliases} aliases; at most {} are allowed",
                    self.max_aliases
                ),
            });
        }
        Ok(())
    }
}

fn too_deep(what: &str) -> Refusal {
    Refusal {
        code: ErrorCode::QueryTooDeep,
        message: format!("{what} more than {MAX_NESTING} deep"),
    }
}

/// What one pass over a document's text finds.
struct Scan {
    /// GraphQL tokens, up to the bound the scan stopped at.
    tokens: usize,
    /// The deepest nesting of `{`, `[` and `(`.
    deepest: usize,
    /// A field an input object value gives twice (the parser keeps only the last).
    duplicate: Option<String>,
}

/// Counts GraphQL tokens (per the spec's lexical grammar; commas, whitespace and comments are
/// ignored) and measures bracket nesting, stopping at `stop` tokens. Malformed input is
/// counted loosely and left to the parser.
fn scan(source: &str, stop: usize) -> Scan {
    let bytes = source.as_bytes();
    let mut i = 0;
    let mut tokens = 0;
    let mut deepest = 0usize;
    let mut open: Vec<Bracket<'_>> = Vec::new();
    let mut duplicate = None;
    // The last token, when it was a name directly inside an input object: a field's name if
    // a `:` follows.
    let mut name: Option<&str> = None;
    while i < bytes.len() && tokens < stop {
        let mut this_name = None;
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
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
                let start = i;
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
                if matches!(open.last(), Some(Bracket::Object(_))) {
                    this_name = source.get(start..i);
                }
            }
            c => {
                match c {
                    b'{' => {
                        // An object value, not a selection set, where a value belongs.
                        let value = matches!(
                            open.last(),
                            Some(Bracket::Arguments | Bracket::List | Bracket::Object(_))
                        );
                        open.push(if value {
                            Bracket::Object(Vec::new())
                        } else {
                            Bracket::Selection
                        });
                    }
                    b'[' => open.push(Bracket::List),
                    b'(' => open.push(Bracket::Arguments),
                    b'}' | b']' | b')' => {
                        open.pop();
                    }
                    b':' => {
                        if let (Some(field), Some(Bracket::Object(fields))) =
                            (name, open.last_mut())
                        {
                            if fields.contains(&field) {
                                duplicate.get_or_insert_with(|| field.to_owned());
                            }
                            fields.push(field);
                        }
                    }
                    _ => {}
                }
                deepest = deepest.max(open.len());
                tokens += 1;
                i += 1;
            }
        }
        name = this_name;
    }
    Scan { tokens, deepest, duplicate }
}

/// What a bracket opened, while the scan is inside it.
enum Bracket<'a> {
    /// A selection set.
    Selection,
    /// Arguments, or variable definitions.
    Arguments,
    /// A list value.
    List,
    /// An input object value, with the field names given so far.
    Object(Vec<&'a str>),
}

#[cfg(test)]
fn count_tokens(source: &str, stop: usize) -> usize {
    scan(source, stop).tokens
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
    fn an_input_object_field_given_twice_is_found() {
        let twice = "{ events(orderBy: {direction: ASC, direction: ASC}) { totalCount } }";
        assert_eq!(scan(twice, 100).duplicate.as_deref(), Some("direction"));
        let nested = "query($f: EventFilter = {types: [RIOTS], bbox: {minLatitude: 1}}) { a(x: {a: {a: 1}}) }";
        assert_eq!(scan(nested, 100).duplicate, None);
        assert_eq!(scan("{ a { b c: b } }", 100).duplicate, None, "selections are not objects");
        assert_eq!(scan("{ a(x: [{k: 1}, {k: 2}]) }", 100).duplicate, None);
    }

    #[test]
    fn nesting_is_measured_outside_strings_and_comments() {
        assert_eq!(scan("{ a(x: [[1], {b: [2]}]) { c } }", 100).deepest, 5);
        assert_eq!(scan("{ a(s: \"[[[[\") # [[[[\n }", 100).deepest, 2);
        let limits = DocumentLimits { max_tokens: 10_000, max_aliases: 50 };
        let deep =
            format!("{{ __type(name: {}\"x\"{}) {{ name }} }}", "[".repeat(65), "]".repeat(65));
        assert_eq!(limits.check_tokens(&deep).unwrap_err().code, ErrorCode::QueryTooDeep);
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
