//! Reading the revision log: each record's history, newest first, and the change feed over
//! every write, oldest first. Writers queue on the write lock, so revision ids follow commit
//! order and a feed cursor never skips a revision committed later with a smaller id.

use super::page::{
    self, Direction, Filter as _, KeyKind, ListSpec, Ordering, Page, SortKey, Window,
};
use super::sql::Sql;
use crate::domain::NodeType;
use crate::error::AppError;
use entity::revision;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

const REVISIONS: ListSpec =
    ListSpec { from: "revisions r", columns: "r.*", id: "r.id", condition: None };

/// The revisions of one node type: the history lists of its records.
fn history_of(node: NodeType) -> &'static ListSpec {
    const fn of(condition: &'static str) -> ListSpec {
        ListSpec { condition: Some(condition), ..REVISIONS }
    }
    const SOURCES: ListSpec = of("r.node_type = 'SOURCE'");
    const ACTORS: ListSpec = of("r.node_type = 'ACTOR'");
    const EVENTS: ListSpec = of("r.node_type = 'EVENT'");
    const STATEMENTS: ListSpec = of("r.node_type = 'STATEMENT'");
    const CASUALTY_REPORTS: ListSpec = of("r.node_type = 'CASUALTY_REPORT'");
    match node {
        NodeType::Source => &SOURCES,
        NodeType::Actor => &ACTORS,
        NodeType::Event => &EVENTS,
        NodeType::Statement => &STATEMENTS,
        NodeType::CasualtyReport => &CASUALTY_REPORTS,
    }
}

fn by_id(direction: Direction) -> Ordering {
    Ordering { key: SortKey { name: "rev", expr: "r.id", kind: KeyKind::Int }, direction }
}

/// The feed's order: oldest first, as the writes were committed.
pub fn feed_ordering() -> Ordering {
    by_id(Direction::Asc)
}

/// The cursor of revision `id` in the feed, as the `changes` query gives it.
pub fn feed_cursor(id: i32) -> String {
    page::encode_cursor(&feed_ordering(), &page::Position { key: page::KeyValue::Int(id), id })
}

/// The revision id a feed cursor points at.
///
/// # Errors
/// `INVALID_CURSOR` for a cursor the feed did not issue.
pub fn decode_feed_cursor(cursor: &str) -> Result<i32, AppError> {
    Ok(page::decode_cursor(cursor, &feed_ordering())?.id)
}

/// A history's order: newest first.
pub fn history_ordering() -> Ordering {
    by_id(Direction::Desc)
}

/// Which revisions the feed holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeedFilter {
    /// Revisions of any of these node types; all when absent.
    pub types: Option<Vec<NodeType>>,
}

impl page::Filter for FeedFilter {
    fn push(&self, sql: &mut Sql) {
        if let Some(types) = &self.types {
            sql.and().in_list("r.node_type", types.iter().map(|t| t.as_str()));
        }
    }
}

/// One page of the change feed.
pub async fn feed(
    db: &impl ConnectionTrait,
    filter: &FeedFilter,
    window: &Window,
) -> Result<Page<revision::Model>, AppError> {
    page::fetch_page(db, &REVISIONS, |sql| filter.push(sql), window).await
}

/// How many revisions the feed holds.
pub async fn count_feed(db: &impl ConnectionTrait, filter: &FeedFilter) -> Result<i64, AppError> {
    page::count(db, &REVISIONS, filter).await
}

/// The same page of history of many records of one type, in one statement.
pub async fn histories(
    db: &impl ConnectionTrait,
    node: NodeType,
    ids: &[i32],
    window: &Window,
) -> Result<HashMap<i32, Page<revision::Model>>, AppError> {
    page::fetch_grouped_pages(db, history_of(node), "r.node_id", ids, window).await
}

/// How many revisions each record has.
pub async fn count_histories(
    db: &impl ConnectionTrait,
    node: NodeType,
    ids: &[i32],
) -> Result<HashMap<i32, i64>, AppError> {
    page::count_grouped(db, history_of(node), "r.node_id", ids).await
}
