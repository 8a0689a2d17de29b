//! Deployment posture: the production profile and CORS.

use crate::helpers::{spawn_app, spawn_app_with, Backend, Client};
use crate::on_both_backends;
use annals::config::Profile;
use serde_json::{json, Value};

on_both_backends!(
    the_production_profile_hides_the_schema_but_still_answers,
    switches_override_the_profile_one_by_one,
    cors_admits_only_configured_origins,
);

const INTROSPECTION: &str = "{ __schema { queryType { name } } }";

async fn the_production_profile_hides_the_schema_but_still_answers(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.profile = Profile::Production).await;

    let introspection = app.graphql(INTROSPECTION, json!({})).await;
    assert!(
        introspection.get("errors").is_some() || introspection["data"]["__schema"].is_null(),
        "{introspection}"
    );
    let typo = app.graphql("{ sources { totalCount } evnts { totalCount } }", json!({})).await;
    let message = typo["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("Did you mean"), "no suggestions: {message}");
    let page = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_ne!(page.status(), 200, "no GraphiQL in production");
    let asset =
        app.client.get(format!("{}/graphiql/graphiql.min.js", app.address)).send().await.unwrap();
    assert_eq!(asset.status(), 404);
    assert_eq!(app.data("{ sources { totalCount } }", json!({})).await["sources"]["totalCount"], 7);

    let development = spawn_app(Backend::Sqlite).await;
    let typo = development.graphql("{ evnts { totalCount } }", json!({})).await;
    assert!(typo["errors"][0]["message"].as_str().unwrap().contains("Did you mean"), "{typo}");
    let introspection = development.data(INTROSPECTION, json!({})).await;
    assert_eq!(introspection["__schema"]["queryType"]["name"], "Query");
}

async fn switches_override_the_profile_one_by_one(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.profile = Profile::Production;
        s.introspection = Some(true);
    })
    .await;
    assert_eq!(app.data(INTROSPECTION, json!({})).await["__schema"]["queryType"]["name"], "Query");
    let page = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_ne!(page.status(), 200, "GraphiQL stays off");
}

async fn cors_admits_only_configured_origins(backend: Backend) {
    let app =
        spawn_app_with(backend, |s| s.cors_origins = vec!["https://frontend.example".to_owned()])
            .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .send()
    };

    let allowed = preflight("https://frontend.example").await.unwrap();
    assert!(allowed.status().is_success());
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://frontend.example");
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused.headers().get("access-control-allow-origin").is_none());

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Origin", "https://frontend.example")
        .json(&json!({ "query": "{ sources { totalCount } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "https://frontend.example");
    assert_eq!(response.json::<Value>().await.unwrap()["data"]["sources"]["totalCount"], 7);
}

on_both_backends!(
    every_response_carries_its_request_id,
    a_request_past_its_time_limit_stops_with_a_timeout_code
);

async fn every_response_carries_its_request_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": "{ sources { totalCount } }" }))
            .send()
            .await
            .unwrap();
        let id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(id.len(), 36, "a UUID: {id}");
        ids.push(id);
    }
    assert_ne!(ids[0], ids[1]);
}

async fn a_request_past_its_time_limit_stops_with_a_timeout_code(backend: Backend) {
    // Arrange: another connection holds the events table, so reading it waits whatever the
    // machine's speed, longer than the request may take.
    let app = spawn_app_with(backend.clone(), |s| s.request_timeout_ms = 300).await;
    let _lock = hold_events_table(&backend, &app.database_url).await;
    let query = "{ events(first: 5) { totalCount edges { node { title } } } }";

    // Act
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT", "{body}");
    // The worker is free again.
    let health = app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

/// A connection of its own that keeps every other connection from reading `events` until it
/// is dropped: PostgreSQL's `ACCESS EXCLUSIVE` table lock; on SQLite, the whole file locked
/// exclusively, which readers wait on for sqlx's busy timeout (5 s).
async fn hold_events_table(backend: &Backend, url: &str) -> Box<dyn std::any::Any> {
    use sea_orm::sqlx::{Connection, Executor};
    match backend {
        Backend::Postgres(_) => {
            let mut conn = sea_orm::sqlx::PgConnection::connect(url).await.unwrap();
            conn.execute("BEGIN").await.unwrap();
            conn.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE").await.unwrap();
            Box::new(conn)
        }
        Backend::Sqlite => {
            let mut conn = sea_orm::sqlx::SqliteConnection::connect(url).await.unwrap();
            conn.execute("PRAGMA locking_mode = EXCLUSIVE").await.unwrap();
            conn.execute("BEGIN EXCLUSIVE").await.unwrap();
            conn.execute("UPDATE events SET title = title").await.unwrap();
            Box::new(conn)
        }
    }
}
