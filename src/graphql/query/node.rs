use crate::domain::NodeType;
use crate::graphql::context::{db, load};
use crate::graphql::id::decode;
use crate::graphql::loaders::{
    ActorById, CasualtyReportById, EventById, SourceById, StatementById,
};
use crate::graphql::pagination::gql;
use crate::graphql::types::{Actor, CasualtyReport, Event, Node, Source, Statement};
use crate::service::actor::MAX_MERGE_HOPS;
use crate::service::page::MAX_NODES;
use crate::service::provenance;
use async_graphql::{Context, Object, Result, ID};

/// Fetching any object by its global ID.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this ID, or null when none exists.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let (kind, row) = decode(&id)?;
        fetch_node(ctx, kind, row, true).await
    }

    /// The objects with these IDs, in the same order; null where none exists. At most 100.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(gql(crate::error::AppError::InvalidPagination(format!(
                "`ids` holds {} IDs, but at most {MAX_NODES} can be fetched at once",
                ids.len()
            ))));
        }
        let decoded = ids.iter().map(|id| decode(id)).collect::<Result<Vec<_>, _>>()?;
        // The loads run concurrently, so the DataLoader batches them per type.
        futures_util::future::try_join_all(
            decoded.into_iter().map(|(kind, row)| fetch_node(ctx, kind, row, true)),
        )
        .await
    }

    /// The record of this type that has `externalId` in `dataset` (as its `externalIds`
    /// list it), or null when none has.
    async fn node_by_external_id(
        &self,
        ctx: &Context<'_>,
        r#type: NodeType,
        dataset: String,
        external_id: String,
    ) -> Result<Option<Node>> {
        let found = provenance::find(db(ctx)?, r#type, &dataset, &external_id).await;
        match found.map_err(gql)? {
            Some(row) => fetch_node(ctx, r#type, row, true).await,
            None => Ok(None),
        }
    }
}

/// The node of `kind` with row id `row`. With `follow_merges`, an actor merged into another
/// resolves to the one it was merged into.
pub(crate) async fn fetch_node(
    ctx: &Context<'_>,
    kind: NodeType,
    row: i32,
    follow_merges: bool,
) -> Result<Option<Node>> {
    Ok(match kind {
        NodeType::Event => load(ctx, EventById(row)).await?.map(|m| Node::Event(Event(m))),
        NodeType::Actor => {
            let mut actor = load(ctx, ActorById(row)).await?;
            // A merged actor points at the actor it was merged into, which may itself have
            // been merged later: follow the chain (bounded, in case of a broken invariant).
            for _ in 0..MAX_MERGE_HOPS {
                match actor.as_ref().and_then(|a| a.merged_into_id) {
                    Some(next) if follow_merges => actor = load(ctx, ActorById(next)).await?,
                    _ => break,
                }
            }
            actor.map(|m| Node::Actor(Actor(m)))
        }
        NodeType::Statement => {
            load(ctx, StatementById(row)).await?.map(|m| Node::Statement(Statement(m)))
        }
        NodeType::CasualtyReport => load(ctx, CasualtyReportById(row))
            .await?
            .map(|m| Node::CasualtyReport(CasualtyReport(m))),
        NodeType::Source => load(ctx, SourceById(row)).await?.map(|m| Node::Source(Source(m))),
    })
}
