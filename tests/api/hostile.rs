//! Requests as a hostile client writes them: each reproducer a schema-driven fuzzer found,
//! kept as a regression test. The server must answer each with a coded error, never a crash,
//! a 5xx, a code-less error or a partial write.

use crate::helpers::{spawn_app, Backend, Binary, Client, DatabaseGuard, TestApp};
use crate::on_both_backends;
use annals::domain::Role;
use serde_json::{json, Value};

/// `[[[ … "x" … ]]]` nested `levels` deep.
fn nested_list(levels: usize) -> String {
    format!("{}\"x\"{}", "[".repeat(levels), "]".repeat(levels))
}

#[tokio::test]
async fn deeply_nested_values_are_refused_and_the_real_binary_stays_up() {
    // Arrange: the real binary, since a stack overflow aborts the whole process.
    let database = DatabaseGuard::create(&Backend::Sqlite).await;
    let server = Binary::start(&database.url, &[]).await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let deep_object = format!("{}1{}", "{a: ".repeat(1_200), "}".repeat(1_200));
    let cases = [
        // 2,000 levels in an argument: about 4,800 characters, under the token limit.
        json!({ "query": format!("{{ __type(name: {}) {{ name }} }}", nested_list(2_000)) }),
        // The same value as a variable's default.
        json!({ "query": format!("query($n: String = {}) {{ __typename }}", nested_list(2_000)) }),
        // An input object nested 1,200 deep, within the token limit.
        json!({ "query": format!("{{ events(filter: {deep_object}) {{ totalCount }} }}") }),
        // Selections nested 1,600 deep.
        json!({ "query": format!("{}{}", "{ a ".repeat(1_600), "}".repeat(1_600)) }),
    ];

    for body in &cases {
        // Act
        let response =
            client.post(format!("{}/graphql", server.address())).json(body).send().await.unwrap();

        // Assert
        assert_eq!(response.status(), 200);
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["errors"][0]["extensions"]["code"], "QUERY_TOO_DEEP", "{answer}");
    }
    // Variables' JSON nested deep: serde's own limit, or ours below it.
    // Written as text: building it as a `Value` would recurse as deep in this test.
    let body = format!(
        r#"{{"query": "query($v: [String]) {{ __typename }}", "variables": {{"v": {}}}}}"#,
        nested_list(2_000)
    );
    let response = client
        .post(format!("{}/graphql", server.address()))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error() || response.status() == 200);
    let text = response.text().await.unwrap();
    assert!(text.contains("\"code\""), "a coded error: {text}");
    let shallow = json!({ "query": "query($v: [String]) { __typename }", "variables": { "v": nested_list_json(70) } });
    let answer: Value = client
        .post(format!("{}/graphql", server.address()))
        .json(&shallow)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["errors"][0]["extensions"]["code"], "QUERY_TOO_DEEP", "{answer}");

    // The process is alive and serving.
    let health = client.get(format!("{}/healthz", server.address())).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let log = server.log.lock().unwrap().join("\n");
    assert!(!log.contains("overflow"), "{log}");
}

fn nested_list_json(levels: usize) -> Value {
    (0..levels).fold(json!("x"), |inner, _| json!([inner]))
}

on_both_backends!(
    variables_are_coerced_before_anything_runs_so_nothing_is_half_written,
    dates_outside_years_1_to_9999_are_refused_the_same_by_both_engines,
    invalid_documents_found_by_the_fuzzer_are_refused,
);

async fn variables_are_coerced_before_anything_runs_so_nothing_is_half_written(backend: Backend) {
    // Arrange
    let app = spawn_app(backend).await;
    let editor = app.key("ed", Role::Editor).await;
    let before = app.state().await;
    let create_then_archive = "mutation($s: ID!) {
        createSource(input: {kind: NEWS, publisher: \"p\"}) { source { id } }
        archive(input: {id: $s}) { node { id } } }";
    let create_with_filter = "mutation($f: CreateSourceInput!) {
        a: createSource(input: {kind: NEWS, publisher: \"q\"}) { source { id } }
        b: createSource(input: $f) { source { id } } }";

    for (query, variables) in [
        // A required variable missing, or null.
        (create_then_archive, json!({})),
        (create_then_archive, json!({ "s": null })),
        // A list where an input object belongs; an unknown field; a bad enum value.
        (create_with_filter, json!({ "f": [] })),
        (create_with_filter, json!({ "f": { "kind": "NEWS", "publisher": "x", "nope": 1 } })),
        (create_with_filter, json!({ "f": { "kind": "TABLOID", "publisher": "x" } })),
    ] {
        // Act
        let body = app.graphql_as(Some(&editor), query, variables.clone()).await;

        // Assert: a request error, nothing executed.
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
            "{variables}: {body}"
        );
        assert!(body.get("data").is_none(), "{body}");
    }
    assert_eq!(app.state().await, before, "nothing was written");
}

async fn dates_outside_years_1_to_9999_are_refused_the_same_by_both_engines(backend: Backend) {
    let app = spawn_app(backend).await;
    for date in ["0000-01-01", "-0001-01-01", "+10000-01-01", "10000-01-01"] {
        let inline = format!("{{ events(filter: {{from: \"{date}\"}}) {{ totalCount }} }}");
        let body = app.graphql(&inline, json!({})).await;
        assert!(body["errors"][0]["extensions"]["code"].is_string(), "{date}: {body}");
        assert!(body["data"].is_null(), "{date}: {body}");
        let by_variable = "query($d: Date) { events(filter: {from: $d}) { totalCount } }";
        let body = app.graphql(by_variable, json!({ "d": date })).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
            "{date}: {body}"
        );
    }
    // The edges of the range are dates, and come back as written.
    let body = app
        .data(
            "{ events(filter: {from: \"0001-01-01\", to: \"9999-12-31\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert!(body["events"]["totalCount"].as_i64().unwrap() > 0);
}

async fn invalid_documents_found_by_the_fuzzer_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    for query in [
        "{ __typename { __typename } }",
        "{ __typename(x: 1) }",
        "{ events(orderBy: {direction: ASC, direction: ASC}) { totalCount } }",
    ] {
        let body = app.graphql(query, json!({})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
            "{query}: {body}"
        );
    }
    // Every root field skipped: an empty object, not null.
    let body = app.graphql("{ __typename @skip(if: true) }", json!({})).await;
    assert_eq!(body, json!({ "data": {} }));
    let body = app.graphql("{ events @skip(if: true) { totalCount } }", json!({})).await;
    assert_eq!(body, json!({ "data": {} }));
    // Every field of an object skipped, directly or through fragments: an empty object, where
    // async-graphql answered null (and nulled the parent of a non-null one).
    let query = "query($s: Boolean!) { events(first: 1) { totalCount pageInfo { hasNextPage @skip(if: $s) }
        nodes { ... @include(if: false) { title } ...K } } } fragment K on Event { key @skip(if: $s) }";
    let body = app.graphql(query, json!({ "s": true })).await;
    assert_eq!(body["data"]["events"]["pageInfo"], json!({}), "{body}");
    assert_eq!(body["data"]["events"]["nodes"], json!([{}]), "{body}");
    let body = app.graphql(query, json!({ "s": false })).await;
    assert_eq!(body["data"]["events"]["pageInfo"], json!({ "hasNextPage": true }), "{body}");
    assert!(body["data"]["events"]["nodes"][0]["key"].is_string(), "{body}");
    // Methods other than GET and POST: 405, as a coded GraphQL error.
    let response = app.client.delete(format!("{}/graphql", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET, POST");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "METHOD_NOT_ALLOWED");
}

on_both_backends!(constraint_violations_answer_without_the_drivers_text);

/// Each unique key a mutation can collide with, through the API: `CONFLICT`, in a sentence of
/// the service's own, never the driver's (table, column or constraint names).
async fn constraint_violations_answer_without_the_drivers_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.key("admin", Role::Admin).await;
    let source = app.id_of("sources", "seed-article").await;
    let actor = app.id_of("actors", "tokayev").await;
    let event = app.id_of("events", "almaty-riots").await;
    let cite = format!("citations: [{{sourceId: \"{source}\"}}]");
    let collisions = [
        "mutation { createSource(input: {key: \"seed-article\", kind: NEWS, publisher: \"p\"}) { source { id } } }".to_owned(),
        "mutation { createActor(input: {key: \"tokayev\", kind: PERSON, name: \"n\"}) { actor { id } } }".to_owned(),
        format!("mutation {{ createEvent(input: {{key: \"almaty-riots\", title: \"t\", type: RIOTS, startDate: \"2022-01-05\", datePrecision: DAY, {cite}}}) {{ event {{ id }} }} }}"),
        format!("mutation {{ createStatement(input: {{key: \"tokayev-attempted-coup\", speakerId: \"{actor}\", text: \"t\", mode: PARAPHRASE, kind: CLAIM, {cite}}}) {{ statement {{ id }} }} }}"),
        format!("mutation {{ createCasualtyReport(input: {{key: \"unrest-killed-164\", eventId: \"{event}\", category: KILLED, low: 1, {cite}}}) {{ casualtyReport {{ id }} }} }}"),
        "mutation { createApiKey(input: {name: \"admin\", role: READER}) { key } }".to_owned(),
    ];
    for mutation in &collisions {
        let body = app.graphql_as(Some(&admin), mutation, json!({})).await;
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], "CONFLICT", "{mutation}: {body}");
        let message = error["message"].as_str().unwrap().to_lowercase();
        for driver_text in
            ["unique", "constraint", "duplicate key", ".key", "_key", "sqlite", "violates"]
        {
            assert!(!message.contains(driver_text), "{mutation}: {message}");
        }
    }
}

on_both_backends!(answers_keep_the_selection_order);

/// The keys of an answer, in the order the body writes them.
fn key_order(body: &str, keys: &[&str]) -> Vec<usize> {
    keys.iter().map(|key| body.find(&format!("\"{key}\"")).expect(key)).collect()
}

async fn answers_keep_the_selection_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let query = "{ sources { totalCount } events(first: 2) { edges { cursor node { title id } } totalCount }
        actors(first: 1) { pageInfo { hasNextPage } totalCount } }";
    // Twice: the second may be a compiled read on PostgreSQL.
    for _ in 0..2 {
        let body = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let at = key_order(
            &body,
            &["sources", "events", "edges", "cursor", "title", "id", "actors", "pageInfo"],
        );
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{body}");
        // `totalCount` after `edges` in events, before nothing else there.
        let events = &body[body.find("\"events\"").unwrap()..body.find("\"actors\"").unwrap()];
        assert!(events.find("\"edges\"") < events.find("\"totalCount\""), "{body}");
    }
}

on_both_backends!(only_the_selected_operation_is_checked_for_variables);

async fn only_the_selected_operation_is_checked_for_variables(backend: Backend) {
    let app = spawn_app(backend).await;
    let document = "query A { __typename } query B($x: Int!) { events(first: $x) { totalCount } }";
    for _ in 0..2 {
        let body = post(&app, &json!({ "query": document, "operationName": "A" })).await;
        assert_eq!(body, json!({ "data": { "__typename": "Query" } }));
    }
    let body =
        post(&app, &json!({ "query": document, "operationName": "B", "variables": { "x": 2 } }))
            .await;
    assert!(body["data"]["events"]["totalCount"].as_i64().unwrap() > 0, "{body}");
}

on_both_backends!(every_operation_is_validated_and_only_the_selected_one_priced);

/// The GraphQL rules hold for the whole document, the limits for what runs.
async fn every_operation_is_validated_and_only_the_selected_one_priced(backend: Backend) {
    let app = spawn_app(backend).await;
    let invalid =
        "query A { __typename } query B { events { nope } } query C($u: Int) { __typename }";
    let body = post(&app, &json!({ "query": invalid, "operationName": "A" })).await;
    let errors = body["errors"].as_array().unwrap_or_else(|| panic!("{body}"));
    assert!(body.get("data").is_none(), "{body}");
    let messages: Vec<&str> = errors.iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert!(messages.iter().any(|m| m.contains("nope")), "{body}");
    assert!(messages.iter().any(|m| m.contains("$u")), "unused variable of C: {body}");
    assert!(
        errors.iter().all(|e| e["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"),
        "{body}"
    );
    // A fragment only an unselected operation spreads is used; one nobody spreads is not.
    let fragments = "query A { __typename } query B { events { ...F } } fragment F on EventConnection { totalCount }";
    let body = post(&app, &json!({ "query": fragments, "operationName": "A" })).await;
    assert_eq!(body, json!({ "data": { "__typename": "Query" } }));
    let unused = "query A { __typename } fragment F on EventConnection { totalCount }";
    let body = post(&app, &json!({ "query": unused, "operationName": "A" })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "{body}");
    // Each operation costs 30,301, under the default limit of 50,000: two of them in one
    // document are not added up.
    let costly = "events(first: 100) { edges { node { statements(first: 100) { edges { node { text } } } } } }";
    let both = format!("query A {{ {costly} }} query B {{ {costly} }}");
    let body = post(&app, &json!({ "query": both, "operationName": "A" })).await;
    assert!(body["data"]["events"]["edges"].is_array(), "{body}");
    // Past the limit, the code comes from the limit, for the selected operation.
    let too_costly = "query A { __typename } query B { events(first: 100) { edges { node {
        statements(first: 100) { edges { node { text } } }
        again: statements(first: 100) { edges { node { text } } } } } } }";
    let body = post(&app, &json!({ "query": too_costly, "operationName": "B" })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{body}");
    let body = post(&app, &json!({ "query": too_costly, "operationName": "A" })).await;
    assert_eq!(body, json!({ "data": { "__typename": "Query" } }));
}

/// POSTs a whole GraphQL request body as JSON and returns the JSON answer, whatever its status.
async fn post(app: &TestApp, body: &Value) -> Value {
    let url = format!("{}/graphql", app.address);
    app.client.post(url).json(body).send().await.unwrap().json().await.unwrap()
}
