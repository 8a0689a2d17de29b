//! Importing records from another dataset (ACLED, UCDP, GDELT). A format's reader turns the
//! file's rows, one at a time, into dataset records ([`RowReader`]); [`import`] merges them
//! into the database a chunk of rows at a time, all in one transaction, so that memory stays
//! flat whatever the file's size and a file is still written whole or not at all:
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

mod merge;
mod run;

pub use run::{import, Progress};

use super::*;
use crate::domain::validate::Checker;
use crate::domain::validate::{check_casualty_report, check_event, check_statement};
use crate::domain::{ActorKind, NodeType, SourceKind, SourceStatus};
use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// A file of another dataset, read one row at a time.
pub trait RowReader: Send {
    /// Reads the next row into `batch`: as a row to merge, a statement, a citation, a rejected
    /// row, or a skipped one. Returns `false` at the end of the file.
    ///
    /// # Errors
    /// `VALIDATION` when the file cannot be read on (not CSV, not text, cut short inside a
    /// quote): unlike a bad row, that ends the import.
    fn next_row(&mut self, batch: &mut ExternalBatch) -> Result<bool, AppError>;

    /// How far into the file it has read, in bytes.
    fn position(&self) -> u64;

    /// Whether the file must be merged in one chunk, whatever its size.
    fn merged_whole(&self) -> bool {
        false
    }
}

/// Rows merged at a time by default: large enough that each table's rows go in a few
/// statements, small enough that a chunk's records take a few megabytes.
pub const ROWS_PER_CHUNK: u32 = 2_000;

/// A file's records being read: the rows of the chunk read since the last merge, and what the
/// import must know of the whole file (the ids it had, the dates and countries it covers, the
/// actors and sources already seen), which takes a few bytes a row.
pub struct ExternalBatch {
    /// The dataset's name in provenance records: `acled`, `ucdp-ged`, `gdelt`.
    pub dataset: &'static str,
    /// The file, as named on the command line.
    pub file: String,
    /// The actors and sources first seen in this chunk; events and reports are in `rows`.
    pub records: Dataset,
    /// One entry a valid row of this chunk.
    pub rows: Vec<ExternalRow>,
    /// The file's column names (numbers for a headerless file), for the reject file.
    pub header: Vec<String>,
    /// The rows of this chunk that cannot be imported, with every problem of each.
    pub rejected: Vec<Rejected>,
    /// The statements this chunk's valid rows become (GDELT's statement-like codes).
    pub statements: Vec<ExternalStatement>,
    /// Citations the file adds to events imported before, named by their id in `dataset`
    /// (GDELT's mentions).
    pub citations: Vec<(String, CitationRecord)>,
    /// Rows of this chunk read and left out by design, such as GDELT rows whose CAMEO code is
    /// neither conflict nor protest.
    pub skipped: usize,
    /// Whether the file is a whole export, so that what earlier files had and it lacks is
    /// missing; not so for GDELT's files, each of which adds 15 minutes.
    pub whole: bool,
    /// The id in the dataset of each actor and source in `records` (its name, or a URL), by
    /// type and key: their provenance. The dataset's own publisher has none.
    pub names: HashMap<(NodeType, String), String>,
    /// Fingerprints of the datasets and ids of the file's valid rows so far, which must
    /// differ: eight bytes a row rather than the ids themselves.
    ids: HashSet<u64>,
    /// Fingerprints of the ids of its rejected rows, which are not missing either.
    rejected_ids: HashSet<u64>,
    /// The types and keys of the actors and sources seen so far.
    seen: HashSet<(NodeType, String)>,
    /// The dates and countries the file's rows cover.
    scope: Scope,
}

/// The dates and countries of a file's rows of its own dataset: only what a file covers can
/// be missing from it.
#[derive(Debug, Default)]
pub(crate) struct Scope {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub countries: BTreeSet<String>,
}

/// A row that cannot be imported.
pub struct Rejected {
    /// Its line in the file.
    pub line: u64,
    /// Its fields as read.
    pub fields: Vec<String>,
    /// Every problem found with it.
    pub problems: Vec<Violation>,
}

/// How `annals import` treats what a file lacks or gets wrong.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Write the valid rows of a file that has invalid ones, instead of rejecting it whole.
    pub skip_invalid: bool,
    /// Archive the records of rows that earlier files had and this one, covering the same
    /// countries and dates, no longer has.
    pub archive_missing: bool,
    /// Rows read and merged at a time: each chunk's rows are written in a few multi-row
    /// statements, and then forgotten.
    pub chunk_rows: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { skip_invalid: false, archive_missing: false, chunk_rows: ROWS_PER_CHUNK as usize }
    }
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
        let publisher = SourceRecord {
            key: by.key.into(),
            kind: by.kind,
            publisher: by.publisher.into(),
            title: Some(by.title.into()),
            url: Some(by.url.into()),
            published_on: None,
            status: SourceStatus::Available,
            archive_url: None,
        };
        let claimant = ActorRecord {
            key: by.key.into(),
            kind: ActorKind::AcademicInstitution,
            name: by.name.into(),
            aliases: vec![by.full_name.into()],
            country_code: by.country.map(Into::into),
            description: Some(format!("The {}.", by.full_name)),
            wikidata_id: None,
        };
        ExternalBatch {
            dataset,
            file: file.to_owned(),
            records: Dataset {
                format: FORMAT.to_owned(),
                sources: vec![publisher],
                actors: vec![claimant],
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
            // The publisher is no row of its own data: it has no id there.
            names: HashMap::new(),
            ids: HashSet::new(),
            rejected_ids: HashSet::new(),
            seen: [(NodeType::Source, by.key.into()), (NodeType::Actor, by.key.into())].into(),
            scope: Scope::default(),
        }
    }

    /// Adds an actor a valid row names, unless an earlier row named it; its id in the dataset
    /// is its name.
    pub fn actor(&mut self, actor: ActorRecord) {
        let name = actor.name.clone();
        self.actor_named(name, actor);
    }

    /// Adds an actor a valid row names, whose id in the dataset is `id`.
    pub fn actor_named(&mut self, id: String, actor: ActorRecord) {
        if self.seen.insert((NodeType::Actor, actor.key.clone())) {
            self.names.insert((NodeType::Actor, actor.key.clone()), id);
            self.records.actors.push(actor);
        }
    }

    /// Adds a source a valid row cites, unless an earlier row cited it; its id in the dataset
    /// is its URL, or else its publisher's name.
    pub fn source(&mut self, source: SourceRecord) {
        if self.seen.insert((NodeType::Source, source.key.clone())) {
            let id = source.url.clone().unwrap_or_else(|| source.publisher.clone());
            self.names.insert((NodeType::Source, source.key.clone()), id);
            self.records.sources.push(source);
        }
    }

    /// Adds one row read from the file: rejected, with `problems` and every problem its
    /// records have with the rules every record obeys, or accepted. Returns whether it was
    /// accepted: only then are the actors and sources it names the import's to create.
    pub fn push(
        &mut self,
        fields: &[&str],
        row: Option<ExternalRow>,
        problems: Vec<Violation>,
    ) -> bool {
        let mut problems = problems;
        if let Some(row) = &row {
            let mut check = Checker::default();
            let at = format!("{} line {}", self.file, row.line);
            check_event(&mut check, &at, &row.event, None);
            for report in &row.reports {
                check_casualty_report(&mut check, &at, report, None);
            }
            problems.extend(check.into_violations());
            if self.ids.contains(&fingerprint(row.dataset, &row.external_id)) {
                problems.push(duplicate(at, &row.external_id));
            }
        }
        match row {
            Some(row) if problems.is_empty() => {
                self.ids.insert(fingerprint(row.dataset, &row.external_id));
                if row.dataset == self.dataset {
                    self.scope.cover(&row.event);
                }
                self.rows.push(row);
                true
            }
            row => {
                if let Some(row) = row {
                    self.rejected_ids.insert(fingerprint(row.dataset, &row.external_id));
                }
                self.reject(problems_line(&problems), fields, problems);
                false
            }
        }
    }

    /// Adds one row read from the file that becomes a statement, as [`ExternalBatch::push`]
    /// does an event.
    pub fn push_statement(
        &mut self,
        fields: &[&str],
        row: ExternalStatement,
        problems: Vec<Violation>,
    ) -> bool {
        let mut problems = problems;
        let mut check = Checker::default();
        let at = format!("{} line {}", self.file, row.line);
        check_statement(&mut check, &at, &row.statement, None);
        problems.extend(check.into_violations());
        // Events and statements share the dataset's ids: one row is one or the other.
        if !self.ids.insert(fingerprint(self.dataset, &row.external_id)) {
            problems.push(duplicate(at, &row.external_id));
        }
        if problems.is_empty() {
            self.statements.push(row);
            true
        } else {
            self.reject(row.line, fields, problems);
            false
        }
    }

    fn reject(&mut self, line: u64, fields: &[&str], problems: Vec<Violation>) {
        let fields = fields.iter().map(|f| (*f).to_owned()).collect();
        self.rejected.push(Rejected { line, fields, problems });
    }

    /// Whether the file had a row of `dataset` with id `external_id`, valid or not.
    pub(crate) fn had(&self, dataset: &str, external_id: &str) -> bool {
        let id = fingerprint(dataset, external_id);
        self.ids.contains(&id) || self.rejected_ids.contains(&id)
    }

    /// The dates and countries the file's rows cover.
    pub(crate) fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Takes the chunk read so far, as a batch of its own, keeping what the import knows of
    /// the whole file.
    pub(crate) fn take_chunk(&mut self) -> ExternalBatch {
        use std::mem::take;
        ExternalBatch {
            dataset: self.dataset,
            file: self.file.clone(),
            records: Dataset {
                format: FORMAT.to_owned(),
                sources: take(&mut self.records.sources),
                actors: take(&mut self.records.actors),
                affiliations: Vec::new(),
                events: Vec::new(),
                statements: Vec::new(),
                casualty_reports: Vec::new(),
            },
            rows: take(&mut self.rows),
            header: Vec::new(),
            rejected: take(&mut self.rejected),
            statements: take(&mut self.statements),
            citations: take(&mut self.citations),
            skipped: take(&mut self.skipped),
            whole: self.whole,
            names: take(&mut self.names),
            ids: HashSet::new(),
            rejected_ids: HashSet::new(),
            seen: HashSet::new(),
            scope: Scope::default(),
        }
    }
}

impl Scope {
    /// Widens the scope to cover `event`; a row dated to a month covers the whole month.
    fn cover(&mut self, event: &EventRecord) {
        let end = event.date_precision.period_end(event.start_date);
        self.from = Some(self.from.map_or(event.start_date, |d| d.min(event.start_date)));
        self.to = Some(self.to.map_or(end, |d| d.max(end)));
        if let Some(location) = &event.location {
            if !self.countries.contains(&location.country_code) {
                self.countries.insert(location.country_code.clone());
            }
        }
    }
}

/// A fingerprint of a dataset's id. Two ids of a million sharing one is a chance of about one
/// in ten million; it would at worst report a row as a duplicate, or fail to report one
/// missing.
fn fingerprint(dataset: &str, external_id: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (dataset, external_id).hash(&mut hasher);
    hasher.finish()
}

fn duplicate(at: String, id: &str) -> Violation {
    Violation::new(Rule::Duplicate, at, format!("{id:?} is the id of an earlier row of the file"))
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
    /// The event and reports that the row `fields`, at `line` of a file of `dataset`, becomes.
    pub fn new(
        dataset: &'static str,
        external_id: String,
        line: u64,
        fields: &[&str],
        event: EventRecord,
        reports: Vec<CasualtyReportRecord>,
    ) -> Self {
        let hash = row_hash(fields);
        ExternalRow { dataset, external_id, episode: false, line, hash, event, reports }
    }

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
