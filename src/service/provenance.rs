//! Provenance: the ids that imported records have in the datasets they came from.

use super::catalogue;
use crate::domain::NodeType;
use crate::error::AppError;
use entity::external_id;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;

/// The external ids of each record of type `node`, in the order they were imported.
pub async fn of(
    db: &impl ConnectionTrait,
    node: NodeType,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<external_id::Model>>, AppError> {
    catalogue::external_ids_of(node).fetch(db, ids).await
}

/// The row id of the record of type `node` that has `external_id` in `dataset`.
pub async fn find(
    db: &impl ConnectionTrait,
    node: NodeType,
    dataset: &str,
    external_id: &str,
) -> Result<Option<i32>, AppError> {
    let found = external_id::Entity::find()
        .filter(external_id::Column::Dataset.eq(dataset))
        .filter(external_id::Column::NodeType.eq(node.as_str()))
        .filter(external_id::Column::ExternalId.eq(external_id))
        .one(db)
        .await?;
    Ok(found.map(|row| row.node_id))
}
