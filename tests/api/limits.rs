//! Query-size limits and health endpoints.

use crate::helpers::{spawn_app, Backend, Client};
use crate::on_both_backends;
use serde_json::{json, Value};

on_both_backends!(
    deep_queries_are_refused_with_a_code,
    large_nested_pages_are_refused_by_complexity_even_through_fragments,
    health_and_readiness_report_on_the_database,
);

async fn deep_queries_are_refused_with_a_code(backend: Backend) {
    let app = spawn_app(backend).await;
    // Twenty levels of parent { parent { … } }: far past the default depth of 15.
    let mut selection = "id".to_owned();
    for _ in 0..20 {
        selection = format!("parent {{ {selection} }}");
    }
    let query = format!("{{ events(first: 1) {{ edges {{ node {{ {selection} }} }} }} }}");

    let body = app.graphql(&query, json!({})).await;

    assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_DEEP");
    assert!(body.get("data").is_none(), "refused before execution");
}

async fn large_nested_pages_are_refused_by_complexity_even_through_fragments(backend: Backend) {
    let app = spawn_app(backend).await;
    let allowed =
        "{ events(first: 100) { edges { node { title participants { actor { name } } } } } }";
    assert!(app.graphql(allowed, json!({})).await.get("errors").is_none());

    // 100 × 100 × 100 nodes: a million rows asked for.
    let nested = "{ actors(first: 100) { edges { node { events(first: 100) { edges { node {
        statements(first: 100) { edges { node { text } } } } } } } } } }";
    let hidden =
        "{ actors(first: 100) { ...A } } fragment A on ActorConnection { edges { node { ...B } } }
        fragment B on Actor { events(first: 100) { edges { node { ...C } } } }
        fragment C on Event { statements(first: 100) { edges { node { text } } } }";
    let aliased = "{ a: actors(first: 100) { edges { node { events(first: 100) { totalCount } } } }
        b: actors(first: 100) { edges { node { events(first: 100) { totalCount } } } }
        c: actors(first: 100) { edges { node { events(first: 100) { totalCount } } } }
        d: actors(first: 100) { edges { node { events(first: 100) { totalCount } } } }
        e: actors(first: 100) { edges { node { events(first: 100) { totalCount } } } }
        f: actors(first: 100) { edges { node { events(first: 100) { totalCount } } } } }";
    for query in [nested, hidden, aliased] {
        let body: Value = app.graphql(query, json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{query}");
    }
}

async fn health_and_readiness_report_on_the_database(backend: Backend) {
    let app = spawn_app(backend).await;
    let get = |path: &'static str| app.client.get(format!("{}{path}", app.address)).send();

    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    let ready = get("/readyz").await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "ready");

    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    assert!(metrics.contains("annals_sql_statements_total"), "{metrics}");

    // Closing the pool makes the database unreachable from the server's point of view.
    app.database.conn.clone().close().await.unwrap();
    let unready = get("/readyz").await.unwrap();
    assert_eq!(unready.status(), 503);
    let body = unready.json::<Value>().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert!(!body.to_string().contains("sqlx") && !body.to_string().contains("pool"), "{body}");
}
