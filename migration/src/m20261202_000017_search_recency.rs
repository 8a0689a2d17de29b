//! Recency blocks in the search index (PostgreSQL): each event's and statement's `tsvector`
//! also holds one lexeme per block of ids it falls in, at ten sizes (2^12, 2^14, … 2^30 ids),
//! such as `~12 244`. A search that ranks only the most recently recorded matches ANDs the
//! blocks' lexemes to its query, newest block first, so that the GIN index skips through the
//! words' long posting lists instead of reading them whole: a search for words in 133,000
//! events answers in 48 ms instead of 377 (BENCHMARKS.md). No word a user types becomes such a lexeme:
//! the parser splits at the space. SQLite's FTS5 reads its matches by rowid, newest first,
//! without help.

use crate::m20261202_000011_search::tsvector;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, the columns searched): the tables large enough to rank only their newest matches.
const TABLES: &[(&str, &[&str])] =
    &[("events", &["title", "summary", "place"]), ("statements", &["text"])];

/// The block sizes, as powers of two; `service::search` probes the same ones.
const LEVELS: [u32; 10] = [12, 14, 16, 18, 20, 22, 24, 26, 28, 30];

fn blocks() -> String {
    let lexemes: Vec<String> =
        LEVELS.iter().map(|l| format!("'~{l} ' || (id >> {l})::text")).collect();
    format!("array_to_tsvector(ARRAY[{}])", lexemes.join(", "))
}

async fn rebuild(manager: &SchemaManager<'_>, table: &str, expression: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    db.execute_unprepared(&format!("DROP INDEX ix_{table}_search")).await?;
    db.execute_unprepared(&format!("ALTER TABLE {table} DROP COLUMN search")).await?;
    db.execute_unprepared(&format!(
        "ALTER TABLE {table} ADD COLUMN search tsvector GENERATED ALWAYS AS ({expression}) STORED"
    ))
    .await?;
    db.execute_unprepared(&format!("CREATE INDEX ix_{table}_search ON {table} USING gin (search)"))
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (table, columns) in TABLES {
            rebuild(manager, table, &format!("{} || {}", tsvector(columns), blocks())).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (table, columns) in TABLES {
            rebuild(manager, table, &tsvector(columns)).await?;
        }
        Ok(())
    }
}
