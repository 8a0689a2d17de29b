//! A monthly rollup of events and of their reconciled figures, by country, disorder type,
//! event type (and date precision, for the counts), kept up to date by the write path in the
//! same transaction as the writes that change it. Statistics over months, quarters or years
//! read it instead of every event: at a million events it holds a few hundred thousand rows
//! (far fewer on real data, where a country-month has a handful of types), and each row is a
//! handful of numbers.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StatsMonthEvents {
    Table,
    Month,
    DatePrecision,
    CountryCode,
    DisorderType,
    EventType,
    Leaves,
    TopLevel,
}

#[derive(DeriveIden)]
enum StatsMonthFigures {
    Table,
    Month,
    CountryCode,
    DisorderType,
    EventType,
    Category,
    LeavesLow,
    LeavesBest,
    LeavesHigh,
    LeavesOpen,
    LeavesKnown,
    TopLow,
    TopBest,
    TopHigh,
    TopOpen,
    TopKnown,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The events counted under each scope: `leaves` those that are not episodes, and
        // `top_level` those without a parent. Rows are replaced a month and a country at a
        // time, so there is no unique key to keep (country and disorder type may be null).
        manager
            .create_table(
                Table::create()
                    .table(StatsMonthEvents::Table)
                    .col(ColumnDef::new(StatsMonthEvents::Month).date().not_null())
                    .col(ColumnDef::new(StatsMonthEvents::DatePrecision).text().not_null())
                    .col(ColumnDef::new(StatsMonthEvents::CountryCode).text().null())
                    .col(ColumnDef::new(StatsMonthEvents::DisorderType).text().null())
                    .col(ColumnDef::new(StatsMonthEvents::EventType).text().not_null())
                    .col(ColumnDef::new(StatsMonthEvents::Leaves).big_integer().not_null())
                    .col(ColumnDef::new(StatsMonthEvents::TopLevel).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_stats_month_events_month_country")
                    .table(StatsMonthEvents::Table)
                    .col(StatsMonthEvents::Month)
                    .col(StatsMonthEvents::CountryCode)
                    .to_owned(),
            )
            .await?;
        // The figures summed under each scope, as statistics sum them: under `leaves` an
        // episode adds only what its sub-events leave out, and is not counted as known.
        let mut figures = Table::create();
        figures
            .table(StatsMonthFigures::Table)
            .col(ColumnDef::new(StatsMonthFigures::Month).date().not_null())
            .col(ColumnDef::new(StatsMonthFigures::CountryCode).text().null())
            .col(ColumnDef::new(StatsMonthFigures::DisorderType).text().null())
            .col(ColumnDef::new(StatsMonthFigures::EventType).text().not_null())
            .col(ColumnDef::new(StatsMonthFigures::Category).text().not_null());
        for column in [
            StatsMonthFigures::LeavesLow,
            StatsMonthFigures::LeavesBest,
            StatsMonthFigures::LeavesHigh,
            StatsMonthFigures::LeavesKnown,
            StatsMonthFigures::TopLow,
            StatsMonthFigures::TopBest,
            StatsMonthFigures::TopHigh,
            StatsMonthFigures::TopKnown,
        ] {
            figures.col(ColumnDef::new(column).big_integer().not_null());
        }
        for column in [StatsMonthFigures::LeavesOpen, StatsMonthFigures::TopOpen] {
            figures.col(ColumnDef::new(column).integer().not_null());
        }
        manager.create_table(figures.to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_stats_month_figures_month_country")
                    .table(StatsMonthFigures::Table)
                    .col(StatsMonthFigures::Month)
                    .col(StatsMonthFigures::CountryCode)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(StatsMonthFigures::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(StatsMonthEvents::Table).to_owned()).await
    }
}
