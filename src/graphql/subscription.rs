//! The subscription root: live changes over WebSocket (`graphql-transport-ws`, and the legacy
//! `graphql-ws`), fed by the process's [`Hub`](crate::service::live::Hub).

use crate::domain::NodeType;
use crate::graphql::context::{db, viewer};
use crate::graphql::id::decode_as;
use crate::graphql::query::fetch_node;
use crate::graphql::types::{Node, Revision};
use crate::service::live::{self, Delivered, Hub, Scope};
use crate::service::revision as revisions;
use async_graphql::{Context, ErrorExtensions, Object, Result, Subscription as Root, ID};
use futures_util::{Stream, StreamExt};
use std::sync::Arc;

/// Following Annals live.
#[derive(Default)]
pub struct Subscription;

#[Root]
impl Subscription {
    /// Every change committed after `after` (a cursor of the `changes` query or of this
    /// subscription; from now on when absent), oldest first: first those already committed,
    /// then each as it commits. A client that subscribes again with the last cursor it
    /// received misses nothing and receives nothing twice. `types` keeps the changes of some
    /// node types; `eventId` those of one event, its casualty reports and its statements.
    /// A cursor with more than 10,000 changes after it is refused with
    /// `CURSOR_TOO_FAR_BEHIND` (page through the `changes` query first); a subscriber more
    /// than 4,096 changes behind is dropped with `SLOW_SUBSCRIBER`; when the API key the
    /// subscription was opened with is revoked, it ends with `UNAUTHENTICATED`.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        types: Option<Vec<NodeType>>,
        event_id: Option<ID>,
    ) -> Result<impl Stream<Item = Result<ChangeEvent>>> {
        let after = after.map(|cursor| revisions::decode_feed_cursor(&cursor)).transpose()?;
        let event_id = event_id.map(|id| decode_as(NodeType::Event, &id)).transpose()?;
        let hub = ctx.data::<Arc<Hub>>()?;
        let key = viewer(ctx).key_id;
        let scope = Scope { types, event_id };
        let changes = live::changes(db(ctx)?.clone(), hub, after, scope, key);
        Ok(changes.map(|delivered| delivered.map(ChangeEvent).map_err(|err| err.extend())))
    }
}

/// One committed change, as a subscriber receives it.
pub struct ChangeEvent(Delivered);

#[Object]
impl ChangeEvent {
    /// Where this change is in the feed: pass it as `after` (to this subscription or to the
    /// `changes` query) to resume after it.
    async fn cursor(&self) -> String {
        revisions::feed_cursor(self.0.change.revision.id)
    }

    /// The change's position in the feed, in commit order: later changes have larger ones.
    async fn sequence(&self) -> i32 {
        self.0.change.revision.id
    }

    /// Whether it was committed after the subscription started; `false` while the
    /// subscription replays what was committed before.
    async fn live(&self) -> bool {
        self.0.live
    }

    /// The revision: who changed what, when, each field before and after.
    async fn revision(&self) -> Revision {
        Revision(self.0.change.revision.clone())
    }

    /// The record as it is now; null when it was purged since.
    async fn node(&self, ctx: &Context<'_>) -> Result<Option<Node>> {
        let revision = &self.0.change.revision;
        let node = NodeType::from_db(&revision.node_type)?;
        fetch_node(ctx, node, revision.node_id, false).await
    }
}
