//! Relations a record holds in a child table (citations here; participants, mentions and
//! aliases in their record types' modules): adding or removing one item, under one rule.

use super::*;

use crate::domain::records::CitationRecord;
use crate::domain::validate::Checker;
use crate::domain::{NodeType, Operation};
use crate::error::AppError;
use crate::error::Rule;
use crate::service::citation::{self, Cited};
use crate::service::rows;
use entity::citation as citation_entity;
use sea_orm::{ColumnTrait, QueryFilter};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};

/// Adds (`add`) or removes a citation of a source on record `id` of `node`.
///
/// # Errors
/// As [`set_citation`]; `BAD_USER_INPUT` for sources and actors, which cite nothing.
pub async fn set_citation_of(
    db: &DatabaseConnection,
    author: &str,
    node: NodeType,
    id: i32,
    version: Option<i32>,
    citation: NewCitation,
    add: bool,
) -> Result<(), AppError> {
    match node {
        NodeType::Event => {
            set_citation::<event::Events>(db, author, id, version, citation, add).await?;
        }
        NodeType::Statement => {
            set_citation::<statement::Statements>(db, author, id, version, citation, add).await?;
        }
        NodeType::CasualtyReport => {
            set_citation::<casualty::Reports>(db, author, id, version, citation, add).await?;
        }
        NodeType::Source | NodeType::Actor => {
            return Err(AppError::invalid_input(
                "input.recordId",
                "only events, statements and casualty reports cite sources",
            ))
        }
    }
    Ok(())
}

/// Adds (`add`) or removes a citation of `source_id` on record `id` of `E`.
///
/// # Errors
/// `NOT_FOUND`, `CONFLICT` for a stale `version`, `VALIDATION` for an unknown source, a
/// source not cited, the last citation removed, or a type that cites nothing.
pub(crate) async fn set_citation<E: Editable>(
    db: &DatabaseConnection,
    author: &str,
    id: i32,
    version: Option<i32>,
    citation: NewCitation,
    add: bool,
) -> Result<E::Model, AppError> {
    let (write, row, before) = open::<E>(db, author, id, version).await?;
    let mut refs = References::new(write.txn());
    let source = refs.key(NodeType::Source, citation.source_id, "input.sourceId").await?;
    let mut check = refs.checker();
    let mut after = before.clone();
    let Some(Citations { list_mut, .. }) = E::CITATIONS else {
        return Err(AppError::invalid_input(
            "input.recordId",
            "records of this type cite no sources",
        ));
    };
    let citations = list_mut(&mut after);
    let toggle = Toggle {
        add,
        path: "input.sourceId",
        present: "the record cites this source already",
        absent: "the record does not cite this source",
    };
    let item = CitationRecord { source, excerpt: citation.excerpt };
    let operation = toggle.apply(&mut check, citations, item, |a, b| a.source == b.source);
    save::<E>(write, row, &before, &after, operation, check).await
}

/// A relation added to or removed from a record's list.
pub(crate) struct Toggle<'a> {
    /// Add (`true`) or remove.
    pub add: bool,
    /// The input field that names the related record, where problems are reported.
    pub path: &'a str,
    /// What adding an existing item is told: "the actor takes part in this role already".
    pub present: &'a str,
    /// What removing a missing item is told: "the actor does not take part in this role".
    pub absent: &'a str,
}

impl Toggle<'_> {
    /// Adds `item` to `list` unless an item is `same` as it, or removes every item `same` as
    /// it; either mistake is a violation at the input's path. Returns the operation recorded.
    pub(crate) fn apply<T>(
        &self,
        check: &mut Checker,
        list: &mut Vec<T>,
        item: T,
        same: impl Fn(&T, &T) -> bool,
    ) -> Operation {
        let exists = list.iter().any(|existing| same(existing, &item));
        if self.add {
            if exists {
                check.fail(Rule::Duplicate, self.path, self.present);
            } else {
                list.push(item);
            }
            Operation::AddRelation
        } else {
            if exists {
                list.retain(|existing| !same(existing, &item));
            } else {
                check.fail(Rule::NotPresent, self.path, self.absent);
            }
            Operation::RemoveRelation
        }
    }
}

/// The citations of one record, as dataset records.
pub(crate) async fn cited(
    db: &impl ConnectionTrait,
    cited: Cited,
    id: i32,
) -> Result<Vec<CitationRecord>, AppError> {
    let rows = citation::of(db, cited, &[id]).await?.remove(&id).unwrap_or_default();
    let sources: Vec<i32> = rows.iter().map(|row| row.source_id).collect();
    let keys = keys_of(db, NodeType::Source, &sources).await?;
    rows.into_iter()
        .map(|row| {
            Ok(CitationRecord { source: key_found(&keys, row.source_id)?, excerpt: row.excerpt })
        })
        .collect()
}

/// Replaces the citations of one record.
pub(crate) async fn recite(
    db: &impl ConnectionTrait,
    cited: Cited,
    id: i32,
    citations: &[CitationRecord],
) -> Result<(), AppError> {
    citation_entity::Entity::delete_many().filter(cited.column().eq(id)).exec(db).await?;
    let sources = ids_of(db, NodeType::Source, citations.iter().map(|c| c.source.as_str())).await?;
    rows::cite(db, citations, cited, id, |key| resolved(&sources, key)).await
}

/// Replaces the citations of a stored record when they differ from `before`'s (a new record
/// has no `before`).
pub(crate) async fn recite_changed(
    db: &impl ConnectionTrait,
    cited: Cited,
    id: i32,
    before: Option<&[CitationRecord]>,
    after: &[CitationRecord],
) -> Result<(), AppError> {
    if before == Some(after) {
        return Ok(());
    }
    recite(db, cited, id, after).await
}

/// The items of an actor list held in a child table (an event's participants, a statement's
/// mentions) as dataset records, which name actors by key.
pub(crate) async fn with_actor_keys<T, R>(
    db: &impl ConnectionTrait,
    items: Vec<T>,
    actor: impl Fn(&T) -> i32,
    record: impl Fn(String, T) -> R,
) -> Result<Vec<R>, AppError> {
    let actors: Vec<i32> = items.iter().map(&actor).collect();
    let keys = keys_of(db, NodeType::Actor, &actors).await?;
    items
        .into_iter()
        .map(|item| {
            let key = key_found(&keys, actor(&item))?;
            Ok(record(key, item))
        })
        .collect()
}

/// Rewrites the child rows of an actor list of `parent` when the list differs from `before`
/// (a new record has no `before`): the rows whose `parent_column` is `parent` are replaced by
/// one row an item, made by `row` from the actor's id.
pub(crate) async fn replace_actor_rows<T: PartialEq, A>(
    db: &impl ConnectionTrait,
    parent_column: <A::Entity as EntityTrait>::Column,
    parent: i32,
    before: Option<&[T]>,
    items: &[T],
    actor: impl Fn(&T) -> &str,
    row: impl Fn(i32, &T) -> A,
) -> Result<(), AppError>
where
    A: sea_orm::ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
{
    if before == Some(items) {
        return Ok(());
    }
    A::Entity::delete_many().filter(parent_column.eq(parent)).exec(db).await?;
    let ids = ids_of(db, NodeType::Actor, items.iter().map(&actor)).await?;
    let rows = items
        .iter()
        .map(|item| Ok(row(resolved(&ids, actor(item))?, item)))
        .collect::<Result<Vec<A>, AppError>>()?;
    if !rows.is_empty() {
        A::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}
