//! Read replicas on one server: what happens when none is fit to read from, the consistency
//! tokens mutations hand out, and replicas on SQLite. A real streaming replica behind two
//! instances and nginx is `cluster.rs`'s.

use crate::helpers::{spawn_app, spawn_app_with, Backend, Client, TestApp};
use annals::domain::Role;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// `/readyz`'s body.
async fn readiness(app: &TestApp) -> Value {
    let ready = app.client.get(format!("{}/readyz", app.address)).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    ready.json().await.unwrap()
}

/// `/metrics`' text.
async fn metrics(app: &TestApp) -> String {
    app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap()
}

/// The replicas as `/readyz` lists them, once every one has been checked.
async fn checked_replicas(app: &TestApp) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let replicas = readiness(app).await["replicas"].as_array().unwrap().clone();
        // Before the first check every replica counts as unreachable with nothing known.
        let checked =
            replicas.iter().all(|r| r["reason"] != "unreachable" || r["name"] == UNREACHABLE_NAME);
        if checked && started.elapsed() > Duration::from_millis(200) {
            return replicas;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "never checked: {replicas:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const UNREACHABLE: &str = "postgres://annals:secret@127.0.0.1:1/annals";
const UNREACHABLE_NAME: &str = "127.0.0.1:1/annals";

#[tokio::test]
async fn without_a_fit_replica_the_primary_answers_and_readyz_says_why() {
    let Some(postgres) = Backend::postgres() else {
        return eprintln!("TEST_DATABASE_URL is not set: replicas need PostgreSQL");
    };
    // The primary itself is not a standby; nothing listens on port 1.
    let app = spawn_app_with(postgres, |s| {
        s.database_replica_urls = vec![s.database_url.clone(), UNREACHABLE.to_owned()];
        s.replica_check_ms = 20;
    })
    .await;
    let replicas = checked_replicas(&app).await;
    assert_eq!(replicas.len(), 2, "{replicas:?}");
    assert_eq!(replicas[0]["inRotation"], false);
    assert_eq!(replicas[0]["reason"], "not a standby");
    assert_eq!(replicas[1]["name"], UNREACHABLE_NAME, "no credentials in the name");
    assert_eq!(replicas[1]["reason"], "unreachable");
    assert!(!readiness(&app).await.to_string().contains("secret"));

    let data = app.data("{ events(first: 3) { totalCount } }", json!({})).await;
    assert_eq!(data["events"]["totalCount"], 16);
    let text = metrics(&app).await;
    assert!(
        text.contains("annals_reads_total{target=\"primary_no_replica_in_rotation\"}"),
        "{text}"
    );
    assert!(
        text.contains(&format!("annals_replica_in_rotation{{replica=\"{UNREACHABLE_NAME}\"}} 0")),
        "{text}"
    );
}

#[tokio::test]
async fn mutations_hand_out_consistency_tokens_that_queries_carry_back() {
    let Some(postgres) = Backend::postgres() else {
        return eprintln!("TEST_DATABASE_URL is not set: replicas need PostgreSQL");
    };
    let app = spawn_app_with(postgres, |s| {
        s.database_replica_urls = vec![UNREACHABLE.to_owned()];
    })
    .await;
    let editor = app.key("newsroom", Role::Editor).await;
    let event = app.id_of("events", "almaty-riots").await;
    let update =
        "mutation($input: UpdateEventInput!) { updateEvent(input: $input) { event { title } } }";
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&editor)
        .json(&json!({ "query": update, "variables": { "input": { "id": event, "title": "Tokened" } } }))
        .send()
        .await
        .unwrap();
    let header = response.headers()["annals-consistency-token"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    let token = body["extensions"]["consistencyToken"].as_str().expect("a token").to_owned();
    assert_eq!(token, header);
    let (high, low) = token.split_once('/').expect("a WAL position");
    assert!(u32::from_str_radix(high, 16).is_ok() && u32::from_str_radix(low, 16).is_ok());
    let now =
        app.number("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint AS n").await;
    let given =
        i64::from_str_radix(high, 16).unwrap() << 32 | i64::from_str_radix(low, 16).unwrap();
    assert!(given <= now, "the token is a position the primary has reached");

    let read = |token: Value, header: Option<&str>| {
        let mut request = app.client.post(format!("{}/graphql", app.address)).json(&json!({
            "query": "query($id: ID!) { node(id: $id) { ... on Event { title } } }",
            "variables": { "id": event },
            "extensions": { "consistencyToken": token },
        }));
        if let Some(header) = header {
            request = request.header("annals-consistency-token", header);
        }
        request.send()
    };
    for (token, header) in [(json!(token), None), (json!(null), Some(token.as_str()))] {
        let response = read(token, header).await.unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["data"]["node"]["title"], "Tokened", "{body}");
    }
    for (token, header) in
        [(json!("not a token"), None), (json!(7), None), (json!(null), Some("1/2/3"))]
    {
        let response = read(token, header).await.unwrap();
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_CONSISTENCY_TOKEN", "{body}");
    }
    // A query hands out no token: it wrote nothing.
    let body = app.graphql("{ events(first: 1) { totalCount } }", json!({})).await;
    assert!(body.get("extensions").is_none(), "{body}");
}

#[tokio::test]
async fn without_replicas_mutations_hand_out_no_token() {
    let app = spawn_app(Backend::Sqlite).await;
    let editor = app.key("newsroom", Role::Editor).await;
    let event = app.id_of("events", "almaty-riots").await;
    let update =
        "mutation($input: UpdateEventInput!) { updateEvent(input: $input) { event { title } } }";
    let body = app
        .graphql_as(Some(&editor), update, json!({ "input": { "id": event, "title": "No token" } }))
        .await;
    assert!(body.get("errors").is_none() && body.get("extensions").is_none(), "{body}");
}

#[tokio::test]
async fn replicas_need_postgresql() {
    let guard = crate::helpers::spawn_empty_app(Backend::Sqlite).await;
    let mut settings = guard.settings.clone();
    settings.database_replica_urls = vec![UNREACHABLE.to_owned()];
    let refused = annals::startup::Application::build(&settings).await.err().expect("refused");
    assert!(refused.to_string().contains("read replicas need PostgreSQL"), "{refused}");
}
