//! Sources: the documents every claim is tied to.

use super::page::Filter;
use super::page::{self, Direction, KeyKind, ListSpec, Ordering, Page, SortKey, Window};
use super::sql::Sql;
use crate::domain::{SourceKind, SourceStatus};
use crate::error::AppError;
use entity::source;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

pub(crate) const SOURCES: ListSpec =
    ListSpec { from: "sources s", columns: "s.*", id: "s.id", condition: None };

/// Sources are listed in the order they were recorded.
pub fn ordering() -> Ordering {
    Ordering {
        key: SortKey { name: "id", expr: "s.id", kind: KeyKind::Int },
        direction: Direction::Asc,
    }
}

/// Which sources a list holds; every criterion given must match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceFilter {
    /// Any of these kinds.
    pub kinds: Option<Vec<SourceKind>>,
    /// In any of these states.
    pub statuses: Option<Vec<SourceStatus>>,
    /// Archived records too; they are left out unless asked for.
    pub include_archived: bool,
}

impl page::Filter for SourceFilter {
    fn push(&self, sql: &mut Sql) {
        if !self.include_archived {
            sql.and().push("s.archived_at IS NULL");
        }
        if let Some(kinds) = &self.kinds {
            sql.and().in_list("s.kind", kinds.iter().map(|k| k.as_str()));
        }
        if let Some(statuses) = &self.statuses {
            sql.and().in_list("s.status", statuses.iter().map(|s| s.as_str()));
        }
    }
}

/// One page of sources matching `filter`.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &SourceFilter,
    window: &Window,
) -> Result<Page<source::Model>, AppError> {
    page::fetch_page(db, &SOURCES, |sql| filter.push(sql), window).await
}

/// How many sources match `filter`.
pub async fn count(db: &impl ConnectionTrait, filter: &SourceFilter) -> Result<i64, AppError> {
    page::count(db, &SOURCES, filter).await
}

/// Sources by id.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, source::Model>, AppError> {
    super::by_ids::<source::Entity>(db, ids, source::Column::Id).await
}
