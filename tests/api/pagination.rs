//! Keyset pagination: both directions, stable cursors, bounds and bad cursors.

use crate::helpers::{spawn_app, Backend, Client, TestApp};
use crate::on_both_backends;
use serde_json::{json, Value};

on_both_backends!(
    paging_forward_and_backward_visits_every_event_once_in_order,
    cursors_keep_their_place_when_rows_are_inserted_before_them,
    page_size_limits_are_enforced_with_a_clear_error,
    foreign_or_corrupt_cursors_are_refused,
    nested_connections_page_and_count,
    orderings_sort_by_their_key_then_by_id,
);

const EVENTS_PAGE: &str = r#"query($first: Int, $after: String, $last: Int, $before: String, $order: EventOrder) {
    events(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { key startDate title } } } }"#;

async fn page(app: &TestApp, variables: Value) -> Value {
    app.data(EVENTS_PAGE, variables).await["events"].clone()
}

fn keys_of(page: &Value) -> Vec<String> {
    page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["key"].as_str().unwrap().to_owned())
        .collect()
}

async fn paging_forward_and_backward_visits_every_event_once_in_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let everything = keys_of(&page(&app, json!({ "first": 100 })).await);
    assert_eq!(everything.len(), 16);

    let mut forward = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = page(&app, json!({ "first": 3, "after": after })).await;
        forward.extend(keys_of(&page));
        assert_eq!(page["pageInfo"]["hasPreviousPage"], !after.is_null());
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(forward, everything);

    let mut backward = Vec::new();
    let mut before = Value::Null;
    loop {
        let page = page(&app, json!({ "last": 5, "before": before })).await;
        let mut keys = keys_of(&page);
        keys.extend(backward);
        backward = keys;
        if page["pageInfo"]["hasPreviousPage"] == false {
            break;
        }
        before = page["pageInfo"]["startCursor"].clone();
    }
    assert_eq!(backward, everything);

    // Latest first, ties broken consistently.
    let dates: Vec<_> = page(&app, json!({ "first": 100 })).await["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["startDate"].as_str().unwrap().to_owned())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
}

async fn cursors_keep_their_place_when_rows_are_inserted_before_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = page(&app, json!({ "first": 4 })).await;
    let cursor = first["pageInfo"]["endCursor"].clone();
    let expected = keys_of(&page(&app, json!({ "first": 4, "after": cursor })).await);

    // A newer event sorts before every existing one.
    let mut dataset = annals::dataset::parse(annals::dataset::BUNDLED).unwrap();
    dataset.actors.clear();
    dataset.affiliations.clear();
    dataset.statements.clear();
    dataset.casualty_reports.clear();
    let mut event = dataset.events.remove(0);
    dataset.events.clear();
    dataset.sources.truncate(1);
    event.key = "a-later-event".into();
    event.start_date = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    event.end_date = None;
    event.participants.clear();
    event.citations.truncate(1);
    dataset.sources[0].key = "another-source".into();
    event.citations[0].source = "another-source".into();
    dataset.events.push(event);
    annals::dataset::import(&app.database.conn, &dataset).await.expect("import");

    assert_eq!(keys_of(&page(&app, json!({ "first": 4, "after": cursor })).await), expected);
    assert_eq!(keys_of(&page(&app, json!({ "first": 1 })).await), ["a-later-event"]);
    assert_eq!(page(&app, json!({ "first": 1 })).await["totalCount"], 17);
}

async fn page_size_limits_are_enforced_with_a_clear_error(backend: Backend) {
    let app = spawn_app(backend).await;

    assert_eq!(
        page(&app, json!({})).await["edges"].as_array().unwrap().len(),
        16,
        "default page of 20"
    );
    for variables in [
        json!({ "first": 101 }),
        json!({ "last": 1000 }),
        json!({ "first": -1 }),
        json!({ "first": 1, "last": 1 }),
    ] {
        let code = app.error_code(EVENTS_PAGE, variables.clone()).await;
        assert_eq!(code, "INVALID_PAGINATION", "{variables}");
    }
    let body = app.graphql(EVENTS_PAGE, json!({ "first": 101 })).await;
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("at most 100"));
    let nested = app
        .error_code(
            "{ actors(first: 1) { edges { node { events(first: 500) { totalCount } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(nested, "INVALID_PAGINATION");
    assert_eq!(page(&app, json!({ "first": 0 })).await["edges"], json!([]));
}

async fn foreign_or_corrupt_cursors_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let by_date = page(&app, json!({ "first": 2 })).await["pageInfo"]["endCursor"].clone();

    for cursor in [json!("garbage"), json!("eyJub3QiOiJhIGN1cnNvciJ9"), json!("")] {
        assert_eq!(
            app.error_code(EVENTS_PAGE, json!({ "after": cursor })).await,
            "INVALID_CURSOR",
            "{cursor}"
        );
    }
    let by_title = json!({ "field": "TITLE", "direction": "ASC" });
    assert_eq!(
        app.error_code(EVENTS_PAGE, json!({ "after": by_date, "order": by_title })).await,
        "INVALID_CURSOR"
    );
    let actors = app
        .error_code(
            "query($c: String) { actors(after: $c) { totalCount } }",
            json!({ "c": by_date }),
        )
        .await;
    assert_eq!(actors, "INVALID_CURSOR", "an event cursor does not page actors");
}

async fn nested_connections_page_and_count(backend: Backend) {
    let app = spawn_app(backend).await;
    let query = r#"query($after: String) { actors(filter: {name: "Vladimir Putin"}) { edges { node {
        statements(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { key } } }
        events(last: 1) { totalCount pageInfo { hasPreviousPage } edges { node { key } } } } } } }"#;

    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app.data(query, json!({ "after": after })).await;
        let putin = &data["actors"]["edges"][0]["node"];
        assert_eq!(putin["statements"]["totalCount"], 5);
        assert_eq!(putin["events"]["totalCount"], 2);
        assert_eq!(putin["events"]["pageInfo"]["hasPreviousPage"], true);
        seen.extend(
            putin["statements"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["key"].as_str().unwrap().to_owned()),
        );
        if putin["statements"]["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = putin["statements"]["pageInfo"]["endCursor"].clone();
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5);
}

async fn orderings_sort_by_their_key_then_by_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let titles: Vec<String> =
        page(&app, json!({ "first": 100, "order": { "field": "TITLE", "direction": "ASC" } }))
            .await["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["title"].as_str().unwrap().to_owned())
            .collect();
    let mut sorted = titles.clone();
    sorted.sort();
    assert_eq!(titles, sorted);

    let lows: Vec<i64> = app
        .data("{ casualtyReports(orderBy: {field: LOW, direction: DESC}) { edges { node { low } } } }", json!({}))
        .await["casualtyReports"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["low"].as_i64().unwrap())
        .collect();
    assert_eq!(lows, [5800, 2000, 164]);
}
