//! Writing sources: create and update, and marking a source deleted by its publisher, which
//! keeps it cited and points to an archived copy.

use super::{insert, key_or_new, open, save, upsert, Editable, Write};
use crate::domain::records::SourceRecord;
use crate::domain::validate::{check_source, Checker};
use crate::domain::{NodeType, Operation, SourceKind, SourceStatus};
use crate::error::AppError;
use crate::service::rows;
use chrono::NaiveDate;
use entity::source;
use sea_orm::{DatabaseConnection, DatabaseTransaction, EntityTrait};

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
    let write = Write::begin(db, author).await?;
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
    insert::<Sources>(write, &record, check).await
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
    let (write, row, before) = open::<Sources>(db, author, id, version).await?;
    // Destructured whole: a field added to the patch and not applied here does not compile.
    let SourcePatch { kind, publisher, title, url, published_on, status, archive_url } = patch;
    let mut after = before.clone();
    after.kind = kind.unwrap_or(after.kind);
    after.publisher = publisher.unwrap_or(after.publisher);
    after.title = title.unwrap_or(after.title);
    after.url = url.unwrap_or(after.url);
    after.published_on = published_on.unwrap_or(after.published_on);
    after.status = status.unwrap_or(after.status);
    after.archive_url = archive_url.unwrap_or(after.archive_url);
    save::<Sources>(write, row, &before, &after, Operation::Update, Checker::default()).await
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
    let (write, row, before) = open::<Sources>(db, author, id, version).await?;
    let mut after = before.clone();
    after.status = SourceStatus::Deleted;
    if archive_url.is_some() {
        after.archive_url = archive_url;
    }
    save::<Sources>(write, row, &before, &after, Operation::MarkDeleted, Checker::default()).await
}

/// Sources as the write path edits them.
pub(crate) struct Sources;

impl Editable for Sources {
    type Model = source::Model;
    type Record = SourceRecord;
    const NODE: NodeType = NODE;

    fn id_and_version(row: &Self::Model) -> (i32, i32) {
        (row.id, row.version)
    }

    async fn load(
        db: &DatabaseTransaction,
        id: i32,
    ) -> Result<Option<(Self::Model, Self::Record)>, AppError> {
        match source::Entity::find_by_id(id).one(db).await? {
            Some(row) => Ok(Some((row.clone(), rows::source_record(row)?))),
            None => Ok(None),
        }
    }

    async fn store(
        db: &DatabaseTransaction,
        existing: Option<(Self::Model, &Self::Record)>,
        record: &Self::Record,
    ) -> Result<Self::Model, AppError> {
        upsert(db, rows::source_model(record), existing.map(|(e, _)| (e.id, e.version))).await
    }

    fn check(check: &mut Checker, record: &Self::Record) {
        check_source(check, "input", record);
    }
}
