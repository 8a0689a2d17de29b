//! Statements: filtered lists, the statements of an event or a speaker, and their mentions.

use super::page::Filter;
use super::page::{self, Direction, KeyKind, ListSpec, Ordering, Page, SortKey, Window};
use super::sql::Sql;
use crate::domain::{text, MentionRole, StatementKind};
use crate::error::AppError;
use chrono::NaiveDate;
use entity::{statement, statement_mention};
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

pub(crate) const STATEMENTS: ListSpec =
    ListSpec { from: "statements s", columns: "s.*", id: "s.id", condition: None };
/// Statements in nested lists, where archived statements are left out.
pub(crate) const LIVE_STATEMENTS: ListSpec =
    ListSpec { condition: Some("s.archived_at IS NULL"), ..STATEMENTS };

/// What statements can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatementSort {
    /// When the statement was made; undated ones sort as the earliest.
    StatedOn,
    /// How well the statement matches the filter's full-text search.
    Relevance,
}

/// The ordering of a statement list.
pub fn ordering(sort: StatementSort, direction: Direction) -> Ordering {
    let key = match sort {
        StatementSort::StatedOn => SortKey {
            name: "stated",
            expr: "COALESCE(s.stated_on, '0001-01-01')",
            kind: KeyKind::Date,
        },
        StatementSort::Relevance => page::RELEVANCE,
    };
    Ordering { key, direction }
}

/// The default: latest first.
pub fn default_ordering() -> Ordering {
    ordering(StatementSort::StatedOn, Direction::Desc)
}

/// Which statements a list holds; every criterion given must match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatementFilter {
    /// Said by any of these actors.
    pub speaker_ids: Option<Vec<i32>>,
    /// About any of these events.
    pub event_ids: Option<Vec<i32>>,
    /// Mentioning or blaming any of these actors.
    pub mentions_actor_ids: Option<Vec<i32>>,
    /// Of any of these kinds.
    pub kinds: Option<Vec<StatementKind>>,
    /// Made on or after this day.
    pub from: Option<NaiveDate>,
    /// Made on or before this day.
    pub to: Option<NaiveDate>,
    /// Case-insensitive substring of the text.
    pub text: Option<String>,
    /// Matching this full-text search (`service::search`'s query language).
    pub search: Option<String>,
    /// Machine-coded and unchecked (`true`), or not (`false`).
    pub low_confidence: Option<bool>,
    /// Archived records too; they are left out unless asked for.
    pub include_archived: bool,
}

impl page::Filter for StatementFilter {
    fn push(&self, sql: &mut Sql) {
        if !self.include_archived {
            sql.and().push("s.archived_at IS NULL");
        }
        if let Some(text) = &self.search {
            super::search::push_matches(sql, crate::domain::NodeType::Statement, "s", text);
        }
        if let Some(ids) = &self.speaker_ids {
            sql.and().in_list("s.speaker_id", ids.iter().copied());
        }
        if let Some(low) = self.low_confidence {
            sql.and().push("s.low_confidence = ").bind(low);
        }
        if let Some(ids) = &self.event_ids {
            sql.and().in_list("s.event_id", ids.iter().copied());
        }
        if let Some(ids) = &self.mentions_actor_ids {
            sql.and().push(
                "EXISTS (SELECT 1 FROM statement_mentions sm WHERE sm.statement_id = s.id AND ",
            );
            sql.in_list("sm.actor_id", ids.iter().copied()).push(")");
        }
        if let Some(kinds) = &self.kinds {
            sql.and().in_list("s.kind", kinds.iter().map(|k| k.as_str()));
        }
        if let Some(from) = self.from {
            sql.and().push("s.stated_on >= ").bind(from);
        }
        if let Some(to) = self.to {
            sql.and().push("s.stated_on <= ").bind(to);
        }
        if let Some(needle) = &self.text {
            sql.and()
                .push("s.text_folded LIKE ")
                .bind(text::contains_pattern(needle))
                .push(" ESCAPE '\\'");
        }
    }
}

/// One page of statements matching `filter`.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &StatementFilter,
    window: &Window,
) -> Result<Page<statement::Model>, AppError> {
    page::fetch_page(db, &STATEMENTS, |sql| filter.push(sql), window).await
}

/// How many statements match `filter`.
pub async fn count(db: &impl ConnectionTrait, filter: &StatementFilter) -> Result<i64, AppError> {
    page::count(db, &STATEMENTS, filter).await
}

/// Statements by id.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, statement::Model>, AppError> {
    super::by_ids::<statement::Entity>(db, ids, statement::Column::Id).await
}

/// An actor a statement refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    /// The actor referred to.
    pub actor_id: i32,
    /// How the statement refers to them.
    pub role: MentionRole,
}

/// The actors each statement mentions or blames, in the order they were recorded.
pub async fn mentions(
    db: &impl ConnectionTrait,
    statement_ids: &[i32],
) -> Result<HashMap<i32, Vec<Mention>>, AppError> {
    let grouped: HashMap<i32, Vec<statement_mention::Model>> =
        super::catalogue::MENTIONS.fetch(db, statement_ids).await?;
    grouped
        .into_iter()
        .map(|(id, rows)| {
            let mentions = rows
                .into_iter()
                .map(|row| {
                    Ok(Mention { actor_id: row.actor_id, role: MentionRole::from_db(&row.role)? })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            Ok((id, mentions))
        })
        .collect()
}
