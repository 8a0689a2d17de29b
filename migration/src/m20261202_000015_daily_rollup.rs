//! The statistics' rollup by day as well as by month: the same rows as `stats_month_events`
//! and `stats_month_figures`, keyed by the events' start day. Statistics over days and weeks,
//! or over months whose axis does not start and end with a month, read it instead of every
//! event and its figures. It has about as many rows as there are events on sparse data, but a
//! row is a handful of numbers already summed, found by country and day without touching the
//! events, the episodes or the figures. The write path rebuilds it with the monthly rollup,
//! a month and a country at a time.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 4] = [
    "CREATE TABLE stats_day_events (day DATE NOT NULL, date_precision TEXT NOT NULL, \
     country_code TEXT NULL, disorder_type TEXT NULL, event_type TEXT NOT NULL, \
     leaves BIGINT NOT NULL, top_level BIGINT NOT NULL)",
    "CREATE INDEX ix_stats_day_events_day ON stats_day_events (day)",
    "CREATE TABLE stats_day_figures (day DATE NOT NULL, country_code TEXT NULL, \
     disorder_type TEXT NULL, event_type TEXT NOT NULL, category TEXT NOT NULL, \
     leaves_low BIGINT NOT NULL, leaves_best BIGINT NOT NULL, leaves_high BIGINT NOT NULL, \
     leaves_open INTEGER NOT NULL, leaves_known BIGINT NOT NULL, top_low BIGINT NOT NULL, \
     top_best BIGINT NOT NULL, top_high BIGINT NOT NULL, top_open INTEGER NOT NULL, \
     top_known BIGINT NOT NULL)",
    "CREATE INDEX ix_stats_day_figures_day ON stats_day_figures (day)",
];

/// A country's days, found in the index alone on PostgreSQL (the rows of one country are
/// spread over the table: read through the heap, 2,000 of them touched 1,900 pages).
const BY_COUNTRY_AND_DAY: [(&str, &str, &str); 2] = [
    (
        "ix_stats_day_events_country_day",
        "stats_day_events",
        "date_precision, disorder_type, event_type, leaves, top_level",
    ),
    (
        "ix_stats_day_figures_country_day",
        "stats_day_figures",
        "disorder_type, event_type, category, leaves_low, leaves_best, leaves_high, \
         leaves_open, leaves_known, top_low, top_best, top_high, top_open, top_known",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Filled by the application after migrating (`db::Database::migrate`), as the monthly
        // rollup is: the sums follow the reconciliation rules, which live in Rust.
        let db = manager.get_connection();
        for statement in TABLES {
            db.execute_unprepared(statement).await?;
        }
        for (index, table, included) in BY_COUNTRY_AND_DAY {
            let include = match db.get_database_backend() {
                DbBackend::Postgres => format!(" INCLUDE ({included})"),
                _ => String::new(),
            };
            db.execute_unprepared(&format!(
                "CREATE INDEX {index} ON {table} (country_code, day){include}"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["stats_day_figures", "stats_day_events"] {
            manager.get_connection().execute_unprepared(&format!("DROP TABLE {table}")).await?;
        }
        Ok(())
    }
}
