//! The change feed: imports in it, filters, and a client that polls with its last cursor while
//! several clients write at once, and sees every change exactly once, in commit order.

use crate::helpers::{spawn_app, spawn_app_with, Backend, Client, TestApp};
use crate::on_both_backends;
use annals::domain::Role;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

on_both_backends!(
    the_feed_starts_with_the_import_and_filters_by_type,
    a_polling_client_sees_every_concurrent_write_exactly_once_in_order,
    writers_queue_so_revisions_are_numbered_in_commit_order,
);

const FEED: &str = "query($after: String, $types: [NodeType!]) {
    changes(first: 25, after: $after, types: $types) {
        totalCount pageInfo { endCursor hasNextPage }
        edges { node { sequence operation author nodeType nodeId node { id } } } } }";

async fn the_feed_starts_with_the_import_and_filters_by_type(backend: Backend) {
    let app = spawn_app(backend).await;
    let all = app.data(FEED, json!({})).await;
    // 7 sources, 28 actors, 16 events, 14 statements, 3 casualty reports.
    assert_eq!(all["changes"]["totalCount"], 68);
    let first = &all["changes"]["edges"][0]["node"];
    assert_eq!(
        (first["operation"].clone(), first["author"].clone()),
        (json!("IMPORT"), json!("import"))
    );
    assert_eq!(first["nodeId"], first["node"]["id"]);

    let reports = app.data(FEED, json!({ "types": ["CASUALTY_REPORT"] })).await;
    assert_eq!(reports["changes"]["totalCount"], 3);
    let types: Vec<&str> = reports["changes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["nodeType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["CASUALTY_REPORT"; 3]);

    // Reading on from the end returns nothing until something changes, then only that.
    let end = read_all(&app, None).await;
    let cursor = end.1;
    assert_eq!(end.0.len(), 68);
    let key = app.key("newsroom", Role::Editor).await;
    let id = app.id_of("sources", "seed-article").await;
    let body = app
        .graphql_as(
            Some(&key),
            "mutation($id: ID!) { updateSource(input: {id: $id, title: \"Kazakhstan unrest\"}) { source { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let (new, _) = read_all(&app, cursor).await;
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["operation"], "UPDATE");
    assert_eq!(new[0]["nodeId"], id);
}

/// Reads the feed from `after` to its current end; returns the revisions and the last cursor.
async fn read_all(app: &TestApp, mut after: Option<String>) -> (Vec<Value>, Option<String>) {
    let mut seen = Vec::new();
    loop {
        let data = app.data(FEED, json!({ "after": after })).await;
        let page = &data["changes"];
        seen.extend(page["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()));
        if let Some(end) = page["pageInfo"]["endCursor"].as_str() {
            after = Some(end.to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return (seen, after);
        }
    }
}

async fn a_polling_client_sees_every_concurrent_write_exactly_once_in_order(backend: Backend) {
    // The reader polls as fast as it can: the rate limit is not what this test is about.
    let app = Arc::new(spawn_app_with(backend, |s| s.rate_limit = 0).await);
    let key = app.key("newsroom", Role::Editor).await;
    let (_, start) = read_all(&app, None).await;
    let targets = [
        app.id_of("casualtyReports", "unrest-injured-2000").await,
        app.id_of("casualtyReports", "unrest-detained-5800").await,
        app.id_of("casualtyReports", "unrest-killed-164").await,
    ];
    const WRITERS: usize = 4;
    const WRITES: usize = 12;

    let writing = Arc::new(AtomicBool::new(true));
    let reader = {
        let (app, writing) = (Arc::clone(&app), Arc::clone(&writing));
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut cursor = start;
            loop {
                let done = !writing.load(Ordering::SeqCst);
                let (page, end) = read_all(&app, cursor).await;
                seen.extend(page);
                cursor = end;
                if done {
                    return seen;
                }
            }
        })
    };
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (app, key, target) = (Arc::clone(&app), key.clone(), targets[writer % 3].clone());
            tokio::spawn(async move {
                for i in 0..WRITES {
                    let note = format!("writer {writer}, write {i}");
                    let body = app
                        .graphql_as(
                            Some(&key),
                            "mutation($id: ID!, $note: String) { updateCasualtyReport(input: {id: $id, note: $note}) {
                                casualtyReport { version } } }",
                            json!({ "id": target, "note": note }),
                        )
                        .await;
                    assert!(body.get("errors").is_none(), "{body}");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.expect("a writer finished");
    }
    writing.store(false, Ordering::SeqCst);
    let seen = reader.await.expect("the reader finished");

    let sequences: Vec<i64> = seen.iter().map(|r| r["sequence"].as_i64().unwrap()).collect();
    assert_eq!(sequences.len(), WRITERS * WRITES, "every write seen once: {sequences:?}");
    assert!(sequences.windows(2).all(|w| w[0] < w[1]), "in commit order: {sequences:?}");
    // And they are exactly the revisions in the database after the starting point.
    let stored = app.count_rows("revisions").await;
    assert_eq!(stored, 68 + (WRITERS * WRITES) as i64);
    assert!(seen.iter().all(|r| r["operation"] == "UPDATE" && r["author"] == "newsroom"));
    // Each report's version counts its own writes: none was lost.
    let versions =
        app.data("{ casualtyReports { edges { node { key version } } } }", json!({})).await;
    let total: i64 = versions["casualtyReports"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["version"].as_i64().unwrap() - 1)
        .sum();
    assert_eq!(total, (WRITERS * WRITES) as i64);
}

/// The property the feed rests on, shown directly: a second writer cannot start (and so cannot
/// take a revision number) until the first has committed.
async fn writers_queue_so_revisions_are_numbered_in_commit_order(backend: Backend) {
    use annals::service::write::Write;
    use std::time::{Duration, Instant};
    let app = spawn_app(backend).await;
    let first = Write::begin(&app.database.conn, "first").await.unwrap();
    let db = app.database.conn.clone();
    let second = tokio::spawn(async move {
        let write = Write::begin(&db, "second").await.unwrap();
        let started = Instant::now();
        write.commit().await.unwrap();
        started
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!second.is_finished(), "the second writer waits for the first");
    let released = Instant::now();
    first.commit().await.unwrap();
    let started = tokio::time::timeout(Duration::from_secs(10), second).await.unwrap().unwrap();
    assert!(started >= released, "the second writer started only after the first committed");
}
