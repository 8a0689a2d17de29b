//! The number of live casualty reports of each category and status, kept by triggers in the
//! same transaction as every write to `casualty_reports`, so that a dashboard's "how many
//! reports of deaths are disputed" reads one row instead of counting hundreds of thousands.
//! PostgreSQL's triggers run once per statement over its transition tables (a bulk load adds
//! one grouped upsert, not one per row); SQLite's run per row.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CREATE: &str = "CREATE TABLE casualty_report_counts (\
    category TEXT NOT NULL, status TEXT NOT NULL, n BIGINT NOT NULL, \
    PRIMARY KEY (category, status))";

const FILL: &str = "INSERT INTO casualty_report_counts (category, status, n) \
    SELECT category, status, COUNT(*) FROM casualty_reports WHERE archived_at IS NULL \
    GROUP BY category, status";

const POSTGRES: &[&str] = &[
    "CREATE FUNCTION casualty_report_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE casualty_report_counts k SET n = k.n - gone.n
            FROM (SELECT category, status, COUNT(*) AS n FROM old_rows
                  WHERE archived_at IS NULL GROUP BY category, status) gone
            WHERE k.category = gone.category AND k.status = gone.status;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO casualty_report_counts (category, status, n)
            SELECT category, status, COUNT(*) FROM new_rows
            WHERE archived_at IS NULL GROUP BY category, status
            ON CONFLICT (category, status)
            DO UPDATE SET n = casualty_report_counts.n + EXCLUDED.n;
        END IF;
        RETURN NULL;
    END $$",
    "CREATE TRIGGER casualty_report_counts_insert AFTER INSERT ON casualty_reports \
     REFERENCING NEW TABLE AS new_rows \
     FOR EACH STATEMENT EXECUTE FUNCTION casualty_report_counts_keep()",
    "CREATE TRIGGER casualty_report_counts_update AFTER UPDATE ON casualty_reports \
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows \
     FOR EACH STATEMENT EXECUTE FUNCTION casualty_report_counts_keep()",
    "CREATE TRIGGER casualty_report_counts_delete AFTER DELETE ON casualty_reports \
     REFERENCING OLD TABLE AS old_rows \
     FOR EACH STATEMENT EXECUTE FUNCTION casualty_report_counts_keep()",
];

const SQLITE: &[&str] = &[
    "CREATE TRIGGER casualty_report_counts_insert AFTER INSERT ON casualty_reports \
     WHEN new.archived_at IS NULL BEGIN \
     INSERT INTO casualty_report_counts (category, status, n) VALUES (new.category, new.status, 1) \
     ON CONFLICT (category, status) DO UPDATE SET n = n + 1; END",
    "CREATE TRIGGER casualty_report_counts_update AFTER UPDATE OF category, status, archived_at \
     ON casualty_reports BEGIN \
     UPDATE casualty_report_counts SET n = n - 1 WHERE old.archived_at IS NULL \
     AND category = old.category AND status = old.status; \
     INSERT INTO casualty_report_counts (category, status, n) \
     SELECT new.category, new.status, 1 WHERE new.archived_at IS NULL \
     ON CONFLICT (category, status) DO UPDATE SET n = n + 1; END",
    "CREATE TRIGGER casualty_report_counts_delete AFTER DELETE ON casualty_reports \
     WHEN old.archived_at IS NULL BEGIN \
     UPDATE casualty_report_counts SET n = n - 1 \
     WHERE category = old.category AND status = old.status; END",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let triggers = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES,
            _ => SQLITE,
        };
        for statement in [CREATE, FILL].iter().chain(triggers) {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for trigger in ["insert", "update", "delete"] {
            let drop = match manager.get_database_backend() {
                DbBackend::Postgres => {
                    format!("DROP TRIGGER casualty_report_counts_{trigger} ON casualty_reports")
                }
                _ => format!("DROP TRIGGER casualty_report_counts_{trigger}"),
            };
            db.execute_unprepared(&drop).await?;
        }
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION casualty_report_counts_keep()").await?;
        }
        db.execute_unprepared("DROP TABLE casualty_report_counts").await?;
        Ok(())
    }
}
