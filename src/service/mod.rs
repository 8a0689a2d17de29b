//! The service layer: reading Annals' records, one module per area.
//!
//! Services take any `ConnectionTrait` (a pool or a transaction), speak in entity models and
//! domain types, and return [`AppError`](crate::error::AppError). They know nothing of GraphQL:
//! IDs arrive as row ids, and pages as [`page::Window`]s.

pub mod actor;
pub mod casualty;
pub mod catalogue;
pub mod citation;
pub mod event;
pub mod figures;
pub mod keys;
pub mod live;
pub mod page;
pub mod places;
pub mod provenance;
pub mod revision;
pub mod rollup;
pub(crate) mod rows;
pub mod search;
pub mod source;
pub mod sql;
pub mod statement;
pub mod stats;
pub mod write;

use crate::error::AppError;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;

/// Loads rows of `E` by id, keyed by id; missing ids are simply absent.
async fn by_ids<E>(
    db: &impl ConnectionTrait,
    ids: &[i32],
    id_column: E::Column,
) -> Result<HashMap<i32, E::Model>, AppError>
where
    E: EntityTrait,
    E::Model: HasId,
{
    let rows = E::find().filter(id_column.is_in(ids.iter().copied())).all(db).await?;
    Ok(rows.into_iter().map(|row| (row.id(), row)).collect())
}

/// Entity models with an integer primary key.
pub trait HasId {
    /// The row id.
    fn id(&self) -> i32;
}

macro_rules! has_id {
    ($($module:ident),+) => { $(impl HasId for entity::$module::Model { fn id(&self) -> i32 { self.id } })+ };
}
has_id!(actor, event, source, statement, casualty_report, affiliation, citation);
