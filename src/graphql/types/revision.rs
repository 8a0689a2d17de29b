use super::Node;
use crate::domain::{NodeType, Operation};
use crate::graphql::context::load_required;
use crate::graphql::id::encode;
use crate::graphql::loaders::{Nested, RevisionPage};
use crate::graphql::pagination::{connection, gql, Conn, Counter};
use crate::graphql::query::fetch_node;
use crate::service::page::{PageArgs, Window};
use crate::service::revision as revisions;
use async_graphql::{Context, Json, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::revision;

/// One change to one record: what was done, by whom, when, and each changed field's value
/// before and after, in the dataset format (references by key).
pub struct Revision(pub revision::Model);

#[Object]
impl Revision {
    /// The position of this revision in the change feed; later revisions have larger ones.
    async fn sequence(&self) -> i32 {
        self.0.id
    }

    /// The type of the record changed.
    async fn node_type(&self) -> Result<NodeType> {
        Ok(NodeType::from_db(&self.0.node_type)?)
    }

    /// The ID of the record changed; it stays valid after a purge, when `node` is null.
    async fn node_id(&self) -> Result<ID> {
        let node = NodeType::from_db(&self.0.node_type)?;
        Ok(encode(node, self.0.node_id))
    }

    /// The record as it is now; null when it was purged.
    async fn node(&self, ctx: &Context<'_>) -> Result<Option<Node>> {
        let node = NodeType::from_db(&self.0.node_type)?;
        fetch_node(ctx, node, self.0.node_id, false).await
    }

    /// What was done.
    async fn operation(&self) -> Result<Operation> {
        Ok(Operation::from_db(&self.0.operation)?)
    }

    /// Who did it: the API key's name, or `import` for `annals import`.
    async fn author(&self) -> &str {
        &self.0.author
    }

    /// When it was committed.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// Every field that changed, with its value before and after; a created record has every
    /// field, each with a null `before`.
    async fn changes(&self) -> Result<Vec<FieldChange>> {
        let changes: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&self.0.changes).map_err(|err| gql(err.into()))?;
        Ok(changes
            .into_iter()
            .map(|(field, mut change)| FieldChange {
                field,
                before: Json(change["before"].take()),
                after: Json(change["after"].take()),
            })
            .collect())
    }
}

/// One field's change.
#[derive(SimpleObject)]
pub struct FieldChange {
    /// The field, as the dataset format names it (`low`, `status`, `citations`).
    field: String,
    /// Its value before; null when it had none or the record was created.
    before: Json<serde_json::Value>,
    /// Its value after; null when it was cleared.
    after: Json<serde_json::Value>,
}

/// One page of a record's history, newest first.
pub(crate) async fn history(
    ctx: &Context<'_>,
    node: NodeType,
    id: i32,
    args: PageArgs,
) -> Result<Conn<Revision>> {
    let window = Window::new(&args, revisions::history_ordering())?;
    let page = load_required(ctx, RevisionPage(node, id, window)).await?;
    Ok(connection(page, Revision, Counter::Nested(Nested::History(node), id)))
}
