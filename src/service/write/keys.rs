//! Readable keys and the row ids they name: resolving the references a mutation's input
//! names, and making up keys for records created without one.

use crate::domain::records::CitationRecord;
use crate::domain::validate::Checker;
use crate::domain::NodeType;
use crate::error::AppError;
use crate::error::Rule;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

/// The table a node type lives in, as the read-model catalogue has it; fixed SQL, never
/// client text.
pub(crate) fn table(node: NodeType) -> &'static str {
    crate::service::catalogue::node(node).table
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
                self.check.fail(Rule::UnknownReference, path, message);
                // A placeholder that no rule looks at: the write is refused anyway.
                Ok(String::new())
            }
        }
    }

    /// The key of record `id` of `node` when an id is given.
    pub async fn optional_key(
        &mut self,
        node: NodeType,
        id: Option<i32>,
        path: &str,
    ) -> Result<Option<String>, AppError> {
        match id {
            Some(id) => Ok(Some(self.key(node, id, path).await?)),
            None => Ok(None),
        }
    }

    /// The keys of the actors a list of `items` names (an event's participants, a statement's
    /// mentions), as `record`s; an unknown actor is reported at `path[i].actorId`.
    pub async fn actor_list<T, R>(
        &mut self,
        items: &[T],
        path: &str,
        actor_id: impl Fn(&T) -> i32,
        record: impl Fn(String, &T) -> R,
    ) -> Result<Vec<R>, AppError> {
        let mut records = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = format!("{path}[{i}].actorId");
            let actor = self.key(NodeType::Actor, actor_id(item), &at).await?;
            records.push(record(actor, item));
        }
        Ok(records)
    }

    /// The key a new record of `node` is given: `key` if it is a valid one, a made-up one
    /// when none is given.
    pub fn new_key(&mut self, node: NodeType, key: Option<String>) -> String {
        match key {
            Some(key) => {
                self.check.key("input.key", &key);
                key
            }
            None => new_key(&noun(node).replace(' ', "-")),
        }
    }

    /// The connection it resolves through.
    pub fn db(&self) -> &'a C {
        self.db
    }

    /// The checker, for rules the write applies beyond references.
    pub fn check(&mut self) -> &mut Checker {
        &mut self.check
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
    let mut sql = crate::service::sql::Sql::new(db.get_database_backend());
    sql.push("SELECT key FROM ").push(table(node)).push(" WHERE id = ").bind(id);
    match db.query_one_raw(sql.build()).await? {
        Some(row) => Ok(Some(row.try_get("", "key")?)),
        None => Ok(None),
    }
}

/// The key of the record an optional reference of a stored row points to; a reference to
/// nothing is a broken invariant of `table`'s row `id`.
pub(crate) async fn referenced_key(
    db: &impl ConnectionTrait,
    node: NodeType,
    reference: Option<i32>,
    from: (&str, i32),
) -> Result<Option<String>, AppError> {
    let Some(id) = reference else { return Ok(None) };
    let (what, row) = from;
    let key = key_of(db, node, id).await?;
    key.map(Some)
        .ok_or_else(|| AppError::internal(format!("{what} {row} has a dangling reference")))
}

/// The id of the record an optional key names, for storing a reference.
pub(crate) async fn referenced_id(
    db: &impl ConnectionTrait,
    node: NodeType,
    key: Option<&String>,
) -> Result<Option<i32>, AppError> {
    match key {
        Some(key) => Ok(Some(id_of(db, node, key).await?)),
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
    let mut sql = crate::service::sql::Sql::new(db.get_database_backend());
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
    let mut sql = crate::service::sql::Sql::new(db.get_database_backend());
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
    let mut sql = crate::service::sql::Sql::new(db.get_database_backend());
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
