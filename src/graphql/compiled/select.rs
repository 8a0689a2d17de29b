//! Reading a document the way execution reads it: variables with their defaults, the fields a
//! selection set selects on one type (fragments included), and arguments parsed by the types
//! the resolvers declare.

use crate::service::page::PageArgs;
use async_graphql::parser::types::{
    BaseType, ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{InputType, Name, Positioned, Value, Variables};
use std::collections::HashMap;

/// Variable values with defaults applied; a variable not given and without default is null.
pub(super) type Values = HashMap<Name, Value>;

/// The operation's variables, or `None` when a required one is missing (an error the
/// resolvers report).
pub(super) fn variables(operation: &OperationDefinition, given: &Variables) -> Option<Values> {
    let mut values = Values::new();
    for definition in &operation.variable_definitions {
        let definition = &definition.node;
        let value = match (given.get(&definition.name.node), &definition.default_value) {
            (Some(value), _) => value.clone(),
            (None, Some(default)) => default.node.clone(),
            (None, None) if definition.var_type.node.nullable => Value::Null,
            (None, None) => return None,
        };
        if !definition.var_type.node.nullable && value == Value::Null {
            return None;
        }
        values.insert(definition.name.node.clone(), value);
    }
    Some(values)
}

/// The values of the variables declared `Int`: the page sizes, on which validation (its
/// complexity limit) depends.
pub(crate) fn int_variables(operation: &OperationDefinition, given: &Variables) -> Vec<Value> {
    operation
        .variable_definitions
        .iter()
        .filter(|d| matches!(&d.node.var_type.node.base, BaseType::Named(n) if n.as_str() == "Int"))
        .map(|d| given.get(&d.node.name.node).cloned().unwrap_or(Value::Null))
        .collect()
}

/// A document and the values of its variables.
#[derive(Clone, Copy)]
pub(super) struct Query<'a> {
    pub document: &'a ExecutableDocument,
    pub variables: &'a Values,
}

/// The fields selected under one response key, in the order they first appear: several when
/// a key is selected more than once, whose selections merge.
pub(super) struct Group<'a> {
    pub key: &'a str,
    pub fields: Vec<&'a Field>,
}

impl<'a> Group<'a> {
    /// The field's name (the same in every field of the group, or validation refused it).
    pub fn name(&self) -> &'a str {
        self.fields[0].name.node.as_str()
    }

    /// The first field: its arguments are the group's (validation made them agree).
    pub fn field(&self) -> &'a Field {
        self.fields[0]
    }

    /// The selection sets of every field in the group, to be merged.
    pub fn selections(&self) -> impl Iterator<Item = &'a SelectionSet> + '_ {
        self.fields.iter().map(|field| &field.selection_set.node)
    }
}

impl<'a> Query<'a> {
    /// The fields `sets` select on an object of type `type_name` (which implements
    /// `interfaces`), grouped by response key. `None` for anything the compiler leaves to the
    /// resolvers: a directive, an unknown fragment.
    pub fn fields(
        &self,
        sets: impl IntoIterator<Item = &'a SelectionSet>,
        type_name: &str,
        interfaces: &[&str],
    ) -> Option<Vec<Group<'a>>> {
        let mut groups: Vec<Group<'a>> = Vec::new();
        for set in sets {
            self.collect(set, type_name, interfaces, &mut groups, 0)?;
        }
        Some(groups)
    }

    fn collect(
        &self,
        set: &'a SelectionSet,
        type_name: &str,
        interfaces: &[&str],
        groups: &mut Vec<Group<'a>>,
        depth: usize,
    ) -> Option<()> {
        // Fragment cycles are refused by validation; the bound only keeps this total.
        if depth > 32 {
            return None;
        }
        let applies = |on: &str| on == type_name || interfaces.contains(&on);
        for item in &set.items {
            // A fragment: whether it is free of directives, its type condition, its fields.
            let fragment = match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    if !field.directives.is_empty() {
                        return None;
                    }
                    let key = field.alias.as_ref().unwrap_or(&field.name).node.as_str();
                    match groups.iter_mut().find(|g| g.key == key) {
                        Some(group) => group.fields.push(field),
                        None => groups.push(Group { key, fields: vec![field] }),
                    }
                    None
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = fragment.type_condition.as_ref().map(|c| c.node.on.node.as_str());
                    Some((fragment.directives.is_empty(), on, &fragment.selection_set))
                }
                Selection::FragmentSpread(spread) => {
                    let spread = &spread.node;
                    let fragment = &self.document.fragments.get(&spread.fragment_name.node)?.node;
                    let plain = spread.directives.is_empty() && fragment.directives.is_empty();
                    let on = Some(fragment.type_condition.node.on.node.as_str());
                    Some((plain, on, &fragment.selection_set))
                }
            };
            // A fragment's fields join the selection in place, when its type applies.
            if let Some((plain, on, set)) = fragment {
                if !plain {
                    return None;
                }
                if on.is_none_or(applies) {
                    self.collect(&set.node, type_name, interfaces, groups, depth + 1)?;
                }
            }
        }
        Some(())
    }

    /// The arguments of `field`.
    pub fn arguments(&self, field: &'a Field) -> Arguments<'a> {
        Arguments { arguments: &field.arguments, variables: self.variables }
    }
}

/// A field's arguments with the request's variables.
pub(crate) struct Arguments<'a> {
    arguments: &'a [(Positioned<Name>, Positioned<async_graphql_value::Value>)],
    variables: &'a Values,
}

impl Arguments<'_> {
    /// Argument `name` read as the resolver's type `T` reads it (absent is `T::parse(None)`),
    /// or `None` when `T` refuses it or would read it differently from what was sent (an
    /// unknown input field, say, which validation reports): the resolvers then answer.
    pub(crate) fn get<T: InputType>(&self, name: &str) -> Option<T> {
        let value = match self.arguments.iter().find(|(n, _)| n.node.as_str() == name) {
            None => return T::parse(None).ok(),
            Some((_, value)) => value
                .node
                .clone()
                .into_const_with(|var| {
                    Ok::<_, ()>(self.variables.get(&var).cloned().unwrap_or(Value::Null))
                })
                .ok()?,
        };
        let parsed = T::parse(Some(value.clone())).ok()?;
        read_alike(&value, &parsed.to_value()).then_some(parsed)
    }

    /// The page arguments every list takes.
    pub(crate) fn page(&self) -> Option<PageArgs> {
        Some(PageArgs {
            first: self.get("first")?,
            after: self.get("after")?,
            last: self.get("last")?,
            before: self.get("before")?,
        })
    }
}

/// Whether `sent` says nothing that `read` (the parsed value written back) does not: every
/// field sent is known and read as sent. Enumeration values sent as strings (JSON variables)
/// match by name, numbers by value, and a single value stands for a list of one, as GraphQL's
/// input coercion has it.
fn read_alike(sent: &Value, read: &Value) -> bool {
    match (sent, read) {
        (Value::Object(sent), Value::Object(read)) => sent
            .iter()
            .all(|(name, value)| read.get(name).is_some_and(|known| read_alike(value, known))),
        (Value::List(sent), Value::List(read)) => {
            sent.len() == read.len() && sent.iter().zip(read).all(|(s, r)| read_alike(s, r))
        }
        (sent, Value::List(read)) if read.len() == 1 => read_alike(sent, &read[0]),
        (Value::String(s), Value::Enum(e)) | (Value::Enum(e), Value::String(s)) => {
            s.as_str() == e.as_str()
        }
        (Value::Number(s), Value::Number(r)) => s.as_f64() == r.as_f64(),
        (sent, read) => sent == read,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::value;

    #[test]
    fn values_read_alike_only_when_nothing_is_lost() {
        assert!(read_alike(
            &value!({"types": ["PROTESTS"]}),
            &value!({"types": ["PROTESTS"], "from": null})
        ));
        assert!(!read_alike(&value!({"typo": 1}), &value!({"types": null})));
        assert!(read_alike(&value!("KZ"), &value!(["KZ"])));
        assert!(!read_alike(&value!([1, 2]), &value!([1])));
        assert!(read_alike(&value!(20), &value!(20)));
    }
}
