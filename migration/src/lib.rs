//! Database migrations for Annals.
//!
//! Each migration declares its own identifiers and does not import the `entity` crate, so that
//! a migration keeps describing the schema as it was when it was written. Every migration runs
//! on PostgreSQL and SQLite; where the two want an index in different forms (a covering
//! `INCLUDE`, extra columns SQLite must otherwise read from the row), the migration says why.

pub use sea_orm_migration::prelude::*;

mod recreate_index;

mod m20261126_000001_create_core_tables;
mod m20261126_000002_index_list_orderings;
mod m20261127_000003_history_and_keys;
mod m20261127_000004_archived_in_list_indexes;
mod m20261201_000005_external_data;
mod m20261201_000006_ucdp_figures_and_places;
mod m20261201_000007_low_confidence;
mod m20261202_000008_preferred_reports;
mod m20261202_000009_event_figures;
mod m20261202_000010_places;
mod m20261202_000011_search;
mod m20261202_000012_episodes;
mod m20261202_000013_stats_rollup;
mod m20261202_000014_report_counts;
mod m20261202_000015_daily_rollup;
mod m20261202_000016_type_index_carries_archived;
mod m20261202_000017_search_recency;

/// Runs the migrations in order; `Migrator::up(db, None)` is idempotent.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_core_tables::Migration),
            Box::new(m20261126_000002_index_list_orderings::Migration),
            Box::new(m20261127_000003_history_and_keys::Migration),
            Box::new(m20261127_000004_archived_in_list_indexes::Migration),
            Box::new(m20261201_000005_external_data::Migration),
            Box::new(m20261201_000006_ucdp_figures_and_places::Migration),
            Box::new(m20261201_000007_low_confidence::Migration),
            Box::new(m20261202_000008_preferred_reports::Migration),
            Box::new(m20261202_000009_event_figures::Migration),
            Box::new(m20261202_000010_places::Migration),
            Box::new(m20261202_000011_search::Migration),
            Box::new(m20261202_000012_episodes::Migration),
            Box::new(m20261202_000013_stats_rollup::Migration),
            Box::new(m20261202_000014_report_counts::Migration),
            Box::new(m20261202_000015_daily_rollup::Migration),
            Box::new(m20261202_000016_type_index_carries_archived::Migration),
            Box::new(m20261202_000017_search_recency::Migration),
        ]
    }
}
