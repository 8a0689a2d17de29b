//! The dataset file: a hand-editable JSON document in which records refer to each other by
//! readable keys (`"speaker": "tokayev"`). `data/README.md` documents it for people.
//!
//! [`parse`] reads a file, [`validate`] checks every rule at once, [`import`] writes a valid
//! dataset in one transaction, and [`export`] writes the database back in the same format.
//! [`EventExport`] writes events in the flat formats other tools read (CSV, GeoJSON, NDJSON).
//! The records themselves and their rules are the domain's (`domain::records`,
//! `domain::validate`), shared with the mutations; rows are the service's (`service::rows`).

pub mod acled;
pub mod acled_export;
mod export;
pub mod external;
pub mod flat;
pub mod formats;
pub mod gdelt;
mod import;
pub mod ucdp;

pub use crate::domain::records::*;
pub use crate::domain::validate::validate;
pub use export::export;
pub use formats::{CsvFlavor, EventExport, EventsFormat};
pub use import::{import, import_bundled_if_empty};

use crate::error::Rule;
use crate::error::{AppError, Violation};
use std::io::{BufRead, Read};

/// The dataset built from the January 2022 Kazakhstan article, loaded into empty databases.
pub const BUNDLED: &str = include_str!("../../data/kazakhstan-2022.json");

/// Reads a dataset file; a syntax or type error names the record (by key when it has one)
/// and the field.
///
/// # Errors
/// `VALIDATION` with the one problem found.
pub fn parse(text: &str) -> Result<Dataset, AppError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|err| {
        AppError::Validation(vec![Violation::new(
            Rule::InvalidJson,
            format!("line {} column {}", err.line(), err.column()),
            format!("not valid JSON: {err}"),
        )])
    })?;
    serde_path_to_error::deserialize(&value).map_err(|err| {
        let path = describe_path(&value, &err.path().to_string());
        AppError::Validation(vec![Violation::new(
            Rule::InvalidFormat,
            path,
            err.into_inner().to_string(),
        )])
    })
}

/// `events[3].type` becomes `events[3] "almaty-riots" .type`, so people can find the record.
fn describe_path(root: &serde_json::Value, path: &str) -> String {
    let Some(open) = path.find('[') else { return path.to_owned() };
    let Some(close) = path[open..].find(']').map(|i| open + i) else { return path.to_owned() };
    let collection = &path[..open];
    let key = path[open + 1..close]
        .parse::<usize>()
        .ok()
        .and_then(|index| root.get(collection)?.get(index)?.get("key")?.as_str());
    match key {
        Some(key) => format!("{} (key {key:?}){}", &path[..=close], &path[close + 1..]),
        None => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_dataset_parses_and_validates() {
        let dataset = parse(BUNDLED).expect("bundled dataset parses");
        validate(&dataset).expect("bundled dataset is valid");
        assert!(dataset.events.len() > 10);
    }

    #[test]
    fn type_errors_name_the_record_and_field() {
        let text = BUNDLED.replacen("\"type\": \"RIOTS\"", "\"type\": \"RIOT\"", 1);
        let Err(AppError::Validation(violations)) = parse(&text) else {
            panic!("expected a validation error")
        };
        assert!(violations[0].path.starts_with("events["), "{:?}", violations[0]);
        assert!(violations[0].path.contains("(key "), "{:?}", violations[0]);
        assert!(violations[0].path.ends_with(".type"), "{:?}", violations[0]);
    }
}

/// The file formats `annals import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Annals' own dataset JSON.
    Annals,
    /// An ACLED CSV export, 2020-era or current.
    Acled,
    /// UCDP's Georeferenced Event Dataset as CSV, with or without its header.
    UcdpGed,
    /// A GDELT 2.0 events file (61 tab-separated columns, no header).
    GdeltEvents,
    /// A GDELT 2.0 mentions file (16 tab-separated columns, no header).
    GdeltMentions,
}

/// A file opened for import.
pub enum Opened {
    /// A dataset file, read whole: created whole, or refused whole.
    Dataset(Dataset),
    /// Another dataset's file: read row by row and merged a chunk at a time.
    External(Box<dyn external::RowReader>, Box<external::ExternalBatch>),
}

/// What import formats read from: a buffered file, past its UTF-8 byte-order mark.
pub type Input = Box<dyn std::io::BufRead + Send>;

/// Bytes read from a file at a time, and looked at to tell its format.
const INPUT_BUFFER: usize = 1 << 20;

/// Opens `path` for reading, past a UTF-8 byte-order mark.
///
/// # Errors
/// `INTERNAL` when it cannot be opened, which the command checks first.
pub(crate) fn input(path: &std::path::Path) -> Result<Input, AppError> {
    let file = std::fs::File::open(path)
        .map_err(|err| AppError::internal(format!("cannot read {}: {err}", path.display())))?;
    let mut input = std::io::BufReader::with_capacity(INPUT_BUFFER, file);
    let start = input.fill_buf().map_err(|err| AppError::internal(err.to_string()))?;
    if start.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
    }
    Ok(Box::new(input))
}

/// How many lines the CSV reader's count of a record's line is behind the file's: 1 when the
/// first line ends with CRLF. The reader ends a record at the `\r` and takes the `\n` as the
/// start of the next one, so it counts that record's line before the `\n`.
pub(crate) fn crlf_lag(input: &mut Input) -> u64 {
    let head = input.fill_buf().unwrap_or_default();
    let end = head.iter().position(|&b| b == b'\n');
    u64::from(end.is_some_and(|end| end > 0 && head[end - 1] == b'\r'))
}

/// Opens `path`, named `file` in problems, in `format`, or the format its first line shows.
///
/// # Errors
/// `VALIDATION`: `INVALID_CSV` for a file that is not text, `INVALID_FORMAT` for one in no
/// format Annals reads, and each problem the format's reader finds in what it reads first.
pub fn open(path: &std::path::Path, format: Option<Format>) -> Result<Opened, AppError> {
    let file = path.display().to_string();
    let mut start = input(path)?;
    // The first megabyte tells the format, and whether the file is text at all.
    let head = start.fill_buf().map_err(|err| AppError::internal(err.to_string()))?;
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // A character cut at the end of the buffer is not an error.
        Err(err) if err.error_len().is_none() => {
            std::str::from_utf8(&head[..err.valid_up_to()]).unwrap_or_default()
        }
        Err(err) => {
            return Err(AppError::Validation(vec![Violation::new(
                Rule::InvalidCsv,
                file,
                format!("not UTF-8 text (byte {} is not): is it a binary file?", err.valid_up_to()),
            )]))
        }
    };
    let format = match format {
        Some(format) => format,
        None => detect(&file, text)?,
    };
    Ok(match format {
        Format::Annals => {
            // The rest of what `start` began reading, past the byte-order mark.
            let mut text = String::new();
            start.read_to_string(&mut text).map_err(|err| {
                AppError::Validation(vec![Violation::new(
                    Rule::InvalidJson,
                    file.as_str(),
                    format!("not UTF-8 text: {err}"),
                )])
            })?;
            Opened::Dataset(parse(&text)?)
        }
        Format::Acled => external(acled::open(&file, start)?),
        Format::UcdpGed => external(ucdp::open(&file, path)?),
        Format::GdeltEvents => external(gdelt::open(&file, start)?),
        Format::GdeltMentions => external(gdelt::open_mentions(&file, start)?),
    })
}

fn external<R: external::RowReader + 'static>(
    (reader, batch): (R, external::ExternalBatch),
) -> Opened {
    Opened::External(Box::new(reader), Box::new(batch))
}

/// The format a file's first line shows.
fn detect(file: &str, text: &str) -> Result<Format, AppError> {
    if text.trim_start().starts_with('{') {
        return Ok(Format::Annals);
    }
    match gdelt::recognises(text.lines().next().unwrap_or_default()) {
        Some(gdelt::Kind::Events | gdelt::Kind::Events1) => return Ok(Format::GdeltEvents),
        Some(gdelt::Kind::Mentions) => return Ok(Format::GdeltMentions),
        None => {}
    }
    let first: Vec<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .next()
        .and_then(Result::ok)
        .map(|row| row.iter().map(|f| f.trim().to_owned()).collect())
        .unwrap_or_default();
    if acled::recognises(&first) {
        return Ok(Format::Acled);
    }
    if ucdp::recognises(&first) || ucdp::recognises_row(&first) {
        return Ok(Format::UcdpGed);
    }
    Err(AppError::Validation(vec![Violation::new(
        Rule::InvalidFormat,
        format!("{file} line 1"),
        "not a format Annals reads (an Annals dataset, an ACLED CSV export with its header, \
         UCDP GED CSV or a GDELT 2.0 events or mentions file); name the format with --format",
    )]))
}
