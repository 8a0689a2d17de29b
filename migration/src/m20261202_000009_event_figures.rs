//! Each event's reconciled casualty figures, one row per event and category, kept up to date
//! in the same transaction as the writes that change them (the write path recomputes the
//! events it touched and their ancestors before it commits). Stored rather than computed on
//! read so that statistics can sum them and compiled reads can select them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EventFigures {
    Table,
    EventId,
    Category,
    Position,
    Low,
    Best,
    High,
    HighOpen,
    Rule,
    SubLow,
    SubBest,
    SubHigh,
    SubHighOpen,
    Considered,
    Excluded,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EventFigures::Table)
                    .col(ColumnDef::new(EventFigures::EventId).integer().not_null())
                    .col(ColumnDef::new(EventFigures::Category).text().not_null())
                    // The category's place in its enumeration, which lists are ordered by.
                    .col(ColumnDef::new(EventFigures::Position).small_integer().not_null())
                    .col(ColumnDef::new(EventFigures::Low).big_integer().null())
                    .col(ColumnDef::new(EventFigures::Best).big_integer().null())
                    .col(ColumnDef::new(EventFigures::High).big_integer().null())
                    .col(ColumnDef::new(EventFigures::HighOpen).boolean().not_null())
                    .col(ColumnDef::new(EventFigures::Rule).text().not_null())
                    .col(ColumnDef::new(EventFigures::SubLow).big_integer().null())
                    .col(ColumnDef::new(EventFigures::SubBest).big_integer().null())
                    .col(ColumnDef::new(EventFigures::SubHigh).big_integer().null())
                    .col(ColumnDef::new(EventFigures::SubHighOpen).boolean().null())
                    // JSON: the report ids that count, and `[id, reason, superseding id]` of
                    // those that do not.
                    .col(ColumnDef::new(EventFigures::Considered).text().not_null())
                    .col(ColumnDef::new(EventFigures::Excluded).text().not_null())
                    .primary_key(
                        Index::create().col(EventFigures::EventId).col(EventFigures::Category),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(EventFigures::Table, EventFigures::EventId)
                            .to(Events::Table, Events::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(EventFigures::Table).to_owned()).await
    }
}
