//! Full-text search over events (title, summary, place), statements (text), actors (name),
//! actor aliases and sources (title, publisher), indexed in the same transaction as the rows:
//! on PostgreSQL a generated `tsvector` column per table (English stemming, weighted by
//! field, plus the words as written, for names in any script) with a GIN index; on SQLite an
//! FTS5 table per table (Porter stemming over Unicode words) kept by triggers.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, the columns searched)
const TABLES: &[(&str, &[&str])] = &[
    ("events", &["title", "summary", "place"]),
    ("statements", &["text"]),
    ("actors", &["name"]),
    ("actor_aliases", &["alias"]),
    ("sources", &["title", "publisher"]),
];

/// The generated column of `table` on PostgreSQL: each searched column stemmed with its
/// weight (A, B, C in order), and all of them as written, weight D.
pub(crate) fn tsvector(columns: &[&str]) -> String {
    let weights = ["A", "B", "C"];
    let mut parts: Vec<String> = columns
        .iter()
        .zip(weights)
        .map(|(column, weight)| {
            format!("setweight(to_tsvector('english', coalesce({column}, '')), '{weight}')")
        })
        .collect();
    let all: Vec<String> = columns.iter().map(|c| format!("coalesce({c}, '')")).collect();
    parts.push(format!("setweight(to_tsvector('simple', {}), 'D')", all.join(" || ' ' || ")));
    parts.join(" || ")
}

fn sqlite_up(table: &str, columns: &[&str]) -> Vec<String> {
    let list = columns.join(", ");
    let new: Vec<String> = columns.iter().map(|c| format!("new.{c}")).collect();
    let old: Vec<String> = columns.iter().map(|c| format!("old.{c}")).collect();
    let (new, old) = (new.join(", "), old.join(", "));
    let fts = format!("{table}_fts");
    vec![
        format!(
            "CREATE VIRTUAL TABLE {fts} USING fts5({list}, content='{table}', content_rowid='id', \
             tokenize='porter unicode61 remove_diacritics 2')"
        ),
        format!("INSERT INTO {fts}({fts}) VALUES ('rebuild')"),
        format!(
            "CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN \
             INSERT INTO {fts}(rowid, {list}) VALUES (new.id, {new}); END"
        ),
        format!(
            "CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN \
             INSERT INTO {fts}({fts}, rowid, {list}) VALUES ('delete', old.id, {old}); END"
        ),
        format!(
            "CREATE TRIGGER {fts}_update AFTER UPDATE OF {list} ON {table} BEGIN \
             INSERT INTO {fts}({fts}, rowid, {list}) VALUES ('delete', old.id, {old}); \
             INSERT INTO {fts}(rowid, {list}) VALUES (new.id, {new}); END"
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, columns) in TABLES {
            let statements = match manager.get_database_backend() {
                DbBackend::Postgres => vec![
                    format!(
                        "ALTER TABLE {table} ADD COLUMN search tsvector GENERATED ALWAYS AS ({}) STORED",
                        tsvector(columns)
                    ),
                    format!("CREATE INDEX ix_{table}_search ON {table} USING gin (search)"),
                ],
                _ => sqlite_up(table, columns),
            };
            for sql in statements {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, _) in TABLES {
            let statements = match manager.get_database_backend() {
                DbBackend::Postgres => vec![
                    format!("DROP INDEX ix_{table}_search"),
                    format!("ALTER TABLE {table} DROP COLUMN search"),
                ],
                _ => ["insert", "delete", "update"]
                    .iter()
                    .map(|t| format!("DROP TRIGGER {table}_fts_{t}"))
                    .chain([format!("DROP TABLE {table}_fts")])
                    .collect(),
            };
            for sql in statements {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }
}
