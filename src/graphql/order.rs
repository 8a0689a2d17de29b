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

use async_graphql::parser::types::{
    ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Value};
use std::collections::HashMap;

/// The order of the keys of one object of the answer, and of the objects below each key.
#[derive(Debug, Default)]
pub struct KeyOrder {
    keys: Vec<Name>,
    children: HashMap<Name, KeyOrder>,
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
