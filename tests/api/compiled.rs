//! Compiled reads: on PostgreSQL, a read query whose every field the SQL compiler knows is
//! answered by one SQL statement that builds the whole response, instead of the resolvers and
//! their DataLoaders. These tests run every query on two servers over the same database, one
//! with `compiled_reads` on and one with it off, and require the same answers: data, errors
//! (message, locations, path, extensions; in any order) and HTTP status. Numbers compare as
//! `f64`, since PostgreSQL's JSON writes the float `43.0` as `43`; object keys compare in any
//! order.
//!
//! On SQLite both servers run the resolvers, so the comparisons hold trivially there; the
//! statement-count test, which proves the fast path is taken, runs on PostgreSQL only.

use crate::helpers::{spawn_app_with, Backend, Client, TestApp};
use crate::on_both_backends;
use annals::domain::NodeType;
use annals::domain::Role;
use annals::graphql::id::encode;
use annals::service::catalogue::{self, Source};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

on_both_backends!(
    compiled_reads_answer_what_the_resolvers_answer,
    archived_and_merged_records_read_the_same_both_ways,
    a_compiled_read_costs_one_sql_statement,
);

// ---------------------------------------------------------------------------------------------
// Selections, spliced into queries by `q` in place of `%NAME%`.

/// Every field of `Affiliation`.
const AFFILIATION: &str = "key role from to datePrecision note actor { id name }
    organization { id name kind } citations { excerpt source { id publisher title } }";
/// Every field of `PageInfo`.
const PAGE: &str = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }";

/// Every field of the object type `name` that the catalogue reads from the row itself
/// (IDs, columns, embedded objects), so that a field added to the catalogue is compared
/// both ways without touching this test.
fn scalars(name: &str) -> String {
    let object = catalogue::object(name).expect("a catalogued type");
    let mut out = Vec::new();
    for field in object.fields {
        match field.source {
            Source::GlobalId | Source::Column(_) => out.push(field.name.to_owned()),
            Source::Values(..) => out.push(field.name.to_owned()),
            Source::Embedded { object, .. } => {
                out.push(format!("{} {{ {} }}", field.name, scalars(object)))
            }
            _ => {}
        }
    }
    out.join(" ")
}

fn q(template: &str) -> String {
    template
        .replace("%EVENT%", &scalars("Event"))
        .replace("%ACTOR%", &scalars("Actor"))
        .replace("%STATEMENT%", &scalars("Statement"))
        .replace("%REPORT%", &scalars("CasualtyReport"))
        .replace("%SOURCE%", &scalars("Source"))
        .replace("%FIGURE%", &scalars("ReconciledFigure"))
        .replace("%AFFILIATION%", AFFILIATION)
        .replace("%PAGE%", PAGE)
}

/// `node(id:)` with every scalar of every node type.
const EVERY_TYPE: &str = "query($id: ID!) { node(id: $id) { __typename id
    ... on Event { %EVENT% } ... on Actor { %ACTOR% } ... on Statement { %STATEMENT% }
    ... on CasualtyReport { %REPORT% } ... on Source { %SOURCE% } } }";

/// Every relation of an event.
const EVENT_RELATIONS: &str = "query($id: ID!) { node(id: $id) { ... on Event { %EVENT%
    parent { id title }
    participants { role actor { %ACTOR% } }
    statements(first: 3) { totalCount edges { cursor node { %STATEMENT% speaker { name } } } %PAGE% }
    casualtyReports { %REPORT% claimedBy { id name } citations { excerpt source { %SOURCE% } } }
    citations { excerpt source { title } }
    figures { %FIGURE% }
    subEvents(first: 2) { totalCount edges { cursor node { id key title startDate } } %PAGE% } } } }";

/// Every relation of an actor.
const ACTOR_RELATIONS: &str = "query($id: ID!) { node(id: $id) { ... on Actor { %ACTOR%
    aliases
    events(first: 3) { totalCount edges { cursor node { id title } } %PAGE% }
    statements(first: 2) { totalCount edges { cursor node { id text kind } } %PAGE% }
    affiliations { %AFFILIATION% } } } }";

/// Every relation of a statement.
const STATEMENT_RELATIONS: &str = "query($id: ID!) { node(id: $id) { ... on Statement {
    %STATEMENT% speaker { %ACTOR% } event { id title } mentions { id name }
    actorMentions { role actor { name } } citations { excerpt source { title publisher } } } } }";

/// Every relation of a casualty report.
const REPORT_RELATIONS: &str = "query($id: ID!) { node(id: $id) { ... on CasualtyReport {
    %REPORT% event { id title } claimedBy { %ACTOR% }
    citations { excerpt source { %SOURCE% } } } } }";

/// The events list with every argument a variable.
const EVENTS_PAGE: &str = "query($filter: EventFilter, $order: EventOrder, $first: Int,
    $after: String, $last: Int, $before: String) {
    events(filter: $filter, orderBy: $order, first: $first, after: $after, last: $last,
        before: $before) {
        totalCount %PAGE% edges { cursor node { id key title startDate endDate } } } }";

/// A nested connection of an actor, paged by variables.
const ACTOR_STATEMENTS_PAGE: &str = "query($id: ID!, $first: Int, $after: String) {
    node(id: $id) { ... on Actor { statements(first: $first, after: $after) {
        totalCount %PAGE% edges { cursor node { id key text statedOn } } } } } }";

/// A nested connection of an event, paged by variables in both directions.
const SUB_EVENTS_PAGE: &str = "query($id: ID!, $first: Int, $after: String, $last: Int,
    $before: String) { node(id: $id) { ... on Event {
    subEvents(first: $first, after: $after, last: $last, before: $before) {
        totalCount %PAGE% edges { cursor node { id key title } } } } } }";

// ---------------------------------------------------------------------------------------------
// Cases and their comparison.

/// One request to send to both servers.
struct Case {
    name: String,
    query: String,
    variables: Value,
    operation: Option<&'static str>,
    /// Sent as `GET /graphql?query=…` instead of a POST.
    get: bool,
    /// `None`: the answer must have no errors. `Some(code)`: it must have errors, the first
    /// with this `extensions.code`.
    error: Option<&'static str>,
}

/// A case that must answer without errors.
fn ok(name: impl Into<String>, query: &str, variables: Value) -> Case {
    Case { name: name.into(), query: q(query), variables, operation: None, get: false, error: None }
}

/// A case that must answer with errors, the first with `code`.
fn err(name: impl Into<String>, code: &'static str, query: &str, variables: Value) -> Case {
    Case { error: Some(code), ..ok(name, query, variables) }
}

impl Case {
    fn operation(self, name: &'static str) -> Case {
        Case { operation: Some(name), ..self }
    }

    fn get(self) -> Case {
        Case { get: true, ..self }
    }
}

/// Sends `case` to `app`: the HTTP status and the JSON body.
/// How many requests `app` has answered with a compiled statement, from its metrics.
pub(crate) async fn compiled_answers(app: &TestApp) -> u64 {
    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .expect("metrics answer")
        .text()
        .await
        .expect("a text body");
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("annals_graphql_compiled_total "))
        .and_then(|n| n.trim().parse().ok())
        .expect("the compiled-reads counter")
}

async fn send(app: &TestApp, case: &Case) -> (u16, Value) {
    let url = format!("{}/graphql", app.address);
    let request = if case.get {
        let mut params = vec![("query", case.query.clone())];
        if !case.variables.is_null() {
            params.push(("variables", case.variables.to_string()));
        }
        if let Some(operation) = case.operation {
            params.push(("operationName", operation.to_owned()));
        }
        app.client.get(url).query(&params)
    } else {
        let mut body = json!({ "query": case.query, "variables": case.variables });
        if let Some(operation) = case.operation {
            body["operationName"] = json!(operation);
        }
        app.client.post(url).json(&body)
    };
    let response = request.send().await.expect("the request is sent");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or_else(|e| panic!("{}: not JSON: {e}", case.name));
    (status, body)
}

/// `value` with every number as an `f64`.
fn normalize(value: &Value) -> Value {
    match value {
        Value::Number(number) => number
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| value.clone(), Value::Number),
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(key, item)| (key.clone(), normalize(item))).collect())
        }
        other => other.clone(),
    }
}

/// A response as the comparison sees it: numbers normalized, and errors sorted by path, then
/// message (GraphQL does not order them, and concurrent resolvers add them as they finish).
pub(crate) fn comparable(body: &Value) -> Value {
    let mut body = normalize(body);
    if let Some(Value::Array(errors)) = body.get_mut("errors") {
        errors.sort_by_key(|error| (error["path"].to_string(), error["message"].to_string()));
    }
    body
}

/// Where `compiled` and `resolvers` differ, at most `MAX` places, as readable lines.
pub(crate) fn differences(compiled: &Value, resolvers: &Value, path: &str, out: &mut Vec<String>) {
    const MAX: usize = 8;
    fn short(value: &Value) -> String {
        let text = value.to_string();
        match text.char_indices().nth(200) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text,
        }
    }
    if out.len() >= MAX {
        return;
    }
    match (compiled, resolvers) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let here = format!("{path}.{key}");
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => differences(x, y, &here, out),
                    (Some(x), None) => out.push(format!("{here}: only compiled has {}", short(x))),
                    (None, Some(y)) => {
                        out.push(format!("{here}: only resolvers have {}", short(y)))
                    }
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                differences(x, y, &format!("{path}[{index}]"), out);
            }
        }
        (a, b) if a != b => {
            out.push(format!("{path}: compiled {} / resolvers {}", short(a), short(b)));
        }
        _ => {}
    }
}

/// The two servers, and what went wrong so far: every case runs, then the test fails with the
/// whole list.
struct Differ<'a> {
    compiled: &'a TestApp,
    resolvers: &'a TestApp,
    names: BTreeSet<String>,
    failures: Vec<String>,
    /// SQL statements the last case's compared requests cost each server.
    costs: (u64, u64),
    /// Cases the compiled server answered with a compiled statement.
    compiled_cases: usize,
    /// The resolvers' answer to every case, by name, as compared.
    answers: BTreeMap<String, Value>,
}

impl<'a> Differ<'a> {
    fn new(compiled: &'a TestApp, resolvers: &'a TestApp) -> Self {
        Differ {
            compiled,
            resolvers,
            names: BTreeSet::new(),
            failures: Vec::new(),
            costs: (0, 0),
            compiled_cases: 0,
            answers: BTreeMap::new(),
        }
    }

    /// Runs `case` on both servers, records any difference, and returns the resolvers' body.
    async fn check(&mut self, case: &Case) -> Value {
        assert!(self.names.insert(case.name.clone()), "two cases named {:?}", case.name);
        // The first request of a document (with its page sizes) runs through the resolvers,
        // whose validation admits the document to the compiler: the second one is compared.
        send(self.compiled, case).await;
        let answered = compiled_answers(self.compiled).await;
        let before = self.compiled.statements();
        let (compiled_status, compiled) = send(self.compiled, case).await;
        let compiled_cost = self.compiled.statements() - before;
        if compiled_answers(self.compiled).await > answered {
            self.compiled_cases += 1;
        }
        let before = self.resolvers.statements();
        let (resolvers_status, resolvers) = send(self.resolvers, case).await;
        self.costs = (compiled_cost, self.resolvers.statements() - before);
        let mut problems = Vec::new();
        if compiled_status != resolvers_status {
            problems
                .push(format!("HTTP {compiled_status} compiled / {resolvers_status} resolvers"));
        }
        for (server, body) in [("compiled", &compiled), ("resolvers", &resolvers)] {
            let code = body["errors"][0]["extensions"]["code"].as_str();
            match (case.error, body.get("errors")) {
                (None, Some(errors)) => problems.push(format!("{server}: unexpected {errors}")),
                (Some(expected), None) => {
                    problems.push(format!("{server}: no errors, expected {expected}"));
                }
                (Some(expected), Some(_)) if code != Some(expected) => {
                    problems.push(format!("{server}: error code {code:?}, expected {expected}"));
                }
                _ => {}
            }
        }
        differences(&comparable(&compiled), &comparable(&resolvers), "", &mut problems);
        self.answers.insert(case.name.clone(), json!([resolvers_status, comparable(&resolvers)]));
        if !problems.is_empty() {
            self.failures.push(format!("case {:?}:\n    {}", case.name, problems.join("\n    ")));
        }
        resolvers
    }

    /// Runs `case`, and returns the resolvers' `data`.
    async fn data(&mut self, case: Case) -> Value {
        self.check(&case).await["data"].clone()
    }

    /// Fails the test with every difference seen, or when fewer than `at_least` cases were
    /// answered by compiled statements on PostgreSQL (none may be on SQLite).
    ///
    /// The resolvers' answers are also held against a snapshot recorded once
    /// (`tests/api/snapshots/`), the same on both backends: a change to what the API answers
    /// shows as a diff to review (`cargo insta review`), not only as two engines that agree.
    fn finish(self, backend: &Backend, at_least: usize, snapshot: &str) {
        let answers = Value::Object(self.answers.clone().into_iter().collect());
        insta::assert_json_snapshot!(snapshot, without_clock_times(answers));
        eprintln!(
            "{} cases compared, {} compiled, {} differ",
            self.names.len(),
            self.compiled_cases,
            self.failures.len()
        );
        match backend {
            Backend::Sqlite => assert_eq!(self.compiled_cases, 0, "compiled reads on SQLite"),
            Backend::Postgres(_) => assert!(
                self.compiled_cases >= at_least,
                "only {} of {} cases were compiled; the comparison proves little",
                self.compiled_cases,
                self.names.len()
            ),
        }
        assert!(
            self.failures.is_empty(),
            "{} of {} cases answer differently with compiled reads:\n{}",
            self.failures.len(),
            self.names.len(),
            self.failures.join("\n")
        );
    }
}

/// `value` with what the clock and chance give replaced by placeholders: the times a record
/// was archived or revised (`archivedAt`, `at`), and the keys made up for records created
/// without one (`statement-0a9b03f1af`).
fn without_clock_times(value: Value) -> Value {
    let made_up = |key: &str| {
        key.rsplit_once('-').is_some_and(|(_, tail)| {
            tail.len() == 10 && tail.chars().all(|c| c.is_ascii_hexdigit())
        })
    };
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, item)| match (key.as_str(), &item) {
                    ("archivedAt" | "at", Value::String(_)) => (key, json!("[clock time]")),
                    ("key", Value::String(k)) if made_up(k) => (key, json!("[made-up key]")),
                    _ => (key, without_clock_times(item)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_clock_times).collect()),
        other => other,
    }
}

/// A server with compiled reads on the bundled dataset, and its twin with them off.
async fn servers(backend: Backend) -> (TestApp, TestApp) {
    // Both servers take every case in quick succession: no rate limit in the way.
    let compiled = spawn_app_with(backend, |s| {
        s.compiled_reads = true;
        s.rate_limit = 0;
    })
    .await;
    let resolvers = compiled.twin(|s| s.compiled_reads = false).await;
    (compiled, resolvers)
}

/// The global IDs of every record, by list and key.
struct Ids(HashMap<(String, String), String>);

impl Ids {
    async fn load(app: &TestApp) -> Ids {
        let lists = ["events", "actors", "statements", "casualtyReports", "sources"];
        let query = lists
            .iter()
            .map(|list| {
                format!("{list}(first: 100, filter: {{includeArchived: true}}) {{ edges {{ node {{ id key }} }} }}")
            })
            .collect::<Vec<_>>()
            .join(" ");
        let data = app.data(&format!("{{ {query} }}"), json!({})).await;
        let mut ids = HashMap::new();
        for list in lists {
            for edge in data[list]["edges"].as_array().expect("edges") {
                let (id, key) = (&edge["node"]["id"], &edge["node"]["key"]);
                let key = key.as_str().expect("a key").to_owned();
                ids.insert((list.to_owned(), key), id.as_str().expect("an id").to_owned());
            }
        }
        Ids(ids)
    }

    fn get(&self, list: &str, key: &str) -> String {
        self.0
            .get(&(list.to_owned(), key.to_owned()))
            .unwrap_or_else(|| panic!("no {list} with key {key}"))
            .clone()
    }

    fn event(&self, key: &str) -> String {
        self.get("events", key)
    }
    fn actor(&self, key: &str) -> String {
        self.get("actors", key)
    }
    fn statement(&self, key: &str) -> String {
        self.get("statements", key)
    }
    fn report(&self, key: &str) -> String {
        self.get("casualtyReports", key)
    }
    fn source(&self, key: &str) -> String {
        self.get("sources", key)
    }
}

/// A well-formed ID of a row that does not exist.
fn missing(kind: NodeType) -> String {
    encode(kind, 999_999).to_string()
}

/// `cursor` with its row ID replaced by `id`: well-formed, pointing between rows.
fn forged_cursor(cursor: &Value, id: i64) -> String {
    let bytes = URL_SAFE_NO_PAD.decode(cursor.as_str().expect("a cursor")).expect("base64");
    let mut payload: Value = serde_json::from_slice(&bytes).expect("a JSON cursor");
    payload[3] = json!(id);
    URL_SAFE_NO_PAD.encode(payload.to_string())
}

// ---------------------------------------------------------------------------------------------
// The cases that need no earlier answer.

/// `node(id:)` on every type, nodes, wrong types, missing rows and invalid IDs.
fn node_cases(ids: &Ids) -> Vec<Case> {
    let mut cases = Vec::new();
    let every = [
        ("events", "almaty-riots"),
        ("events", "kazakhstan-unrest-2022"),
        ("events", "putin-declares-victory"),
        ("events", "china-security-offer"),
        ("actors", "putin"),
        ("actors", "nazarbayev"),
        ("actors", "csto"),
        ("statements", "putin-russia-csto-role"),
        ("statements", "tokayev-attempted-coup"),
        ("casualtyReports", "unrest-killed-164"),
        ("casualtyReports", "unrest-injured-2000"),
        ("sources", "kz-government-deleted-post"),
        ("sources", "reuters-putin-victory"),
        ("sources", "seed-article"),
    ];
    for (list, key) in every {
        cases.push(ok(
            format!("node: every scalar of {list} {key}"),
            EVERY_TYPE,
            json!({ "id": ids.get(list, key) }),
        ));
    }
    let riots = ids.event("almaty-riots");
    let putin = ids.actor("putin");
    cases.extend([
        ok(
            "node: an event's ID under fragments on other types",
            "query($id: ID!) { node(id: $id) { ... on Actor { name kind } ... on Source { publisher } } }",
            json!({ "id": riots }),
        ),
        ok("node: __typename only", "query($id: ID!) { node(id: $id) { __typename } }", json!({ "id": putin })),
        ok("node: id only", "query($id: ID!) { node(id: $id) { id } }", json!({ "id": riots })),
        ok(
            "node: the ID written in the document",
            &format!("{{ node(id: \"{riots}\") {{ id ... on Event {{ title startDate }} }} }}"),
            json!({}),
        ),
        ok("node: an event ID naming no row", EVERY_TYPE, json!({ "id": missing(NodeType::Event) })),
        ok("node: an actor ID naming no row", EVERY_TYPE, json!({ "id": missing(NodeType::Actor) })),
        err("node: an invalid ID", "INVALID_ID", EVERY_TYPE, json!({ "id": "not-an-id" })),
        err("node: an empty ID", "INVALID_ID", EVERY_TYPE, json!({ "id": "" })),
        err("node: an ID of an unknown type", "INVALID_ID", EVERY_TYPE, json!({ "id": "V2lkZ2V0OjE" })),
        err("node: a non-canonical ID", "INVALID_ID", EVERY_TYPE, json!({ "id": "RXZlbnQ6MDAx" })),
        ok(
            "nodes: a mix of types, a missing row and a repeat",
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Event { %EVENT% }
                ... on Actor { %ACTOR% } ... on Statement { %STATEMENT% }
                ... on CasualtyReport { %REPORT% } ... on Source { %SOURCE% } } }",
            json!({ "ids": [
                riots, missing(NodeType::Event), putin, ids.statement("putin-victory-declaration"),
                ids.report("unrest-detained-5800"), ids.source("npr-kazakhstan-riots"), riots,
                missing(NodeType::Source)
            ] }),
        ),
        ok(
            "nodes: relations under each",
            "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Event { parent { title } participants { role actor { name } } }
                ... on Actor { affiliations { role organization { name } } } } }",
            json!({ "ids": [riots, putin, ids.actor("nazarbayev")] }),
        ),
        ok(
            "nodes: fragments on one type only",
            "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Actor { name } } }",
            json!({ "ids": [riots, putin, missing(NodeType::Actor)] }),
        ),
        ok("nodes: none", "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": [] })),
        err(
            "nodes: one invalid ID among valid ones",
            "INVALID_ID",
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [riots, "nope", putin] }),
        ),
    ]);
    cases
}

/// The relations of each node type.
fn relation_cases(ids: &Ids) -> Vec<Case> {
    let mut cases = Vec::new();
    for key in
        ["kazakhstan-unrest-2022", "almaty-riots", "csto-deployment", "putin-declares-victory"]
    {
        cases.push(ok(
            format!("event relations: {key}"),
            EVENT_RELATIONS,
            json!({ "id": ids.event(key) }),
        ));
    }
    let unrest = ids.event("kazakhstan-unrest-2022");
    let riots = ids.event("almaty-riots");
    cases.extend([
        ok(
            "event: the parent's parent and the parent's sub-events",
            "query($id: ID!) { node(id: $id) { ... on Event { parent { parent { id }
                subEvents(first: 3) { totalCount edges { node { key parent { key } } } } } } } }",
            json!({ "id": riots }),
        ),
        ok(
            "event: sub-events, last 2",
            "query($id: ID!) { node(id: $id) { ... on Event { subEvents(last: 2) { totalCount %PAGE% edges { cursor node { key } } } } } }",
            json!({ "id": unrest }),
        ),
        ok(
            "event: sub-events, default page, nodes",
            "query($id: ID!) { node(id: $id) { ... on Event { subEvents { totalCount nodes { key title } } } } }",
            json!({ "id": unrest }),
        ),
        ok(
            "event: statements, last 2",
            "query($id: ID!) { node(id: $id) { ... on Event { statements(last: 2) { totalCount %PAGE% edges { cursor node { key } } } } } }",
            json!({ "id": unrest }),
        ),
        ok(
            "event: statements, first 0",
            "query($id: ID!) { node(id: $id) { ... on Event { statements(first: 0) { totalCount %PAGE% edges { cursor } } } } }",
            json!({ "id": unrest }),
        ),
    ]);
    for key in ["putin", "nazarbayev", "kazakhstan", "csto", "kz-government", "cooley"] {
        cases.push(ok(
            format!("actor relations: {key}"),
            ACTOR_RELATIONS,
            json!({ "id": ids.actor(key) }),
        ));
    }
    cases.push(ok(
        "actor: events, last 1",
        "query($id: ID!) { node(id: $id) { ... on Actor { events(last: 1) { totalCount %PAGE% edges { cursor node { key } } } } } }",
        json!({ "id": ids.actor("putin") }),
    ));
    for key in [
        "putin-russia-csto-role",
        "tokayev-attempted-coup",
        "stronski-tokayev-distrust",
        "kz-government-death-toll",
    ] {
        cases.push(ok(
            format!("statement relations: {key}"),
            STATEMENT_RELATIONS,
            json!({ "id": ids.statement(key) }),
        ));
    }
    for key in ["unrest-killed-164", "unrest-injured-2000", "unrest-detained-5800"] {
        cases.push(ok(
            format!("casualty report relations: {key}"),
            REPORT_RELATIONS,
            json!({ "id": ids.report(key) }),
        ));
    }
    cases
}

/// Root lists with filters, orderings and pages.
fn list_cases(ids: &Ids) -> Vec<Case> {
    let events =
        |name: &str, variables: Value| ok(format!("events: {name}"), EVENTS_PAGE, variables);
    let putin = ids.actor("putin");
    let unrest = ids.event("kazakhstan-unrest-2022");
    let kz_government = ids.actor("kz-government");
    vec![
        ok("events: no arguments", "{ events { totalCount %PAGE% edges { cursor node { %EVENT% } } } }", json!({})),
        ok(
            "events: Kazakhstan, first 5, literal arguments",
            r#"{ events(filter: {countryCodes: ["KZ"]}, first: 5) { totalCount %PAGE% edges { cursor node { id key title } } } }"#,
            json!({}),
        ),
        events("first 0", json!({ "first": 0 })),
        events("first 100", json!({ "first": 100 })),
        events("last 3", json!({ "last": 3 })),
        events("by title ascending", json!({ "order": { "field": "TITLE", "direction": "ASC" }, "first": 10 })),
        events("by title descending, last 4", json!({ "order": { "field": "TITLE", "direction": "DESC" }, "last": 4 })),
        events("by start date ascending", json!({ "order": { "field": "START_DATE", "direction": "ASC" }, "first": 6 })),
        events("order with defaults", json!({ "order": {}, "first": 6 })),
        events("from and to", json!({ "filter": { "from": "2022-01-05", "to": "2022-01-06" } })),
        events("from only", json!({ "filter": { "from": "2022-01-08" } })),
        events("to only", json!({ "filter": { "to": "2019-12-31" } })),
        events("types", json!({ "filter": { "types": ["RIOTS", "PROTESTS"] } })),
        events("sub-types", json!({ "filter": { "subTypes": ["ARRESTS", "PEACEFUL_PROTEST"] } })),
        events("an empty list of types", json!({ "filter": { "types": [] } })),
        events("lower-case country", json!({ "filter": { "countryCodes": ["kz"] }, "first": 4 })),
        events("no Kazakh country code", json!({ "filter": { "countryCodes": ["RU", "US"] } })),
        events("actors", json!({ "filter": { "actorIds": [putin, ids.actor("csto")] } })),
        events("parent", json!({ "filter": { "parentId": unrest }, "first": 4 })),
        events(
            "bounding box around Almaty",
            json!({ "filter": { "bbox": { "minLatitude": 43, "minLongitude": 76.5, "maxLatitude": 43.5, "maxLongitude": 77.5 } } }),
        ),
        events(
            "bounding box across the antimeridian",
            json!({ "filter": { "bbox": { "minLatitude": -90, "minLongitude": 170, "maxLatitude": 90, "maxLongitude": 80 } } }),
        ),
        events(
            "every criterion at once",
            json!({ "filter": { "types": ["STRATEGIC_DEVELOPMENTS"], "from": "2022-01-01", "to": "2022-01-31",
                "countryCodes": ["KZ"], "parentId": unrest, "actorIds": [ids.actor("tokayev")] },
                "order": { "field": "TITLE", "direction": "ASC" }, "first": 3 }),
        ),
        events("null variables", json!({ "filter": null, "order": null, "first": null, "after": null, "last": null, "before": null })),
        ok(
            "events: connection nodes",
            "{ events(first: 3) { totalCount nodes { id title } } }",
            json!({}),
        ),
        ok(
            "events: totalCount only",
            r#"{ events(filter: {types: [RIOTS]}) { totalCount } }"#,
            json!({}),
        ),
        ok(
            "events: pageInfo only",
            "{ events(first: 2) { %PAGE% } }",
            json!({}),
        ),
        ok(
            "events: filter parts as variables",
            "query($types: [EventType!], $from: Date) { events(filter: {types: $types, from: $from}) { totalCount edges { node { key } } } }",
            json!({ "types": ["STRATEGIC_DEVELOPMENTS"], "from": "2022-01-09" }),
        ),
        ok(
            "events: a variable's default value",
            "query($first: Int = 2) { events(first: $first) { totalCount edges { node { key } } } }",
            json!({}),
        ),
        ok(
            "actors: no arguments",
            "{ actors { totalCount %PAGE% edges { cursor node { %ACTOR% } } } }",
            json!({}),
        ),
        ok(
            "actors: kinds and name",
            r#"query($filter: ActorFilter) { actors(filter: $filter) { totalCount edges { cursor node { key name } } } }"#,
            json!({ "filter": { "kinds": ["PERSON"], "name": "tokayev" } }),
        ),
        ok(
            "actors: name matching an alias, in capitals",
            r#"{ actors(filter: {name: "PRESIDENT"}) { totalCount edges { node { key aliases } } } }"#,
            json!({}),
        ),
        ok(
            "actors: countries",
            r#"{ actors(filter: {countryCodes: ["ru", "KZ"]}, first: 5) { totalCount %PAGE% edges { cursor node { key countryCode } } } }"#,
            json!({}),
        ),
        ok(
            "actors: by name descending",
            "query($order: ActorOrder) { actors(orderBy: $order, first: 5) { totalCount %PAGE% edges { cursor node { name } } } }",
            json!({ "order": { "field": "NAME", "direction": "DESC" } }),
        ),
        ok(
            "actors: last 4",
            "{ actors(last: 4) { totalCount %PAGE% edges { cursor node { name } } } }",
            json!({}),
        ),
        ok(
            "statements: no arguments",
            "{ statements { totalCount %PAGE% edges { cursor node { %STATEMENT% speaker { name } } } } }",
            json!({}),
        ),
        ok(
            "statements: speakers and kinds",
            "query($filter: StatementFilter) { statements(filter: $filter) { totalCount edges { cursor node { key kind } } } }",
            json!({ "filter": { "speakerIds": [putin], "kinds": ["ACCUSATION", "PROMISE"] } }),
        ),
        ok(
            "statements: text",
            r#"{ statements(filter: {text: "COUP"}) { totalCount edges { node { key text } } } }"#,
            json!({}),
        ),
        ok(
            "statements: events and mentions",
            "query($filter: StatementFilter) { statements(filter: $filter, first: 3) { totalCount %PAGE% edges { cursor node { key } } } }",
            json!({ "filter": { "eventIds": [unrest], "mentionsActorIds": [ids.actor("external-forces"), ids.actor("nato")] } }),
        ),
        ok(
            "statements: from and to",
            r#"{ statements(filter: {from: "2022-01-02", to: "2022-01-31"}) { totalCount edges { node { key statedOn } } } }"#,
            json!({}),
        ),
        ok(
            "statements: oldest first",
            "{ statements(orderBy: {field: STATED_ON, direction: ASC}, first: 4) { totalCount %PAGE% edges { cursor node { key } } } }",
            json!({}),
        ),
        ok(
            "casualty reports: no arguments",
            "{ casualtyReports { totalCount %PAGE% edges { cursor node { %REPORT% } } } }",
            json!({}),
        ),
        ok(
            "casualty reports: categories and statuses",
            r#"{ casualtyReports(filter: {categories: [KILLED, INJURED], statuses: [REPORTED, RETRACTED]}) {
                totalCount edges { cursor node { key category status } } } }"#,
            json!({}),
        ),
        ok(
            "casualty reports: reported only, as variables",
            "query($categories: [CasualtyCategory!], $statuses: [ReportStatus!]) {
                casualtyReports(filter: {categories: $categories, statuses: $statuses}) { totalCount edges { node { key } } } }",
            json!({ "categories": ["KILLED", "INJURED", "DETAINED"], "statuses": ["REPORTED"] }),
        ),
        ok(
            "casualty reports: by low, descending",
            "{ casualtyReports(orderBy: {field: LOW, direction: DESC}) { totalCount %PAGE% edges { cursor node { key low high } } } }",
            json!({}),
        ),
        ok(
            "casualty reports: claimants, events and dates",
            "query($filter: CasualtyReportFilter) { casualtyReports(filter: $filter, first: 2) { totalCount %PAGE% edges { cursor node { key } } } }",
            json!({ "filter": { "claimedByIds": [kz_government], "eventIds": [unrest], "from": null } }),
        ),
        ok(
            "casualty reports: as of a range",
            r#"{ casualtyReports(filter: {from: "2022-01-01", to: "2022-12-31"}) { totalCount edges { node { key } } } }"#,
            json!({}),
        ),
        ok("sources: no arguments", "{ sources { totalCount %PAGE% edges { cursor node { %SOURCE% } } } }", json!({})),
        ok(
            "sources: kinds and statuses",
            "{ sources(filter: {kinds: [NEWS, SOCIAL_MEDIA], statuses: [DELETED, AVAILABLE]}, first: 3) { totalCount %PAGE% edges { cursor node { key } } } }",
            json!({}),
        ),
        ok("sources: last 2", "{ sources(last: 2) { totalCount %PAGE% edges { cursor node { key } } } }", json!({})),
        ok(
            "lists: nested relations under every row",
            "{ events(first: 20) { edges { node { key participants { role actor { name } }
                citations { excerpt source { publisher } } statements(first: 2) { totalCount edges { node { key speaker { name } } } } } } } }",
            json!({}),
        ),
    ]
}

/// The shapes of a query: aliases, fragments, `__typename`, directives, several root fields,
/// operation names; and the fields the fast path leaves to the resolvers.
fn shape_cases(ids: &Ids) -> Vec<Case> {
    let riots = ids.event("almaty-riots");
    let putin = ids.actor("putin");
    let unrest = ids.event("kazakhstan-unrest-2022");
    let two_operations = "query Events { events(first: 2) { edges { node { key } } } }
        query Actor($id: ID!) { node(id: $id) { ... on Actor { name } } }";
    vec![
        ok(
            "aliases",
            "query($id: ID!) { a: node(id: $id) { ... on Event { x: title y: title t: __typename } }
                b: node(id: $id) { id } list: events(first: 2) { n: totalCount e: edges { c: cursor n: node { k: key } } } }",
            json!({ "id": riots }),
        ),
        ok(
            "an alias naming another field",
            "{ events(first: 2) { edges { node { title: key key: title } } } }",
            json!({}),
        ),
        ok(
            "named fragments",
            "query($id: ID!) { node(id: $id) { ...EventFields } }
                fragment EventFields on Event { id title participants { ...Part } parent { ...EventFields2 } }
                fragment EventFields2 on Event { key startDate }
                fragment Part on Participation { role actor { ...ActorFields } }
                fragment ActorFields on Actor { name kind }",
            json!({ "id": riots }),
        ),
        ok(
            "a fragment on the interface",
            "query($id: ID!) { node(id: $id) { ...N ... on Node { id } } } fragment N on Node { __typename id }",
            json!({ "id": putin }),
        ),
        ok(
            "a field both directly and in a fragment",
            "query($id: ID!) { node(id: $id) { ... on Event { title participants { role } } ...E } }
                fragment E on Event { title participants { actor { name } } }",
            json!({ "id": riots }),
        ),
        ok(
            "__typename at every level",
            "{ __typename events(first: 2) { __typename %PAGE% edges { __typename node { __typename
                location { __typename countryCode } participants { __typename actor { __typename } } } } } }",
            json!({}),
        ),
        ok(
            "variables for every argument, ID as a variable",
            "query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Actor {
                statements(first: $first, after: $after) { totalCount edges { node { key } } } } } }",
            json!({ "id": putin, "first": 2, "after": null }),
        ),
        ok(
            "@include true, @skip false",
            "query($id: ID!, $yes: Boolean!, $no: Boolean!) { node(id: $id) { ... on Event {
                title @include(if: $yes) key @skip(if: $no) summary @include(if: $no)
                participants @skip(if: $yes) { role } ... on Event @include(if: $yes) { startDate } } } }",
            json!({ "id": riots, "yes": true, "no": false }),
        ),
        ok(
            "@include false, @skip true",
            "query($id: ID!, $yes: Boolean!, $no: Boolean!) { node(id: $id) { ... on Event {
                title @include(if: $no) key @skip(if: $yes) summary @include(if: $yes) } } }",
            json!({ "id": riots, "yes": true, "no": false }),
        ),
        // An object whose every field may be skipped is the resolvers' to answer (an empty
        // object, `order::keep_empty_objects`), on both servers.
        ok(
            "@skip on every field of a node",
            "query($id: ID!, $yes: Boolean!) { node(id: $id) { ... on Event { title @skip(if: $yes) } } }",
            json!({ "id": riots, "yes": true }),
        ),
        ok(
            "@skip on every field of a non-null object",
            "{ events(first: 1) { totalCount pageInfo { hasNextPage @skip(if: true) } edges { node { key @skip(if: true) } } } }",
            json!({}),
        ),
        ok(
            "literal directives",
            "{ events(first: 2) @include(if: true) { totalCount @skip(if: true) edges { node { key title @skip(if: false) } } } }",
            json!({}),
        ),
        ok("archivedAt on a node", "query($id: ID!) { node(id: $id) { ... on Event { title archivedAt } } }", json!({ "id": riots })),
        ok("archivedAt in a list", "{ actors(first: 3) { edges { node { name archivedAt } } } }", json!({})),
        ok(
            "history",
            "query($id: ID!) { node(id: $id) { ... on Event { title history(first: 2) { totalCount %PAGE%
                edges { cursor node { sequence nodeType nodeId operation author at changes { field before after } } } } } } }",
            json!({ "id": riots }),
        ),
        ok("viewer", "{ viewer { name role authenticated } }", json!({})),
        ok("the change feed", "{ changes(first: 3, types: [EVENT]) { totalCount %PAGE% edges { node { sequence operation nodeId } } } }", json!({})),
        ok("introspection", r#"{ __type(name: "Event") { name kind } __schema { queryType { name } } }"#, json!({})),
        ok("__typename alone", "{ __typename }", json!({})),
        ok(
            "two root fields of different kinds: a list and the viewer",
            "{ events(first: 2) { edges { node { title } } } viewer { role } }",
            json!({}),
        ),
        ok(
            "two root fields of different kinds: a node and a list",
            "query($id: ID!) { node(id: $id) { ... on Event { title } } actors(first: 2) { totalCount edges { node { name } } } }",
            json!({ "id": unrest }),
        ),
        ok(
            "every root list at once",
            "{ events(first: 1) { totalCount } actors(first: 1) { totalCount } statements(first: 1) { totalCount }
                casualtyReports(first: 1) { totalCount } sources(first: 1) { totalCount } }",
            json!({}),
        ),
        ok("an operation name choosing the first of two", two_operations, json!({})).operation("Events"),
        ok("an operation name choosing the second of two", two_operations, json!({ "id": putin }))
            .operation("Actor"),
        ok(
            "an operation name choosing a query beside a mutation",
            "mutation M { archive(input: {id: \"x\"}) { node { id } } } query Q { events(first: 1) { edges { node { key } } } }",
            json!({}),
        )
        .operation("Q"),
        ok("a named single operation", "query Named { events(first: 2) { edges { node { key } } } }", json!({}))
            .operation("Named"),
        ok("GET: a node", EVENT_RELATIONS, json!({ "id": unrest })).get(),
        ok("GET: a list", "{ events(first: 3) { totalCount %PAGE% edges { cursor node { key } } } }", json!(null)).get(),
        ok("GET: an operation name", two_operations, json!({ "id": putin })).operation("Actor").get(),
    ]
}

/// Refused arguments: the errors must match.
fn bad_input_cases(ids: &Ids) -> Vec<Case> {
    let putin = ids.actor("putin");
    let riots = ids.event("almaty-riots");
    let events = |name: &str, code, variables: Value| {
        err(format!("bad input: {name}"), code, EVENTS_PAGE, variables)
    };
    vec![
        events("first 101", "INVALID_PAGINATION", json!({ "first": 101 })),
        events("first -1", "INVALID_PAGINATION", json!({ "first": -1 })),
        events("last 1000", "INVALID_PAGINATION", json!({ "last": 1000 })),
        events("first and last", "INVALID_PAGINATION", json!({ "first": 1, "last": 1 })),
        events("a garbage cursor", "INVALID_CURSOR", json!({ "after": "garbage" })),
        events("an empty cursor", "INVALID_CURSOR", json!({ "before": "" })),
        events(
            "a cursor of another ordering",
            "INVALID_CURSOR",
            json!({ "after": URL_SAFE_NO_PAD.encode(r#"["title","a","Almaty riots",1]"#) }),
        ),
        events(
            "a cursor that is JSON but no cursor",
            "INVALID_CURSOR",
            json!({ "after": URL_SAFE_NO_PAD.encode(r#"{"not":"a cursor"}"#) }),
        ),
        events("an invalid actor ID in a filter", "INVALID_ID", json!({ "filter": { "actorIds": ["nope"] } })),
        events("an actor ID of the wrong type", "INVALID_ID", json!({ "filter": { "actorIds": [riots] } })),
        events("an invalid parent ID", "INVALID_ID", json!({ "filter": { "parentId": "nope" } })),
        events("an unknown country", "BAD_USER_INPUT", json!({ "filter": { "countryCodes": ["XX"] } })),
        events(
            "a bounding box off the globe",
            "BAD_USER_INPUT",
            json!({ "filter": { "bbox": { "minLatitude": 95, "minLongitude": 0, "maxLatitude": 96, "maxLongitude": 1 } } }),
        ),
        err(
            "bad input: a speaker ID of the wrong type",
            "INVALID_ID",
            "{ statements(filter: {speakerIds: [\"%RIOTS%\"]}) { totalCount } }".replace("%RIOTS%", &riots).as_str(),
            json!({}),
        ),
        err(
            "bad input: an invalid event ID in a casualty filter",
            "INVALID_ID",
            "query($ids: [ID!]) { casualtyReports(filter: {eventIds: $ids}) { totalCount } }",
            json!({ "ids": ["bm9wZQ"] }),
        ),
        err(
            "bad input: a nested page of 500",
            "INVALID_PAGINATION",
            "{ actors(first: 1) { edges { node { name events(first: 500) { totalCount } } } } }",
            json!({}),
        ),
        err(
            "bad input: a negative page under every row",
            "INVALID_PAGINATION",
            "{ events(first: 3) { edges { node { key statements(first: -1) { totalCount } } } } }",
            json!({}),
        ),
        err(
            "bad input: a nested cursor of another list",
            "INVALID_CURSOR",
            "query($id: ID!) { node(id: $id) { ... on Actor { statements(after: \"garbage\") { totalCount } } } }",
            json!({ "id": putin }),
        ),
        err(
            "bad input: one of two root fields refused",
            "INVALID_PAGINATION",
            "{ events(first: 2) { totalCount edges { node { key } } } actors(first: 101) { totalCount } }",
            json!({}),
        ),
        err(
            "bad input: an unknown field",
            "GRAPHQL_VALIDATION_FAILED",
            "{ events { edges { node { colour } } } }",
            json!({}),
        ),
        err(
            "bad input: a variable of the wrong type",
            "GRAPHQL_VALIDATION_FAILED",
            "query($first: Int) { events(first: $first) { totalCount } }",
            json!({ "first": "ten" }),
        ),
        err("bad input: not GraphQL", "GRAPHQL_PARSE_FAILED", "{ events(first: ", json!({})),
        err(
            "bad input: a missing operation name",
            "GRAPHQL_VALIDATION_FAILED",
            "query A { viewer { role } } query B { viewer { role } }",
            json!({}),
        ),
        err(
            "bad input: an unknown operation name",
            "GRAPHQL_VALIDATION_FAILED",
            "query A { viewer { role } }",
            json!({}),
        )
        .operation("Nope"),
    ]
}

// ---------------------------------------------------------------------------------------------
// The tests.

async fn compiled_reads_answer_what_the_resolvers_answer(backend: Backend) {
    let (compiled, resolvers) = servers(backend.clone()).await;
    let ids = Ids::load(&resolvers).await;
    let mut differ = Differ::new(&compiled, &resolvers);

    let cases = [
        node_cases(&ids),
        relation_cases(&ids),
        list_cases(&ids),
        shape_cases(&ids),
        bad_input_cases(&ids),
    ];
    for case in cases.iter().flatten() {
        differ.check(case).await;
    }

    // Pages that follow from earlier ones, with the cursors the resolvers gave.
    let kz = json!({ "countryCodes": ["KZ"] });
    let first = differ
        .data(ok(
            "paging: Kazakhstan, page 1 of 5",
            EVENTS_PAGE,
            json!({ "filter": kz, "first": 5 }),
        ))
        .await;
    let end = &first["events"]["pageInfo"]["endCursor"];
    let second = differ
        .data(ok(
            "paging: Kazakhstan, page 2 after endCursor",
            EVENTS_PAGE,
            json!({ "filter": kz, "first": 5, "after": end }),
        ))
        .await;
    let start = &second["events"]["pageInfo"]["startCursor"];
    differ
        .check(&ok(
            "paging: Kazakhstan, last 3 before page 2",
            EVENTS_PAGE,
            json!({ "filter": kz, "last": 3, "before": start }),
        ))
        .await;
    differ
        .check(&ok(
            "paging: Kazakhstan, between two cursors",
            EVENTS_PAGE,
            json!({ "filter": kz, "first": 20, "after": first["events"]["edges"][1]["cursor"],
                "before": second["events"]["pageInfo"]["endCursor"] }),
        ))
        .await;
    differ
        .check(&ok(
            "paging: a forged cursor between rows",
            EVENTS_PAGE,
            json!({ "filter": kz, "first": 5, "after": forged_cursor(end, 999_999) }),
        ))
        .await;
    let by_title = json!({ "field": "TITLE", "direction": "ASC" });
    let titles = differ
        .data(ok("paging: by title, page 1", EVENTS_PAGE, json!({ "order": by_title, "first": 4 })))
        .await;
    differ
        .check(&ok(
            "paging: by title, page 2",
            EVENTS_PAGE,
            json!({ "order": by_title, "first": 4, "after": titles["events"]["pageInfo"]["endCursor"] }),
        ))
        .await;
    differ
        .check(&err(
            "paging: a date cursor used with the title order",
            "INVALID_CURSOR",
            EVENTS_PAGE,
            json!({ "order": by_title, "first": 4, "after": end }),
        ))
        .await;
    differ
        .check(&err(
            "paging: an event cursor used for actors",
            "INVALID_CURSOR",
            "query($after: String) { actors(after: $after) { totalCount } }",
            json!({ "after": end }),
        ))
        .await;

    // An actor's statements, page after page.
    let putin = ids.actor("putin");
    let mut after = Value::Null;
    for page in 1.. {
        let data = differ
            .data(ok(
                format!("paging: Putin's statements, page {page}"),
                ACTOR_STATEMENTS_PAGE,
                json!({ "id": putin, "first": 2, "after": after }),
            ))
            .await;
        let info = &data["node"]["statements"]["pageInfo"];
        if info["hasNextPage"] != true || page > 10 {
            break;
        }
        after = info["endCursor"].clone();
    }

    // An event's sub-events, forward then backward.
    let unrest = ids.event("kazakhstan-unrest-2022");
    let page1 = differ
        .data(ok(
            "paging: sub-events, page 1",
            SUB_EVENTS_PAGE,
            json!({ "id": unrest, "first": 2 }),
        ))
        .await;
    let page2 = differ
        .data(ok(
            "paging: sub-events, page 2",
            SUB_EVENTS_PAGE,
            json!({ "id": unrest, "first": 2, "after": page1["node"]["subEvents"]["pageInfo"]["endCursor"] }),
        ))
        .await;
    differ
        .check(&ok(
            "paging: sub-events, last 2 before page 2",
            SUB_EVENTS_PAGE,
            json!({ "id": unrest, "last": 2, "before": page2["node"]["subEvents"]["pageInfo"]["startCursor"] }),
        ))
        .await;
    let statements = differ
        .data(ok(
            "paging: the unrest's statements, page 1",
            "query($id: ID!) { node(id: $id) { ... on Event { statements(first: 3) { %PAGE% } } } }",
            json!({ "id": unrest }),
        ))
        .await;
    differ
        .check(&ok(
            "paging: the unrest's statements, page 2",
            "query($id: ID!, $after: String) { node(id: $id) { ... on Event {
                statements(first: 3, after: $after) { totalCount %PAGE% edges { cursor node { key } } } } } }",
            json!({ "id": unrest, "after": statements["node"]["statements"]["pageInfo"]["endCursor"] }),
        ))
        .await;

    differ.finish(&backend, 120, "resolvers_answers");
}

async fn archived_and_merged_records_read_the_same_both_ways(backend: Backend) {
    let (compiled, resolvers) = servers(backend.clone()).await;
    let ids = Ids::load(&resolvers).await;
    let editor = resolvers.key("desk", Role::Editor).await;
    let write = |query: &'static str, variables: Value| {
        let (app, editor) = (&resolvers, &editor);
        async move {
            let body = app.graphql_as(Some(editor), query, variables).await;
            assert!(body.get("errors").is_none(), "{query}: {body:#}");
            body["data"].clone()
        }
    };

    let archive = "mutation($id: ID!) { archive(input: {id: $id}) { node { id } } }";
    let riots = ids.event("almaty-riots");
    let statement = ids.statement("putin-russia-csto-role");
    let report = ids.report("unrest-injured-2000");
    let source = ids.source("npr-kazakhstan-riots");
    for id in [&riots, &statement, &report, &source] {
        write(archive, json!({ "id": id })).await;
    }

    // A second record of Nazarbayev, with references of its own, merged into the first.
    let nazarbayev = ids.actor("nazarbayev");
    let duplicate = write(
        "mutation($input: CreateActorInput!) { createActor(input: $input) { actor { id } } }",
        json!({ "input": { "key": "n-nazarbaev", "kind": "PERSON", "name": "N. Nazarbaev", "aliases": ["Elbasy"] } }),
    )
    .await["createActor"]["actor"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let protests = ids.event("fuel-price-protests");
    write(
        "mutation($input: AddParticipantInput!) { addParticipant(input: $input) { event { id } } }",
        json!({ "input": { "eventId": protests, "actorId": duplicate, "role": "TARGET" } }),
    )
    .await;
    let spoken = write(
        "mutation($input: CreateStatementInput!) { createStatement(input: $input) { statement { id } } }",
        json!({ "input": { "speakerId": duplicate, "text": "Rumours of my departure are false.",
            "mode": "PARAPHRASE", "kind": "DENIAL", "eventId": protests,
            "mentions": [{ "actorId": ids.actor("tokayev"), "role": "MENTIONED" }],
            "citations": [{ "sourceId": ids.source("seed-article") }] } }),
    )
    .await["createStatement"]["statement"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    write(
        "mutation($input: MergeActorsInput!) { mergeActors(input: $input) { actor { id } } }",
        json!({ "input": { "keepId": nazarbayev, "mergeId": duplicate } }),
    )
    .await;

    let putin = ids.actor("putin");
    let unrest = ids.event("kazakhstan-unrest-2022");
    let archived = json!({ "includeArchived": true });
    let cases = vec![
        ok("archived: events leave out the archived one", EVENTS_PAGE, json!({ "first": 100 })),
        ok("archived: events with includeArchived", EVENTS_PAGE, json!({ "filter": archived, "first": 100 })),
        ok(
            "archived: events with includeArchived, by title, a page",
            EVENTS_PAGE,
            json!({ "filter": { "includeArchived": true, "countryCodes": ["KZ"] },
                "order": { "field": "TITLE", "direction": "ASC" }, "first": 4 }),
        ),
        ok("archived: the archived event by ID", EVENT_RELATIONS, json!({ "id": riots })),
        ok("archived: the archived event's every scalar", EVERY_TYPE, json!({ "id": riots })),
        ok(
            "archived: archivedAt of the archived event",
            "query($id: ID!) { node(id: $id) { ... on Event { key archivedAt version } } }",
            json!({ "id": riots }),
        ),
        ok(
            "archived: the parent's sub-events, statements, reports and citations",
            "query($id: ID!) { node(id: $id) { ... on Event {
                subEvents(first: 20) { totalCount edges { node { key } } }
                statements(first: 20) { totalCount edges { node { key } } }
                casualtyReports { key } citations { source { key } } } } }",
            json!({ "id": unrest }),
        ),
        ok("archived: Putin's statements and events", ACTOR_RELATIONS, json!({ "id": putin })),
        ok("archived: the archived statement by ID", STATEMENT_RELATIONS, json!({ "id": statement })),
        ok(
            "archived: statements leave out the archived one",
            "query($filter: StatementFilter) { statements(filter: $filter, first: 100) { totalCount edges { node { key } } } }",
            json!({ "filter": { "speakerIds": [putin] } }),
        ),
        ok(
            "archived: statements with includeArchived",
            "query($filter: StatementFilter) { statements(filter: $filter, first: 100) { totalCount edges { node { key } } } }",
            json!({ "filter": { "speakerIds": [putin], "includeArchived": true } }),
        ),
        ok("archived: the archived report by ID", REPORT_RELATIONS, json!({ "id": report })),
        ok(
            "archived: reports with and without the archived one",
            "{ live: casualtyReports { totalCount edges { node { key } } }
                all: casualtyReports(filter: {includeArchived: true}) { totalCount edges { node { key } } } }",
            json!({}),
        ),
        ok("archived: the archived source by ID", EVERY_TYPE, json!({ "id": source })),
        ok(
            "archived: sources with and without the archived one",
            "{ live: sources { totalCount edges { node { key } } }
                all: sources(filter: {includeArchived: true}) { totalCount edges { node { key } } } }",
            json!({}),
        ),
        ok(
            "archived: citations of the archived source",
            "{ events(first: 100, filter: {includeArchived: true}) { edges { node { key citations { excerpt source { key } } } } } }",
            json!({}),
        ),
        ok(
            "archived: nodes of archived records",
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
            json!({ "ids": [riots, statement, report, source, duplicate] }),
        ),
        ok("merged: the merged actor's ID", EVERY_TYPE, json!({ "id": duplicate })),
        ok("merged: the merged actor's relations", ACTOR_RELATIONS, json!({ "id": duplicate })),
        ok(
            "merged: the merged actor's archivedAt",
            "query($id: ID!) { node(id: $id) { id ... on Actor { key archivedAt } } }",
            json!({ "id": duplicate }),
        ),
        ok("merged: the kept actor's relations", ACTOR_RELATIONS, json!({ "id": nazarbayev })),
        ok("merged: the statement of the merged actor", STATEMENT_RELATIONS, json!({ "id": spoken })),
        ok("merged: the event it took part in", EVENT_RELATIONS, json!({ "id": protests })),
        ok(
            "merged: actors by name, with and without archived ones",
            r#"{ live: actors(filter: {name: "nazarba"}) { totalCount edges { node { key aliases } } }
                all: actors(filter: {name: "nazarba", includeArchived: true}) { totalCount edges { node { key } } } }"#,
            json!({}),
        ),
        ok(
            "merged: lists filtered by the merged actor's ID",
            "query($ids: [ID!]) { events(filter: {actorIds: $ids}) { totalCount edges { node { key } } }
                statements(filter: {speakerIds: $ids}) { totalCount edges { node { key } } }
                casualtyReports(filter: {claimedByIds: $ids}) { totalCount } }",
            json!({ "ids": [duplicate] }),
        ),
    ];
    let mut differ = Differ::new(&compiled, &resolvers);
    for case in &cases {
        differ.check(case).await;
    }
    differ.finish(&backend, 20, "archived_and_merged_answers");
}

/// The plain cases the fast path must answer with exactly one SQL statement: `node(id:)` with
/// nested relations and root lists with filters, pages and `totalCount`. Edit this list as the
/// compiler learns (or gives up) fields. `nested` marks the cases the resolvers need more than
/// one statement for, which shows that the count means something.
fn one_statement_cases(
    ids: &Ids,
    events_cursor: &Value,
    statements_cursor: &Value,
) -> Vec<(Case, bool)> {
    let nested = true;
    vec![
        (ok("one statement: an event's every scalar", EVERY_TYPE, json!({ "id": ids.event("almaty-riots") })), !nested),
        (ok("one statement: a source's every scalar", EVERY_TYPE, json!({ "id": ids.source("seed-article") })), !nested),
        (
            ok("one statement: an event's relations", EVENT_RELATIONS, json!({ "id": ids.event("kazakhstan-unrest-2022") })),
            nested,
        ),
        (ok("one statement: an actor's relations", ACTOR_RELATIONS, json!({ "id": ids.actor("putin") })), nested),
        (
            ok(
                "one statement: a statement's relations",
                STATEMENT_RELATIONS,
                json!({ "id": ids.statement("putin-russia-csto-role") }),
            ),
            nested,
        ),
        (
            ok("one statement: a report's relations", REPORT_RELATIONS, json!({ "id": ids.report("unrest-killed-164") })),
            nested,
        ),
        (
            ok(
                "one statement: an actor's statements after a cursor",
                ACTOR_STATEMENTS_PAGE,
                json!({ "id": ids.actor("putin"), "first": 2, "after": statements_cursor }),
            ),
            nested,
        ),
        (
            ok("one statement: events, a filtered page", EVENTS_PAGE, json!({ "filter": { "countryCodes": ["KZ"] }, "first": 5 })),
            nested, // the page and its totalCount
        ),
        (
            ok(
                "one statement: events, the next page",
                EVENTS_PAGE,
                json!({ "filter": { "countryCodes": ["KZ"] }, "first": 5, "after": events_cursor }),
            ),
            nested,
        ),
        (
            ok("one statement: events by title, last 3", EVENTS_PAGE, json!({ "order": { "field": "TITLE", "direction": "ASC" }, "last": 3 })),
            nested,
        ),
        (
            ok(
                "one statement: events with nested relations",
                "{ events(first: 20) { totalCount edges { node { key participants { role actor { name } }
                    citations { excerpt source { publisher } } statements(first: 2) { totalCount edges { node { key speaker { name } } } } } } } }",
                json!({}),
            ),
            nested,
        ),
        (
            ok(
                "one statement: actors, filtered and ordered",
                "{ actors(filter: {kinds: [PERSON, STATE]}, orderBy: {field: NAME, direction: DESC}, first: 5) {
                    totalCount %PAGE% edges { cursor node { name aliases } } } }",
                json!({}),
            ),
            nested, // the page, its totalCount, the aliases
        ),
        (
            ok(
                "one statement: statements, filtered",
                "query($filter: StatementFilter) { statements(filter: $filter) { totalCount %PAGE% edges { cursor node { key speaker { name } } } } }",
                json!({ "filter": { "kinds": ["ACCUSATION"], "from": "2022-01-01" } }),
            ),
            nested,
        ),
        (
            ok(
                "one statement: casualty reports, filtered",
                "{ casualtyReports(filter: {categories: [KILLED, INJURED], statuses: [REPORTED, RETRACTED]}) {
                    totalCount %PAGE% edges { cursor node { key low high claimedBy { name } } } } }",
                json!({}),
            ),
            nested,
        ),
        (
            ok("one statement: sources, a page", "{ sources(first: 3) { edges { cursor node { key publisher } } %PAGE% } }", json!({})),
            !nested,
        ),
    ]
}

async fn a_compiled_read_costs_one_sql_statement(backend: Backend) {
    if matches!(backend, Backend::Sqlite) {
        eprintln!("compiled reads are PostgreSQL-only: SQLite half skipped");
        return;
    }
    let (compiled, resolvers) = servers(backend).await;
    let ids = Ids::load(&resolvers).await;
    let cursor = resolvers
        .data(&q(EVENTS_PAGE), json!({ "filter": { "countryCodes": ["KZ"] }, "first": 5 }))
        .await["events"]["pageInfo"]["endCursor"]
        .clone();

    let statements_cursor = resolvers
        .data(&q(ACTOR_STATEMENTS_PAGE), json!({ "id": ids.actor("putin"), "first": 2 }))
        .await["node"]["statements"]["pageInfo"]["endCursor"]
        .clone();

    let mut differ = Differ::new(&compiled, &resolvers);
    let mut costs = Vec::new();
    for (case, nested) in one_statement_cases(&ids, &cursor, &statements_cursor) {
        differ.check(&case).await;
        let (compiled_cost, resolvers_cost) = differ.costs;
        eprintln!("{:>3} compiled, {:>3} resolvers: {}", compiled_cost, resolvers_cost, case.name);
        if compiled_cost != 1 {
            costs.push(format!(
                "{:?}: {compiled_cost} SQL statements with compiled reads",
                case.name
            ));
        }
        if nested && resolvers_cost <= 1 {
            costs.push(format!(
                "{:?}: the resolvers needed {resolvers_cost} SQL statements; the case is not nested",
                case.name
            ));
        }
    }
    let answers = std::mem::take(&mut differ.failures);
    assert!(
        costs.is_empty() && answers.is_empty(),
        "statement counts:\n{}\n\nanswers:\n{}",
        costs.join("\n"),
        answers.join("\n")
    );
}
