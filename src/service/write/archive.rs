//! Archiving and restoring records of any type: hidden from lists, never deleted.

use super::*;

use crate::domain::{NodeType, Operation};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::Map;

/// Archives (`archive`) or restores a record. Archived records leave every list unless it asks
/// for them, and stay reachable by ID.
///
/// # Errors
/// `NOT_FOUND`, `CONFLICT` for a stale version; archiving an archived record changes nothing.
pub async fn set_archived(
    db: &DatabaseConnection,
    author: &str,
    node: NodeType,
    id: i32,
    expected_version: Option<i32>,
    archive: bool,
) -> Result<(), AppError> {
    let mut write = Write::begin(db, author).await?;
    set_archived_in(&mut write, node, id, expected_version, archive).await?;
    write.commit().await
}

/// [`set_archived`] as one step of a larger write; returns whether the record changed.
pub(crate) async fn set_archived_in(
    write: &mut Write,
    node: NodeType,
    id: i32,
    expected_version: Option<i32>,
    archive: bool,
) -> Result<bool, AppError> {
    let backend = write.txn().get_database_backend();
    let mut sql = crate::service::sql::Sql::new(backend);
    sql.push("SELECT version, archived_at FROM ").push(table(node)).push(" WHERE id = ").bind(id);
    let row = write
        .txn()
        .query_one_raw(sql.build())
        .await?
        .ok_or_else(|| AppError::NotFound(describe(node, id)))?;
    let version: i32 = row.try_get("", "version")?;
    let archived_at: Option<DateTime<Utc>> = row.try_get("", "archived_at")?;
    check_version(&describe(node, id), version, expected_version)?;
    if archived_at.is_some() == archive {
        return Ok(false);
    }
    let at = archive.then(|| write.at());
    let mut sql = crate::service::sql::Sql::new(backend);
    sql.push("UPDATE ").push(table(node)).push(" SET archived_at = ").bind(at);
    sql.push(", version = version + 1 WHERE id = ").bind(id);
    write.txn().execute_raw(sql.build()).await?;
    let mut changes = Map::new();
    changes
        .insert("archived".to_owned(), serde_json::json!({ "before": !archive, "after": archive }));
    let operation = if archive { Operation::Archive } else { Operation::Restore };
    write.record(node, id, operation, changes);
    Ok(true)
}
