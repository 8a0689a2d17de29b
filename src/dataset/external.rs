//! Importing records from another dataset (ACLED, UCDP, GDELT): each file's rows are read
//! into dataset records, then merged into the database in one transaction, so that:
//!
//! - a row seen before, unchanged (the same hash of its fields), is skipped: importing the same
//!   file twice writes nothing, and edits made in Annals since stay;
//! - a changed row updates its records, keeping the fields the file does not carry (an
//!   event's episode, its end date; a report's status), each as an `UPDATE` revision by
//!   `import`;
//! - a new row creates its records, each as an `IMPORT` revision;
//! - actors and sources are created once, by key, and left alone afterwards.
//!
//! Every imported event keeps its provenance in `external_ids`: the dataset, its id there,
//! the file, and the row's hash.

use super::import::IMPORT_AUTHOR;
use super::*;
use crate::domain::validate::Checker;
use crate::domain::validate::{check_actor, check_casualty_report, check_event, check_source};
use crate::domain::{NodeType, Operation};
use crate::service::write::actor::{ActorState, Actors};
use crate::service::write::casualty::Reports;
use crate::service::write::event::Events;
use crate::service::write::source::Sources;
use crate::service::write::{ids_of, store_changed, store_new, Editable, Write};
use entity::external_id;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// A file's records, ready to merge.
pub struct ExternalBatch {
    /// The dataset's name in provenance records: `acled`, `ucdp-ged`, `gdelt`.
    pub dataset: &'static str,
    /// The file, as named on the command line.
    pub file: String,
    /// The shared records (actors, sources); events and reports are in `rows`.
    pub records: Dataset,
    /// One entry a row.
    pub rows: Vec<ExternalRow>,
}

impl ExternalBatch {
    /// An empty batch of `dataset` read from `file`.
    pub fn new(dataset: &'static str, file: &str) -> Self {
        ExternalBatch {
            dataset,
            file: file.to_owned(),
            records: Dataset {
                format: FORMAT.to_owned(),
                sources: Vec::new(),
                actors: Vec::new(),
                affiliations: Vec::new(),
                events: Vec::new(),
                statements: Vec::new(),
                casualty_reports: Vec::new(),
            },
            rows: Vec::new(),
        }
    }
}

/// What one row of a file becomes.
pub struct ExternalRow {
    /// The row's id in its dataset.
    pub external_id: String,
    /// Its line in the file, for problems.
    pub line: u64,
    /// A hash of its fields: unchanged means nothing to do.
    pub hash: String,
    /// Its event.
    pub event: EventRecord,
    /// The event's casualty reports.
    pub reports: Vec<CasualtyReportRecord>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ExternalSummary {
    /// Rows whose records were created.
    pub created: usize,
    /// Rows that changed since they were last imported.
    pub updated: usize,
    /// Rows seen before, unchanged.
    pub unchanged: usize,
    /// Actors created.
    pub actors: usize,
    /// Sources created.
    pub sources: usize,
}

/// A readable key for `name` under `prefix`: its slug, and a short hash of the exact name so
/// that names that differ only in punctuation or case stay apart.
pub fn key_for(prefix: &str, name: &str) -> String {
    let digest = Sha256::digest(name.as_bytes());
    let hash: String = digest.iter().take(3).map(|b| format!("{b:02x}")).collect();
    let mut slug = slug(name);
    slug.truncate(48);
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("{prefix}-{hash}")
    } else {
        format!("{prefix}-{slug}-{hash}")
    }
}

/// Lower-case letters, digits and single `-`.
pub(crate) fn slug(value: &str) -> String {
    let mut slug = String::new();
    for c in value.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// A stable hash of a row's fields.
pub fn row_hash(fields: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for field in fields {
        hasher.update(field.as_bytes());
        hasher.update([0x1f]);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks every record of `batch` with the rules every record obeys, located by file line.
fn check(batch: &ExternalBatch) -> Result<(), AppError> {
    let mut check = Checker::default();
    for source in &batch.records.sources {
        check_source(&mut check, &format!("{} source {:?}", batch.file, source.key), source);
    }
    for actor in &batch.records.actors {
        check_actor(&mut check, &format!("{} actor {:?}", batch.file, actor.key), actor);
    }
    for row in &batch.rows {
        let at = format!("{} line {}", batch.file, row.line);
        check_event(&mut check, &at, &row.event, None);
        for report in &row.reports {
            check_casualty_report(&mut check, &at, report, None);
        }
    }
    check.finish()
}

/// Merges `batch` into the database in one transaction.
///
/// # Errors
/// `VALIDATION` when a record breaks a rule (nothing is written then); database failures roll
/// the whole transaction back.
#[tracing::instrument(skip_all, fields(dataset = batch.dataset, file = %batch.file))]
pub async fn import(
    db: &DatabaseConnection,
    batch: &ExternalBatch,
) -> Result<ExternalSummary, AppError> {
    check(batch)?;
    let mut write = Write::begin(db, IMPORT_AUTHOR).await?;
    let mut summary = ExternalSummary::default();

    let keys = batch.records.sources.iter().map(|s| s.key.as_str());
    let existing = ids_of(write.txn(), NodeType::Source, keys).await?;
    for source in batch.records.sources.iter().filter(|s| !existing.contains_key(&s.key)) {
        store_new::<Sources>(&mut write, source, Operation::Import).await?;
        summary.sources += 1;
    }
    let keys = batch.records.actors.iter().map(|a| a.key.as_str());
    let existing = ids_of(write.txn(), NodeType::Actor, keys).await?;
    for actor in batch.records.actors.iter().filter(|a| !existing.contains_key(&a.key)) {
        let state = ActorState { record: actor.clone(), affiliations: Vec::new() };
        store_new::<Actors>(&mut write, &state, Operation::Import).await?;
        summary.actors += 1;
    }

    let seen = provenance(write.txn(), batch).await?;
    for row in &batch.rows {
        match seen.get(row.external_id.as_str()) {
            Some(known) if known.row_hash == row.hash => summary.unchanged += 1,
            Some(known) => {
                let added = update_row(&mut write, row, known.node_id).await?;
                record_provenance(&write, batch, row, added).await?;
                // Every record of the row (its event and its reports) names the newer file.
                external_id::Entity::update_many()
                    .col_expr(external_id::Column::RowHash, Expr::value(row.hash.clone()))
                    .col_expr(external_id::Column::File, Expr::value(batch.file.clone()))
                    .filter(external_id::Column::Dataset.eq(batch.dataset))
                    .filter(external_id::Column::ExternalId.eq(row.external_id.as_str()))
                    .exec(write.txn())
                    .await?;
                summary.updated += 1;
            }
            None => {
                let event = store_new::<Events>(&mut write, &row.event, Operation::Import).await?;
                let mut records = vec![(NodeType::Event, event.id)];
                for report in &row.reports {
                    let report =
                        store_new::<Reports>(&mut write, report, Operation::Import).await?;
                    records.push((NodeType::CasualtyReport, report.id));
                }
                record_provenance(&write, batch, row, records).await?;
                summary.created += 1;
            }
        }
    }
    write.commit().await?;
    tracing::info!(?summary, "external data imported");
    Ok(summary)
}

/// Notes that `records` came from `row` of `batch`.
async fn record_provenance(
    write: &Write,
    batch: &ExternalBatch,
    row: &ExternalRow,
    records: Vec<(NodeType, i32)>,
) -> Result<(), AppError> {
    if records.is_empty() {
        return Ok(());
    }
    let provenance = records.into_iter().map(|(node, id)| external_id::ActiveModel {
        node_type: Set(node.as_str().to_owned()),
        node_id: Set(id),
        dataset: Set(batch.dataset.to_owned()),
        external_id: Set(row.external_id.clone()),
        file: Set(batch.file.clone()),
        row_hash: Set(row.hash.clone()),
        ..Default::default()
    });
    external_id::Entity::insert_many(provenance).exec(write.txn()).await?;
    Ok(())
}

/// The provenance of the rows of `batch` imported before, by external id.
async fn provenance(
    db: &DatabaseTransaction,
    batch: &ExternalBatch,
) -> Result<HashMap<String, external_id::Model>, AppError> {
    let ids: Vec<&str> = batch.rows.iter().map(|r| r.external_id.as_str()).collect();
    let mut seen = HashMap::new();
    // Chunks keep each statement under the backends' bound-parameter limits.
    for chunk in ids.chunks(500) {
        let rows = external_id::Entity::find()
            .filter(external_id::Column::Dataset.eq(batch.dataset))
            .filter(external_id::Column::NodeType.eq(NodeType::Event.as_str()))
            .filter(external_id::Column::ExternalId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        seen.extend(rows.into_iter().map(|r| (r.external_id.clone(), r)));
    }
    Ok(seen)
}

/// Updates the records of a row that changed, keeping what the file does not carry; returns
/// the records it had to create.
async fn update_row(
    write: &mut Write,
    row: &ExternalRow,
    event_id: i32,
) -> Result<Vec<(NodeType, i32)>, AppError> {
    let mut created = Vec::new();
    let Some((current, before)) = Events::load(write.txn(), event_id).await? else {
        return Err(AppError::internal(format!("imported event {event_id} is gone")));
    };
    let mut after = row.event.clone();
    after.key = before.key.clone();
    after.parent = before.parent.clone();
    after.end_date = before.end_date;
    store_changed::<Events>(write, current, &before, &after, Operation::Update).await?;
    for report in &row.reports {
        let existing =
            ids_of(write.txn(), NodeType::CasualtyReport, std::iter::once(report.key.as_str()))
                .await?;
        let loaded = match existing.get(&report.key) {
            Some(&id) => Reports::load(write.txn(), id).await?,
            None => None,
        };
        match loaded {
            Some((current, before)) => {
                let mut after = report.clone();
                after.status = before.status;
                after.status_reason = before.status_reason.clone();
                after.note = before.note.clone();
                after.affected_group = before.affected_group.clone();
                store_changed::<Reports>(write, current, &before, &after, Operation::Update)
                    .await?;
            }
            None => {
                let report = store_new::<Reports>(write, report, Operation::Import).await?;
                created.push((NodeType::CasualtyReport, report.id));
            }
        }
    }
    Ok(created)
}
