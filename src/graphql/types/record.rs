//! The fields every record type has (`id`, `key`, `version`, `archivedAt`, `history`), written
//! once. Each record type flattens [`RecordFields`] into itself as its first fields, and gets
//! the Rust-side `id` that the `Node` interface calls through [`Record`].

use super::{history, Revision};
use crate::domain::NodeType;
use crate::graphql::id::encode;
use crate::graphql::pagination::{args, page_cost, Conn};
use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};
use entity::Record as _;

/// A GraphQL record type: a node type over one row of its table.
pub(crate) trait Record {
    /// Its node type.
    const NODE: NodeType;
    /// Its row.
    type Row: entity::Record;

    /// The row it shows.
    fn row(&self) -> &Self::Row;

    /// The shared fields, which the type flattens into itself.
    fn fields(&self) -> RecordFields {
        let row = self.row();
        RecordFields {
            node: Self::NODE,
            id: row.id(),
            key: row.key().to_owned(),
            version: row.version(),
            archived_at: row.archived_at(),
        }
    }

    /// The global ID, in the form the `Node` interface's derive calls on each of its types.
    fn id(&self, _ctx: &Context<'_>) -> std::future::Ready<Result<ID>> {
        std::future::ready(Ok(encode(Self::NODE, self.row().id())))
    }
}

/// Makes each named type a [`Record`] over its table's rows, which it wraps.
macro_rules! record_types {
    ($($ty:ident: $table:ident),* $(,)?) => {$(
        impl Record for super::$ty {
            const NODE: NodeType = NodeType::$ty;
            type Row = entity::$table::Model;

            fn row(&self) -> &Self::Row {
                &self.0
            }
        }
    )*};
}

record_types!(
    Actor: actor,
    CasualtyReport: casualty_report,
    Event: event,
    Source: source,
    Statement: statement,
);

/// The fields every record has. Never a type of the schema of its own: the record types
/// flatten it, and the schema drops it as unreferenced.
pub struct RecordFields {
    node: NodeType,
    id: i32,
    key: String,
    version: i32,
    archived_at: Option<DateTime<Utc>>,
}

#[Object]
impl RecordFields {
    /// The record's global ID: opaque and stable, for `node(id:)` and mutations.
    async fn id(&self) -> ID {
        encode(self.node, self.id)
    }

    /// The record's readable key in the dataset, unique among records of its type, such as
    /// `almaty-riots` for an event.
    async fn key(&self) -> &str {
        &self.key
    }

    /// The record's version, one more with every change. Name it in an update to have the
    /// update refused (`CONFLICT`) if someone changed the record since you read it.
    async fn version(&self) -> i32 {
        self.version
    }

    /// When the record was archived; null while it is live. Archived records are left out of
    /// lists unless they ask for them, and stay reachable by ID.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.archived_at
    }

    /// Every change to the record, newest first: who, when, and each field before and after.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<Revision>> {
        history(ctx, self.node, self.id, args(first, after, last, before)).await
    }
}
