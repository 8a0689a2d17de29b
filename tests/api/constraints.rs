//! The database itself refuses what the domain forbids, on both backends: references are
//! foreign keys, enumerations and ranges are CHECK constraints.

use crate::helpers::{spawn_app, Backend, TestApp};
use crate::on_both_backends;
use sea_orm::{ConnectionTrait, Statement};

on_both_backends!(the_database_refuses_broken_references_and_ranges);

async fn execute(app: &TestApp, sql: &str) -> Result<(), sea_orm::DbErr> {
    let backend = app.database.conn.get_database_backend();
    app.database.conn.execute_raw(Statement::from_string(backend, sql.to_owned())).await.map(|_| ())
}

async fn the_database_refuses_broken_references_and_ranges(backend: Backend) {
    let app = spawn_app(backend).await;
    let event = "(SELECT id FROM events WHERE key = 'almaty-riots')";
    let actor = "(SELECT id FROM actors WHERE key = 'putin')";
    let source = "(SELECT id FROM sources WHERE key = 'seed-article')";
    let report = |low: &str, high: &str, status: &str| {
        format!("INSERT INTO casualty_reports (key, event_id, category, low, high, status) VALUES ('x', {event}, 'KILLED', {low}, {high}, '{status}')")
    };

    let refused = [
        format!("INSERT INTO event_participants (event_id, actor_id, role) VALUES ({event}, 999999, 'TARGET')"),
        format!("INSERT INTO citations (source_id, event_id) VALUES (999999, {event})"),
        format!("INSERT INTO citations (source_id, event_id, statement_id) VALUES ({source}, {event}, (SELECT MIN(id) FROM statements))"),
        format!("INSERT INTO citations (source_id) VALUES ({source})"),
        report("10", "5", "REPORTED"),
        report("-1", "NULL", "REPORTED"),
        report("1", "NULL", "WITHDRAWN"),
        format!("INSERT INTO event_participants (event_id, actor_id, role) VALUES ({event}, {actor}, 'BYSTANDER')"),
        "UPDATE events SET sub_type = 'PEACEFUL_PROTEST' WHERE key = 'almaty-riots'".to_owned(),
        "UPDATE events SET latitude = 91 WHERE key = 'almaty-riots'".to_owned(),
        "UPDATE events SET longitude = NULL WHERE key = 'almaty-riots'".to_owned(),
        "UPDATE events SET end_date = '2021-12-31' WHERE key = 'almaty-riots'".to_owned(),
        "DELETE FROM actors WHERE key = 'putin'".to_owned(),
    ];

    for sql in &refused {
        assert!(execute(&app, sql).await.is_err(), "the database accepted: {sql}");
    }
    assert!(
        execute(&app, &report("5800", "NULL", "REPORTED")).await.is_ok(),
        "a valid row is accepted"
    );
}
