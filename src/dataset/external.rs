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
use crate::domain::validate::{
    check_actor, check_casualty_report, check_event, check_source, check_statement,
};
use crate::domain::{ActorKind, NodeType, Operation, SourceKind, SourceStatus};
use crate::service::rows;
use crate::service::sql::Sql;
use crate::service::write::actor::{ActorState, Actors};
use crate::service::write::casualty::Reports;
use crate::service::write::event::Events;
use crate::service::write::source::Sources;
use crate::service::write::statement::Statements;
use crate::service::write::{
    diff, ids_of, resolved, set_archived_in, snapshot, store_changed, store_new, Editable, Write,
};
use entity::{casualty_report, citation, event, event_participant, external_id};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend,
    DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

/// A file's records, ready to merge.
pub struct ExternalBatch {
    /// The dataset's name in provenance records: `acled`, `ucdp-ged`, `gdelt`.
    pub dataset: &'static str,
    /// The file, as named on the command line.
    pub file: String,
    /// The shared records (actors, sources); events and reports are in `rows`.
    pub records: Dataset,
    /// One entry a valid row.
    pub rows: Vec<ExternalRow>,
    /// The file's column names (numbers for a headerless file), for the reject file.
    pub header: Vec<String>,
    /// The rows that cannot be imported, with every problem of each.
    pub rejected: Vec<Rejected>,
    /// The statements valid rows become (GDELT's statement-like codes).
    pub statements: Vec<ExternalStatement>,
    /// Citations the file adds to events imported before, named by their id in `dataset`
    /// (GDELT's mentions).
    pub citations: Vec<(String, CitationRecord)>,
    /// Rows read and left out by design, such as GDELT rows whose CAMEO code is neither
    /// conflict nor protest.
    pub skipped: usize,
    /// Whether the file is a whole export, so that what earlier files had and it lacks is
    /// missing; not so for GDELT's files, each of which adds 15 minutes.
    pub whole: bool,
    /// The datasets and external ids of `rows`, which must differ.
    ids: HashSet<(&'static str, String)>,
}

/// A row that cannot be imported.
pub struct Rejected {
    /// Its line in the file.
    pub line: u64,
    /// Its id in the dataset, when it could be read: a rejected row is not missing.
    pub external_id: Option<String>,
    /// Its fields as read.
    pub fields: Vec<String>,
    /// Every problem found with it.
    pub problems: Vec<Violation>,
}

/// How `annals import` treats what a file lacks or gets wrong.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Write the valid rows of a file that has invalid ones, instead of rejecting it whole.
    pub skip_invalid: bool,
    /// Archive the records of rows that earlier files had and this one, covering the same
    /// countries and dates, no longer has.
    pub archive_missing: bool,
}

/// The organisation behind a dataset: a source cited by everything imported from it, and an
/// actor, the claimant of its figures, both under `key`.
pub struct Publisher {
    /// The key of both.
    pub key: &'static str,
    /// The actor's name ("ACLED").
    pub name: &'static str,
    /// Its name in full, the actor's alias.
    pub full_name: &'static str,
    /// The source's publisher as it cites itself.
    pub publisher: &'static str,
    /// What kind of source it is.
    pub kind: SourceKind,
    /// The source's title.
    pub title: &'static str,
    /// Its home page.
    pub url: &'static str,
    /// The country it is based in, when it matters.
    pub country: Option<&'static str>,
}

impl ExternalBatch {
    /// An empty batch of `dataset` read from `file` with the columns `header`, whose rows cite
    /// and are claimed by `by`.
    pub fn new(dataset: &'static str, file: &str, header: Vec<String>, by: &Publisher) -> Self {
        ExternalBatch {
            dataset,
            file: file.to_owned(),
            records: Dataset {
                format: FORMAT.to_owned(),
                sources: vec![SourceRecord {
                    key: by.key.into(),
                    kind: by.kind,
                    publisher: by.publisher.into(),
                    title: Some(by.title.into()),
                    url: Some(by.url.into()),
                    published_on: None,
                    status: SourceStatus::Available,
                    archive_url: None,
                }],
                actors: vec![ActorRecord {
                    key: by.key.into(),
                    kind: ActorKind::AcademicInstitution,
                    name: by.name.into(),
                    aliases: vec![by.full_name.into()],
                    country_code: by.country.map(Into::into),
                    description: Some(format!("The {}.", by.full_name)),
                    wikidata_id: None,
                }],
                affiliations: Vec::new(),
                events: Vec::new(),
                statements: Vec::new(),
                casualty_reports: Vec::new(),
            },
            rows: Vec::new(),
            header,
            rejected: Vec::new(),
            statements: Vec::new(),
            citations: Vec::new(),
            skipped: 0,
            whole: true,
            ids: HashSet::new(),
        }
    }

    /// Adds one row read from the file: rejected, with `problems` and every problem its
    /// records have with the rules every record obeys, or accepted.
    pub fn push(&mut self, fields: &[&str], row: Option<ExternalRow>, problems: Vec<Violation>) {
        let mut problems = problems;
        if let Some(row) = &row {
            let mut check = Checker::default();
            let at = format!("{} line {}", self.file, row.line);
            check_event(&mut check, &at, &row.event, None);
            for report in &row.reports {
                check_casualty_report(&mut check, &at, report, None);
            }
            problems.extend(check.into_violations());
            if self.ids.contains(&(row.dataset, row.external_id.clone())) {
                problems.push(Violation::new(
                    Rule::Duplicate,
                    at,
                    format!("{:?} is the id of an earlier row of the file", row.external_id),
                ));
            }
        }
        match row {
            Some(row) if problems.is_empty() => {
                self.ids.insert((row.dataset, row.external_id.clone()));
                self.rows.push(row);
            }
            _ => self.rejected.push(Rejected {
                line: problems_line(&problems),
                external_id: row.map(|row| row.external_id),
                fields: fields.iter().map(|f| (*f).to_owned()).collect(),
                problems,
            }),
        }
    }

    /// Adds one row read from the file that becomes a statement, as [`ExternalBatch::push`]
    /// does an event.
    pub fn push_statement(
        &mut self,
        fields: &[&str],
        row: ExternalStatement,
        problems: Vec<Violation>,
    ) {
        let mut problems = problems;
        let mut check = Checker::default();
        let at = format!("{} line {}", self.file, row.line);
        check_statement(&mut check, &at, &row.statement, None);
        problems.extend(check.into_violations());
        // Events and statements share the dataset's ids: one row is one or the other.
        if !self.ids.insert((self.dataset, row.external_id.clone())) {
            problems.push(Violation::new(
                Rule::Duplicate,
                at,
                format!("{:?} is the id of an earlier row of the file", row.external_id),
            ));
        }
        if problems.is_empty() {
            self.statements.push(row);
        } else {
            self.rejected.push(Rejected {
                line: row.line,
                external_id: Some(row.external_id),
                fields: fields.iter().map(|f| (*f).to_owned()).collect(),
                problems,
            });
        }
    }

    /// Every problem of every rejected row, in file order.
    pub fn problems(&self) -> Vec<Violation> {
        self.rejected.iter().flat_map(|r| r.problems.iter().cloned()).collect()
    }

    /// Writes the rejected rows beside the input, as CSV with their problems in a first
    /// column, `annals_problems`, then the file's own columns: fixed, the file imports again
    /// (the readers find columns by name and pass over one they do not know). Returns the
    /// path written, or `None` when nothing was rejected.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn write_rejects(&self, input: &std::path::Path) -> std::io::Result<Option<PathBuf>> {
        if self.rejected.is_empty() {
            return Ok(None);
        }
        let mut path = input.as_os_str().to_owned();
        path.push(".rejected.csv");
        let path = PathBuf::from(path);
        // A row cut short stays as short as it was: padding it would invent empty cells.
        let mut writer = csv::WriterBuilder::new().flexible(true).from_path(&path)?;
        writer.write_record(
            std::iter::once("annals_problems").chain(self.header.iter().map(String::as_str)),
        )?;
        for rejected in &self.rejected {
            let problems: Vec<String> =
                rejected.problems.iter().map(|p| format!("{p} [{}]", p.code.as_str())).collect();
            let problems = problems.join(" | ");
            writer.write_record(
                std::iter::once(problems.as_str())
                    .chain(rejected.fields.iter().map(String::as_str)),
            )?;
        }
        writer.flush()?;
        Ok(Some(path))
    }
}

/// `MISSING_COLUMN` for each of `required` that `header` lacks.
///
/// # Errors
/// `VALIDATION` listing every missing column.
pub fn require_columns(
    file: &str,
    format: &str,
    header: &[String],
    required: &[&str],
) -> Result<(), AppError> {
    let missing: Vec<Violation> = required
        .iter()
        .filter(|column| !header.iter().any(|h| h == *column))
        .map(|column| {
            Violation::new(
                Rule::MissingColumn,
                format!("{file} line 1"),
                format!("the {format} column {column:?} is missing from the header"),
            )
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(missing))
    }
}

/// `INVALID_CSV` when a row has another number of fields than the header: the file may be cut
/// short, or a quote left open.
pub fn wrong_length(at: &str, fields: usize, header: usize) -> Option<Violation> {
    (fields != header).then(|| {
        Violation::new(
            Rule::InvalidCsv,
            at,
            format!(
                "the row has {fields} fields where the header has {header}: is the file cut short?"
            ),
        )
    })
}

/// A news outlet named in a file, as a source keyed under `prefix`.
pub fn news_source(prefix: &str, name: &str) -> SourceRecord {
    SourceRecord {
        key: key_for(prefix, name),
        kind: SourceKind::News,
        publisher: name.to_owned(),
        title: None,
        url: None,
        published_on: None,
        status: SourceStatus::Available,
        archive_url: None,
    }
}

/// `;`-separated names, trimmed, empty ones left out.
pub fn split(value: &str) -> Vec<&str> {
    value.split(';').map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// The value, unless it is empty.
pub fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

/// The line a row's problems name (`file line 12 column x`), for rows that could not be read.
fn problems_line(problems: &[Violation]) -> u64 {
    problems
        .iter()
        .find_map(|p| {
            let (_, rest) = p.path.split_once(" line ")?;
            rest.split(' ').next()?.parse().ok()
        })
        .unwrap_or(0)
}

/// What one row of a file becomes; or an episode that several rows make up, such as a UCDP
/// conflict.
pub struct ExternalRow {
    /// The dataset the id is from: the batch's, or another for an episode
    /// (`ucdp-conflict`).
    pub dataset: &'static str,
    /// The row's id in its dataset.
    pub external_id: String,
    /// Whether the event is an episode of which a file may hold only part: its dates only
    /// widen when it is updated.
    pub episode: bool,
    /// Its line in the file, for problems.
    pub line: u64,
    /// A hash of its fields: unchanged means nothing to do.
    pub hash: String,
    /// Its event.
    pub event: EventRecord,
    /// The event's casualty reports.
    pub reports: Vec<CasualtyReportRecord>,
}

impl ExternalRow {
    /// Its dataset, id and hash, as provenance records them.
    fn provenance(&self) -> (&str, &str, &str) {
        (self.dataset, &self.external_id, &self.hash)
    }
}

/// What one row of a file becomes when it is a statement.
pub struct ExternalStatement {
    /// The row's id in the batch's dataset.
    pub external_id: String,
    /// Its line in the file, for problems.
    pub line: u64,
    /// A hash of its fields: unchanged means nothing to do.
    pub hash: String,
    /// The statement.
    pub statement: StatementRecord,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExternalSummary {
    /// Rows whose records were created.
    pub created: usize,
    /// Rows that changed since they were last imported.
    pub updated: usize,
    /// Rows seen before, unchanged.
    pub unchanged: usize,
    /// Rows left out as invalid (with `--skip-invalid`).
    pub rejected: usize,
    /// Rows left out by design (see [`ExternalBatch::skipped`]), and citations of events
    /// never imported.
    pub skipped: usize,
    /// Events that gained citations.
    pub cited: usize,
    /// Actors created.
    pub actors: usize,
    /// Sources created.
    pub sources: usize,
    /// The ids of rows imported before, within the countries and dates this file covers,
    /// that it no longer has.
    pub missing: Vec<String>,
    /// Whether the records of the missing rows were archived.
    pub archived_missing: bool,
}

impl std::fmt::Display for ExternalSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "created: {}, updated: {}, unchanged: {}, rejected: {}, skipped: {}, \
             actors created: {}, sources created: {}, events cited: {}, missing: {}",
            self.created,
            self.updated,
            self.unchanged,
            self.rejected,
            self.skipped,
            self.actors,
            self.sources,
            self.cited,
            self.missing.len()
        )?;
        if !self.missing.is_empty() {
            const SHOWN: usize = 20;
            let shown: Vec<&str> = self.missing.iter().take(SHOWN).map(String::as_str).collect();
            let more = self.missing.len().saturating_sub(SHOWN);
            write!(
                f,
                " ({}{})",
                shown.join(", "),
                if more > 0 { format!(", … {more} more") } else { String::new() }
            )?;
            let action = if self.archived_missing {
                "archived"
            } else {
                "kept; --archive-missing archives them"
            };
            write!(f, ", {action}")?;
        }
        Ok(())
    }
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

/// Checks the shared records of `batch` (its actors and sources) with the rules every record
/// obeys; each row's records were checked as it was read.
fn check(batch: &ExternalBatch) -> Result<(), AppError> {
    let mut check = Checker::default();
    for source in &batch.records.sources {
        check_source(&mut check, &format!("{} source {:?}", batch.file, source.key), source);
    }
    for actor in &batch.records.actors {
        check_actor(&mut check, &format!("{} actor {:?}", batch.file, actor.key), actor);
    }
    check.finish()
}

/// Merges `batch` into the database in one transaction.
///
/// # Errors
/// `VALIDATION` when a row or record breaks a rule, unless `options.skip_invalid` leaves the
/// rows out (nothing is written then); database failures roll the whole transaction back.
#[tracing::instrument(skip_all, fields(dataset = batch.dataset, file = %batch.file))]
pub async fn import(
    db: &DatabaseConnection,
    batch: &ExternalBatch,
    options: Options,
) -> Result<ExternalSummary, AppError> {
    if !batch.rejected.is_empty() && !options.skip_invalid {
        return Err(AppError::Validation(batch.problems()));
    }
    check(batch)?;
    let mut write = Write::begin(db, IMPORT_AUTHOR).await?;
    let mut summary = ExternalSummary {
        rejected: batch.rejected.len(),
        skipped: batch.skipped,
        ..Default::default()
    };

    // Citations of events never imported are dropped here, so that their sources, cited by
    // nothing, are not created.
    let cited_events = imported_events(write.txn(), batch).await?;
    let citations: Vec<(i32, &CitationRecord)> = batch
        .citations
        .iter()
        .filter_map(|(id, citation)| Some((*cited_events.get(id)?, citation)))
        .collect();
    summary.skipped += batch.citations.len() - citations.len();
    let cited: HashSet<&str> = batch
        .rows
        .iter()
        .flat_map(|row| {
            let reports = row.reports.iter().flat_map(|r| r.citations.iter());
            row.event.citations.iter().chain(reports)
        })
        .chain(batch.statements.iter().flat_map(|row| row.statement.citations.iter()))
        .chain(citations.iter().map(|(_, citation)| *citation))
        .map(|citation| citation.source.as_str())
        .collect();
    let keys = batch.records.sources.iter().map(|s| s.key.as_str());
    let existing = ids_of(write.txn(), NodeType::Source, keys).await?;
    let new = |s: &&SourceRecord| !existing.contains_key(&s.key) && cited.contains(s.key.as_str());
    for source in batch.records.sources.iter().filter(new) {
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
    // Before any write: the planner's statistics describe the tables as they were, and a join
    // over rows this transaction added would be planned blind (17 s for 10,000 rows).
    summary.missing = missing(write.txn(), batch).await?;
    let is_new = |row: &&ExternalRow| !seen.contains_key(&(row.dataset, row.external_id.clone()));
    // New episodes first: rows seen before may have moved into one.
    let (episodes, events): (Vec<&ExternalRow>, Vec<&ExternalRow>) =
        batch.rows.iter().filter(is_new).partition(|row| row.episode);
    create_rows(&mut write, &batch.file, &episodes).await?;
    for row in &batch.rows {
        match seen.get(&(row.dataset, row.external_id.clone())) {
            Some(known) if known.row_hash == row.hash => summary.unchanged += 1,
            Some(known) => {
                let (added, changed) = update_row(&mut write, row, known.node_id).await?;
                record_provenance(&write, &batch.file, row.provenance(), added).await?;
                // Every record of the row (its event and its reports) names the newer file.
                external_id::Entity::update_many()
                    .col_expr(external_id::Column::RowHash, Expr::value(row.hash.clone()))
                    .col_expr(external_id::Column::File, Expr::value(batch.file.clone()))
                    .filter(external_id::Column::Dataset.eq(row.dataset))
                    .filter(external_id::Column::ExternalId.eq(row.external_id.as_str()))
                    .exec(write.txn())
                    .await?;
                if changed {
                    summary.updated += 1;
                } else {
                    summary.unchanged += 1;
                }
            }
            None => summary.created += 1,
        }
    }
    create_rows(&mut write, &batch.file, &events).await?;
    import_statements(&mut write, batch, &mut summary).await?;
    cite(&mut write, &citations, &mut summary).await?;
    if options.archive_missing {
        archive_missing(&mut write, batch.dataset, &summary.missing).await?;
        summary.archived_missing = true;
    }
    write.commit().await?;
    if summary.created + summary.updated >= ANALYZE_AFTER
        && db.get_database_backend() == DatabaseBackend::Postgres
    {
        // Autovacuum gets to a bulk load only later; until then the planner, which thought
        // these tables small, scans them, and the next import is slow (17 s instead of 0.6 s
        // for 10,000 unchanged rows, see BENCHMARKS.md).
        db.execute_unprepared(
            "ANALYZE events, event_participants, citations, casualty_reports, external_ids, \
             statements, statement_mentions, revisions",
        )
        .await?;
    }
    tracing::info!(%summary, "external data imported");
    Ok(summary)
}

/// An import that creates or changes at least this many rows refreshes PostgreSQL's
/// statistics of the tables it wrote.
const ANALYZE_AFTER: usize = 1_000;

/// New rows are written this many at a time: a few multi-row statements per chunk, each well
/// under the backends' bound-parameter limits (an event has 26 columns).
const ROWS_PER_CHUNK: usize = 500;

/// Creates the records of `rows`, none of them imported before, in a fixed number of
/// statements per chunk of rows whatever its size: one multi-row INSERT each for the events,
/// their participants, their citations, their reports, the reports' citations and the
/// provenance, and one read each for the ids of the keys they name. Each record's `IMPORT`
/// revision is queued as `store_new` queues it. A row's parent must exist already.
async fn create_rows(write: &mut Write, file: &str, rows: &[&ExternalRow]) -> Result<(), AppError> {
    for chunk in rows.chunks(ROWS_PER_CHUNK) {
        let txn = write.txn();
        let events = || chunk.iter().map(|row| &row.event);
        let reports = || chunk.iter().flat_map(|row| row.reports.iter());
        let actors = events()
            .flat_map(|e| e.participants.iter().map(|p| p.actor.as_str()))
            .chain(reports().filter_map(|r| r.claimed_by.as_deref()));
        let actors = ids_of(txn, NodeType::Actor, actors).await?;
        let sources = events()
            .flat_map(|e| e.citations.iter())
            .chain(reports().flat_map(|r| r.citations.iter()))
            .map(|c| c.source.as_str());
        let sources = ids_of(txn, NodeType::Source, sources).await?;
        let parents = ids_of(txn, NodeType::Event, events().filter_map(|e| e.parent.as_deref()));
        let parents = parents.await?;

        let models = events()
            .map(|e| {
                let parent = e.parent.as_deref().map(|key| resolved(&parents, key)).transpose()?;
                Ok(rows::event_model(e, parent))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        // RETURNING, not a read of the keys back: inside the import's transaction the
        // planner's statistics do not yet know the rows, and would scan.
        let event_ids: HashMap<String, i32> = event::Entity::insert_many(models)
            .exec_with_returning(txn)
            .await?
            .into_iter()
            .map(|row| (row.key, row.id))
            .collect();
        let mut participants = Vec::new();
        let mut citations = Vec::new();
        for event in events() {
            let id = resolved(&event_ids, &event.key)?;
            for participant in &event.participants {
                participants.push(event_participant::ActiveModel {
                    event_id: Set(id),
                    actor_id: Set(resolved(&actors, &participant.actor)?),
                    role: Set(participant.role.as_str().to_owned()),
                    ..Default::default()
                });
            }
            for citation in &event.citations {
                citations
                    .push(citation_row(&sources, citation, |row| row.event_id = Set(Some(id)))?);
            }
        }
        let models = reports()
            .map(|r| {
                let claimant = r.claimed_by.as_deref().map(|key| resolved(&actors, key));
                rows::casualty_model(r, resolved(&event_ids, &r.event)?, claimant.transpose()?)
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let report_ids = if models.is_empty() {
            HashMap::new()
        } else {
            casualty_report::Entity::insert_many(models)
                .exec_with_returning(txn)
                .await?
                .into_iter()
                .map(|row| (row.key, row.id))
                .collect()
        };
        for report in reports() {
            let id = resolved(&report_ids, &report.key)?;
            for citation in &report.citations {
                let cited =
                    |row: &mut citation::ActiveModel| row.casualty_report_id = Set(Some(id));
                citations.push(citation_row(&sources, citation, cited)?);
            }
        }
        if !participants.is_empty() {
            event_participant::Entity::insert_many(participants).exec(txn).await?;
        }
        if !citations.is_empty() {
            citation::Entity::insert_many(citations).exec(txn).await?;
        }

        let mut provenance = Vec::new();
        for row in chunk {
            let event = resolved(&event_ids, &row.event.key)?;
            let mut records = vec![(NodeType::Event, event)];
            let changes = diff(&serde_json::Value::Null, &snapshot(&row.event)?);
            write.record(NodeType::Event, event, Operation::Import, changes);
            for report in &row.reports {
                let id = resolved(&report_ids, &report.key)?;
                let changes = diff(&serde_json::Value::Null, &snapshot(report)?);
                write.record(NodeType::CasualtyReport, id, Operation::Import, changes);
                records.push((NodeType::CasualtyReport, id));
            }
            provenance.extend(provenance_rows(file, row.provenance(), records));
        }
        external_id::Entity::insert_many(provenance).exec(write.txn()).await?;
    }
    Ok(())
}

/// A citation's row, of the record `cite` names.
fn citation_row(
    sources: &HashMap<String, i32>,
    citation: &CitationRecord,
    cite: impl FnOnce(&mut citation::ActiveModel),
) -> Result<citation::ActiveModel, AppError> {
    let mut row = citation::ActiveModel {
        source_id: Set(resolved(sources, &citation.source)?),
        excerpt: Set(citation.excerpt.clone()),
        ..Default::default()
    };
    cite(&mut row);
    Ok(row)
}

/// Merges `batch`'s statements as [`import`] merges its rows: unchanged ones are skipped,
/// changed ones updated, new ones created with their provenance.
async fn import_statements(
    write: &mut Write,
    batch: &ExternalBatch,
    summary: &mut ExternalSummary,
) -> Result<(), AppError> {
    let ids: Vec<&str> = batch.statements.iter().map(|s| s.external_id.as_str()).collect();
    let seen = known(write.txn(), batch.dataset, NodeType::Statement, &ids).await?;
    for row in &batch.statements {
        match seen.get(&row.external_id) {
            Some(known) if known.row_hash == row.hash => summary.unchanged += 1,
            Some(known) => {
                let Some((current, before)) = Statements::load(write.txn(), known.node_id).await?
                else {
                    return Err(AppError::internal(format!("statement {} is gone", known.node_id)));
                };
                let mut after = row.statement.clone();
                after.key = before.key.clone();
                let (_, changed) =
                    store_changed::<Statements>(write, current, &before, &after, Operation::Update)
                        .await?;
                let mut known: external_id::ActiveModel = known.clone().into();
                known.row_hash = Set(row.hash.clone());
                known.file = Set(batch.file.clone());
                known.update(write.txn()).await?;
                if changed {
                    summary.updated += 1;
                } else {
                    summary.unchanged += 1;
                }
            }
            None => {
                let statement =
                    store_new::<Statements>(write, &row.statement, Operation::Import).await?;
                let provenance = (batch.dataset, row.external_id.as_str(), row.hash.as_str());
                record_provenance(
                    write,
                    &batch.file,
                    provenance,
                    vec![(NodeType::Statement, statement.id)],
                )
                .await?;
                summary.created += 1;
            }
        }
    }
    Ok(())
}

/// The provenance rows of the records of type `node` that have `ids` in `dataset`, by id.
async fn known(
    db: &DatabaseTransaction,
    dataset: &str,
    node: NodeType,
    ids: &[&str],
) -> Result<HashMap<String, external_id::Model>, AppError> {
    let mut found = HashMap::new();
    // Chunks keep each statement under the backends' bound-parameter limits.
    for chunk in ids.chunks(500) {
        let rows = external_id::Entity::find()
            .filter(external_id::Column::Dataset.eq(dataset))
            .filter(external_id::Column::NodeType.eq(node.as_str()))
            .filter(external_id::Column::ExternalId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        found.extend(rows.into_iter().map(|r| (r.external_id.clone(), r)));
    }
    Ok(found)
}

/// The events imported before that `batch`'s citations name, by external id.
async fn imported_events(
    db: &DatabaseTransaction,
    batch: &ExternalBatch,
) -> Result<HashMap<String, i32>, AppError> {
    let ids: BTreeSet<&str> = batch.citations.iter().map(|(id, _)| id.as_str()).collect();
    let ids: Vec<&str> = ids.into_iter().collect();
    let found = known(db, batch.dataset, NodeType::Event, &ids).await?;
    Ok(found.into_iter().map(|(id, row)| (id, row.node_id)).collect())
}

/// Adds `citations` to the events they name, each event's as one `UPDATE` revision; a
/// citation already there is left as it is.
async fn cite(
    write: &mut Write,
    citations: &[(i32, &CitationRecord)],
    summary: &mut ExternalSummary,
) -> Result<(), AppError> {
    let mut by_event: BTreeMap<i32, Vec<&CitationRecord>> = BTreeMap::new();
    for (event, citation) in citations {
        by_event.entry(*event).or_default().push(citation);
    }
    for (event_id, citations) in by_event {
        let Some((current, before)) = Events::load(write.txn(), event_id).await? else {
            return Err(AppError::internal(format!("imported event {event_id} is gone")));
        };
        let mut after = before.clone();
        for citation in citations {
            if !after.citations.iter().any(|c| c.source == citation.source) {
                after.citations.push(citation.clone());
            }
        }
        let (_, changed) =
            store_changed::<Events>(write, current, &before, &after, Operation::Update).await?;
        summary.cited += usize::from(changed);
    }
    Ok(())
}

/// The ids of live events imported from `batch`'s dataset before, within the countries and
/// the dates its rows cover, that `batch` no longer has (valid or not). An export of one
/// country for one year says nothing of the others, so only what it covers can be missing.
async fn missing(db: &DatabaseTransaction, batch: &ExternalBatch) -> Result<Vec<String>, AppError> {
    if !batch.whole {
        return Ok(Vec::new());
    }
    let rows = || batch.rows.iter().filter(|row| row.dataset == batch.dataset);
    let from = rows().map(|row| row.event.start_date).min();
    // A row dated to a month covers the whole month.
    let to = batch
        .rows
        .iter()
        .map(|row| row.event.date_precision.period_end(row.event.start_date))
        .max();
    let (Some(from), Some(to)) = (from, to) else {
        return Ok(Vec::new());
    };
    let countries: BTreeSet<&str> =
        rows().filter_map(|row| Some(row.event.location.as_ref()?.country_code.as_str())).collect();
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT x.external_id FROM external_ids x JOIN events e ON e.id = x.node_id");
    sql.push(" WHERE x.dataset = ").bind(batch.dataset);
    sql.push(" AND x.node_type = ").bind(NodeType::Event.as_str());
    sql.push(" AND e.archived_at IS NULL AND e.start_date >= ").bind(from);
    sql.push(" AND e.start_date <= ").bind(to).push(" AND ");
    sql.in_list("e.country_code", countries.iter().map(|c| (*c).to_owned()));
    sql.push(" ORDER BY x.external_id");
    let present: HashSet<&str> = batch
        .rows
        .iter()
        .map(|row| row.external_id.as_str())
        .chain(batch.rejected.iter().filter_map(|r| r.external_id.as_deref()))
        .collect();
    let mut missing = Vec::new();
    for row in db.query_all_raw(sql.build()).await? {
        let id: String = row.try_get("", "external_id")?;
        if !present.contains(id.as_str()) {
            missing.push(id);
        }
    }
    Ok(missing)
}

/// Archives every record that came from the rows `ids` of `dataset`.
async fn archive_missing(write: &mut Write, dataset: &str, ids: &[String]) -> Result<(), AppError> {
    for chunk in ids.chunks(500) {
        let records = external_id::Entity::find()
            .filter(external_id::Column::Dataset.eq(dataset))
            .filter(external_id::Column::ExternalId.is_in(chunk.iter().map(String::as_str)))
            .order_by_asc(external_id::Column::Id)
            .all(write.txn())
            .await?;
        for record in records {
            let node = NodeType::from_db(&record.node_type)?;
            set_archived_in(write, node, record.node_id, None, true).await?;
        }
    }
    Ok(())
}

/// Notes that `records` came from `row` of `batch`.
async fn record_provenance(
    write: &Write,
    file: &str,
    (dataset, external_id, hash): (&str, &str, &str),
    records: Vec<(NodeType, i32)>,
) -> Result<(), AppError> {
    if records.is_empty() {
        return Ok(());
    }
    let provenance = provenance_rows(file, (dataset, external_id, hash), records);
    external_id::Entity::insert_many(provenance).exec(write.txn()).await?;
    Ok(())
}

/// The provenance rows of `records`, which came from the row `(dataset, id, hash)` of `file`.
fn provenance_rows<'a>(
    file: &'a str,
    (dataset, external_id, hash): (&'a str, &'a str, &'a str),
    records: Vec<(NodeType, i32)>,
) -> impl Iterator<Item = external_id::ActiveModel> + 'a {
    records.into_iter().map(move |(node, id)| external_id::ActiveModel {
        node_type: Set(node.as_str().to_owned()),
        node_id: Set(id),
        dataset: Set(dataset.to_owned()),
        external_id: Set(external_id.to_owned()),
        file: Set(file.to_owned()),
        row_hash: Set(hash.to_owned()),
        ..Default::default()
    })
}

/// The provenance of the rows of `batch` imported before, by external id.
async fn provenance(
    db: &DatabaseTransaction,
    batch: &ExternalBatch,
) -> Result<HashMap<(&'static str, String), external_id::Model>, AppError> {
    let mut seen = HashMap::new();
    let datasets: BTreeSet<&'static str> = batch.rows.iter().map(|r| r.dataset).collect();
    for dataset in datasets {
        let ids: Vec<&str> = batch
            .rows
            .iter()
            .filter(|r| r.dataset == dataset)
            .map(|r| r.external_id.as_str())
            .collect();
        let found = known(db, dataset, NodeType::Event, &ids).await?;
        seen.extend(found.into_iter().map(|(id, row)| ((dataset, id), row)));
    }
    Ok(seen)
}

/// Updates the records of a row that changed, keeping what the file does not carry; returns
/// the records it had to create, and whether anything changed.
async fn update_row(
    write: &mut Write,
    row: &ExternalRow,
    event_id: i32,
) -> Result<(Vec<(NodeType, i32)>, bool), AppError> {
    let mut created = Vec::new();
    let Some((current, before)) = Events::load(write.txn(), event_id).await? else {
        return Err(AppError::internal(format!("imported event {event_id} is gone")));
    };
    let mut after = row.event.clone();
    after.key = before.key.clone();
    if after.parent.is_none() {
        after.parent = before.parent.clone();
    }
    if row.episode {
        after.start_date = after.start_date.min(before.start_date);
        after.end_date = after.end_date.max(before.end_date);
    } else if after.end_date.is_none() {
        after.end_date = before.end_date;
    }
    let (_, mut changed) =
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
                let (_, report_changed) =
                    store_changed::<Reports>(write, current, &before, &after, Operation::Update)
                        .await?;
                changed |= report_changed;
            }
            None => {
                let report = store_new::<Reports>(write, report, Operation::Import).await?;
                created.push((NodeType::CasualtyReport, report.id));
                changed = true;
            }
        }
    }
    Ok((created, changed))
}
