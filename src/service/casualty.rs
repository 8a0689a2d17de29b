//! Casualty reports: each one figure as one party reported it. Competing reports of the same
//! figure are separate rows; nothing here ever merges or overwrites them.

use super::page::Filter;
use super::page::{self, Direction, KeyKind, ListSpec, Ordering, Page, SortKey, Window};
use super::sql::Sql;
use crate::domain::{CasualtyCategory, ReportStatus};
use crate::error::AppError;
use chrono::NaiveDate;
use entity::casualty_report;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

pub(crate) const REPORTS: ListSpec =
    ListSpec { from: "casualty_reports c", columns: "c.*", id: "c.id", condition: None };

/// What casualty reports can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CasualtySort {
    /// The as-of date; undated reports sort as the earliest.
    AsOf,
    /// The lower bound of the figure.
    Low,
}

/// The ordering of a casualty-report list.
pub fn ordering(sort: CasualtySort, direction: Direction) -> Ordering {
    let key = match sort {
        CasualtySort::AsOf => {
            SortKey { name: "as_of", expr: "COALESCE(c.as_of, '0001-01-01')", kind: KeyKind::Date }
        }
        CasualtySort::Low => SortKey { name: "low", expr: "c.low", kind: KeyKind::Int },
    };
    Ordering { key, direction }
}

/// The default: latest first.
pub fn default_ordering() -> Ordering {
    ordering(CasualtySort::AsOf, Direction::Desc)
}

/// Which reports a list holds; every criterion given must match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CasualtyFilter {
    /// About any of these events.
    pub event_ids: Option<Vec<i32>>,
    /// Counting any of these categories.
    pub categories: Option<Vec<CasualtyCategory>>,
    /// In any of these statuses.
    pub statuses: Option<Vec<ReportStatus>>,
    /// Claimed by any of these actors.
    pub claimed_by_ids: Option<Vec<i32>>,
    /// As of this day or later.
    pub from: Option<NaiveDate>,
    /// As of this day or earlier.
    pub to: Option<NaiveDate>,
    /// Archived records too; they are left out unless asked for.
    pub include_archived: bool,
}

impl page::Filter for CasualtyFilter {
    fn push(&self, sql: &mut Sql) {
        if !self.include_archived {
            sql.and().push("c.archived_at IS NULL");
        }
        if let Some(ids) = &self.event_ids {
            sql.and().in_list("c.event_id", ids.iter().copied());
        }
        if let Some(categories) = &self.categories {
            sql.and().in_list("c.category", categories.iter().map(|c| c.as_str()));
        }
        if let Some(statuses) = &self.statuses {
            sql.and().in_list("c.status", statuses.iter().map(|s| s.as_str()));
        }
        if let Some(ids) = &self.claimed_by_ids {
            sql.and().in_list("c.claimed_by_id", ids.iter().copied());
        }
        if let Some(from) = self.from {
            sql.and().push("c.as_of >= ").bind(from);
        }
        if let Some(to) = self.to {
            sql.and().push("c.as_of <= ").bind(to);
        }
    }

    /// Live reports of some categories and statuses are counted by the database's triggers
    /// (`casualty_report_counts`). Every field is named, so that a new one must be decided on.
    fn push_kept_count(&self, sql: &mut Sql) -> bool {
        let CasualtyFilter {
            event_ids,
            categories,
            statuses,
            claimed_by_ids,
            from,
            to,
            include_archived,
        } = self;
        if event_ids.is_some()
            || claimed_by_ids.is_some()
            || from.is_some()
            || to.is_some()
            || *include_archived
        {
            return false;
        }
        sql.push("(SELECT CAST(COALESCE(SUM(k.n), 0) AS BIGINT) FROM casualty_report_counts k");
        sql.subquery(|sql| {
            if let Some(categories) = categories {
                sql.and().in_list("k.category", categories.iter().map(|c| c.as_str()));
            }
            if let Some(statuses) = statuses {
                sql.and().in_list("k.status", statuses.iter().map(|s| s.as_str()));
            }
        });
        sql.push(")");
        true
    }
}

/// One page of reports matching `filter`.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &CasualtyFilter,
    window: &Window,
) -> Result<Page<casualty_report::Model>, AppError> {
    page::fetch_page(db, &REPORTS, |sql| filter.push(sql), window).await
}

/// How many reports match `filter`.
pub async fn count(db: &impl ConnectionTrait, filter: &CasualtyFilter) -> Result<i64, AppError> {
    page::count(db, &REPORTS, filter).await
}

/// Reports by id.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, casualty_report::Model>, AppError> {
    super::by_ids::<casualty_report::Entity>(db, ids, casualty_report::Column::Id).await
}

/// Every live report about each event, in the order they were recorded.
pub async fn of_events(
    db: &impl ConnectionTrait,
    event_ids: &[i32],
) -> Result<HashMap<i32, Vec<casualty_report::Model>>, AppError> {
    super::catalogue::CASUALTY_REPORTS_OF_EVENT.fetch(db, event_ids).await
}
