//! Writing to Annals: every editable record gets a `version` for optimistic concurrency and an
//! `archived_at` instead of deletion; merged actors point at the actor they were merged into;
//! API keys (only their hashes); and the revision log that is both each record's history and
//! the change feed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The records a client can edit, archive and follow.
const VERSIONED: &[&str] = &["sources", "actors", "events", "statements", "casualty_reports"];
const ROLES: &[&str] = &["READER", "EDITOR", "ADMIN"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for table in VERSIONED {
            let table = Alias::new(*table);
            manager
                .alter_table(
                    Table::alter()
                        .table(table.clone())
                        .add_column(integer(Alias::new("version")).default(1))
                        .to_owned(),
                )
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(timestamp_with_time_zone_null(Alias::new("archived_at")))
                        .to_owned(),
                )
                .await?;
        }
        // Why a retracted or disputed figure has its status.
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("casualty_reports"))
                    .add_column(text_null(Alias::new("status_reason")))
                    .to_owned(),
            )
            .await?;
        // A merged actor keeps its row (its id keeps resolving) and names the survivor.
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("actors"))
                    .add_column(integer_null(Alias::new("merged_into_id")))
                    .to_owned(),
            )
            .await?;

        let roles = ROLES.iter().map(|r| format!("'{r}'")).collect::<Vec<_>>().join(", ");
        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .if_not_exists()
                    .col(pk_auto(ApiKeys::Id))
                    .col(string_uniq(ApiKeys::Name))
                    .col(string(ApiKeys::Role))
                    .col(string_uniq(ApiKeys::KeyHash))
                    .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                    .check(Check::named(
                        Alias::new("ck_api_keys_role"),
                        Expr::cust(format!("role IN ({roles})")),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Revisions::Table)
                    .if_not_exists()
                    .col(pk_auto(Revisions::Id))
                    .col(string(Revisions::NodeType))
                    .col(integer(Revisions::NodeId))
                    .col(string(Revisions::Operation))
                    .col(string(Revisions::Author))
                    .col(timestamp_with_time_zone(Revisions::At))
                    .col(text(Revisions::Changes))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_revisions_node")
                    .table(Revisions::Table)
                    .col(Revisions::NodeType)
                    .col(Revisions::NodeId)
                    .col(Revisions::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_revisions_type")
                    .table(Revisions::Table)
                    .col(Revisions::NodeType)
                    .col(Revisions::Id)
                    .to_owned(),
            )
            .await?;
        // One row that every write transaction updates first: writers queue on it, so revision
        // ids are handed out in commit order and the change feed never skips one.
        manager
            .create_table(
                Table::create()
                    .table(WriteLock::Table)
                    .if_not_exists()
                    .col(integer(WriteLock::Id).primary_key())
                    .col(big_integer(WriteLock::Writes).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("INSERT INTO write_lock (id, writes) VALUES (1, 0)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WriteLock::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Revisions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ApiKeys::Table).to_owned()).await?;
        let drop = |table: &str, column: &str| {
            Table::alter().table(Alias::new(table)).drop_column(Alias::new(column)).to_owned()
        };
        manager.alter_table(drop("actors", "merged_into_id")).await?;
        manager.alter_table(drop("casualty_reports", "status_reason")).await?;
        for table in VERSIONED {
            manager.alter_table(drop(table, "archived_at")).await?;
            manager.alter_table(drop(table, "version")).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    Name,
    Role,
    KeyHash,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Revisions {
    Table,
    Id,
    NodeType,
    NodeId,
    Operation,
    Author,
    At,
    Changes,
}

#[derive(DeriveIden)]
enum WriteLock {
    Table,
    Id,
    Writes,
}
