//! A mark on events and statements that machine-coded data (GDELT) created: readable,
//! filterable, and cleared by an editor who has checked the record.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    LowConfidence,
}

#[derive(DeriveIden)]
enum Statements {
    Table,
    LowConfidence,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Events::Table)
                    .add_column(
                        ColumnDef::new(Events::LowConfidence).boolean().not_null().default(false),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Statements::Table)
                    .add_column(
                        ColumnDef::new(Statements::LowConfidence)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Events::Table).drop_column(Events::LowConfidence).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Statements::Table)
                    .drop_column(Statements::LowConfidence)
                    .to_owned(),
            )
            .await
    }
}
