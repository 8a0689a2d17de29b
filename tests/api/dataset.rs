//! Import and export: the round trip, all-or-nothing imports, and the CLI.

use crate::helpers::{spawn_app, spawn_empty_app, Backend, Client, TestApp};
use crate::on_both_backends;
use annals::dataset::{self, CasualtyReportRecord, CitationRecord, CountRecord, Dataset};
use annals::domain::{CasualtyCategory, ReportStatus};
use annals::error::AppError;
use serde_json::json;

on_both_backends!(
    export_then_import_then_export_is_identical,
    an_invalid_dataset_is_rejected_whole_and_writes_nothing,
    a_clashing_key_is_rejected_before_anything_is_written,
    competing_reports_of_one_figure_stand_side_by_side,
    the_cli_imports_exports_and_rejects_with_the_record_named,
    a_database_with_data_is_never_reseeded,
);

const TABLES: [&str; 10] = [
    "sources",
    "actors",
    "actor_aliases",
    "affiliations",
    "events",
    "event_participants",
    "statements",
    "statement_mentions",
    "casualty_reports",
    "citations",
];

async fn row_counts(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in TABLES {
        counts.push(app.count_rows(table).await);
    }
    counts
}

fn competing_report() -> Dataset {
    Dataset {
        format: dataset::FORMAT.to_owned(),
        sources: vec![],
        actors: vec![],
        affiliations: vec![],
        events: vec![],
        statements: vec![],
        casualty_reports: vec![CasualtyReportRecord {
            key: "unrest-killed-225".into(),
            event: "kazakhstan-unrest-2022".into(),
            category: CasualtyCategory::Killed,
            affected_group: None,
            low: 225,
            high: Some(225),
            as_of: None,
            claimed_by: Some("kz-government".into()),
            status: ReportStatus::Disputed,
            status_reason: Some("a later count by the same ministry".into()),
            note: None,
            citations: vec![CitationRecord { source: "seed-article".into(), excerpt: None }],
            best: Some(225),
            breakdown: vec![CountRecord { group: "civilians".into(), count: 200 }],
            preferred: true,
        }],
    }
}

async fn export_then_import_then_export_is_identical(backend: Backend) {
    let seeded = spawn_app(backend.clone()).await;
    let first = dataset::export(&seeded.database.conn).await.unwrap();
    assert_eq!(
        first,
        dataset::parse(dataset::BUNDLED).unwrap(),
        "the export is the bundled dataset"
    );

    let empty = spawn_empty_app(backend).await;
    dataset::import(&empty.database.conn, &first).await.unwrap();
    let second = dataset::export(&empty.database.conn).await.unwrap();

    assert_eq!(
        serde_json::to_string_pretty(&first).unwrap(),
        serde_json::to_string_pretty(&second).unwrap()
    );
}

async fn an_invalid_dataset_is_rejected_whole_and_writes_nothing(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    let mut bad = dataset::parse(dataset::BUNDLED).unwrap();
    // One bad record at the very end, after hundreds of good ones.
    let last = bad.casualty_reports.len() - 1;
    bad.casualty_reports[last].high = Some(1);

    let Err(AppError::Validation(violations)) = dataset::import(&app.database.conn, &bad).await
    else {
        panic!("the import must be refused")
    };

    assert_eq!(violations.len(), 1);
    assert!(violations[0].path.contains("unrest-detained-5800"), "{violations:?}");
    assert!(violations[0].path.ends_with(".high"), "{violations:?}");
    assert_eq!(row_counts(&app).await, vec![0; TABLES.len()]);
    let data = app.data("{ events { totalCount } actors { totalCount } }", json!({})).await;
    assert_eq!(data, json!({ "events": { "totalCount": 0 }, "actors": { "totalCount": 0 } }));
}

async fn a_clashing_key_is_rejected_before_anything_is_written(backend: Backend) {
    let app = spawn_app(backend).await;
    let before = row_counts(&app).await;
    let mut again = dataset::parse(dataset::BUNDLED).unwrap();
    again.sources.truncate(1);
    again.actors.clear();
    again.affiliations.clear();
    again.events.clear();
    again.statements.clear();
    again.casualty_reports.clear();

    let result = dataset::import(&app.database.conn, &again).await;

    assert!(
        matches!(result, Err(AppError::Validation(ref v)) if v[0].message.contains("already exists")),
        "{result:?}"
    );
    assert_eq!(row_counts(&app).await, before);
}

async fn competing_reports_of_one_figure_stand_side_by_side(backend: Backend) {
    let app = spawn_app(backend).await;
    // The second report refers to records that exist only in the database, not in its file.
    let result = dataset::import(&app.database.conn, &competing_report()).await;
    assert!(matches!(result, Err(AppError::Validation(_))), "a dataset must be self-contained");

    let mut dataset = dataset::export(&app.database.conn).await.unwrap();
    let fresh = spawn_empty_app(match app.database_url.starts_with("postgres") {
        true => crate::helpers::Backend::postgres().expect("postgres"),
        false => Backend::Sqlite,
    })
    .await;
    dataset.casualty_reports.extend(competing_report().casualty_reports);
    dataset::import(&fresh.database.conn, &dataset).await.unwrap();

    let data = fresh
        .data("{ casualtyReports(filter: {categories: [KILLED]}, orderBy: {field: LOW, direction: ASC}) { edges { node { low status } } } }", json!({}))
        .await;
    assert_eq!(
        data["casualtyReports"]["edges"],
        json!([{ "node": { "low": 164, "status": "REPORTED" } }, { "node": { "low": 225, "status": "DISPUTED" } }])
    );
}

async fn the_cli_imports_exports_and_rejects_with_the_record_named(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    let dir = tempfile::tempdir().unwrap();

    let bad_path = dir.path().join("bad.json");
    let bad = dataset::BUNDLED.replacen("\"countryCode\": \"KZ\"", "\"countryCode\": \"QQ\"", 1);
    std::fs::write(&bad_path, bad).unwrap();
    let rejected = app.cli(&["import", bad_path.to_str().unwrap()]).await;
    assert!(!rejected.status.success());
    let stderr = String::from_utf8_lossy(&rejected.stderr);
    assert!(stderr.contains("actors[0] (key \"kazakhstan\").countryCode"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(row_counts(&app).await, vec![0; TABLES.len()]);

    let good_path = dir.path().join("good.json");
    std::fs::write(&good_path, dataset::BUNDLED).unwrap();
    assert!(app.cli(&["import", good_path.to_str().unwrap()]).await.status.success());
    let exported = dir.path().join("export.json");
    assert!(app.cli(&["export", exported.to_str().unwrap()]).await.status.success());
    let text = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(dataset::parse(&text).unwrap(), dataset::parse(dataset::BUNDLED).unwrap());
    assert_eq!(app.data("{ events { totalCount } }", json!({})).await["events"]["totalCount"], 16);
}

async fn a_database_with_data_is_never_reseeded(backend: Backend) {
    let app = spawn_app(backend).await;
    let before = row_counts(&app).await;
    // A second start on the same database: migrations are idempotent and nothing is loaded.
    let settings = crate::helpers::settings(&app.database_url, true);
    let again = annals::startup::Application::build(&settings).await.unwrap();
    assert_eq!(row_counts(&app).await, before);
    drop(again);
}
