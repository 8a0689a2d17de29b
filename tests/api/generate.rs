//! `annals generate`: deterministic, valid, and only into an empty database.

use crate::helpers::{spawn_app, spawn_empty_app, Backend, Client};
use crate::on_both_backends;
use annals::dataset;
use annals::error::AppError;
use annals::generate::{generate, Options};
use serde_json::json;

on_both_backends!(
    generated_data_is_deterministic_valid_and_served,
    generate_refuses_a_database_that_holds_data
);

async fn generated_data_is_deterministic_valid_and_served(backend: Backend) {
    let first = spawn_empty_app(backend.clone()).await;
    let second = spawn_empty_app(backend).await;

    let summary = generate(&first.database.conn, &Options { events: 300, seed: 9 }).await.unwrap();
    generate(&second.database.conn, &Options { events: 300, seed: 9 }).await.unwrap();

    assert!(summary.tables.contains(&("events", 300)));
    let exported = dataset::export(&first.database.conn).await.unwrap();
    assert_eq!(
        exported,
        dataset::export(&second.database.conn).await.unwrap(),
        "same seed, same data"
    );
    dataset::validate(&exported).expect("generated data follows every dataset rule");
    let sub_events = exported.events.iter().filter(|e| e.parent.is_some()).count();
    assert!((20..=40).contains(&sub_events), "about a tenth are sub-events: {sub_events}");
    let retracted = exported
        .casualty_reports
        .iter()
        .filter(|r| r.status == annals::domain::ReportStatus::Retracted)
        .count();
    assert!(retracted > 0, "some figures are retracted");

    let data = first
        .data(
            "{ events(first: 5) { totalCount edges { node { participants { actor { name } } casualtyReports { low } statements(first: 2) { totalCount } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["events"]["totalCount"], 300);
    // New rows get ids after the generated ones.
    let mut extra = dataset::parse(dataset::BUNDLED).unwrap();
    extra.casualty_reports.clear();
    extra.statements.clear();
    dataset::import(&first.database.conn, &extra).await.expect("ids continue after generated rows");
}

async fn generate_refuses_a_database_that_holds_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let result = generate(&app.database.conn, &Options { events: 10, seed: 1 }).await;
    assert!(matches!(result, Err(AppError::Conflict(_))), "{result:?}");
    assert_eq!(app.count_rows("events").await, 16);
}
