//! Writing sources: create and update, and marking a source deleted by its publisher, which
//! keeps it cited and points to an archived copy.

use super::{check_version, diff, key_or_new, snapshot, Write};
use crate::dataset::rows;
use crate::dataset::validate::{check_source, Checker};
use crate::dataset::SourceRecord;
use crate::domain::{NodeType, Operation, SourceKind, SourceStatus};
use crate::error::AppError;
use chrono::NaiveDate;
use entity::source;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait};

const NODE: NodeType = NodeType::Source;

/// A new source.
#[derive(Debug, Clone)]
pub struct NewSource {
    /// Its readable key; made up when not given.
    pub key: Option<String>,
    /// What kind of document it is.
    pub kind: SourceKind,
    /// Who published it.
    pub publisher: String,
    /// Its title.
    pub title: Option<String>,
    /// Where it was published.
    pub url: Option<String>,
    /// When.
    pub published_on: Option<NaiveDate>,
    /// Whether it can still be read as published.
    pub status: SourceStatus,
    /// A copy in a web archive.
    pub archive_url: Option<String>,
}

/// Changes to a source; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct SourcePatch {
    /// Another kind.
    pub kind: Option<SourceKind>,
    /// Another publisher.
    pub publisher: Option<String>,
    /// Another title.
    pub title: Option<Option<String>>,
    /// Another URL.
    pub url: Option<Option<String>>,
    /// Another publication day.
    pub published_on: Option<Option<NaiveDate>>,
    /// Another status.
    pub status: Option<SourceStatus>,
    /// Another archive copy.
    pub archive_url: Option<Option<String>>,
}

/// Creates a source.
///
/// # Errors
/// `VALIDATION` with every problem of the input; `CONFLICT` when the key is taken.
pub async fn create(
    db: &DatabaseConnection,
    author: &str,
    input: NewSource,
) -> Result<source::Model, AppError> {
    let mut write = Write::begin(db, author).await?;
    let mut check = Checker::default();
    let record = SourceRecord {
        key: key_or_new(&mut check, NODE, input.key),
        kind: input.kind,
        publisher: input.publisher,
        title: input.title,
        url: input.url,
        published_on: input.published_on,
        status: input.status,
        archive_url: input.archive_url,
    };
    check_source(&mut check, "input", &record);
    check.finish()?;
    let row = rows::source_model(&record).insert(write.txn()).await?;
    write.record(
        NODE,
        row.id,
        Operation::Create,
        diff(&serde_json::Value::Null, &snapshot(&record)?),
    );
    write.commit().await?;
    Ok(row)
}

/// Changes fields of a source.
///
/// # Errors
/// `NOT_FOUND`, `CONFLICT` for a stale `version`, `VALIDATION` when the changed source would
/// break a rule. A patch that changes nothing writes nothing.
pub async fn update(
    db: &DatabaseConnection,
    author: &str,
    id: i32,
    version: Option<i32>,
    patch: SourcePatch,
) -> Result<source::Model, AppError> {
    let (write, row, before) = open(db, author, id, version).await?;
    let mut after = before.clone();
    after.kind = patch.kind.unwrap_or(after.kind);
    after.publisher = patch.publisher.unwrap_or(after.publisher);
    after.title = patch.title.unwrap_or(after.title);
    after.url = patch.url.unwrap_or(after.url);
    after.published_on = patch.published_on.unwrap_or(after.published_on);
    after.status = patch.status.unwrap_or(after.status);
    after.archive_url = patch.archive_url.unwrap_or(after.archive_url);
    save(write, row, &before, &after, Operation::Update).await
}

/// Records that the publisher took the source down: it stays cited, with an archived copy
/// when one exists.
///
/// # Errors
/// As [`update`].
pub async fn mark_deleted(
    db: &DatabaseConnection,
    author: &str,
    id: i32,
    version: Option<i32>,
    archive_url: Option<String>,
) -> Result<source::Model, AppError> {
    let (write, row, before) = open(db, author, id, version).await?;
    let mut after = before.clone();
    after.status = SourceStatus::Deleted;
    if archive_url.is_some() {
        after.archive_url = archive_url;
    }
    save(write, row, &before, &after, Operation::MarkDeleted).await
}

async fn open(
    db: &DatabaseConnection,
    author: &str,
    id: i32,
    version: Option<i32>,
) -> Result<(Write, source::Model, SourceRecord), AppError> {
    let write = Write::begin(db, author).await?;
    let row = source::Entity::find_by_id(id)
        .one(write.txn())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("source {id}")))?;
    check_version(&format!("source {id}"), row.version, version)?;
    let record = rows::source_record(row.clone())?;
    Ok((write, row, record))
}

async fn save(
    mut write: Write,
    row: source::Model,
    before: &SourceRecord,
    after: &SourceRecord,
    operation: Operation,
) -> Result<source::Model, AppError> {
    let mut check = Checker::default();
    check_source(&mut check, "input", after);
    check.finish()?;
    let changes = diff(&snapshot(before)?, &snapshot(after)?);
    if changes.is_empty() {
        return Ok(row);
    }
    let mut model = rows::source_model(after);
    model.id = Set(row.id);
    model.version = Set(row.version + 1);
    model.archived_at = Set(row.archived_at);
    let saved = model.update(write.txn()).await?;
    write.record(NODE, row.id, operation, changes);
    write.commit().await?;
    Ok(saved)
}
