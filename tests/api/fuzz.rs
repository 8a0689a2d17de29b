//! A schema-driven fuzzer, as a hostile client would write requests: random documents built
//! from the served schema (every argument with edge-case values, nested selections, fragments
//! on the `Node` interface, mutations with an editor's key), and malformed ones cut or spliced
//! from them. For every answer: no 5xx but a coded 503, every error with a code, no driver or
//! file text in any message, no write from a request that ends in a request error, and the
//! server still up. On PostgreSQL every read is sent twice to a server with compiled reads (the
//! first admits the document to the compiler, the second is compiled when it can be) and once to
//! its twin without, on one database, and the answers must be the same.
//!
//! A fixed seed and `FUZZ_DOCUMENTS` documents (600 by default in CI); `FUZZ_SEED` and a larger
//! `FUZZ_DOCUMENTS` run longer on demand.

use crate::compiled::{comparable, compiled_answers, differences};
use crate::helpers::{spawn_app_with, Backend, Client, TestApp};
use crate::on_both_backends;
use annals::domain::Role;
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::collections::BTreeMap;

on_both_backends!(random_documents_get_coded_answers_and_both_engines_agree);

/// Text that must never reach a client: driver, database and source-file words.
const LEAKS: &[&str] = &[
    "sqlx",
    "sqlstate",
    "sea_orm",
    "dberr",
    "constraint",
    "relation \"",
    "syntax error at",
    ".rs:",
    "/src/",
    "panicked",
    "unique",
    "foreign key",
];

/// A field of an object or interface type: its arguments and its type.
#[derive(Clone, Debug)]
pub(crate) struct FieldDef {
    pub(crate) name: String,
    args: Vec<(String, Type)>,
    pub(crate) ty: Type,
}

/// A type of the served schema, as the fuzzer writes values and selections for it.
#[derive(Clone, Debug)]
pub(crate) enum TypeDef {
    /// An object type's fields.
    Object(Vec<FieldDef>),
    /// An interface's fields, and the object types implementing it.
    Interface(Vec<FieldDef>, Vec<String>),
    Input(Vec<(String, Type)>),
    Enum(Vec<String>),
    Scalar,
}

/// The served schema's types by name, read from its SDL.
pub(crate) struct Schema(pub(crate) BTreeMap<String, TypeDef>);

impl Schema {
    pub(crate) fn served() -> Schema {
        let document = async_graphql::parser::parse_schema(annals::graphql::sdl()).expect("SDL");
        let mut types = BTreeMap::new();
        let mut implementors: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for definition in document.definitions {
            let TypeSystemDefinition::Type(ty) = definition else { continue };
            let name = ty.node.name.node.to_string();
            let fields = |fields: &[async_graphql::Positioned<
                async_graphql::parser::types::FieldDefinition,
            >]| {
                fields
                    .iter()
                    .map(|f| FieldDef {
                        name: f.node.name.node.to_string(),
                        args: f
                            .node
                            .arguments
                            .iter()
                            .map(|a| (a.node.name.node.to_string(), a.node.ty.node.clone()))
                            .collect(),
                        ty: f.node.ty.node.clone(),
                    })
                    .collect::<Vec<_>>()
            };
            let def = match &ty.node.kind {
                TypeKind::Object(object) => {
                    for interface in &object.implements {
                        implementors
                            .entry(interface.node.to_string())
                            .or_default()
                            .push(name.clone());
                    }
                    TypeDef::Object(fields(&object.fields))
                }
                TypeKind::Interface(interface) => {
                    TypeDef::Interface(fields(&interface.fields), Vec::new())
                }
                TypeKind::InputObject(input) => TypeDef::Input(
                    input
                        .fields
                        .iter()
                        .map(|f| (f.node.name.node.to_string(), f.node.ty.node.clone()))
                        .collect(),
                ),
                TypeKind::Enum(e) => {
                    TypeDef::Enum(e.values.iter().map(|v| v.node.value.node.to_string()).collect())
                }
                _ => TypeDef::Scalar,
            };
            types.insert(name, def);
        }
        for (interface, objects) in implementors {
            if let Some(TypeDef::Interface(_, list)) = types.get_mut(&interface) {
                *list = objects;
            }
        }
        Schema(types)
    }
}

/// The named type under any list wrappers.
pub(crate) fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// Writes random documents.
struct Fuzzer<'a> {
    rng: ChaCha8Rng,
    schema: &'a Schema,
    /// Real global IDs, so that lookups find something.
    ids: Vec<String>,
}

impl Fuzzer<'_> {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn pick<'v, T>(&mut self, items: &'v [T]) -> &'v T {
        &items[self.rng.random_range(0..items.len())]
    }

    /// A value for an argument of type `ty`, usually well-typed, at the edges of its range.
    fn value(&mut self, ty: &Type, depth: usize) -> String {
        if ty.nullable && self.chance(0.1) {
            return "null".to_owned();
        }
        if self.chance(0.03) {
            // The wrong type altogether.
            return self.pick(&["1", "\"x\"", "[]", "{}", "true", "RIOTS"]).to_string();
        }
        match &ty.base {
            BaseType::List(inner) => {
                let n = self.rng.random_range(0..3);
                let items: Vec<String> = (0..n).map(|_| self.value(inner, depth + 1)).collect();
                format!("[{}]", items.join(", "))
            }
            BaseType::Named(name) => self.named_value(name.as_str(), depth),
        }
    }

    fn named_value(&mut self, name: &str, depth: usize) -> String {
        match name {
            "Int" => self
                .pick(&[
                    "0",
                    "1",
                    "-1",
                    "3",
                    "20",
                    "100",
                    "101",
                    "2147483647",
                    "-2147483648",
                    "99999999999",
                ])
                .to_string(),
            "Float" => self.pick(&["0", "-91.5", "43.2", "180", "1e308", "-0.0"]).to_string(),
            "Boolean" => self.pick(&["true", "false"]).to_string(),
            "String" => self
                .pick(&[
                    "\"\"",
                    "\"almaty\"",
                    "\"Тоқаев\"",
                    "\"%_\\\\\"",
                    "\"'; DROP TABLE events; --\"",
                    "\"KZ\"",
                    "\"x\"",
                    "\"🕊\"",
                ])
                .to_string(),
            "ID" => {
                if self.chance(0.7) && !self.ids.is_empty() {
                    let ids = self.ids.clone();
                    format!("\"{}\"", self.pick(&ids))
                } else {
                    self.pick(&[
                        "\"\"",
                        "\"RXZlbnQ6MQ\"",
                        "\"RXZlbnQ6LTE\"",
                        "\"garbage!\"",
                        "\"QWN0b3I6OTk5OTk5\"",
                    ])
                    .to_string()
                }
            }
            "Date" => self
                .pick(&[
                    "\"2022-01-05\"",
                    "\"2021-12-31\"",
                    "\"0001-01-01\"",
                    "\"9999-12-31\"",
                    "\"0000-01-01\"",
                    "\"+10000-01-01\"",
                    "\"2022-02-30\"",
                ])
                .to_string(),
            "DateTime" => self.pick(&["\"2022-01-05T10:00:00Z\"", "\"yesterday\""]).to_string(),
            "JSON" => self.pick(&["{}", "[1]", "\"x\""]).to_string(),
            other => match self.schema.0.get(other).cloned() {
                Some(TypeDef::Enum(values)) => {
                    if self.chance(0.05) {
                        "NOT_A_VALUE".to_owned()
                    } else {
                        self.pick(&values).clone()
                    }
                }
                Some(TypeDef::Input(fields)) if depth < 4 => {
                    let mut parts = Vec::new();
                    for (field, ty) in &fields {
                        if !ty.nullable || self.chance(0.4) {
                            parts.push(format!("{field}: {}", self.value(ty, depth + 1)));
                        }
                    }
                    if self.chance(0.03) {
                        parts.push("unknownField: 1".to_owned());
                    }
                    format!("{{{}}}", parts.join(", "))
                }
                _ => "null".to_owned(),
            },
        }
    }

    fn arguments(&mut self, field: &FieldDef) -> String {
        let mut parts = Vec::new();
        for (name, ty) in field.args.clone() {
            if !ty.nullable || self.chance(0.5) {
                parts.push(format!("{name}: {}", self.value(&ty, 0)));
            }
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("({})", parts.join(", "))
        }
    }

    /// A selection set on type `name`, `depth` levels from the root.
    fn selection(&mut self, name: &str, depth: usize) -> String {
        let (fields, implementors) = match self.schema.0.get(name).cloned() {
            Some(TypeDef::Object(fields)) => (fields, Vec::new()),
            Some(TypeDef::Interface(fields, implementors)) => (fields, implementors),
            _ => return String::new(),
        };
        let mut parts = Vec::new();
        let wanted = self.rng.random_range(1..=4usize);
        for _ in 0..wanted {
            let field = self.pick(&fields).clone();
            let inner = named(&field.ty).to_owned();
            let composite = matches!(
                self.schema.0.get(&inner),
                Some(TypeDef::Object(_) | TypeDef::Interface(..))
            );
            if composite && depth >= 4 {
                continue;
            }
            let alias =
                if self.chance(0.1) { format!("a{}: ", parts.len()) } else { String::new() };
            let args = self.arguments(&field);
            let sub = if composite {
                format!(" {{ {} }}", self.selection(&inner, depth + 1))
            } else {
                String::new()
            };
            parts.push(format!("{alias}{}{args}{sub}", field.name));
        }
        for implementor in implementors {
            if self.chance(0.4) {
                parts.push(format!(
                    "... on {implementor} {{ {} }}",
                    self.selection(&implementor, depth + 1)
                ));
            }
        }
        if parts.is_empty() || self.chance(0.2) {
            parts.push("__typename".to_owned());
        }
        parts.join(" ")
    }

    fn document(&mut self) -> (String, bool) {
        let mutation = self.chance(0.08);
        let root = if mutation { "Mutation" } else { "Query" };
        let selection = self.selection(root, 0);
        let document = format!("{} {{ {selection} }}", root.to_lowercase());
        if self.chance(0.1) {
            // Malformed: cut, or spliced with stray punctuation.
            let cut = self.rng.random_range(0..document.len().max(1));
            let cut = (0..=cut).rev().find(|i| document.is_char_boundary(*i)).unwrap_or(0);
            let stray =
                self.pick(&["", "{", "}", "(", "]", "$", "\"", "...", "@", "#"]).to_string();
            let rest = if self.chance(0.5) { &document[cut..] } else { "" };
            return (format!("{}{stray}{rest}", &document[..cut]), mutation);
        }
        (document, mutation)
    }
}

async fn post(app: &TestApp, key: Option<&str>, query: &str) -> (u16, Value) {
    let mut request =
        app.client.post(format!("{}/graphql", app.address)).json(&json!({ "query": query }));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.expect("the request is sent");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("not JSON ({status}) for {query}: {text}"));
    (status, body)
}

/// The problems with one answer, if any.
fn problems(query: &str, status: u16, body: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    let codes: Vec<&str> = errors.iter().filter_map(|e| e["extensions"]["code"].as_str()).collect();
    if status >= 500
        && !(status == 503 && codes.iter().all(|c| matches!(*c, "TIMEOUT" | "SERVICE_UNAVAILABLE")))
    {
        found.push(format!("HTTP {status}"));
    }
    if codes.len() != errors.len() {
        found.push("an error without a code".to_owned());
    }
    if codes.contains(&"INTERNAL") {
        found.push("INTERNAL".to_owned());
    }
    for error in &errors {
        let message = error["message"].as_str().unwrap_or_default().to_lowercase();
        if let Some(leak) = LEAKS.iter().find(|leak| message.contains(*leak)) {
            found.push(format!("{leak:?} in {message:?}"));
        }
    }
    found.into_iter().map(|problem| format!("{problem}: {query}\n  -> {body}")).collect()
}

async fn random_documents_get_coded_answers_and_both_engines_agree(backend: Backend) {
    let documents: usize =
        std::env::var("FUZZ_DOCUMENTS").ok().and_then(|n| n.parse().ok()).unwrap_or(600);
    let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or(2026);
    let app = spawn_app_with(backend.clone(), |s| {
        s.rate_limit = 0;
        s.compiled_reads = true;
    })
    .await;
    let resolvers = app.twin(|s| s.compiled_reads = false).await;
    let editor = app.key("fuzz", Role::Editor).await;
    let ids = {
        let data = app
            .data("{ events(first: 5) { nodes { id } } actors(first: 5) { nodes { id } } statements(first: 3) { nodes { id } } casualtyReports(first: 3) { nodes { id } } sources { nodes { id } } }", json!({}))
            .await;
        let mut ids = Vec::new();
        for list in ["events", "actors", "statements", "casualtyReports", "sources"] {
            for node in data[list]["nodes"].as_array().unwrap() {
                ids.push(node["id"].as_str().unwrap().to_owned());
            }
        }
        ids
    };
    let schema = Schema::served();
    let mut fuzzer = Fuzzer { rng: ChaCha8Rng::seed_from_u64(seed), schema: &schema, ids };
    let mut failures = Vec::new();
    let (mut compared, mut request_errors) = (0, 0);

    for _ in 0..documents {
        let (query, mutation) = fuzzer.document();
        let writes_before = if mutation { app.count_rows("revisions").await } else { 0 };
        let key = if mutation { Some(editor.as_str()) } else { None };
        let (status, body) = post(&app, key, &query).await;
        failures.extend(problems(&query, status, &body));
        if body.get("data").is_none() {
            request_errors += 1;
            if mutation && app.count_rows("revisions").await != writes_before {
                failures.push(format!("a request error wrote: {query}\n  -> {body}"));
            }
        }
        if !mutation && matches!(backend, Backend::Postgres(_)) {
            // The first answer admitted the document to the compiler (after one validated run
            // through the resolvers): the second is compiled when the compiler knows it.
            let (status, body) = post(&app, None, &query).await;
            failures.extend(problems(&query, status, &body));
            let (other_status, other) = post(&resolvers, None, &query).await;
            compared += 1;
            let mut diff = Vec::new();
            differences(&comparable(&body), &comparable(&other), "", &mut diff);
            if other_status != status || !diff.is_empty() {
                failures.push(format!(
                    "engines differ ({status} / {other_status}): {query}\n  {}",
                    diff.join("\n  ")
                ));
            }
        }
    }

    let health = app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();
    assert_eq!(health.status(), 200, "the server is down after the fuzzing");
    let compiled = compiled_answers(&app).await;
    eprintln!("{documents} documents (seed {seed}), {request_errors} request errors, {compared} compared across engines, {compiled} compiled");
    if matches!(backend, Backend::Postgres(_)) {
        assert!(compiled > 0, "no document was answered by a compiled statement");
    }
    failures.truncate(20);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
