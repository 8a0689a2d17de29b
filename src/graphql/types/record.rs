//! The fields every record type has (`id`, `key`, `version`, `archivedAt`, `history`), written
//! once. Each record type flattens [`RecordFields`] into itself as its first fields, and gets
//! the Rust-side `id` that the `Node` interface calls through [`Record`].

use super::{history, Revision};
use crate::domain::NodeType;
use crate::graphql::context::load;
use crate::graphql::id::encode;
use crate::graphql::loaders::ExternalIdsOf;
use crate::graphql::pagination::{args, page_cost, Conn};
use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};
use entity::{external_id, Record as _};

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

    /// The record's ids in the datasets it was imported from (an ACLED `event_id_cnty`, a
    /// UCDP GED `id`, …), in the order imported; empty for a record made in Annals.
    async fn external_ids(&self, ctx: &Context<'_>) -> Result<Vec<ExternalId>> {
        let rows = load(ctx, ExternalIdsOf(self.node, self.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(ExternalId).collect())
    }
}

/// Where an imported record came from: its id in another dataset, and the file it was read
/// from last.
pub struct ExternalId(external_id::Model);

#[Object]
impl ExternalId {
    /// The dataset, as `annals import` names it: `acled`, `ucdp-ged`, `ucdp-conflict`,
    /// `gdelt`.
    async fn dataset(&self) -> &str {
        &self.0.dataset
    }

    /// The record's id in that dataset, such as ACLED's `event_id_cnty` (`KAZ1234`).
    async fn external_id(&self) -> &str {
        &self.0.external_id
    }

    /// The name of the file the record was last imported or updated from, as given to
    /// `annals import`.
    async fn file(&self) -> &str {
        &self.0.file
    }
}
