//! A mark an editor puts on the casualty report to trust when several disagree: it gives the
//! best figure of the event's reconciled figure.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CasualtyReports {
    Table,
    Preferred,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(CasualtyReports::Table)
                    .add_column(
                        ColumnDef::new(CasualtyReports::Preferred)
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
                Table::alter()
                    .table(CasualtyReports::Table)
                    .drop_column(CasualtyReports::Preferred)
                    .to_owned(),
            )
            .await
    }
}
