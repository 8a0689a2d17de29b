//! ACLED's CSV exports, in both schemas people have on disk: the 2020-era one (`data_id`,
//! numeric actor categories in `inter1`/`inter2`, `iso3`) and the current one
//! (`disorder_type`, text categories, `civilian_targeting`, `tags`). Columns are found by
//! header name, so optional ones may be missing and the order does not matter.
//!
//! Each row becomes an event (key `acled-<event_id_cnty>`), its actors (one per distinct name,
//! shared by every row that names it), its sources (one per distinct name in `source`), and a
//! `KILLED` casualty report claimed by ACLED. The crosswalk from ACLED's codes to Annals'
//! vocabularies is `data/crosswalks/acled.md`.

use super::external::{
    key_for, news_source, non_empty, require_columns, slug, split, wrong_length, ExternalBatch,
    ExternalRow, Publisher, RowReader,
};
use super::*;
use crate::domain::{
    ActorKind, CasualtyCategory, DatePrecision, EventSubType, EventType, GeoPrecision,
    ParticipantRole, ReportStatus, SourceKind,
};
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;

/// The name the import gives the dataset in provenance records.
pub const DATASET: &str = "acled";

/// ACLED itself, cited by everything imported from it and the claimant of its fatality counts.
pub(crate) const ACLED: Publisher = Publisher {
    key: "acled",
    name: "ACLED",
    full_name: "Armed Conflict Location & Event Data Project",
    publisher: "ACLED",
    kind: SourceKind::Ngo,
    title: "Armed Conflict Location & Event Data Project (ACLED)",
    url: "https://acleddata.com/",
    country: None,
};

/// Columns every ACLED export has.
const REQUIRED: &[&str] = &[
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "country",
    "iso",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
];

/// Whether a header row is ACLED's.
pub fn recognises(header: &[String]) -> bool {
    let has = |name: &str| header.iter().any(|h| h == name);
    has("event_id_cnty") && has("event_date") && has("sub_event_type")
}

/// Opens an ACLED export for import: its header is read and checked here, its rows by
/// [`Reader::next_row`], every problem of each located by line and column.
///
/// # Errors
/// `VALIDATION` for a file that cannot be read as an ACLED export at all: `INVALID_CSV`,
/// `MISSING_COLUMN`.
pub fn open(file: &str, mut input: Input) -> Result<(Reader, ExternalBatch), AppError> {
    let lag = crlf_lag(&mut input);
    // Rows of the wrong length are the reader's to report, with their line, not the parser's.
    let mut rows = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(input);
    let header: Vec<String> = match rows.headers() {
        Ok(header) => header.iter().map(|h| h.trim().to_owned()).collect(),
        Err(err) => return Err(csv_error(file, &err, 0)),
    };
    require_columns(file, "ACLED", &header, REQUIRED)?;
    let columns = header.iter().enumerate().map(|(i, h)| (h.clone(), i)).collect();
    let batch = ExternalBatch::new(DATASET, file, header, &ACLED);
    let record = csv::StringRecord::new();
    let reader = Reader { file: file.to_owned(), rows, record, columns, lag };
    Ok((reader, batch))
}

/// An ACLED export being read.
pub struct Reader {
    file: String,
    rows: csv::Reader<Input>,
    record: csv::StringRecord,
    columns: HashMap<String, usize>,
    /// See [`crlf_lag`].
    lag: u64,
}

impl RowReader for Reader {
    fn next_row(&mut self, batch: &mut ExternalBatch) -> Result<bool, AppError> {
        match self.rows.read_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => return Ok(false),
            Err(err) => return Err(csv_error(&self.file, &err, self.lag)),
        }
        let record = &self.record;
        let line = record.position().map_or(0, |p| p.line() + self.lag);
        let at = format!("{} line {line}", self.file);
        let fields: Vec<&str> = record.iter().collect();
        let mut problems = Vec::new();
        if let Some(problem) = wrong_length(&at, fields.len(), self.columns.len()) {
            problems.push(problem);
            batch.push(&fields, None, problems);
            return Ok(true);
        }
        let mut row = Row { at: &at, columns: &self.columns, problems: &mut problems };
        let Some(parsed) = row.parse(record) else {
            batch.push(&fields, None, problems);
            return Ok(true);
        };
        let Parsed { id, event, report, actors, sources } = parsed;
        let row = ExternalRow::new(DATASET, id, line, &fields, event, vec![report]);
        if batch.push(&fields, Some(row), problems) {
            for (name, kind) in actors {
                batch.actor(actor_record(&name, kind));
            }
            for name in sources {
                batch.source(news_source("acled-source", &name));
            }
        }
        Ok(true)
    }

    fn position(&self) -> u64 {
        self.rows.position().byte()
    }
}

/// What one row becomes.
struct Parsed {
    id: String,
    event: EventRecord,
    report: CasualtyReportRecord,
    actors: Vec<(String, ActorKind)>,
    sources: Vec<String>,
}

/// One row being read, and where its problems go.
struct Row<'a> {
    at: &'a str,
    columns: &'a HashMap<String, usize>,
    problems: &'a mut Vec<Violation>,
}

impl Row<'_> {
    fn fail(&mut self, code: Rule, column: &str, message: String) {
        self.problems.push(Violation::new(code, format!("{} column {column}", self.at), message));
    }

    /// The row's records, or `None` after reporting why it has none.
    fn parse(&mut self, record: &csv::StringRecord) -> Option<Parsed> {
        let columns = self.columns;
        // A column the file lacks reads as empty, like an empty cell.
        let cell = |name: &'static str| {
            columns.get(name).and_then(|&i| record.get(i)).map_or("", str::trim)
        };
        let before = self.problems.len();
        let id = cell("event_id_cnty").to_owned();
        if id.is_empty() {
            self.fail(Rule::Blank, "event_id_cnty", "every row needs its ACLED event id".into());
        }
        let date = self.date(cell("event_date"));
        let precision = match cell("time_precision") {
            "1" => Some(DatePrecision::Day),
            "2" => Some(DatePrecision::Week),
            "3" => Some(DatePrecision::Month),
            other => self.unknown("time_precision", other, "1, 2 or 3"),
        };
        let event_type = self.vocabulary::<EventType>("event_type", cell("event_type"));
        let sub_type =
            Some(self.vocabulary::<EventSubType>("sub_event_type", cell("sub_event_type")));
        let country = self.country(cell("iso"), cell("country"));
        let geo = match cell("geo_precision") {
            "1" => Some(GeoPrecision::City),
            "2" | "3" => Some(GeoPrecision::Region),
            other => self.unknown("geo_precision", other, "1, 2 or 3"),
        };
        let latitude = self.coordinate("latitude", cell("latitude"));
        let longitude = self.coordinate("longitude", cell("longitude"));
        let fatalities = match cell("fatalities").parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                let value = cell("fatalities");
                self.fail(Rule::InvalidNumber, "fatalities", format!("{value:?} is not a count"));
                None
            }
        };
        let actor1 = cell("actor1");
        if actor1.is_empty() {
            self.fail(Rule::Blank, "actor1", "every ACLED event names its first actor".into());
        }
        let kind1 = self.category("inter1", cell("inter1"));
        let kind2 = self.category("inter2", cell("inter2"));
        let timestamp = cell("timestamp");
        let as_of = timestamp
            .parse::<i64>()
            .ok()
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map(|t| t.date_naive());
        if self.problems.len() > before {
            return None;
        }
        let (date, precision, event_type, country, geo, fatalities) =
            (date?, precision?, event_type?, country?, geo?, fatalities?);
        let sub_type = sub_type.flatten();

        // Participants: the first actor and those associated with it initiate, the second
        // actor and its associates are the target.
        let mut actors = Vec::new();
        let mut participants = Vec::new();
        let mut take_part = |names: Vec<&str>, kind: ActorKind, role: ParticipantRole| {
            for name in names {
                let key = key_for("acled-actor", name);
                let participant = ParticipantRecord { actor: key, role };
                if !participants.contains(&participant) {
                    participants.push(participant);
                    actors.push((name.to_owned(), kind));
                }
            }
        };
        take_part(vec![actor1], kind1, ParticipantRole::Initiator);
        take_part(split(cell("assoc_actor_1")), kind1, ParticipantRole::Initiator);
        take_part(
            split(cell("actor2")).into_iter().take(1).collect(),
            kind2,
            ParticipantRole::Target,
        );
        take_part(split(cell("assoc_actor_2")), kind2, ParticipantRole::Target);

        let sources: Vec<String> = split(cell("source")).into_iter().map(str::to_owned).collect();
        let mut citations = vec![CitationRecord { source: ACLED.key.into(), excerpt: None }];
        citations.extend(
            sources
                .iter()
                .map(|s| CitationRecord { source: key_for("acled-source", s), excerpt: None }),
        );
        let key = format!("acled-{}", slug(&id));
        let place = non_empty(cell("location"));
        // ACLED's events have no titles: the sub-event and the place make one.
        let title = match &place {
            Some(place) => format!("{} in {place}", cell("sub_event_type")),
            None => format!("{} ({id})", cell("sub_event_type")),
        };
        let start_date = match precision {
            // Annals stores the first day of a month-precise date's period.
            DatePrecision::Month => date.with_day0(0).unwrap_or(date),
            _ => date,
        };
        let event = EventRecord {
            key: key.clone(),
            parent: None,
            title,
            summary: non_empty(cell("notes")),
            event_type,
            sub_type,
            start_date,
            end_date: None,
            date_precision: precision,
            location: Some(LocationRecord {
                country_code: country,
                admin1: non_empty(cell("admin1")),
                admin2: non_empty(cell("admin2")),
                admin3: non_empty(cell("admin3")),
                place,
                latitude,
                longitude,
                precision: geo,
            }),
            participants,
            citations,
            disorder_type: non_empty(cell("disorder_type")),
            // The current schema writes "Civilian targeting" or nothing; the 2020-era one
            // has no such column, and then nothing is known.
            civilian_targeting: self
                .columns
                .contains_key("civilian_targeting")
                .then(|| !cell("civilian_targeting").is_empty()),
            source_scale: non_empty(cell("source_scale")),
            tags: split(cell("tags")).into_iter().map(str::to_owned).collect(),
            low_confidence: false,
        };
        let report = CasualtyReportRecord {
            preferred: false,
            key: format!("{key}-killed"),
            event: key,
            category: CasualtyCategory::Killed,
            affected_group: None,
            low: fatalities,
            high: Some(fatalities),
            as_of,
            claimed_by: Some(ACLED.key.into()),
            status: ReportStatus::Reported,
            status_reason: None,
            note: None,
            citations: vec![CitationRecord { source: ACLED.key.into(), excerpt: None }],
            // ACLED gives one figure, its best, as low and high alike.
            best: None,
            breakdown: Vec::new(),
        };
        Some(Parsed { id, event, report, actors, sources })
    }

    /// `09 May 2020`, `2020-05-09` or a spreadsheet's `9-May-20`.
    fn date(&mut self, value: &str) -> Option<NaiveDate> {
        for form in ["%d %B %Y", "%Y-%m-%d", "%d-%b-%y", "%d %b %Y", "%d-%B-%Y"] {
            if let Ok(date) = NaiveDate::parse_from_str(value, form) {
                return Some(date);
            }
        }
        self.fail(
            Rule::InvalidDate,
            "event_date",
            format!("{value:?} is not a date like 09 May 2020, 2020-05-09 or 9-May-20"),
        );
        None
    }

    /// An ACLED label ("Explosions/Remote violence") as the vocabulary's value.
    fn vocabulary<T: std::str::FromStr>(&mut self, column: &str, value: &str) -> Option<T> {
        let name = value
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_uppercase)
            .collect::<Vec<_>>()
            .join("_");
        match name.parse() {
            Ok(parsed) => Some(parsed),
            Err(_) => self.unknown(column, value, "one of ACLED's labels"),
        }
    }

    /// ACLED's `iso` is ISO 3166-1 numeric.
    fn country(&mut self, iso: &str, name: &str) -> Option<String> {
        match iso.parse::<u32>().ok().and_then(|n| isocountry::CountryCode::for_id(n).ok()) {
            Some(code) => Some(code.alpha2().to_owned()),
            None => self.unknown("iso", iso, &format!("an ISO 3166-1 numeric code ({name})")),
        }
    }

    fn coordinate(&mut self, column: &str, value: &str) -> Option<f64> {
        if value.is_empty() {
            return None;
        }
        match value.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                self.fail(Rule::InvalidNumber, column, format!("{value:?} is not a coordinate"));
                None
            }
        }
    }

    /// An actor category: a number in the 2020-era schema, a label in the current one.
    fn category(&mut self, column: &str, value: &str) -> ActorKind {
        match value {
            "1" | "State forces" => ActorKind::SecurityForce,
            "2" | "Rebel group" | "Rebel groups" => ActorKind::ArmedGroup,
            "3" | "Political militia" | "Political militias" => ActorKind::ArmedGroup,
            "4" | "Identity militia" | "Identity militias" => ActorKind::ArmedGroup,
            "5" | "Rioters" => ActorKind::Rioters,
            "6" | "Protesters" => ActorKind::Protesters,
            "7" | "Civilians" => ActorKind::Civilians,
            "8" | "External/Other forces" => ActorKind::SecurityForce,
            "" | "0" => ActorKind::Unidentified,
            other => {
                self.unknown::<()>(column, other, "an ACLED actor category (0-8 or its label)");
                ActorKind::Unidentified
            }
        }
    }

    fn unknown<T>(&mut self, column: &str, value: &str, expected: &str) -> Option<T> {
        self.fail(Rule::UnknownCode, column, format!("{value:?} is not {expected}"));
        None
    }
}

fn actor_record(name: &str, kind: ActorKind) -> ActorRecord {
    ActorRecord {
        key: key_for("acled-actor", name),
        kind,
        name: name.to_owned(),
        aliases: Vec::new(),
        country_code: None,
        description: None,
        wikidata_id: None,
    }
}

fn csv_error(file: &str, err: &csv::Error, lag: u64) -> AppError {
    let line = err.position().map_or(0, |p| p.line() + lag);
    let message = match err.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("the row has {len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "the row is not UTF-8 text".to_owned(),
        _ => "the row is not well-formed CSV".to_owned(),
    };
    AppError::Validation(vec![Violation::new(
        Rule::InvalidCsv,
        format!("{file} line {line}"),
        message,
    )])
}
