//! The HTTP transport: GraphQL-over-HTTP status codes and media types, GET rules, malformed
//! requests, and the GraphiQL page.

use crate::helpers::{spawn_app, Backend, Client};
use crate::on_both_backends;
use serde_json::{json, Value};

on_both_backends!(
    malformed_and_invalid_documents_get_codes_not_server_errors,
    graphql_response_json_is_answered_when_accepted,
    queries_work_over_get_but_mutations_do_not,
    non_json_posts_and_batches_are_refused,
    browsers_get_the_graphiql_ide_on_get,
);

async fn malformed_and_invalid_documents_get_codes_not_server_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let parse = app.graphql("{ events { ", json!({})).await;
    assert_eq!(parse["errors"][0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED");
    assert!(parse.get("data").is_none(), "a request error has no data entry");

    let unknown_field =
        app.graphql("{ events { edges { node { noSuchField } } } }", json!({})).await;
    assert_eq!(unknown_field["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
    assert!(unknown_field["errors"][0]["message"].as_str().unwrap().contains("noSuchField"));

    let bad_enum =
        app.graphql("{ events(filter: {types: [RIOT]}) { totalCount } }", json!({})).await;
    assert_eq!(bad_enum["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");

    let bad_date = app
        .graphql(
            "query($d: Date) { events(filter: {from: $d}) { totalCount } }",
            json!({ "d": "2022-13-01" }),
        )
        .await;
    assert!(bad_date["errors"][0]["extensions"]["code"].is_string(), "{bad_date}");
    assert!(
        bad_date["errors"][0]["message"].as_str().unwrap().contains("2022-13-01"),
        "{bad_date}"
    );
}

async fn graphql_response_json_is_answered_when_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let post = |query: &str| {
        app.client
            .post(format!("{}/graphql", app.address))
            .header("Accept", "application/graphql-response+json, application/json;q=0.9")
            .json(&json!({ "query": query }))
            .send()
    };

    let ok = post("{ sources { totalCount } }").await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["content-type"], "application/graphql-response+json");
    assert_eq!(ok.json::<Value>().await.unwrap()["data"]["sources"]["totalCount"], 7);

    let invalid = post("{ nope }").await.unwrap();
    assert_eq!(invalid.status(), 400, "request errors are 4xx with the modern media type");
    let field_error = post("{ events(first: 1000) { totalCount } }").await.unwrap();
    assert_eq!(field_error.status(), 200, "execution errors keep 200");
    assert_eq!(
        field_error.json::<Value>().await.unwrap()["errors"][0]["extensions"]["code"],
        "INVALID_PAGINATION"
    );
}

async fn queries_work_over_get_but_mutations_do_not(backend: Backend) {
    let app = spawn_app(backend).await;
    let get = |params: Vec<(&str, &str)>| {
        app.client.get(format!("{}/graphql", app.address)).query(&params).send()
    };

    let ok = get(vec![
        ("query", "query Count($k: [SourceKind!]) { sources(filter: {kinds: $k}) { totalCount } }"),
        ("variables", r#"{"k": ["NEWS"]}"#),
        ("operationName", "Count"),
    ])
    .await
    .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.json::<Value>().await.unwrap()["data"]["sources"]["totalCount"], 5);

    let mutation = get(vec![("query", "mutation { anything }")]).await.unwrap();
    assert_eq!(mutation.status(), 405);
    assert_eq!(mutation.headers()["allow"], "POST");
    assert_eq!(
        mutation.json::<Value>().await.unwrap()["errors"][0]["extensions"]["code"],
        "METHOD_NOT_ALLOWED"
    );

    let chosen = get(vec![
        ("query", "query Q { sources { totalCount } } mutation M { anything }"),
        ("operationName", "M"),
    ])
    .await
    .unwrap();
    assert_eq!(chosen.status(), 405, "the selected operation decides");

    let bad_variables =
        get(vec![("query", "{ sources { totalCount } }"), ("variables", "not json")])
            .await
            .unwrap();
    assert_eq!(bad_variables.status(), 400);
}

async fn non_json_posts_and_batches_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let url = format!("{}/graphql", app.address);

    let form = app
        .client
        .post(&url)
        .header("Content-Type", "text/plain")
        .body("{ sources { totalCount } }")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    assert_eq!(
        form.json::<Value>().await.unwrap()["errors"][0]["extensions"]["code"],
        "UNSUPPORTED_MEDIA_TYPE"
    );

    let batch = app
        .client
        .post(&url)
        .json(&json!([{ "query": "{ sources { totalCount } }" }]))
        .send()
        .await
        .unwrap();
    assert_eq!(batch.status(), 400);
    assert_eq!(
        batch.json::<Value>().await.unwrap()["errors"][0]["extensions"]["code"],
        "BATCH_NOT_SUPPORTED"
    );

    let broken = app
        .client
        .post(&url)
        .header("Content-Type", "application/json")
        .body("{\"query\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);
    assert_eq!(
        broken.json::<Value>().await.unwrap()["errors"][0]["extensions"]["code"],
        "BAD_REQUEST"
    );

    let huge = app
        .client
        .post(&url)
        .json(&json!({ "query": "{ sources { totalCount } }", "pad": "x".repeat(2 * 1024 * 1024) }))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413, "bodies over the cap are refused before parsing");
    let body: Value = huge.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE", "{body}");
}

async fn browsers_get_the_graphiql_ide_on_get(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("GraphiQL"), "the IDE page");
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"),
        "no CDN: {html}"
    );
    for asset in [
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "start.js",
    ] {
        assert!(html.contains(&format!("/graphiql/{asset}")), "{asset} is referenced");
        let response =
            app.client.get(format!("{}/graphiql/{asset}", app.address)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{asset}");
        assert!(!response.bytes().await.unwrap().is_empty(), "{asset} is bundled");
    }
    let missing =
        app.client.get(format!("{}/graphiql/../Cargo.toml", app.address)).send().await.unwrap();
    assert_eq!(missing.status(), 404);

    let health = app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();
    assert_eq!(health.status(), 200);
}
