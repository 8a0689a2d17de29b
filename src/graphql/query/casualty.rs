use super::OrderDirection;
use crate::domain::NodeType;
use crate::domain::{CasualtyCategory, ReportStatus};
use crate::error::AppError;
use crate::graphql::compiled::{Arguments, ListRequest};
use crate::graphql::context::db;
use crate::graphql::id::decode_all;
use crate::graphql::pagination::{args, connection, page_cost, Conn, Counter};
use crate::graphql::scalars::Date;
use crate::graphql::types::CasualtyReport;
use crate::service::casualty::{self as casualties, CasualtySort};
use crate::service::page::{PageArgs, Window};
use async_graphql::{Context, Enum, InputObject, Object, Result, ID};

/// Listing and filtering casualty reports.
#[derive(Default)]
pub struct CasualtyQuery;

#[Object]
impl CasualtyQuery {
    /// Casualty reports matching `filter`, latest `asOf` first unless `orderBy` says otherwise.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn casualty_reports(
        &self,
        ctx: &Context<'_>,
        filter: Option<CasualtyReportFilter>,
        order_by: Option<CasualtyReportOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<CasualtyReport>> {
        let (filter, window) = request(filter, order_by, args(first, after, last, before))?;
        let page = casualties::list(db(ctx)?, &filter, &window).await?;
        Ok(connection(page, CasualtyReport, Counter::CasualtyReports(filter)))
    }
}

/// What `casualtyReports` lists, read from its arguments.
fn request(
    filter: Option<CasualtyReportFilter>,
    order_by: Option<CasualtyReportOrder>,
    page: PageArgs,
) -> Result<(casualties::CasualtyFilter, Window), AppError> {
    let filter = filter.map(CasualtyReportFilter::into_service).transpose()?.unwrap_or_default();
    let order = order_by.unwrap_or_default();
    let ordering = casualties::ordering(order.field.into(), order.direction.into());
    Ok((filter, Window::new(&page, ordering)?))
}

/// `casualtyReports` for the SQL compiler: the same arguments read by the same code.
pub(crate) fn compiled(args: &Arguments<'_>) -> Option<ListRequest> {
    let (filter, window) = request(args.get("filter")?, args.get("orderBy")?, args.page()?).ok()?;
    Some(ListRequest::new(&casualties::REPORTS, filter, window, NodeType::CasualtyReport))
}

/// Which casualty reports to list; every criterion given must match. An empty list matches
/// nothing.
#[derive(InputObject, Default)]
pub struct CasualtyReportFilter {
    /// Reports about any of these events.
    event_ids: Option<Vec<ID>>,
    /// Reports counting any of these categories.
    categories: Option<Vec<CasualtyCategory>>,
    /// Reports in any of these statuses.
    statuses: Option<Vec<ReportStatus>>,
    /// Reports claimed by any of these actors.
    claimed_by_ids: Option<Vec<ID>>,
    /// Reports as of this day or later.
    from: Option<Date>,
    /// Reports as of this day or earlier.
    to: Option<Date>,
    /// Include archived records, which are left out by default.
    #[graphql(default)]
    include_archived: bool,
}

impl CasualtyReportFilter {
    fn into_service(self) -> Result<casualties::CasualtyFilter, AppError> {
        Ok(casualties::CasualtyFilter {
            include_archived: self.include_archived,
            event_ids: self.event_ids.map(|ids| decode_all(NodeType::Event, &ids)).transpose()?,
            categories: self.categories,
            statuses: self.statuses,
            claimed_by_ids: self
                .claimed_by_ids
                .map(|ids| decode_all(NodeType::Actor, &ids))
                .transpose()?,
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
        })
    }
}

/// How to order casualty reports.
#[derive(InputObject)]
pub struct CasualtyReportOrder {
    /// The key to sort by.
    #[graphql(default_with = "CasualtyReportOrderField::AsOf")]
    field: CasualtyReportOrderField,
    /// Which way.
    #[graphql(default_with = "OrderDirection::Desc")]
    direction: OrderDirection,
}

impl Default for CasualtyReportOrder {
    fn default() -> Self {
        CasualtyReportOrder {
            field: CasualtyReportOrderField::AsOf,
            direction: OrderDirection::Desc,
        }
    }
}

/// What casualty reports can be ordered by; ties are broken by ID.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CasualtyReportOrderField {
    /// The as-of date; undated reports count as the earliest.
    AsOf,
    /// The lower bound of the figure.
    Low,
}

impl From<CasualtyReportOrderField> for CasualtySort {
    fn from(field: CasualtyReportOrderField) -> Self {
        match field {
            CasualtyReportOrderField::AsOf => CasualtySort::AsOf,
            CasualtyReportOrderField::Low => CasualtySort::Low,
        }
    }
}
