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

mod archive;
mod keys;
mod relations;

pub use archive::set_archived;
pub(crate) use archive::set_archived_in;
pub use keys::*;
pub use relations::*;

use crate::domain::records::CitationRecord;
use crate::domain::validate::Checker;
use crate::domain::{NodeType, Operation};
use crate::error::AppError;
use crate::service::citation::Cited;
use crate::service::{figures, live, rollup};
use chrono::{DateTime, Utc};
use entity::{revision, Record as _};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, PrimaryKeyTrait, TransactionTrait,
};
use serde_json::{Map, Value as Json};
use std::future::Future;

/// Revisions written per INSERT: 6 parameters each, under SQLite's limit of 32,766
/// parameters per statement.
const REVISIONS_PER_INSERT: usize = 5000;

/// Field name → `{"before": …, "after": …}` for every field a write changed.
pub type Changes = Map<String, Json>;

/// A write in progress.
pub struct Write {
    txn: DatabaseTransaction,
    author: String,
    at: DateTime<Utc>,
    revisions: Vec<revision::ActiveModel>,
    touched: figures::Touched,
    /// Whether any revision was recorded, to be announced to subscribers.
    recorded: bool,
    committed: live::Committed,
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
        let touched = figures::Touched::default();
        Ok(Write {
            txn,
            author: author.to_owned(),
            at: Utc::now(),
            revisions: Vec::new(),
            touched,
            recorded: false,
            committed: live::Committed::of(db),
        })
    }

    /// The transaction to read and write through.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// When this write happens.
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// Appends a revision of record `id` of `node`, and notes what reconciled figures and
    /// statistics it may change: a report's event (and the event it left), an event (and the
    /// parent, month and country it left).
    pub fn record(&mut self, node: NodeType, id: i32, operation: Operation, changes: Changes) {
        let moved_from = |field: &str| {
            let change = changes.get(field)?;
            change.get("before")?.as_str().map(str::to_owned)
        };
        match node {
            NodeType::CasualtyReport => {
                self.touched.reports.push(id);
                self.touched.event_keys.extend(moved_from("event"));
            }
            NodeType::Event => {
                self.touched.events.push(id);
                self.touched.event_keys.extend(moved_from("parent"));
                let before = |field: &str| changes.get(field)?.get("before");
                let day = before("startDate").and_then(Json::as_str).and_then(|d| d.parse().ok());
                let country = before("location")
                    .map(|l| l.get("countryCode").and_then(Json::as_str).map(str::to_owned));
                if day.is_some() || country.is_some() {
                    self.touched.formerly.push(rollup::Former { event: id, day, country });
                }
            }
            _ => {}
        }
        self.recorded = true;
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

    /// Writes the revisions queued so far, so that a long write (an import of a million
    /// rows) holds none in memory. They still commit, or roll back, with the rest.
    pub async fn flush(&mut self) -> Result<(), AppError> {
        let mut revisions = std::mem::take(&mut self.revisions).into_iter().peekable();
        while revisions.peek().is_some() {
            // Chunks keep each statement under the backends' bound-parameter limits.
            let chunk: Vec<_> = revisions.by_ref().take(REVISIONS_PER_INSERT).collect();
            revision::Entity::insert_many(chunk).exec(&self.txn).await?;
        }
        Ok(())
    }

    /// Writes the revisions, brings the reconciled figures of the events the write touched
    /// and the statistics' rollup up to date, and commits.
    pub async fn commit(mut self) -> Result<(), AppError> {
        self.flush().await?;
        figures::refresh_touched(&self.txn, std::mem::take(&mut self.touched)).await?;
        if self.recorded {
            live::notify(&self.txn).await?;
        }
        self.txn.commit().await?;
        if self.recorded {
            self.committed.announce();
        }
        Ok(())
    }
}

/// A row and its dataset record.
pub type Loaded<E> = (<E as Editable>::Model, <E as Editable>::Record);

/// A record type the API edits: how its row and the rows of its lists become a dataset record
/// and back, and how to check one with the import rules. [`load`] and [`store`] do the rest,
/// the same for every type.
pub trait Editable {
    /// Its table.
    type Entity: EntityTrait<Model = Self::Model, PrimaryKey: PrimaryKeyTrait<ValueType = i32>>;
    /// Its row.
    type Model: entity::Record + IntoActiveModel<Self::Active> + Send + Sync;
    /// Its row as written.
    type Active: ActiveModelTrait<Entity = Self::Entity> + ActiveModelBehavior + Send;
    /// Its dataset record.
    type Record: Clone + serde::Serialize + Send + Sync;
    /// Its node type.
    const NODE: NodeType;
    /// Where its citations are kept, for types that cite sources.
    const CITATIONS: Option<Citations<Self::Record>> = None;

    /// The dataset record of `row`, with what other tables hold of it.
    fn record(
        db: &DatabaseTransaction,
        row: &Self::Model,
    ) -> impl Future<Output = Result<Self::Record, AppError>> + Send;

    /// The row of `record`, its references resolved to row ids.
    fn row(
        db: &DatabaseTransaction,
        record: &Self::Record,
    ) -> impl Future<Output = Result<Self::Active, AppError>> + Send;

    /// Rewrites the lists of record `id` held in other tables (citations aside) where they
    /// differ from `before`'s; a new record has no `before`.
    fn store_lists(
        _db: &DatabaseTransaction,
        _id: i32,
        _before: Option<&Self::Record>,
        _record: &Self::Record,
    ) -> impl Future<Output = Result<(), AppError>> + Send {
        async { Ok(()) }
    }

    /// The import rules of one record, reported at `input.*`.
    fn check(check: &mut Checker, record: &Self::Record);
}

/// Where a record type keeps its citations: the citation table's column, and the record's
/// list.
pub struct Citations<R> {
    /// Which records' citations.
    pub cited: Cited,
    /// The record's list, to read.
    pub list: fn(&R) -> &[CitationRecord],
    /// The record's list, to change.
    pub list_mut: fn(&mut R) -> &mut Vec<CitationRecord>,
}

/// Record `id` of `E`, with its row.
pub(crate) async fn load<E: Editable>(
    db: &DatabaseTransaction,
    id: i32,
) -> Result<Option<Loaded<E>>, AppError> {
    let Some(row) = E::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    let record = E::record(db, &row).await?;
    Ok(Some((row, record)))
}

/// Writes `record` of `E`: a new row, or the `existing` row with its version one higher,
/// given with the record as it stood, so that only the lists that changed are rewritten.
pub(crate) async fn store<E: Editable>(
    db: &DatabaseTransaction,
    existing: Option<(E::Model, &E::Record)>,
    record: &E::Record,
) -> Result<E::Model, AppError> {
    let model = E::row(db, record).await?;
    let before = existing.as_ref().map(|(_, before)| *before);
    let row = upsert(db, model, existing.map(|(e, _)| (e.id(), e.version()))).await?;
    E::store_lists(db, row.id(), before, record).await?;
    if let Some(Citations { cited, list, .. }) = E::CITATIONS {
        recite_changed(db, cited, row.id(), before.map(list), list(record)).await?;
    }
    Ok(row)
}

/// A record type the API creates and updates field by field: how an input becomes a record
/// and how a patch changes one. [`create`] and [`update`] do the rest, the same for every type.
pub trait Writable: Editable {
    /// A new record as the API describes it: references by row id, the key optional.
    type New: Send;
    /// Changes to a record; a field left `None` stays as it is.
    type Patch: Send;

    /// The record `input` describes. A reference that does not resolve, or a bad key, is a
    /// violation in `refs`' checker, reported with the record's own.
    fn build(
        refs: &mut References<'_, DatabaseTransaction>,
        input: Self::New,
    ) -> impl Future<Output = Result<Self::Record, AppError>> + Send;

    /// Applies `patch` to `record`, record `id` as it stands. Implementations destructure the
    /// whole patch, so that a field added to it and not applied does not compile.
    fn apply(
        refs: &mut References<'_, DatabaseTransaction>,
        id: i32,
        record: &mut Self::Record,
        patch: Self::Patch,
    ) -> impl Future<Output = Result<(), AppError>> + Send;
}

/// Sets each field a destructured patch gives; a field it leaves `None` keeps its value.
macro_rules! patch_fields {
    ($record:expr; $($field:ident),+ $(,)?) => {$(
        if let Some(value) = $field {
            $record.$field = value;
        }
    )+};
}
pub(crate) use patch_fields;

/// Creates a record of type `E`.
///
/// # Errors
/// `VALIDATION` with every problem of the input; `CONFLICT` when the key is taken.
pub async fn create<E: Writable>(
    db: &DatabaseConnection,
    author: &str,
    input: E::New,
) -> Result<E::Model, AppError> {
    let write = Write::begin(db, author).await?;
    let mut refs = References::new(write.txn());
    let record = E::build(&mut refs, input).await?;
    let check = refs.checker();
    insert::<E>(write, &record, check).await
}

/// Changes fields of record `id` of type `E`.
///
/// # Errors
/// `NOT_FOUND`, `CONFLICT` for a stale `version`, `VALIDATION` when the changed record would
/// break a rule. A patch that changes nothing writes nothing.
pub async fn update<E: Writable>(
    db: &DatabaseConnection,
    author: &str,
    id: i32,
    version: Option<i32>,
    patch: E::Patch,
) -> Result<E::Model, AppError> {
    let (write, row, before) = open::<E>(db, author, id, version).await?;
    let mut refs = References::new(write.txn());
    let mut after = before.clone();
    E::apply(&mut refs, id, &mut after, patch).await?;
    let check = refs.checker();
    save::<E>(write, row, &before, &after, Operation::Update, check).await
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
    let (row, record) = load::<E>(write.txn(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(describe(E::NODE, id)))?;
    check_version(&describe(E::NODE, id), row.version(), version)?;
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
    let (saved, changed) = store_changed::<E>(&mut write, row, before, after, operation).await?;
    // When nothing changed, the transaction goes unused and rolls back.
    if changed {
        write.commit().await?;
    }
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
    let saved = store_new::<E>(&mut write, record, Operation::Create).await?;
    write.commit().await?;
    Ok(saved)
}

/// Writes a new record of `E` in `write` and queues its revision, every field from nothing.
pub(crate) async fn store_new<E: Editable>(
    write: &mut Write,
    record: &E::Record,
    operation: Operation,
) -> Result<E::Model, AppError> {
    let saved = store::<E>(write.txn(), None, record).await?;
    write.record(E::NODE, saved.id(), operation, diff(&Json::Null, &snapshot(record)?));
    Ok(saved)
}

/// Writes record `row` of `E`, changed from `before` to `after`, in `write` and queues its
/// revision, giving the row as it is now and whether it changed (an unchanged record writes
/// nothing).
pub(crate) async fn store_changed<E: Editable>(
    write: &mut Write,
    row: E::Model,
    before: &E::Record,
    after: &E::Record,
    operation: Operation,
) -> Result<(E::Model, bool), AppError> {
    let changes = diff(&snapshot(before)?, &snapshot(after)?);
    if changes.is_empty() {
        return Ok((row, false));
    }
    let id = row.id();
    let saved = store::<E>(write.txn(), Some((row, before)), after).await?;
    write.record(E::NODE, id, operation, changes);
    Ok((saved, true))
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
