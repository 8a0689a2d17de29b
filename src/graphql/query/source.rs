use crate::domain::NodeType;
use crate::domain::{SourceKind, SourceStatus};
use crate::error::AppError;
use crate::graphql::compiled::{Arguments, ListRequest};
use crate::graphql::context::db;
use crate::graphql::pagination::{args, connection, page_cost, Conn, Counter};
use crate::graphql::types::Source;
use crate::service::page::{PageArgs, Window};
use crate::service::source as sources;
use async_graphql::{Context, InputObject, Object, Result};

/// Listing and filtering sources.
#[derive(Default)]
pub struct SourceQuery;

#[Object]
impl SourceQuery {
    /// Sources matching `filter`, in the order they were recorded.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn sources(
        &self,
        ctx: &Context<'_>,
        filter: Option<SourceFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<Source>> {
        let (filter, window) = request(filter, args(first, after, last, before))?;
        let page = sources::list(db(ctx)?, &filter, &window).await?;
        Ok(connection(page, Source, Counter::Sources(filter)))
    }
}

/// What `sources` lists, read from its arguments.
fn request(
    filter: Option<SourceFilter>,
    page: PageArgs,
) -> Result<(sources::SourceFilter, Window), AppError> {
    let filter = filter
        .map(|f| sources::SourceFilter {
            kinds: f.kinds,
            statuses: f.statuses,
            include_archived: f.include_archived,
        })
        .unwrap_or_default();
    Ok((filter, Window::new(&page, sources::ordering())?))
}

/// `sources` for the SQL compiler: the same arguments read by the same code.
pub(crate) fn compiled(args: &Arguments<'_>) -> Option<ListRequest> {
    let (filter, window) = request(args.get("filter")?, args.page()?).ok()?;
    Some(ListRequest::new(&sources::SOURCES, filter, window, NodeType::Source))
}

/// Which sources to list; every criterion given must match. An empty list matches nothing.
#[derive(InputObject, Default)]
pub struct SourceFilter {
    /// Sources of any of these kinds.
    kinds: Option<Vec<SourceKind>>,
    /// Sources in any of these states, such as `DELETED`.
    statuses: Option<Vec<SourceStatus>>,
    /// Include archived sources, which are left out by default.
    #[graphql(default)]
    include_archived: bool,
}
