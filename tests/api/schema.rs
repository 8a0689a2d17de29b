//! The committed `schema.graphql` is what the server serves.

use crate::helpers::{spawn_app, Backend, Client};
use serde_json::json;

#[test]
fn the_committed_schema_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql exists");
    let served = annals::graphql::sdl();
    assert!(
        committed == served,
        "schema.graphql is stale: run `cargo run -- schema --out schema.graphql`"
    );
}

#[tokio::test]
async fn the_served_schema_has_the_contracted_roots_and_descriptions() {
    let app = spawn_app(Backend::Sqlite).await;
    let data = app
        .data(r#"{ __schema { queryType { fields { name description } } } __type(name: "CasualtyReport") { fields { name description } } }"#, json!({}))
        .await;
    let roots: Vec<_> = data["__schema"]["queryType"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for expected in
        ["node", "nodes", "events", "actors", "statements", "casualtyReports", "sources"]
    {
        assert!(roots.contains(&expected), "{expected} missing from {roots:?}");
    }
    for field in data["__type"]["fields"].as_array().unwrap() {
        assert!(
            field["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{field} has no description"
        );
    }
}
