//! Abuse resistance: alias and token limits, rate limiting, and the metrics that count
//! every refusal.

use crate::helpers::{spawn_app, spawn_app_with, Backend, Client, TestApp};
use crate::on_both_backends;
use annals::domain::Role;
use annals::service::keys;
use serde_json::{json, Value};

on_both_backends!(
    aliases_over_the_limit_are_refused_even_when_spread_from_a_fragment,
    documents_with_too_many_tokens_are_refused_before_parsing,
    each_client_has_its_own_rate_limit_answered_with_retry_after,
    forwarded_addresses_count_only_behind_a_trusted_proxy,
    metrics_count_requests_by_operation_outcome_and_refusal,
    a_get_declaring_a_non_json_body_is_refused,
    the_body_cap_is_configurable_and_counted,
);

fn aliases(count: usize) -> String {
    (0..count)
        .map(|i| format!("a{i}: sources(first: 1) {{ totalCount }}"))
        .collect::<Vec<_>>()
        .join(" ")
}

async fn aliases_over_the_limit_are_refused_even_when_spread_from_a_fragment(backend: Backend) {
    let app = spawn_app(backend).await;

    let at_limit = app.graphql(&format!("{{ {} }}", aliases(50)), json!({})).await;
    assert_eq!(at_limit["data"]["a49"]["totalCount"], 7, "{at_limit}");

    let over = app.graphql(&format!("{{ {} }}", aliases(51)), json!({})).await;
    assert_eq!(over["errors"][0]["extensions"]["code"], "TOO_MANY_ALIASES", "{over}");
    assert!(over.get("data").is_none(), "refused before execution: {over}");

    // Ten aliases in a fragment: spread five times is fifty, six times is sixty.
    let fragment = format!("fragment F on Query {{ {} }}", aliases(10));
    let five = app.graphql(&format!("{{ ...F ...F ...F ...F ...F }} {fragment}"), json!({})).await;
    assert!(five.get("errors").is_none(), "{five}");
    let six =
        app.graphql(&format!("{{ ...F ...F ...F ...F ...F ...F }} {fragment}"), json!({})).await;
    assert_eq!(six["errors"][0]["extensions"]["code"], "TOO_MANY_ALIASES", "{six}");
    // Fragments spreading fragments multiply: 2 × 3 × 10 = 60.
    let nested = format!(
        "query {{ ...H }} fragment H on Query {{ ...G ...G }} \
         fragment G on Query {{ ...F ...F ...F }} {fragment}"
    );
    let nested = app.graphql(&nested, json!({})).await;
    assert_eq!(nested["errors"][0]["extensions"]["code"], "TOO_MANY_ALIASES", "{nested}");
}

async fn documents_with_too_many_tokens_are_refused_before_parsing(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.max_tokens = 40).await;

    let small = "{ sources(first: 2) { totalCount edges { node { title } } } }";
    assert!(app.graphql(small, json!({})).await.get("errors").is_none());

    let padded = format!("{{ sources {{ totalCount {} }} }}", "__typename ".repeat(40));
    let body = app.graphql(&padded, json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_LARGE", "{body}");
    assert!(body.get("data").is_none());

    // Unparseable garbage over the limit is refused by size, not parsed.
    let garbage = "{ ( ".repeat(30);
    let body = app.graphql(&garbage, json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_LARGE", "{body}");

    // The same holds over GET, with the modern media type's 400.
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", padded.as_str())])
        .header("Accept", "application/graphql-response+json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_LARGE", "{body}");
}

async fn post(app: &TestApp, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": "{ sources { totalCount } }" }));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

async fn each_client_has_its_own_rate_limit_answered_with_retry_after(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.rate_limit = 1;
        s.rate_limit_burst = 2;
    })
    .await;

    for _ in 0..2 {
        assert_eq!(post(&app, &[]).await.status(), 200);
    }
    let limited = post(&app, &[]).await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{body}");

    // Guessing keys does not escape the address's bucket: an invalid key is charged to it.
    let guess = post(&app, &[("Authorization", "Bearer annals_guess")]).await;
    assert_eq!(guess.status(), 429);

    // A valid API key has a bucket of its own; another key another one.
    for name in ["one", "two"] {
        let key = keys::create(&app.database.conn, name, Role::Reader).await.unwrap().0;
        let bearer = format!("Bearer {key}");
        for _ in 0..2 {
            assert_eq!(post(&app, &[("Authorization", &bearer)]).await.status(), 200);
        }
        assert_eq!(post(&app, &[("Authorization", &bearer)]).await.status(), 429);
    }

    // Health checks and metrics are never limited.
    for path in ["/healthz", "/readyz", "/metrics"] {
        let response = app.client.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }

    // The bucket refills at the configured rate.
    tokio::time::sleep(std::time::Duration::from_secs(retry_after)).await;
    assert_eq!(post(&app, &[]).await.status(), 200);
}

async fn forwarded_addresses_count_only_behind_a_trusted_proxy(backend: Backend) {
    let untrusting = spawn_app_with(backend.clone(), |s| {
        s.rate_limit = 1;
        s.rate_limit_burst = 1;
    })
    .await;
    assert_eq!(post(&untrusting, &[("X-Forwarded-For", "203.0.113.1")]).await.status(), 200);
    // A forged header does not buy a fresh bucket.
    assert_eq!(post(&untrusting, &[("X-Forwarded-For", "203.0.113.2")]).await.status(), 429);

    let proxied = spawn_app_with(backend, |s| {
        s.rate_limit = 1;
        s.rate_limit_burst = 1;
        s.trust_proxy = true;
    })
    .await;
    assert_eq!(post(&proxied, &[("X-Forwarded-For", "203.0.113.1")]).await.status(), 200);
    assert_eq!(post(&proxied, &[("X-Forwarded-For", "203.0.113.2")]).await.status(), 200);
    assert_eq!(post(&proxied, &[("X-Forwarded-For", "203.0.113.1")]).await.status(), 429);
}

/// The value of one sample of the exposition text, by its series (`name{labels}`).
fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics.lines().find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

async fn metrics_count_requests_by_operation_outcome_and_refusal(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.max_depth = 5).await;
    let named = "query RecentSources { sources(first: 2) { edges { node { title } } } }";
    for _ in 0..3 {
        assert!(app.graphql(named, json!({})).await.get("errors").is_none());
    }
    let bad_id = app.graphql("query Lookup { node(id: \"nope\") { id } }", json!({})).await;
    assert!(bad_id.get("errors").is_some());
    let deep = "{ events { edges { node { parent { parent { parent { id } } } } } } }";
    assert_eq!(
        app.graphql(deep, json!({})).await["errors"][0]["extensions"]["code"],
        "QUERY_TOO_DEEP"
    );
    let too_many = format!("{{ {} }}", aliases(51));
    app.graphql(&too_many, json!({})).await;

    let metrics = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap();
    assert!(metrics.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let metrics = metrics.text().await.unwrap();
    let value =
        |series: &str| sample(&metrics, series).unwrap_or_else(|| panic!("{series} in\n{metrics}"));

    assert_eq!(
        value(r#"annals_graphql_requests_total{operation="RecentSources",outcome="ok"}"#),
        3.0
    );
    assert_eq!(value(r#"annals_graphql_requests_total{operation="Lookup",outcome="error"}"#), 1.0);
    assert_eq!(
        value(r#"annals_graphql_requests_total{operation="anonymous",outcome="rejected"}"#),
        2.0
    );
    assert_eq!(
        value(r#"annals_graphql_request_duration_seconds_count{operation="RecentSources"}"#),
        3.0
    );
    assert_eq!(value(r#"annals_rejections_total{code="QUERY_TOO_DEEP"}"#), 1.0);
    assert_eq!(value(r#"annals_rejections_total{code="TOO_MANY_ALIASES"}"#), 1.0);
    assert!(value("annals_sql_statements_total") >= 3.0);
    assert!(value("annals_sql_statement_duration_seconds_count") >= 3.0);
    let max = value(r#"annals_db_pool_connections{state="max"}"#);
    let open = value(r#"annals_db_pool_connections{state="open"}"#);
    assert!(max >= 1.0 && open >= 1.0 && open <= max, "open {open} of {max}");
    assert!(value(r#"annals_process_memory_bytes{kind="resident"}"#) > 1e6);
}

async fn a_get_declaring_a_non_json_body_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let get = |content_type: Option<&'static str>| {
        let mut request = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[("query", "{ sources { totalCount } }")]);
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        request.send()
    };
    assert_eq!(get(None).await.unwrap().status(), 200);
    assert_eq!(get(Some("application/json")).await.unwrap().status(), 200);
    for content_type in ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"] {
        let response = get(Some(content_type)).await.unwrap();
        assert_eq!(response.status(), 415, "{content_type}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNSUPPORTED_MEDIA_TYPE");
    }
}

async fn the_body_cap_is_configurable_and_counted(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.max_body_bytes = 1024).await;
    let send = |pad: usize| {
        app.client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": "{ sources { totalCount } }", "pad": "x".repeat(pad) }))
            .send()
    };
    assert_eq!(send(500).await.unwrap().status(), 200);
    let refused = send(2000).await.unwrap();
    assert_eq!(refused.status(), 413);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");
    let metrics = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    assert_eq!(sample(&metrics, r#"annals_rejections_total{code="PAYLOAD_TOO_LARGE"}"#), Some(1.0));
}
