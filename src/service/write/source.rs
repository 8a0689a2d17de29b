//! Writing sources: create and update, and marking a source deleted by its publisher, which
//! keeps it cited and points to an archived copy.

use super::{open, patch_fields, save, Editable, References, Writable};
use crate::domain::records::SourceRecord;
use crate::domain::validate::{check_source, Checker};
use crate::domain::{NodeType, Operation, SourceKind, SourceStatus};
use crate::error::AppError;
use crate::service::rows;
use chrono::NaiveDate;
use entity::source;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

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

impl Writable for Sources {
    type New = NewSource;
    type Patch = SourcePatch;

    async fn build(
        refs: &mut References<'_, DatabaseTransaction>,
        input: NewSource,
    ) -> Result<SourceRecord, AppError> {
        let NewSource { key, kind, publisher, title, url, published_on, status, archive_url } =
            input;
        let key = refs.new_key(NODE, key);
        Ok(SourceRecord { key, kind, publisher, title, url, published_on, status, archive_url })
    }

    async fn apply(
        _refs: &mut References<'_, DatabaseTransaction>,
        _id: i32,
        after: &mut SourceRecord,
        patch: SourcePatch,
    ) -> Result<(), AppError> {
        let SourcePatch { kind, publisher, title, url, published_on, status, archive_url } = patch;
        patch_fields!(after; kind, publisher, title, url, published_on, status, archive_url);
        Ok(())
    }
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
pub struct Sources;

impl Editable for Sources {
    type Entity = source::Entity;
    type Model = source::Model;
    type Active = source::ActiveModel;
    type Record = SourceRecord;
    const NODE: NodeType = NODE;

    async fn record(
        _db: &DatabaseTransaction,
        row: &source::Model,
    ) -> Result<SourceRecord, AppError> {
        rows::source_record(row.clone())
    }

    async fn row(
        _db: &DatabaseTransaction,
        record: &SourceRecord,
    ) -> Result<source::ActiveModel, AppError> {
        Ok(rows::source_model(record))
    }

    fn check(check: &mut Checker, record: &Self::Record) {
        check_source(check, "input", record);
    }
}
