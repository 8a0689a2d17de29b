//! What imported event data brings that Annals' own records lacked: ACLED's second and third
//! administrative levels, disorder type, civilian targeting, source scale and tags on events,
//! and the provenance of every imported record (`external_ids`): the dataset it came from, its
//! id there, the file, and a hash of the row as last imported, which makes re-importing the
//! same file a no-op and lets a newer export update only the rows that changed.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    Admin2,
    Admin3,
    DisorderType,
    CivilianTargeting,
    SourceScale,
    Tags,
}

#[derive(DeriveIden)]
enum ExternalIds {
    Table,
    Id,
    NodeType,
    NodeId,
    Dataset,
    ExternalId,
    File,
    RowHash,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            ColumnDef::new(Events::Admin2).text().null().to_owned(),
            ColumnDef::new(Events::Admin3).text().null().to_owned(),
            ColumnDef::new(Events::DisorderType).text().null().to_owned(),
            ColumnDef::new(Events::CivilianTargeting).boolean().null().to_owned(),
            ColumnDef::new(Events::SourceScale).text().null().to_owned(),
            ColumnDef::new(Events::Tags).text().null().to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(Table::alter().table(Events::Table).add_column(&mut column).to_owned())
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ExternalIds::Table)
                    .col(
                        ColumnDef::new(ExternalIds::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ExternalIds::NodeType).text().not_null())
                    .col(ColumnDef::new(ExternalIds::NodeId).integer().not_null())
                    .col(ColumnDef::new(ExternalIds::Dataset).text().not_null())
                    .col(ColumnDef::new(ExternalIds::ExternalId).text().not_null())
                    .col(ColumnDef::new(ExternalIds::File).text().not_null())
                    .col(ColumnDef::new(ExternalIds::RowHash).text().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_external_ids_dataset_type_id")
                    .table(ExternalIds::Table)
                    .col(ExternalIds::Dataset)
                    .col(ExternalIds::NodeType)
                    .col(ExternalIds::ExternalId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_external_ids_node")
                    .table(ExternalIds::Table)
                    .col(ExternalIds::NodeType)
                    .col(ExternalIds::NodeId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ExternalIds::Table).to_owned()).await?;
        for column in [
            Events::Admin2,
            Events::Admin3,
            Events::DisorderType,
            Events::CivilianTargeting,
            Events::SourceScale,
            Events::Tags,
        ] {
            manager
                .alter_table(Table::alter().table(Events::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
