use crate::domain::NodeType;
use crate::graphql::context::db;
use crate::graphql::pagination::{args, connection, page_cost, Conn, Counter};
use crate::graphql::types::Revision;
use crate::service::page::Window;
use crate::service::revision::{self as revisions, FeedFilter};
use async_graphql::{Context, Object, Result};

/// Following every write.
#[derive(Default)]
pub struct ChangesQuery;

#[Object]
impl ChangesQuery {
    /// Every write to Annals, oldest first: creations, imports, edits, archiving, merges,
    /// purges. A resumable feed: keep the `endCursor` of the last page read and pass it as
    /// `after` to get only what changed since. Revisions are listed in commit order, so a
    /// client polling this way never misses or repeats one, however many clients write at
    /// once. `types` keeps the revisions of some node types only.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        types: Option<Vec<NodeType>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<Revision>> {
        let filter = FeedFilter { types };
        let window = Window::new(&args(first, after, last, before), revisions::feed_ordering())?;
        let page = revisions::feed(db(ctx)?, &filter, &window).await?;
        Ok(connection(page, Revision, Counter::Changes(filter)))
    }
}
