//! Response keys in the order the selection set gives them, as the GraphQL spec asks
//! (CollectFields: first appearance, fragments expanded in place).
//!
//! async-graphql resolves sibling fields concurrently and writes each as it finishes, so the
//! resolvers' answers came back in completion order (root fields in no fixed order,
//! `totalCount` last). The compiled-read path already builds objects in selection order. A
//! [`KeyOrder`] is taken from the document before execution and applied to the answer after.
//!
//! Fragments are expanded whatever their type condition: on an abstract field (`node`) the
//! keys of the fragment that applied keep their order among themselves, and keys no fragment
//! selected for the object are simply absent.
//!
//! The same walk keeps objects whose every field was skipped: see [`keep_empty_objects`].

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Value};
use std::collections::HashMap;

/// The response key of the field [`keep_empty_objects`] adds, which [`KeyOrder::apply`] takes
/// out of the answer again.
const KEPT: &str = "annals_kept_object";

/// `document` with `annals_kept_object: __typename` added to every field's selection whose
/// every selection is conditional (`@skip`, `@include`), or `None` when it has none.
/// async-graphql answers an object whose every field was skipped with `null` (the spec says
/// `{}`), and a `null` in a non-null field then nulls its parent: the added field keeps the
/// object an object. Which selections are skipped depends on the variables; the field is
/// added whatever they are, and taken out of every answer.
pub fn keep_empty_objects(document: &ExecutableDocument) -> Option<ExecutableDocument> {
    let sets = || -> Box<dyn Iterator<Item = &SelectionSet> + '_> {
        let operations: Box<dyn Iterator<Item = &Positioned<OperationDefinition>>> =
            match &document.operations {
                DocumentOperations::Single(operation) => Box::new(std::iter::once(operation)),
                DocumentOperations::Multiple(operations) => Box::new(operations.values()),
            };
        let fragments = document.fragments.values().map(|f| &f.node.selection_set.node);
        Box::new(operations.map(|o| &o.node.selection_set.node).chain(fragments))
    };
    if !sets().any(|set| needs_keeping(set, document, false)) {
        return None;
    }
    let original = document;
    let mut document = document.clone();
    match &mut document.operations {
        DocumentOperations::Single(operation) => {
            keep_in(&mut operation.node.selection_set.node, original)
        }
        DocumentOperations::Multiple(operations) => {
            operations.values_mut().for_each(|o| keep_in(&mut o.node.selection_set.node, original))
        }
    }
    for fragment in document.fragments.values_mut() {
        keep_in(&mut fragment.node.selection_set.node, original);
    }
    Some(document)
}

/// Whether a field's selection `set`, or one below it, may come out empty.
fn needs_keeping(set: &SelectionSet, document: &ExecutableDocument, is_field: bool) -> bool {
    if is_field && all_conditional(set, document, 0) {
        return true;
    }
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => needs_keeping(&field.node.selection_set.node, document, true),
        Selection::InlineFragment(inline) => {
            needs_keeping(&inline.node.selection_set.node, document, false)
        }
        Selection::FragmentSpread(_) => false,
    })
}

/// Adds the kept field to every field's selection below `set` that may come out empty;
/// fragments are looked up in the `original` document.
fn keep_in(set: &mut SelectionSet, original: &ExecutableDocument) {
    for item in &mut set.items {
        match &mut item.node {
            Selection::Field(field) => {
                let pos = field.pos;
                let sub = &mut field.node.selection_set.node;
                keep_in(sub, original);
                if all_conditional(sub, original, 0) {
                    let name = |name: &str| Positioned::new(Name::new(name), pos);
                    let kept = Field {
                        alias: Some(name(KEPT)),
                        name: name("__typename"),
                        arguments: Vec::new(),
                        directives: Vec::new(),
                        selection_set: Positioned::new(SelectionSet::default(), pos),
                    };
                    sub.items
                        .push(Positioned::new(Selection::Field(Positioned::new(kept, pos)), pos));
                }
            }
            Selection::InlineFragment(inline) => {
                keep_in(&mut inline.node.selection_set.node, original)
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}

/// Whether every selection of a non-empty `set` is conditional, through fragments.
fn all_conditional(set: &SelectionSet, document: &ExecutableDocument, depth: usize) -> bool {
    // Fragments nested this deep are refused by validation anyway.
    if depth > 16 || set.items.is_empty() {
        return false;
    }
    set.items.iter().all(|item| {
        let conditional = |directives: &[Positioned<async_graphql::parser::types::Directive>]| {
            directives.iter().any(|d| matches!(d.node.name.node.as_str(), "skip" | "include"))
        };
        match &item.node {
            Selection::Field(field) => conditional(&field.node.directives),
            Selection::InlineFragment(inline) => {
                conditional(&inline.node.directives)
                    || all_conditional(&inline.node.selection_set.node, document, depth + 1)
            }
            Selection::FragmentSpread(spread) => {
                conditional(&spread.node.directives)
                    || document.fragments.get(&spread.node.fragment_name.node).is_some_and(|f| {
                        all_conditional(&f.node.selection_set.node, document, depth + 1)
                    })
            }
        }
    })
}

/// The order of the keys of one object of the answer, and of the objects below each key.
#[derive(Debug, Default)]
pub struct KeyOrder {
    keys: Vec<Name>,
    children: HashMap<Name, KeyOrder>,
    /// Whether the selection has the field [`keep_empty_objects`] added.
    kept: bool,
}

impl KeyOrder {
    /// The key order of `operation`'s answer.
    pub fn of(document: &ExecutableDocument, operation: &OperationDefinition) -> KeyOrder {
        let mut order = KeyOrder::default();
        order.add(&operation.selection_set.node, document, &mut Vec::new());
        order
    }

    fn add<'d>(
        &mut self,
        set: &'d SelectionSet,
        document: &'d ExecutableDocument,
        fragments: &mut Vec<&'d Name>,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.response_key().node.clone();
                    self.kept |= key == KEPT;
                    if !self.children.contains_key(&key) {
                        self.keys.push(key.clone());
                    }
                    let child = self.children.entry(key).or_default();
                    child.add(&field.selection_set.node, document, fragments);
                }
                Selection::InlineFragment(inline) => {
                    self.add(&inline.node.selection_set.node, document, fragments)
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    // A fragment spread inside itself is invalid; validation says so.
                    if fragments.contains(&name) {
                        continue;
                    }
                    if let Some(fragment) = document.fragments.get(name) {
                        fragments.push(name);
                        self.add(&fragment.node.selection_set.node, document, fragments);
                        fragments.pop();
                    }
                }
            }
        }
    }

    /// Puts the keys of `value` (an object, or a list of them at any depth) in this order.
    pub fn apply(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                if self.kept {
                    map.shift_remove(KEPT);
                }
                if map.len() > 1 {
                    let rank = |key: &Name| self.keys.iter().position(|k| k == key);
                    map.sort_by(|a, _, b, _| rank(a).cmp(&rank(b)));
                }
                for (key, item) in map.iter_mut() {
                    if let Some(child) = self.children.get(key) {
                        child.apply(item);
                    }
                }
            }
            Value::List(items) => items.iter_mut().for_each(|item| self.apply(item)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_selection_with_fragments_in_place() {
        let document = async_graphql::parser::parse_query(
            "{ b a: x ...F c { z y } } fragment F on Query { d c { w } }",
        )
        .unwrap();
        let (_, operation) = document.operations.iter().next().unwrap();
        let order = KeyOrder::of(&document, &operation.node);
        let mut value = Value::from_json(serde_json::json!({
            "c": [{ "w": 1, "y": 2, "z": 3 }], "d": 4, "a": 5, "b": 6
        }))
        .unwrap();
        order.apply(&mut value);
        let keys = |value: &Value| match value {
            Value::Object(map) => map.keys().map(|k| k.to_string()).collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        assert_eq!(keys(&value), ["b", "a", "d", "c"]);
        let Value::Object(root) = &value else { unreachable!() };
        let Value::List(items) = &root["c"] else { unreachable!() };
        // `c` first appears in F, with `w`; the later `c { z y }` adds to it.
        assert_eq!(keys(&items[0]), ["w", "z", "y"]);
    }
}
