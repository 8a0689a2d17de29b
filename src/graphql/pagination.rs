//! Relay connections over the service layer's keyset pages.

use super::context::{db, loader};
use super::loaders::{Nested, NestedCount};
use crate::error::AppError;
use crate::service::page::{Page, PageArgs, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::service::{actor, casualty, event, revision, source, statement};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ErrorExtensions, Object, OutputType, Result};

/// A connection whose edges carry opaque cursors and which can count its whole list.
pub type Conn<N> = Connection<String, N, TotalCount>;

/// What a connection counts when `totalCount` is selected.
pub enum Counter {
    /// Events matching a filter.
    Events(event::EventFilter),
    /// Actors matching a filter.
    Actors(actor::ActorFilter),
    /// Statements matching a filter.
    Statements(statement::StatementFilter),
    /// Casualty reports matching a filter.
    CasualtyReports(casualty::CasualtyFilter),
    /// Sources matching a filter.
    Sources(source::SourceFilter),
    /// A nested list of one parent.
    Nested(Nested, i32),
    /// The change feed.
    Changes(revision::FeedFilter),
}

/// The `totalCount` field shared by every connection. It runs its query only when selected,
/// so listing a page never pays for counting the list.
pub struct TotalCount(pub Counter);

#[Object]
impl TotalCount {
    /// How many items the whole list holds, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let counted = match &self.0 {
            Counter::Nested(nested, parent) => {
                return Ok(loader(ctx)?
                    .load_one(NestedCount(*nested, *parent))
                    .await
                    .map_err(|e| e.extend())?
                    .unwrap_or(0));
            }
            Counter::Events(filter) => event::count(db(ctx)?, filter).await,
            Counter::Actors(filter) => actor::count(db(ctx)?, filter).await,
            Counter::Statements(filter) => statement::count(db(ctx)?, filter).await,
            Counter::CasualtyReports(filter) => casualty::count(db(ctx)?, filter).await,
            Counter::Sources(filter) => source::count(db(ctx)?, filter).await,
            Counter::Changes(filter) => revision::count_feed(db(ctx)?, filter).await,
        };
        counted.map_err(|e| e.extend())
    }
}

/// The complexity of a connection: what one node selects, times the page size asked for
/// (the default page when none is given; a refused size is priced as the largest page).
pub fn page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let page =
        first.or(last).map_or(DEFAULT_PAGE_SIZE, |n| n.clamp(0, MAX_PAGE_SIZE as i32) as u64);
    (page as usize).max(1).saturating_mul(child_complexity).saturating_add(1)
}

/// Pagination arguments, as every list field takes them.
pub fn args(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> PageArgs {
    PageArgs { first, after, last, before }
}

/// Wraps a page as a connection.
pub fn connection<M, N: OutputType>(
    page: Page<M>,
    node: impl Fn(M) -> N,
    counter: Counter,
) -> Conn<N> {
    let mut connection =
        Connection::with_additional_fields(page.has_previous, page.has_next, TotalCount(counter));
    connection
        .edges
        .extend(page.items.into_iter().map(|(cursor, row)| Edge::new(cursor, node(row))));
    connection
}

/// Maps a service error to a GraphQL error with its code.
pub fn gql(err: AppError) -> async_graphql::Error {
    err.extend()
}
