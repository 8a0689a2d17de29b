//! Lists leave archived records out (`archived_at IS NULL`). The indexes that answer counts
//! carry `archived_at` too, so that `totalCount` over a filter is still decided inside the
//! index (an index-only scan on PostgreSQL) instead of visiting every row's heap page.

use crate::recreate_index::recreate;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (name, new definition, old definition).
const INDEXES: &[(&str, &str, &str)] = &[
    (
        "ix_events_country_start_date",
        "events (country_code, start_date, id, period_end, archived_at)",
        "events (country_code, start_date, id, period_end)",
    ),
    (
        "ix_casualty_reports_category_status_as_of",
        "casualty_reports (category, status, (COALESCE(as_of, '0001-01-01')), id, archived_at)",
        "casualty_reports (category, status, (COALESCE(as_of, '0001-01-01')), id)",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction, so that the drop and the create run on one connection: SQLite
    /// migrations otherwise run statement by statement on the pool.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, new, _) in INDEXES {
            recreate(manager, name, new).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _, old) in INDEXES {
            recreate(manager, name, old).await?;
        }
        Ok(())
    }
}
