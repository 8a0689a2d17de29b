//! Actors: filtered lists, aliases and affiliations.

use super::catalogue;
use super::page::Filter;
use super::page::{self, Direction, KeyKind, ListSpec, Ordering, Page, SortKey, Window};
use super::sql::Sql;
use crate::domain::{text, ActorKind};
use crate::error::AppError;
use entity::{actor, actor_alias, affiliation};
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

/// The longest chain of merges a lookup by ID follows (an actor merged into one that was
/// merged in turn); longer chains are a broken invariant.
pub const MAX_MERGE_HOPS: usize = 32;

pub(crate) const ACTORS: ListSpec =
    ListSpec { from: "actors a", columns: "a.*", id: "a.id", condition: None };

/// Actors are listed by name, compared case-insensitively.
pub fn ordering(direction: Direction) -> Ordering {
    Ordering {
        key: SortKey { name: "name", expr: "a.name_folded", kind: KeyKind::Text },
        direction,
    }
}

/// Which actors a list holds; every criterion given must match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActorFilter {
    /// Any of these kinds.
    pub kinds: Option<Vec<ActorKind>>,
    /// From any of these countries.
    pub country_codes: Option<Vec<String>>,
    /// Case-insensitive substring of the name or of any alias.
    pub name: Option<String>,
    /// Archived records too; they are left out unless asked for.
    pub include_archived: bool,
}

impl page::Filter for ActorFilter {
    fn push(&self, sql: &mut Sql) {
        if !self.include_archived {
            sql.and().push("a.archived_at IS NULL");
        }
        if let Some(kinds) = &self.kinds {
            sql.and().in_list("a.kind", kinds.iter().map(|k| k.as_str()));
        }
        if let Some(codes) = &self.country_codes {
            sql.and().in_list("a.country_code", codes.iter().cloned());
        }
        if let Some(name) = &self.name {
            let pattern = text::contains_pattern(name);
            sql.and().push("(a.name_folded LIKE ").bind(pattern.clone()).push(" ESCAPE '\\'");
            sql.push(" OR EXISTS (SELECT 1 FROM actor_aliases aa WHERE aa.actor_id = a.id AND aa.alias_folded LIKE ");
            sql.bind(pattern).push(" ESCAPE '\\'))");
        }
    }
}

/// One page of actors matching `filter`.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &ActorFilter,
    window: &Window,
) -> Result<Page<actor::Model>, AppError> {
    page::fetch_page(db, &ACTORS, |sql| filter.push(sql), window).await
}

/// How many actors match `filter`.
pub async fn count(db: &impl ConnectionTrait, filter: &ActorFilter) -> Result<i64, AppError> {
    page::count(db, &ACTORS, filter).await
}

/// Actors by id.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, actor::Model>, AppError> {
    super::by_ids::<actor::Entity>(db, ids, actor::Column::Id).await
}

/// Each actor's aliases, in the order they were recorded.
pub async fn aliases(
    db: &impl ConnectionTrait,
    actor_ids: &[i32],
) -> Result<HashMap<i32, Vec<String>>, AppError> {
    let grouped: HashMap<i32, Vec<actor_alias::Model>> =
        catalogue::ALIASES.fetch(db, actor_ids).await?;
    Ok(grouped
        .into_iter()
        .map(|(id, rows)| (id, rows.into_iter().map(|row| row.alias).collect()))
        .collect())
}

/// Each actor's affiliations with organizations, earliest first.
pub async fn affiliations(
    db: &impl ConnectionTrait,
    actor_ids: &[i32],
) -> Result<HashMap<i32, Vec<affiliation::Model>>, AppError> {
    catalogue::AFFILIATIONS.fetch(db, actor_ids).await
}
