//! One file's import: read a chunk of rows, merge it, forget it, until the file ends; then
//! find what the file no longer has, and commit.

use super::merge::{analyze, merge_chunk, missing_rows};
use super::*;
use crate::dataset::import::IMPORT_AUTHOR;
use crate::service::write::Write;
use sea_orm::DatabaseConnection;
use std::path::{Path, PathBuf};

/// How far an import has come, reported after each chunk.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Rows read.
    pub rows: u64,
    /// Bytes of the file read.
    pub bytes: u64,
}

/// A rejected file's report lists this many problems, and counts the rest.
const PROBLEMS_LISTED: usize = 1_000;

/// An import that creates or changes at least this many rows refreshes PostgreSQL's
/// statistics of the tables it wrote, then again each time it has written four times as many.
const ANALYZE_AFTER: usize = 1_000;

/// Imports the rows `reader` reads from `input` into `batch`, merging them a chunk at a time
/// in one transaction, and reporting `progress` after each chunk. Returns what it did and,
/// with `--skip-invalid`, the file it wrote the rejected rows to.
///
/// The file is read on a thread of its own, one chunk ahead of the writes, so that reading
/// and checking rows overlaps the database's work.
///
/// # Errors
/// `VALIDATION` when a row breaks a rule (nothing is written then), unless
/// `options.skip_invalid` leaves the invalid rows out, or when an actor or source does; the
/// file's own errors (not CSV, cut short); database failures. Any of them rolls the whole
/// transaction back.
#[tracing::instrument(skip_all, fields(dataset = batch.dataset, file = %batch.file))]
pub async fn import(
    db: &DatabaseConnection,
    reader: Box<dyn RowReader>,
    batch: ExternalBatch,
    input: &Path,
    options: Options,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<(ExternalSummary, Option<PathBuf>), AppError> {
    let chunk_rows = if reader.merged_whole() { usize::MAX } else { options.chunk_rows.max(1) };
    let file = batch.file.clone();
    let mut rejects = Rejects::beside(input, batch.header.clone());
    let (chunks, mut read) = tokio::sync::mpsc::channel(1);
    let reading =
        tokio::task::spawn_blocking(move || read_chunks(reader, batch, chunk_rows, chunks));

    let mut write = Write::begin(db, IMPORT_AUTHOR).await?;
    let mut summary = ExternalSummary::default();
    let mut report = Report::default();
    let mut analyze_at = ANALYZE_AFTER;
    let mut done = Progress::default();
    let result = async {
        while let Some(chunk) = read.recv().await {
            let (chunk, read_so_far) = chunk?;
            summary.rejected += chunk.rejected.len();
            if options.skip_invalid {
                rejects.write(&chunk)?;
            } else {
                report.add(&chunk);
            }
            // Once a row is refused, nothing is written: the rest of the file is read only for
            // its problems, and the transaction rolls back.
            if summary.rejected == 0 || options.skip_invalid {
                merge_chunk(&mut write, &chunk, &mut summary).await?;
                if summary.created + summary.updated >= analyze_at {
                    analyze(write.txn()).await?;
                    analyze_at *= 4;
                }
            }
            done = read_so_far;
            progress(done);
        }
        let batch = reading
            .await
            .map_err(|err| AppError::internal(format!("reading {file} failed: {err}")))?;
        if summary.rejected > 0 && !options.skip_invalid {
            return Err(report.into_error(&file, summary.rejected));
        }
        missing_rows(&mut write, &batch, options.archive_missing, &mut summary).await?;
        write.commit().await
    }
    .await;
    if let Err(err) = result {
        rejects.discard();
        return Err(err);
    }
    if summary.created + summary.updated >= ANALYZE_AFTER {
        // Autovacuum gets to a bulk load only later; until then the planner, which thought
        // these tables small, scans them, and the next import is slow (17 s instead of 0.6 s
        // for 10,000 unchanged rows, see BENCHMARKS.md).
        analyze(db).await?;
    }
    tracing::info!(%summary, rows = done.rows, "external data imported");
    Ok((summary, rejects.finish()?))
}

/// A chunk of rows read, or why the file could not be read on, and how far reading has come.
type Read = Result<(ExternalBatch, Progress), AppError>;

/// Reads the file a chunk of `chunk_rows` rows at a time and sends each chunk, until the file
/// ends, it cannot be read on, or the import stops listening; returns what it knows of the
/// whole file.
fn read_chunks(
    mut reader: Box<dyn RowReader>,
    mut batch: ExternalBatch,
    chunk_rows: usize,
    chunks: tokio::sync::mpsc::Sender<Read>,
) -> ExternalBatch {
    let mut rows = 0;
    loop {
        let mut read = 0;
        let more = loop {
            if read == chunk_rows {
                break Ok(true);
            }
            match reader.next_row(&mut batch) {
                Ok(true) => read += 1,
                Ok(false) => break Ok(false),
                Err(err) => break Err(err),
            }
        };
        rows += read as u64;
        let progress = Progress { rows, bytes: reader.position() };
        let (sent, more) = match more {
            Ok(more) => (chunks.blocking_send(Ok((batch.take_chunk(), progress))), more),
            Err(err) => (chunks.blocking_send(Err(err)), false),
        };
        if sent.is_err() || !more {
            return batch;
        }
    }
}

/// The problems of a rejected file: the first ones, and how many more.
#[derive(Default)]
struct Report {
    listed: Vec<Violation>,
    more: usize,
}

impl Report {
    fn add(&mut self, batch: &ExternalBatch) {
        for problem in batch.rejected.iter().flat_map(|r| r.problems.iter()) {
            if self.listed.len() < PROBLEMS_LISTED {
                self.listed.push(problem.clone());
            } else {
                self.more += 1;
            }
        }
    }

    fn into_error(mut self, file: &str, rows: usize) -> AppError {
        if self.more > 0 {
            self.listed.push(Violation::new(
                Rule::TooManyProblems,
                file,
                format!(
                    "{} more problem(s) not listed; {rows} row(s) have problems in all",
                    self.more
                ),
            ));
        }
        AppError::Validation(self.listed)
    }
}

/// The file the rejected rows go to, beside the input: CSV with their problems in a first
/// column, `annals_problems`, then the file's own columns, so that, fixed, the file imports
/// again (the readers find columns by name and pass over one they do not know). Created with
/// the first rejected row.
struct Rejects {
    path: PathBuf,
    header: Vec<String>,
    writer: Option<csv::Writer<std::fs::File>>,
}

impl Rejects {
    fn beside(input: &Path, header: Vec<String>) -> Self {
        let mut path = input.as_os_str().to_owned();
        path.push(".rejected.csv");
        Rejects { path: PathBuf::from(path), header, writer: None }
    }

    fn write(&mut self, batch: &ExternalBatch) -> Result<(), AppError> {
        for rejected in &batch.rejected {
            let writer = match &mut self.writer {
                Some(writer) => writer,
                None => {
                    // A row cut short stays as short as it was: padding it would invent cells.
                    let mut writer = csv::WriterBuilder::new()
                        .flexible(true)
                        .from_path(&self.path)
                        .map_err(|err| self.failed(&err))?;
                    let header = self.header.iter().map(String::as_str);
                    writer
                        .write_record(std::iter::once("annals_problems").chain(header))
                        .map_err(|err| self.failed(&err))?;
                    self.writer.insert(writer)
                }
            };
            let problems: Vec<String> =
                rejected.problems.iter().map(|p| format!("{p} [{}]", p.code.as_str())).collect();
            let problems = problems.join(" | ");
            let fields = rejected.fields.iter().map(String::as_str);
            writer
                .write_record(std::iter::once(problems.as_str()).chain(fields))
                .map_err(|err| AppError::internal(format!("writing rejected rows: {err}")))?;
        }
        Ok(())
    }

    fn failed(&self, err: &csv::Error) -> AppError {
        AppError::internal(format!("cannot write {}: {err}", self.path.display()))
    }

    /// The file written, if any row was rejected.
    fn finish(self) -> Result<Option<PathBuf>, AppError> {
        let Some(mut writer) = self.writer else { return Ok(None) };
        writer
            .flush()
            .map_err(|err| AppError::internal(format!("writing rejected rows: {err}")))?;
        Ok(Some(self.path))
    }

    /// Removes a reject file of an import that failed: its rows were not left out of anything.
    fn discard(self) {
        if self.writer.is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
