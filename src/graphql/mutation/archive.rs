use super::author;
use crate::domain::{NodeType, Role};
use crate::graphql::context::db;
use crate::graphql::id::decode;
use crate::graphql::query::fetch_node;
use crate::graphql::types::Node;
use crate::service::write::{self, NewCitation};
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

    /// Removes an archived record for good. The purge is itself recorded in the record's
    /// history and the change feed, with every field the record had. Refused while other
    /// records still refer to it. Needs an `ADMIN` key.
    async fn purge(&self, ctx: &Context<'_>, input: PurgeInput) -> Result<PurgePayload> {
        let author = author(ctx, Role::Admin)?;
        let (kind, row) = decode(&input.id)?;
        write::purge::purge(db(ctx)?, &author, kind, row).await?;
        Ok(PurgePayload { purged_id: input.id })
    }

    /// Cites a source for an event, statement or casualty report. Needs an `EDITOR` key.
    async fn add_citation(
        &self,
        ctx: &Context<'_>,
        input: AddCitationInput,
    ) -> Result<NodePayload> {
        let citation = NewCitation {
            source_id: super::row(NodeType::Source, &input.source_id)?,
            excerpt: input.excerpt,
        };
        set_citation(ctx, input.record_id, input.version, citation, true).await
    }

    /// Removes a source's citations from an event, statement or casualty report; the last
    /// citation cannot go. Needs an `EDITOR` key.
    async fn remove_citation(
        &self,
        ctx: &Context<'_>,
        input: RemoveCitationInput,
    ) -> Result<NodePayload> {
        let citation = NewCitation {
            source_id: super::row(NodeType::Source, &input.source_id)?,
            excerpt: None,
        };
        set_citation(ctx, input.record_id, input.version, citation, false).await
    }
}

async fn set_citation(
    ctx: &Context<'_>,
    id: ID,
    version: Option<i32>,
    citation: NewCitation,
    add: bool,
) -> Result<NodePayload> {
    let author = author(ctx, Role::Editor)?;
    let (kind, row) = decode(&id)?;
    write::set_citation_of(db(ctx)?, &author, kind, row, version, citation, add).await?;
    let node =
        fetch_node(ctx, kind, row, false).await?.ok_or_else(|| super::vanished("the record"))?;
    Ok(NodePayload { node })
}

async fn set_archived(
    ctx: &Context<'_>,
    id: ID,
    version: Option<i32>,
    archive: bool,
) -> Result<NodePayload> {
    let author = author(ctx, Role::Editor)?;
    let (kind, row) = decode(&id)?;
    write::set_archived(db(ctx)?, &author, kind, row, version, archive).await?;
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

/// A record to purge.
#[derive(InputObject)]
pub struct PurgeInput {
    /// The archived record, of any type.
    id: ID,
}

/// What a purge removed.
#[derive(SimpleObject)]
pub struct PurgePayload {
    /// The ID of the removed record; its history stays readable in the change feed.
    purged_id: ID,
}

/// A source to cite.
#[derive(InputObject)]
pub struct AddCitationInput {
    /// The event, statement or casualty report.
    record_id: ID,
    /// The version of the record you read; refused with `CONFLICT` if it changed since.
    version: Option<i32>,
    /// The source.
    source_id: ID,
    /// The short passage of the source that supports the record.
    excerpt: Option<String>,
}

/// A source to stop citing.
#[derive(InputObject)]
pub struct RemoveCitationInput {
    /// The event, statement or casualty report.
    record_id: ID,
    /// The version of the record you read; refused with `CONFLICT` if it changed since.
    version: Option<i32>,
    /// The source.
    source_id: ID,
}
