//! Places: each located event's position as a unit vector (`geo_x`, `geo_y`, `geo_z`), so that
//! "within r km of a point" is plain arithmetic on both backends (SQLite has no trigonometry),
//! and a spatial index for boxes: a GiST index on `point(longitude, latitude)` on PostgreSQL
//! (no PostGIS), an R*Tree kept by triggers on SQLite.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    GeoX,
    GeoY,
    GeoZ,
}

const SQLITE_UP: &[&str] = &[
    "CREATE VIRTUAL TABLE events_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon)",
    "INSERT INTO events_rtree SELECT id, latitude, latitude, longitude, longitude FROM events \
     WHERE latitude IS NOT NULL AND longitude IS NOT NULL",
    "CREATE TRIGGER events_rtree_insert AFTER INSERT ON events \
     WHEN NEW.latitude IS NOT NULL AND NEW.longitude IS NOT NULL BEGIN \
     INSERT INTO events_rtree VALUES (NEW.id, NEW.latitude, NEW.latitude, NEW.longitude, NEW.longitude); END",
    "CREATE TRIGGER events_rtree_update AFTER UPDATE OF latitude, longitude ON events BEGIN \
     DELETE FROM events_rtree WHERE id = OLD.id; \
     INSERT INTO events_rtree SELECT NEW.id, NEW.latitude, NEW.latitude, NEW.longitude, NEW.longitude \
     WHERE NEW.latitude IS NOT NULL AND NEW.longitude IS NOT NULL; END",
    "CREATE TRIGGER events_rtree_delete AFTER DELETE ON events BEGIN \
     DELETE FROM events_rtree WHERE id = OLD.id; END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER events_rtree_delete",
    "DROP TRIGGER events_rtree_update",
    "DROP TRIGGER events_rtree_insert",
    "DROP TABLE events_rtree",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE INDEX ix_events_point ON events USING gist (point(longitude, latitude))",
    // SQLite's unit vectors are written by the application when it migrates.
    "UPDATE events SET geo_x = cos(radians(latitude)) * cos(radians(longitude)), \
     geo_y = cos(radians(latitude)) * sin(radians(longitude)), geo_z = sin(radians(latitude)) \
     WHERE latitude IS NOT NULL AND longitude IS NOT NULL",
];

const POSTGRES_DOWN: &[&str] = &["DROP INDEX ix_events_point"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Events::GeoX, Events::GeoY, Events::GeoZ] {
            let mut column = ColumnDef::new(column).double().null().to_owned();
            manager
                .alter_table(Table::alter().table(Events::Table).add_column(&mut column).to_owned())
                .await?;
        }
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES_UP,
            _ => SQLITE_UP,
        };
        for sql in statements {
            manager.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES_DOWN,
            _ => SQLITE_DOWN,
        };
        for sql in statements {
            manager.get_connection().execute_unprepared(sql).await?;
        }
        for column in [Events::GeoX, Events::GeoY, Events::GeoZ] {
            manager
                .alter_table(Table::alter().table(Events::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
