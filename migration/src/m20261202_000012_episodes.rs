//! The events that have live sub-events, kept by the write path with the figures: statistics
//! count an episode differently from the events it is made of, and reading this small table
//! is far cheaper than asking, for every event, whether one of its sub-events is live.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Episodes {
    Table,
    EventId,
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
                    .table(Episodes::Table)
                    .col(ColumnDef::new(Episodes::EventId).integer().not_null().primary_key())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Episodes::Table, Episodes::EventId)
                            .to(Events::Table, Events::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Episodes::Table).to_owned()).await
    }
}
