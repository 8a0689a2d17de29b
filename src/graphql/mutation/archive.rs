use super::author;
use crate::domain::{NodeType, Role};
use crate::graphql::context::db;
use crate::graphql::id::decode;
use crate::graphql::pagination::gql;
use crate::graphql::query::fetch_node;
use crate::graphql::types::Node;
use crate::service::write;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};

/// Archiving and restoring records of any type.
#[derive(Default)]
pub struct ArchiveMutation;

#[Object]
impl ArchiveMutation {
    /// Archives a record: it leaves every list (unless the list asks for archived records)
    /// and stays reachable by ID, its history intact. Nothing is ever deleted this way.
    /// Archiving an archived record changes nothing. Needs an `EDITOR` key.
    async fn archive(&self, ctx: &Context<'_>, input: ArchiveInput) -> Result<NodePayload> {
        set_archived(ctx, input.id, input.version, true).await
    }

    /// Restores an archived record to the lists. Needs an `EDITOR` key.
    async fn restore(&self, ctx: &Context<'_>, input: RestoreInput) -> Result<NodePayload> {
        set_archived(ctx, input.id, input.version, false).await
    }
}

async fn set_archived(
    ctx: &Context<'_>,
    id: ID,
    version: Option<i32>,
    archive: bool,
) -> Result<NodePayload> {
    let author = author(ctx, Role::Editor)?;
    let (kind, row) = decode(&id).map_err(gql)?;
    write::set_archived(db(ctx)?, &author, NodeType::from(kind), row, version, archive)
        .await
        .map_err(gql)?;
    let node =
        fetch_node(ctx, kind, row, false).await?.ok_or_else(|| super::vanished("the record"))?;
    Ok(NodePayload { node })
}

/// The record a mutation changed.
#[derive(SimpleObject)]
pub struct NodePayload {
    /// The record as it is now.
    node: Node,
}

/// A record to archive.
#[derive(InputObject)]
pub struct ArchiveInput {
    /// The record, of any type.
    id: ID,
    /// The version you read; refused with `CONFLICT` if the record changed since.
    version: Option<i32>,
}

/// A record to restore.
#[derive(InputObject)]
pub struct RestoreInput {
    /// The archived record.
    id: ID,
    /// The version you read; refused with `CONFLICT` if the record changed since.
    version: Option<i32>,
}
