//! Indexes that match the orderings lists are read in, so that a page is an index range scan
//! that stops after one page, whatever the table size and however deep the cursor.
//!
//! Statements and casualty reports sort undated rows as the earliest through
//! `COALESCE(date, '0001-01-01')`; the indexes carry that same expression (PostgreSQL and
//! SQLite both match an expression index only on the identical expression).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &str)] = &[
    (
        "ix_statements_event_stated",
        "statements (event_id, (COALESCE(stated_on, '0001-01-01')), id)",
    ),
    (
        "ix_statements_speaker_stated",
        "statements (speaker_id, (COALESCE(stated_on, '0001-01-01')), id)",
    ),
    ("ix_statements_stated", "statements ((COALESCE(stated_on, '0001-01-01')), id)"),
    (
        "ix_casualty_reports_category_status_as_of",
        "casualty_reports (category, status, (COALESCE(as_of, '0001-01-01')), id)",
    ),
    ("ix_casualty_reports_as_of", "casualty_reports ((COALESCE(as_of, '0001-01-01')), id)"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, target) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX IF NOT EXISTS {name} ON {target}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}")).await?;
        }
        Ok(())
    }
}
