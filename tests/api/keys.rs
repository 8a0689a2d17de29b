//! API keys: the CLI that manages them, and how requests are identified by them.

use crate::helpers::{spawn_app, spawn_app_with, Backend, Client, TestApp};
use crate::on_both_backends;
use annals::domain::Role;
use annals::service::keys;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

on_both_backends!(
    the_cli_creates_lists_and_revokes_keys_and_stores_only_hashes,
    viewer_names_the_key_and_bad_keys_are_unauthenticated,
    private_deployments_refuse_requests_without_a_key,
    admins_manage_keys_through_the_api,
);

const VIEWER: &str = "{ viewer { name role authenticated } }";

async fn as_key(app: &TestApp, authorization: &str, query: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/graphql", app.address))
        .header("Authorization", authorization)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap()
}

async fn the_cli_creates_lists_and_revokes_keys_and_stores_only_hashes(backend: Backend) {
    let app = spawn_app(backend).await;

    let created = app.cli(&["keys", "create", "--role", "editor", "--name", "newsroom"]).await;
    assert!(created.status.success(), "{created:?}");
    let key = String::from_utf8(created.stdout).unwrap().trim().to_owned();
    assert!(key.starts_with("annals_") && key.len() > 40, "{key}");

    let again = app.cli(&["keys", "create", "--role", "admin", "--name", "newsroom"]).await;
    assert!(!again.status.success(), "a name is unique");

    let listed = app.cli(&["keys", "list"]).await;
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(listed.starts_with("newsroom\tEDITOR\tcreated "), "{listed}");
    assert!(listed.contains("active") && !listed.contains(&key), "{listed}");

    // Only a hash is stored: the key is nowhere in the table.
    let rows = app
        .database
        .conn
        .query_all_raw(sea_orm::Statement::from_string(
            app.database.conn.get_database_backend(),
            "SELECT name, role, key_hash FROM api_keys",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let stored: String = rows[0].try_get("", "key_hash").unwrap();
    assert_eq!(stored.len(), 64, "a SHA-256 in hex");
    assert!(!key.contains(&stored) && !stored.contains(&key[7..]));

    let body: Value = as_key(&app, &format!("Bearer {key}"), VIEWER).await.json().await.unwrap();
    assert_eq!(
        body["data"]["viewer"],
        json!({"name": "newsroom", "role": "EDITOR", "authenticated": true})
    );

    let revoked = app.cli(&["keys", "revoke", "newsroom"]).await;
    assert!(revoked.status.success(), "{revoked:?}");
    let refused = as_key(&app, &format!("Bearer {key}"), VIEWER).await;
    assert_eq!(refused.status(), 401);
    let listed = String::from_utf8(app.cli(&["keys", "list"]).await.stdout).unwrap();
    assert!(listed.contains("revoked "), "{listed}");
    assert!(!app.cli(&["keys", "revoke", "nobody"]).await.status.success());
}

async fn viewer_names_the_key_and_bad_keys_are_unauthenticated(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(
        app.data(VIEWER, json!({})).await["viewer"],
        json!({"name": null, "role": "READER", "authenticated": false})
    );
    let admin = keys::create(&app.database.conn, "ops", Role::Admin).await.unwrap().0;
    let body: Value = as_key(&app, &format!("Bearer {admin}"), VIEWER).await.json().await.unwrap();
    assert_eq!(
        body["data"]["viewer"],
        json!({"name": "ops", "role": "ADMIN", "authenticated": true})
    );
    let lower = as_key(&app, &format!("bearer {admin}"), VIEWER).await;
    assert_eq!(lower.status(), 200, "the scheme is case-insensitive");

    let revoked = keys::create(&app.database.conn, "old", Role::Editor).await.unwrap().0;
    keys::revoke(&app.database.conn, "old").await.unwrap();
    let mut tampered = admin.clone();
    tampered.pop();
    tampered.push(if admin.ends_with('A') { 'B' } else { 'A' });
    for authorization in [
        format!("Bearer {revoked}"),
        format!("Bearer {tampered}"),
        "Bearer annals_unknown".to_owned(),
        format!("Basic {admin}"),
        "Bearer".to_owned(),
    ] {
        let response = as_key(&app, &authorization, VIEWER).await;
        assert_eq!(response.status(), 401, "{authorization}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{authorization}");
        assert!(body.get("data").is_none());
    }
    // An unknown and a revoked key get the same answer: nothing tells them apart.
    let unknown: Value = as_key(&app, "Bearer annals_unknown", VIEWER).await.json().await.unwrap();
    let old: Value = as_key(&app, &format!("Bearer {revoked}"), VIEWER).await.json().await.unwrap();
    assert_eq!(unknown, old);
}

async fn private_deployments_refuse_requests_without_a_key(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.anonymous_read = false).await;
    let anonymous = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": "{ sources { totalCount } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let get = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", "{ sources { totalCount } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 401);

    let reader = keys::create(&app.database.conn, "partner", Role::Reader).await.unwrap().0;
    let body: Value = as_key(&app, &format!("Bearer {reader}"), "{ sources { totalCount } }")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["sources"]["totalCount"], 7);
    // Health checks stay open for the orchestrator.
    let health = app.client.get(format!("{}/readyz", app.address)).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

async fn admins_manage_keys_through_the_api(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = keys::create(&app.database.conn, "ops", Role::Admin).await.unwrap().0;
    let editor = keys::create(&app.database.conn, "desk", Role::Editor).await.unwrap().0;
    let create = "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
        key apiKey { name role revokedAt } } }";
    let list = "{ apiKeys { name role revokedAt } }";

    let forbidden = app.graphql_as(Some(&editor), list, json!({})).await;
    assert_eq!(forbidden["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let forbidden = app
        .graphql_as(Some(&editor), create, json!({ "input": { "name": "x", "role": "ADMIN" } }))
        .await;
    assert_eq!(forbidden["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let anonymous = app.graphql_as(None, list, json!({})).await;
    assert_eq!(anonymous["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    let created = app
        .graphql_as(
            Some(&admin),
            create,
            json!({ "input": { "name": "partner", "role": "READER" } }),
        )
        .await;
    let payload = &created["data"]["createApiKey"];
    assert_eq!(
        payload["apiKey"],
        json!({ "name": "partner", "role": "READER", "revokedAt": null })
    );
    let key = payload["key"].as_str().unwrap().to_owned();
    let body: Value = as_key(&app, &format!("Bearer {key}"), VIEWER).await.json().await.unwrap();
    assert_eq!(body["data"]["viewer"]["name"], "partner");
    let taken = app
        .graphql_as(
            Some(&admin),
            create,
            json!({ "input": { "name": "partner", "role": "ADMIN" } }),
        )
        .await;
    assert_eq!(taken["errors"][0]["extensions"]["code"], "CONFLICT");

    let listed = app.graphql_as(Some(&admin), list, json!({})).await;
    let names: Vec<&str> = listed["data"]["apiKeys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ops", "desk", "partner"]);
    assert!(!listed.to_string().contains(&key), "keys are never listed");

    let revoke = "mutation { revokeApiKey(input: {name: \"partner\"}) { apiKey { revokedAt } } }";
    let revoked = app.graphql_as(Some(&admin), revoke, json!({})).await;
    assert!(revoked["data"]["revokeApiKey"]["apiKey"]["revokedAt"].is_string(), "{revoked}");
    assert_eq!(as_key(&app, &format!("Bearer {key}"), VIEWER).await.status(), 401);
}
