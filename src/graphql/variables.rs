//! Coercing a request's variables against its operation's definitions before anything runs,
//! as the GraphQL spec orders (6.1.2 CoerceVariableValues).
//!
//! async-graphql checks a variable only when a field reads it: a mutation whose second field
//! names a missing variable ran its first field, wrote, then failed. Here every variable of the
//! operation is checked against its type up front (missing, null for a non-null type, a list
//! where an input object belongs, an unknown enum value or input field), and any problem is a
//! request error: nothing is executed.

use async_graphql::parser::types::{
    BaseType, OperationDefinition, Type, TypeDefinition, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, Value, Variables};
use std::collections::{HashMap, HashSet};

/// The input types of a schema: what a variable's value may be.
#[derive(Debug, Default)]
pub struct InputTypes {
    enums: HashMap<String, HashSet<String>>,
    /// Each input object's fields: type, and whether a default lets it be left out.
    objects: HashMap<String, Vec<(String, Type, bool)>>,
}

/// Deepest input type nesting followed; [`crate::graphql::DocumentLimits`] bounds values
/// far below this, so it only guards against a schema that refers to itself.
const MAX_DEPTH: usize = 128;

impl InputTypes {
    /// The input types of `schema`, read from its SDL on a thread of their own: generating
    /// and parsing the SDL allocates a few MiB once, which the thread's allocator heap gives
    /// back when it ends instead of keeping them resident for the life of the process.
    pub fn of(schema: &super::AnnalsSchema) -> Self {
        let schema = schema.clone();
        std::thread::spawn(move || InputTypes::from_sdl(&schema.sdl())).join().unwrap_or_else(
            |_| {
                tracing::error!("reading the schema's input types failed; variables go unchecked");
                InputTypes::default()
            },
        )
    }

    /// Reads the input types from the schema's SDL.
    pub fn from_sdl(sdl: &str) -> Self {
        let mut types = InputTypes::default();
        let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
            tracing::error!("the schema's own SDL does not parse; variables go unchecked");
            return types;
        };
        for definition in document.definitions {
            let TypeSystemDefinition::Type(ty) = definition else { continue };
            let TypeDefinition { name, kind, .. } = ty.node;
            match kind {
                TypeKind::Enum(e) => {
                    let values = e.values.iter().map(|v| v.node.value.node.to_string()).collect();
                    types.enums.insert(name.node.to_string(), values);
                }
                TypeKind::InputObject(object) => {
                    let fields = object
                        .fields
                        .iter()
                        .map(|f| {
                            let f = &f.node;
                            (f.name.node.to_string(), f.ty.node.clone(), f.default_value.is_some())
                        })
                        .collect();
                    types.objects.insert(name.node.to_string(), fields);
                }
                _ => {}
            }
        }
        types
    }

    /// Checks `given` against the variables `operation` defines; the first problem found, as
    /// a sentence naming the variable and where in its value the problem is.
    pub fn coerce(&self, operation: &OperationDefinition, given: &Variables) -> Result<(), String> {
        for definition in &operation.variable_definitions {
            let definition = &definition.node;
            let name = &definition.name.node;
            let ty = &definition.var_type.node;
            match given.get(name) {
                None if definition.default_value.is_some() || ty.nullable => {}
                None => return Err(format!("variable ${name} of type {ty} was not provided")),
                Some(value) => self.value(value, ty, &format!("${name}"), 0)?,
            }
        }
        Ok(())
    }

    fn value(&self, value: &Value, ty: &Type, at: &str, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("{at} is nested too deep"));
        }
        if matches!(value, Value::Null) {
            return if ty.nullable {
                Ok(())
            } else {
                Err(format!("{at} is null, but {ty} is not"))
            };
        }
        match &ty.base {
            BaseType::List(item) => match value {
                Value::List(items) => items
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, v)| self.value(v, item, &format!("{at}[{i}]"), depth + 1)),
                // A single value is a list of one (input coercion of lists).
                single => self.value(single, item, at, depth + 1),
            },
            BaseType::Named(name) => self.named(value, name, at, depth),
        }
    }

    fn named(&self, value: &Value, name: &Name, at: &str, depth: usize) -> Result<(), String> {
        let wrong = || {
            let mut shown = value.to_string();
            if let Some((cut, _)) = shown.char_indices().nth(80) {
                shown.truncate(cut);
                shown.push('…');
            }
            format!("{at} is not a valid {name}: {shown}")
        };
        let fits = match name.as_str() {
            "Int" => {
                matches!(value, Value::Number(n) if n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()))
            }
            "Float" => matches!(value, Value::Number(_)),
            "String" => matches!(value, Value::String(_)),
            "Boolean" => matches!(value, Value::Boolean(_)),
            "ID" => {
                matches!(value, Value::String(_))
                    || matches!(value, Value::Number(n) if n.is_i64() || n.is_u64())
            }
            "Date" => {
                matches!(value, Value::String(text) if crate::domain::dates::parse(text).is_some())
            }
            other => {
                if let Some(values) = self.enums.get(other) {
                    match value {
                        Value::String(v) => values.contains(v.as_str()),
                        Value::Enum(v) => values.contains(v.as_str()),
                        _ => false,
                    }
                } else if let Some(fields) = self.objects.get(other) {
                    let Value::Object(given) = value else { return Err(wrong()) };
                    for key in given.keys() {
                        if !fields.iter().any(|(field, ..)| field == key.as_str()) {
                            return Err(format!("{at} has no field {key:?} in {name}"));
                        }
                    }
                    for (field, ty, has_default) in fields {
                        let at = format!("{at}.{field}");
                        match given.get(field.as_str()) {
                            Some(value) => self.value(value, ty, &at, depth + 1)?,
                            None if *has_default || ty.nullable => {}
                            None => return Err(format!("{at} of type {ty} is missing")),
                        }
                    }
                    true
                } else {
                    // Other scalars (DateTime, JSON) are checked where they are read.
                    true
                }
            }
        };
        if fits {
            Ok(())
        } else {
            Err(wrong())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(document: &str, variables: serde_json::Value) -> Result<(), String> {
        let types = InputTypes::from_sdl(&crate::graphql::sdl());
        let document = async_graphql::parser::parse_query(document).unwrap();
        let (_, operation) = document.operations.iter().next().unwrap();
        types.coerce(&operation.node, &Variables::from_json(variables))
    }

    #[test]
    fn variables_are_coerced_against_their_definitions() {
        let q = "query($id: ID!, $f: EventFilter, $n: Int) { __typename }";
        assert!(check(q, json!({ "id": "x" })).is_ok());
        assert!(check(q, json!({})).unwrap_err().contains("$id"));
        assert!(check(q, json!({ "id": null })).unwrap_err().contains("$id is null"));
        assert!(check(q, json!({ "id": "x", "f": [] })).unwrap_err().contains("EventFilter"));
        assert!(check(q, json!({ "id": "x", "f": { "nope": 1 } })).unwrap_err().contains("nope"));
        assert!(check(q, json!({ "id": "x", "f": { "types": "RIOTS" } })).is_ok());
        assert!(check(q, json!({ "id": "x", "f": { "types": ["RIOT"] } })).is_err());
        assert!(check(q, json!({ "id": "x", "n": 3_000_000_000_u64 })).is_err());
        assert!(check(q, json!({ "id": "x", "f": { "from": "+10000-01-01" } })).is_err());
    }
}
