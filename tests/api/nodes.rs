//! `node(id:)` and `nodes(ids:)` for every type, and bad IDs.

use crate::helpers::{spawn_app, Backend, Client};
use crate::on_both_backends;
use serde_json::json;

on_both_backends!(
    every_node_type_is_fetchable_by_its_id,
    nodes_keeps_order_and_marks_missing_ids_null,
    bad_ids_are_refused_with_a_code
);

const NODE: &str = r#"query($id: ID!) { node(id: $id) { __typename id
    ... on Event { key } ... on Actor { key } ... on Statement { key }
    ... on CasualtyReport { key } ... on Source { key } } }"#;

async fn every_node_type_is_fetchable_by_its_id(backend: Backend) {
    let app = spawn_app(backend).await;
    for (list, key, type_name) in [
        ("events", "almaty-riots", "Event"),
        ("actors", "putin", "Actor"),
        ("statements", "cooley-moscow-exchange", "Statement"),
        ("casualtyReports", "unrest-detained-5800", "CasualtyReport"),
        ("sources", "reuters-putin-victory", "Source"),
    ] {
        let id = app.id_of(list, key).await;
        let data = app.data(NODE, json!({ "id": id })).await;
        assert_eq!(data["node"]["__typename"], type_name);
        assert_eq!(data["node"]["id"], id.as_str());
        assert_eq!(data["node"]["key"], key);
    }
}

async fn nodes_keeps_order_and_marks_missing_ids_null(backend: Backend) {
    let app = spawn_app(backend).await;
    let putin = app.id_of("actors", "putin").await;
    let riots = app.id_of("events", "almaty-riots").await;
    // A well-formed ID of a row that does not exist.
    let missing = annals::graphql::id::encode(annals::domain::NodeType::Event, 999_999).to_string();

    let data = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }",
            json!({ "ids": [riots, missing, putin] }),
        )
        .await;

    assert_eq!(
        data["nodes"],
        json!([{ "id": riots, "__typename": "Event" }, null, { "id": putin, "__typename": "Actor" }])
    );
    let missing_node = app.data(NODE, json!({ "id": missing })).await;
    assert_eq!(missing_node["node"], serde_json::Value::Null);
}

async fn bad_ids_are_refused_with_a_code(backend: Backend) {
    let app = spawn_app(backend).await;
    for id in ["", "42", "not base64!", "RXZlbnQ6MDAx", "V2lkZ2V0OjE"] {
        assert_eq!(app.error_code(NODE, json!({ "id": id })).await, "INVALID_ID", "{id:?}");
    }
    let too_many: Vec<String> = (1..=101)
        .map(|i| annals::graphql::id::encode(annals::domain::NodeType::Actor, i).to_string())
        .collect();
    assert_eq!(
        app.error_code(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": too_many })
        )
        .await,
        "INVALID_PAGINATION"
    );
}
