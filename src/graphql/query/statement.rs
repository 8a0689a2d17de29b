use super::OrderDirection;
use crate::domain::NodeType;
use crate::domain::StatementKind;
use crate::error::AppError;
use crate::graphql::compiled::{Arguments, ListRequest};
use crate::graphql::context::db;
use crate::graphql::id::decode_all;
use crate::graphql::pagination::{args, connection, page_cost, Conn, Counter};
use crate::graphql::scalars::Date;
use crate::graphql::types::Statement;
use crate::service::page::{PageArgs, Window};
use crate::service::search::Relevance;
use crate::service::statement as statements;
use async_graphql::{Context, Enum, InputObject, Object, Result, ID};

/// Listing and filtering statements.
#[derive(Default)]
pub struct StatementQuery;

#[Object]
impl StatementQuery {
    /// Statements matching `filter`, latest first unless `orderBy` says otherwise.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn statements(
        &self,
        ctx: &Context<'_>,
        filter: Option<StatementFilter>,
        order_by: Option<StatementOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<Statement>> {
        let (filter, window) = request(filter, order_by, args(first, after, last, before))?;
        let page = statements::list(db(ctx)?, &filter, &window).await?;
        Ok(connection(page, Statement, Counter::Statements(filter)))
    }
}

/// What `statements` lists, read from its arguments.
fn request(
    filter: Option<StatementFilter>,
    order_by: Option<StatementOrder>,
    page: PageArgs,
) -> Result<(statements::StatementFilter, Window), AppError> {
    let filter = filter.map(StatementFilter::into_service).transpose()?.unwrap_or_default();
    let order = order_by.unwrap_or_default();
    let ordering = statements::ordering(order.field.into(), order.direction.into());
    let relevance =
        filter.search.clone().and_then(|text| Relevance::new(NodeType::Statement, text));
    Ok((filter, Window::ranked(&page, ordering, relevance)?))
}

/// `statements` for the SQL compiler: the same arguments read by the same code.
pub(crate) fn compiled(args: &Arguments<'_>) -> Option<ListRequest> {
    let (filter, window) = request(args.get("filter")?, args.get("orderBy")?, args.page()?).ok()?;
    // A score computed per row is left to the resolvers (`Ordering::cursor_sql`).
    if window.is_ranked() {
        return None;
    }
    Some(ListRequest::new(&statements::STATEMENTS, filter, window, NodeType::Statement))
}

/// Which statements to list; every criterion given must match. An empty list matches nothing.
#[derive(InputObject, Default)]
pub struct StatementFilter {
    /// Statements by any of these actors.
    speaker_ids: Option<Vec<ID>>,
    /// Statements about any of these events.
    event_ids: Option<Vec<ID>>,
    /// Statements that mention or blame any of these actors.
    mentions_actor_ids: Option<Vec<ID>>,
    /// Statements of any of these kinds.
    kinds: Option<Vec<StatementKind>>,
    /// Statements made on or after this day.
    from: Option<Date>,
    /// Statements made on or before this day.
    to: Option<Date>,
    /// A case-insensitive substring of the statement's text.
    text: Option<String>,
    /// Statements whose text matches this full-text search, in the language of `search`:
    /// words (stemmed in English), `"a phrase"`, `-excluded`, `or`.
    search: Option<String>,
    /// Only machine-coded statements no person has checked (`true`), or only the others
    /// (`false`).
    low_confidence: Option<bool>,
    /// Include archived records, which are left out by default.
    #[graphql(default)]
    include_archived: bool,
}

impl StatementFilter {
    fn into_service(self) -> Result<statements::StatementFilter, AppError> {
        Ok(statements::StatementFilter {
            include_archived: self.include_archived,
            speaker_ids: self
                .speaker_ids
                .map(|ids| decode_all(NodeType::Actor, &ids))
                .transpose()?,
            event_ids: self.event_ids.map(|ids| decode_all(NodeType::Event, &ids)).transpose()?,
            mentions_actor_ids: self
                .mentions_actor_ids
                .map(|ids| decode_all(NodeType::Actor, &ids))
                .transpose()?,
            kinds: self.kinds,
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
            text: self.text,
            search: self.search,
            low_confidence: self.low_confidence,
        })
    }
}

/// How to order statements.
#[derive(InputObject)]
pub struct StatementOrder {
    /// The key to sort by.
    #[graphql(default_with = "StatementOrderField::StatedOn")]
    field: StatementOrderField,
    /// Which way.
    #[graphql(default_with = "OrderDirection::Desc")]
    direction: OrderDirection,
}

impl Default for StatementOrder {
    fn default() -> Self {
        StatementOrder { field: StatementOrderField::StatedOn, direction: OrderDirection::Desc }
    }
}

/// What statements can be ordered by; ties are broken by ID.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatementOrderField {
    /// The date the statement was made; undated statements count as the earliest.
    StatedOn,
    /// How well the statement matches `filter.search` (the score `search` gives it), best
    /// first in the default direction. Needs `filter.search`.
    Relevance,
}

impl From<StatementOrderField> for statements::StatementSort {
    fn from(field: StatementOrderField) -> Self {
        match field {
            StatementOrderField::StatedOn => statements::StatementSort::StatedOn,
            StatementOrderField::Relevance => statements::StatementSort::Relevance,
        }
    }
}
