//! Writing records. Every write is one transaction that:
//!
//! 1. takes the write lock, so writers run one after another and revision ids follow commit
//!    order (the change feed relies on it);
//! 2. reads the record as a dataset record, checks the version the client named;
//! 3. validates the whole new record with the same rules `annals import` applies;
//! 4. writes the rows and appends one revision per changed record, with the before and after
//!    values of each changed field.
//!
//! Anything refused rolls the transaction back: the database is left exactly as it was.

pub mod actor;
pub mod casualty;
pub mod event;
pub mod purge;
pub mod source;
pub mod statement;

use crate::dataset::validate::Checker;
use crate::dataset::{rows, CitationRecord};
use crate::domain::{NodeType, Operation};
use crate::error::AppError;
use crate::service::citation::{self, Cited};
use chrono::{DateTime, Utc};
use entity::citation as citation_entity;
use entity::revision;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    TransactionTrait,
};
use sea_orm::{ColumnTrait, QueryFilter};
use serde_json::{Map, Value as Json};
use std::collections::HashMap;

/// Revisions written per INSERT: 6 parameters each, well under SQLite's and PostgreSQL's
/// limits on parameters per statement.
const REVISIONS_PER_INSERT: usize = 1000;

/// Field name → `{"before": …, "after": …}` for every field a write changed.
pub type Changes = Map<String, Json>;

/// A write in progress.
pub struct Write {
    txn: DatabaseTransaction,
    author: String,
    at: DateTime<Utc>,
    revisions: Vec<revision::ActiveModel>,
}

impl Write {
    /// Opens the transaction and queues for the write lock.
    pub async fn begin(db: &DatabaseConnection, author: &str) -> Result<Self, AppError> {
        let txn = db.begin().await?;
        // Writers queue here, so a writer's revisions get ids only after every earlier writer
        // committed: a feed reader that has seen revision n has seen all below n. On SQLite the
        // update also takes the database's write lock at once, rather than upgrading a read
        // lock later, which two writers could deadlock on.
        txn.execute_unprepared("UPDATE write_lock SET writes = writes + 1 WHERE id = 1").await?;
        Ok(Write { txn, author: author.to_owned(), at: Utc::now(), revisions: Vec::new() })
    }

    /// The transaction to read and write through.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// When this write happens.
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// Appends a revision of record `id` of `node`.
    pub fn record(&mut self, node: NodeType, id: i32, operation: Operation, changes: Changes) {
        self.revisions.push(revision::ActiveModel {
            node_type: Set(node.as_str().to_owned()),
            node_id: Set(id),
            operation: Set(operation.as_str().to_owned()),
            author: Set(self.author.clone()),
            at: Set(self.at),
            changes: Set(Json::Object(changes).to_string()),
            ..Default::default()
        });
    }

    /// Writes the revisions and commits.
    pub async fn commit(self) -> Result<(), AppError> {
        let mut revisions = self.revisions.into_iter().peekable();
        while revisions.peek().is_some() {
            // Chunks keep each statement under the backends' bound-parameter limits.
            let chunk: Vec<_> = revisions.by_ref().take(REVISIONS_PER_INSERT).collect();
            revision::Entity::insert_many(chunk).exec(&self.txn).await?;
        }
        self.txn.commit().await?;
        Ok(())
    }
}

/// A row and its dataset record.
pub(crate) type Loaded<E> = (<E as Editable>::Model, <E as Editable>::Record);

/// A record type the API edits: how to read one as a dataset record, write one back, and
/// check it with the import rules.
pub(crate) trait Editable {
    /// Its row.
    type Model: Send + Sync;
    /// Its dataset record.
    type Record: Clone + serde::Serialize + Send + Sync;
    /// Its node type.
    const NODE: NodeType;

    /// The row's id and version.
    fn id_and_version(row: &Self::Model) -> (i32, i32);

    /// Record `id`, with its row.
    fn load(
        db: &DatabaseTransaction,
        id: i32,
    ) -> impl std::future::Future<Output = Result<Option<Loaded<Self>>, AppError>> + Send;

    /// Writes `record`: a new row, or the `existing` row with its version one higher, given
    /// with the record as it stood, so that only the lists that changed are rewritten.
    fn store(
        db: &DatabaseTransaction,
        existing: Option<(Self::Model, &Self::Record)>,
        record: &Self::Record,
    ) -> impl std::future::Future<Output = Result<Self::Model, AppError>> + Send;

    /// The import rules of one record, reported at `input.*`.
    fn check(check: &mut Checker, record: &Self::Record);

    /// The record's citations, for types that cite sources.
    fn citations(_record: &mut Self::Record) -> Option<&mut Vec<CitationRecord>> {
        None
    }
}

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
    let Some(citations) = E::citations(&mut after) else {
        return Err(AppError::invalid_input(
            "input.recordId",
            "records of this type cite no sources",
        ));
    };
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
                check.fail("DUPLICATE", self.path, self.present);
            } else {
                list.push(item);
            }
            Operation::AddRelation
        } else {
            if exists {
                list.retain(|existing| !same(existing, &item));
            } else {
                check.fail("NOT_PRESENT", self.path, self.absent);
            }
            Operation::RemoveRelation
        }
    }
}

/// Inserts `model`, or, given the `(id, version)` of an existing row, updates that row with
/// it one version higher. Columns `model` leaves unset (archiving, merging) keep their values.
pub(crate) async fn upsert<A>(
    db: &DatabaseTransaction,
    mut model: A,
    existing: Option<(i32, i32)>,
) -> Result<<A::Entity as EntityTrait>::Model, AppError>
where
    A: sea_orm::ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    use std::str::FromStr;
    let Some((id, version)) = existing else { return Ok(model.insert(db).await?) };
    let column = |name: &str| {
        <A::Entity as EntityTrait>::Column::from_str(name)
            .map_err(|_| AppError::internal(format!("no column {name}")))
    };
    model.set(column("id")?, id.into());
    model.set(column("version")?, (version + 1).into());
    Ok(model.update(db).await?)
}

/// Starts a write on record `id` of `E`, checking the version the client named.
pub(crate) async fn open<E: Editable>(
    db: &DatabaseConnection,
    author: &str,
    id: i32,
    version: Option<i32>,
) -> Result<(Write, E::Model, E::Record), AppError> {
    let write = Write::begin(db, author).await?;
    let (row, record) =
        E::load(write.txn(), id).await?.ok_or_else(|| AppError::NotFound(describe(E::NODE, id)))?;
    check_version(&describe(E::NODE, id), E::id_and_version(&row).1, version)?;
    Ok((write, row, record))
}

/// Validates a changed record and, when it differs, writes it with its revision and commits.
/// A change that changes nothing writes nothing.
pub(crate) async fn save<E: Editable>(
    mut write: Write,
    row: E::Model,
    before: &E::Record,
    after: &E::Record,
    operation: Operation,
    mut check: Checker,
) -> Result<E::Model, AppError> {
    E::check(&mut check, after);
    check.finish()?;
    let changes = diff(&snapshot(before)?, &snapshot(after)?);
    if changes.is_empty() {
        return Ok(row);
    }
    let (id, _) = E::id_and_version(&row);
    let saved = E::store(write.txn(), Some((row, before)), after).await?;
    write.record(E::NODE, id, operation, changes);
    write.commit().await?;
    Ok(saved)
}

/// Validates a new record and writes it with its revision.
pub(crate) async fn insert<E: Editable>(
    mut write: Write,
    record: &E::Record,
    mut check: Checker,
) -> Result<E::Model, AppError> {
    E::check(&mut check, record);
    check.finish()?;
    let saved = E::store(write.txn(), None, record).await?;
    let (id, _) = E::id_and_version(&saved);
    write.record(E::NODE, id, Operation::Create, diff(&Json::Null, &snapshot(record)?));
    write.commit().await?;
    Ok(saved)
}

/// A record as JSON, in its dataset form: what history shows before and after a change.
pub fn snapshot<T: serde::Serialize>(record: &T) -> Result<Json, AppError> {
    Ok(serde_json::to_value(record)?)
}

/// The top-level fields whose values differ between two snapshots.
pub fn diff(before: &Json, after: &Json) -> Changes {
    let empty = Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut changes = Map::new();
    for field in after.keys().chain(before.keys().filter(|k| !after.contains_key(*k))) {
        let (old, new) = (before.get(field), after.get(field));
        let old = old.cloned().unwrap_or(Json::Null);
        let new = new.cloned().unwrap_or(Json::Null);
        if old != new {
            changes.insert(field.clone(), serde_json::json!({ "before": old, "after": new }));
        }
    }
    changes
}

/// Refuses a write that names a version other than the current one.
pub fn check_version(what: &str, current: i32, expected: Option<i32>) -> Result<(), AppError> {
    match expected {
        Some(expected) if expected != current => Err(AppError::Conflict(format!(
            "{what} is at version {current}, not {expected}: it changed since you read it; \
             read it again and reapply your change"
        ))),
        _ => Ok(()),
    }
}

/// The table a node type lives in; fixed SQL, never client text.
pub(crate) fn table(node: NodeType) -> &'static str {
    match node {
        NodeType::Source => "sources",
        NodeType::Actor => "actors",
        NodeType::Event => "events",
        NodeType::Statement => "statements",
        NodeType::CasualtyReport => "casualty_reports",
    }
}

/// "casualty report" for `CASUALTY_REPORT`.
fn noun(node: NodeType) -> String {
    node.as_str().to_lowercase().replace('_', " ")
}

pub(crate) fn describe(node: NodeType, id: i32) -> String {
    format!("{} {id}", noun(node))
}

/// Resolves the references a mutation's input names, collecting a violation for each that
/// names no record, so that they are reported together with the record's own problems.
pub struct References<'a, C> {
    db: &'a C,
    check: Checker,
}

impl<'a, C: ConnectionTrait> References<'a, C> {
    /// Resolution through `db`.
    pub fn new(db: &'a C) -> Self {
        References { db, check: Checker::default() }
    }

    /// The key of record `id` of `node`, or a violation at `path`.
    pub async fn key(&mut self, node: NodeType, id: i32, path: &str) -> Result<String, AppError> {
        match key_of(self.db, node, id).await? {
            Some(key) => Ok(key),
            None => {
                let message = format!("no {} has this ID", noun(node));
                self.check.fail("UNKNOWN_REFERENCE", path, message);
                // A placeholder that no rule looks at: the write is refused anyway.
                Ok(String::new())
            }
        }
    }

    /// The citations of an input as dataset records.
    pub async fn citations(
        &mut self,
        citations: &[NewCitation],
        path: &str,
    ) -> Result<Vec<CitationRecord>, AppError> {
        let mut records = Vec::with_capacity(citations.len());
        for (i, citation) in citations.iter().enumerate() {
            let source = self
                .key(NodeType::Source, citation.source_id, &format!("{path}[{i}].sourceId"))
                .await?;
            records.push(CitationRecord { source, excerpt: citation.excerpt.clone() });
        }
        Ok(records)
    }

    /// The reference problems found, to which the record's own rules add theirs.
    pub(crate) fn checker(self) -> Checker {
        self.check
    }
}

/// A citation given in a mutation's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCitation {
    /// The cited source.
    pub source_id: i32,
    /// The passage that supports the claim.
    pub excerpt: Option<String>,
}

/// The key of record `id` of `node`.
pub async fn key_of(
    db: &impl ConnectionTrait,
    node: NodeType,
    id: i32,
) -> Result<Option<String>, AppError> {
    let mut sql = super::sql::Sql::new(db.get_database_backend());
    sql.push("SELECT key FROM ").push(table(node)).push(" WHERE id = ").bind(id);
    match db.query_one_raw(sql.build()).await? {
        Some(row) => Ok(Some(row.try_get("", "key")?)),
        None => Ok(None),
    }
}

/// The keys of the records of `node` with these ids, in one statement.
pub(crate) async fn keys_of(
    db: &impl ConnectionTrait,
    node: NodeType,
    ids: &[i32],
) -> Result<HashMap<i32, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = super::sql::Sql::new(db.get_database_backend());
    sql.push("SELECT id, key FROM ").push(table(node));
    sql.and().in_list("id", ids.iter().copied());
    db.query_all_raw(sql.build())
        .await?
        .into_iter()
        .map(|row| Ok((row.try_get("", "id")?, row.try_get("", "key")?)))
        .collect()
}

/// The ids of the records of `node` with these keys, in one statement.
pub(crate) async fn ids_of<'k>(
    db: &impl ConnectionTrait,
    node: NodeType,
    keys: impl Iterator<Item = &'k str>,
) -> Result<HashMap<String, i32>, AppError> {
    let keys: Vec<String> = keys.map(str::to_owned).collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = super::sql::Sql::new(db.get_database_backend());
    sql.push("SELECT id, key FROM ").push(table(node));
    sql.and().in_list("key", keys);
    db.query_all_raw(sql.build())
        .await?
        .into_iter()
        .map(|row| Ok((row.try_get("", "key")?, row.try_get("", "id")?)))
        .collect()
}

/// The id [`ids_of`] found for `key`; keys were resolved from ids in this same transaction,
/// so a miss is a bug.
pub(crate) fn resolved(ids: &HashMap<String, i32>, key: &str) -> Result<i32, AppError> {
    ids.get(key).copied().ok_or_else(|| AppError::internal(format!("no record with key {key:?}")))
}

/// The key [`keys_of`] found for `id`; references are foreign keys, so a miss is a bug.
pub(crate) fn key_found(keys: &HashMap<i32, String>, id: i32) -> Result<String, AppError> {
    keys.get(&id).cloned().ok_or_else(|| AppError::internal(format!("dangling reference to {id}")))
}

/// The id of the record of `node` with `key`; the key was resolved from an id in this same
/// transaction, so a miss is a bug.
pub async fn id_of(db: &impl ConnectionTrait, node: NodeType, key: &str) -> Result<i32, AppError> {
    let mut sql = super::sql::Sql::new(db.get_database_backend());
    sql.push("SELECT id FROM ").push(table(node)).push(" WHERE key = ").bind(key.to_owned());
    let row = db
        .query_one_raw(sql.build())
        .await?
        .ok_or_else(|| AppError::internal(format!("no {} with key {key:?}", table(node))))?;
    Ok(row.try_get("", "id")?)
}

/// A key for a record created without one: what it is (`casualty-report`) and a random
/// suffix.
pub(crate) fn new_key(kind: &str) -> String {
    use rand::Rng;
    format!("{kind}-{:010x}", rand::rng().random::<u64>() & 0xff_ffff_ffff)
}

/// Checks a client-given key, or makes one.
pub(crate) fn key_or_new(check: &mut Checker, node: NodeType, key: Option<String>) -> String {
    match key {
        Some(key) => {
            check.key("input.key", &key);
            key
        }
        None => new_key(&noun(node).replace(' ', "-")),
    }
}

/// Archives (`archive`) or restores a record. Archived records leave every list unless it asks
/// for them, and stay reachable by ID.
///
/// # Errors
/// `NOT_FOUND`, `CONFLICT` for a stale version; archiving an archived record changes nothing.
pub async fn set_archived(
    db: &DatabaseConnection,
    author: &str,
    node: NodeType,
    id: i32,
    expected_version: Option<i32>,
    archive: bool,
) -> Result<(), AppError> {
    let mut write = Write::begin(db, author).await?;
    let mut sql = super::sql::Sql::new(db.get_database_backend());
    sql.push("SELECT version, archived_at FROM ").push(table(node)).push(" WHERE id = ").bind(id);
    let row = write
        .txn()
        .query_one_raw(sql.build())
        .await?
        .ok_or_else(|| AppError::NotFound(describe(node, id)))?;
    let version: i32 = row.try_get("", "version")?;
    let archived_at: Option<DateTime<Utc>> = row.try_get("", "archived_at")?;
    check_version(&describe(node, id), version, expected_version)?;
    if archived_at.is_some() == archive {
        return Ok(());
    }
    let at = archive.then(|| write.at());
    let mut sql = super::sql::Sql::new(db.get_database_backend());
    sql.push("UPDATE ").push(table(node)).push(" SET archived_at = ").bind(at);
    sql.push(", version = version + 1 WHERE id = ").bind(id);
    write.txn().execute_raw(sql.build()).await?;
    let mut changes = Map::new();
    changes
        .insert("archived".to_owned(), serde_json::json!({ "before": !archive, "after": archive }));
    let operation = if archive { Operation::Archive } else { Operation::Restore };
    write.record(node, id, operation, changes);
    write.commit().await
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_diff_holds_only_the_changed_fields() {
        let before = json!({"low": 164, "high": 164, "status": "REPORTED", "note": null});
        let after = json!({"low": 164, "high": null, "status": "RETRACTED", "note": null});
        let changes = diff(&before, &after);
        assert_eq!(
            Json::Object(changes),
            json!({
                "high": {"before": 164, "after": null},
                "status": {"before": "REPORTED", "after": "RETRACTED"},
            })
        );
        assert!(diff(&before, &before).is_empty());
    }

    #[test]
    fn generated_keys_are_valid_keys() {
        let key = new_key("casualty-report");
        assert!(key.starts_with("casualty-report-"), "{key}");
        let mut check = Checker::default();
        assert!(check.key("key", &key));
    }
}
