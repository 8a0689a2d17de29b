//! Purging: removing an archived record for good, which only an admin may do and which is
//! itself recorded, with every field the record had.

use super::actor::Actors;
use super::casualty::Reports;
use super::event::Events;
use super::source::Sources;
use super::statement::Statements;
use super::{describe, diff, load, snapshot, table, Changes, Editable, Write};
use crate::domain::{NodeType, Operation};
use crate::error::AppError;
use crate::service::sql::Sql;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};

/// Deletes archived record `id` of `node`.
///
/// # Errors
/// `NOT_FOUND`; `CONFLICT` when the record is not archived, or other records still refer to
/// it (purge or change those first).
pub async fn purge(
    db: &DatabaseConnection,
    author: &str,
    node: NodeType,
    id: i32,
) -> Result<(), AppError> {
    let mut write = Write::begin(db, author).await?;
    let txn = write.txn();
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("SELECT archived_at FROM ").push(table(node)).push(" WHERE id = ").bind(id);
    let row = txn
        .query_one_raw(sql.build())
        .await?
        .ok_or_else(|| AppError::NotFound(describe(node, id)))?;
    let archived_at: Option<DateTime<Utc>> = row.try_get("", "archived_at")?;
    if archived_at.is_none() {
        return Err(AppError::Conflict(format!(
            "{} is not archived: archive it first; only archived records can be purged",
            describe(node, id)
        )));
    }
    if node == NodeType::Actor {
        let mut sql = Sql::new(txn.get_database_backend());
        sql.push("SELECT COUNT(*) AS n FROM actors WHERE merged_into_id = ").bind(id);
        let merged: i64 = match txn.query_one_raw(sql.build()).await? {
            Some(row) => row.try_get("", "n")?,
            None => 0,
        };
        if merged > 0 {
            return Err(AppError::Conflict(format!(
                "{merged} merged actor(s) resolve to {}; it cannot be purged",
                describe(node, id)
            )));
        }
    }
    let changes = match node {
        NodeType::Source => removed::<Sources>(txn, id).await?,
        NodeType::Actor => removed::<Actors>(txn, id).await?,
        NodeType::Event => removed::<Events>(txn, id).await?,
        NodeType::Statement => removed::<Statements>(txn, id).await?,
        NodeType::CasualtyReport => removed::<Reports>(txn, id).await?,
    };
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("DELETE FROM ").push(table(node)).push(" WHERE id = ").bind(id);
    txn.execute_raw(sql.build()).await.map_err(|err| match AppError::from(err) {
        AppError::Conflict(_) => AppError::Conflict(format!(
            "other records still refer to {}; purge or change them first",
            describe(node, id)
        )),
        other => other,
    })?;
    write.record(node, id, Operation::Purge, changes);
    write.commit().await
}

/// Every field of the record, from its value to nothing.
async fn removed<E: Editable>(db: &DatabaseTransaction, id: i32) -> Result<Changes, AppError> {
    let (_, record) =
        load::<E>(db, id).await?.ok_or_else(|| AppError::NotFound(describe(E::NODE, id)))?;
    Ok(diff(&snapshot(&record)?, &serde_json::Value::Null))
}
