//! What UCDP's Georeferenced Event Dataset brings: a casualty report's best estimate beside
//! its low and high (`best`), the figure's split by who died (`breakdown`, JSON), and three
//! location precisions Annals lacked: a second-order administrative division (`DISTRICT`), a part
//! of a country larger than a region or a line such as a road or river (`PART_OF_COUNTRY`), and
//! international waters or airspace (`WATER`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CasualtyReports {
    Table,
    Best,
    Breakdown,
}

const OLD_GEO: &str = "'EXACT', 'CITY', 'REGION', 'COUNTRY'";
const NEW_GEO: &str =
    "'EXACT', 'CITY', 'REGION', 'COUNTRY', 'DISTRICT', 'PART_OF_COUNTRY', 'WATER'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ColumnDef::new(CasualtyReports::Best).integer().null().to_owned(),
            ColumnDef::new(CasualtyReports::Breakdown).text().null().to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter().table(CasualtyReports::Table).add_column(&mut column).to_owned(),
                )
                .await?;
        }
        set_geo_precisions(manager, OLD_GEO, NEW_GEO).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_geo_precisions(manager, NEW_GEO, OLD_GEO).await?;
        for column in [CasualtyReports::Best, CasualtyReports::Breakdown] {
            manager
                .alter_table(
                    Table::alter().table(CasualtyReports::Table).drop_column(column).to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

/// Replaces the list of values `events.geo_precision` may hold.
async fn set_geo_precisions(
    manager: &SchemaManager<'_>,
    from: &str,
    to: &str,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DatabaseBackend::Postgres => {
            db.execute_unprepared(&format!(
                "ALTER TABLE events DROP CONSTRAINT ck_events_geo_precision, \
                 ADD CONSTRAINT ck_events_geo_precision \
                 CHECK (geo_precision IS NULL OR geo_precision IN ({to}))"
            ))
            .await?;
        }
        _ => {
            // SQLite cannot alter a constraint. Its documentation gives this way for changes
            // that leave the stored rows as they are, as widening a CHECK does: rewrite the
            // table's definition and bump the schema version so connections re-read it.
            let version: i64 = db
                .query_one_raw(sea_orm_migration::sea_orm::Statement::from_string(
                    DatabaseBackend::Sqlite,
                    "PRAGMA schema_version",
                ))
                .await?
                .ok_or_else(|| DbErr::Custom("no schema_version".into()))?
                .try_get_by_index(0)?;
            let (from, to) = (from.replace('\'', "''"), to.replace('\'', "''"));
            db.execute_unprepared(&format!(
                "PRAGMA writable_schema = ON; \
                 UPDATE sqlite_master SET sql = replace(sql, 'geo_precision IN ({from})', \
                 'geo_precision IN ({to})') WHERE type = 'table' AND name = 'events'; \
                 PRAGMA schema_version = {}; \
                 PRAGMA writable_schema = OFF;",
                version + 1
            ))
            .await?;
            let sql: String = db
                .query_one_raw(sea_orm_migration::sea_orm::Statement::from_string(
                    DatabaseBackend::Sqlite,
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'",
                ))
                .await?
                .ok_or_else(|| DbErr::Custom("no events table".into()))?
                .try_get_by_index(0)?;
            if !sql.contains(&format!("geo_precision IN ({})", to.replace("''", "'"))) {
                return Err(DbErr::Migration(format!(
                    "the check on events.geo_precision is not the one expected: {sql}"
                )));
            }
        }
    }
    Ok(())
}
