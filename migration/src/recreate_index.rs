//! Replacing an index with another of the same name, for migrations that change what an index
//! carries.

use sea_orm_migration::prelude::*;

/// Drops index `name` and creates it again `ON target` (`table (columns…)`). Run it in a
/// migration whose `use_transaction` is `Some(true)`, so that the drop and the create run on one
/// connection: SQLite migrations otherwise run statement by statement on the pool.
pub(crate) async fn recreate(
    manager: &SchemaManager<'_>,
    name: &str,
    target: &str,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}")).await?;
    db.execute_unprepared(&format!("CREATE INDEX {name} ON {target}")).await?;
    Ok(())
}
