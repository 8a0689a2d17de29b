//! UCDP's Georeferenced Event Dataset (GED) as CSV: 49 columns, with or without the header row,
//! dates with or without a time part. Columns are found by header name when there is a header,
//! and by GED's published order when there is none.
//!
//! Each row becomes an event (key `ucdp-ged-<id>`) with its two sides as participants and a
//! `KILLED` report keeping UCDP's low, best and high and the deaths on each side as its
//! breakdown; each conflict (`conflict_new_id`) becomes an episode (key
//! `ucdp-conflict-<id>`, provenance `ucdp-conflict`) whose sub-events are its GED events. The
//! crosswalk is `data/crosswalks/ucdp.md`; `country_id` is a Gleditsch–Ward code, mapped to ISO
//! by `data/crosswalks/gleditsch-ward.csv`.

use super::external::{
    key_for, news_source, non_empty, require_columns, row_hash, split, wrong_length, ExternalBatch,
    ExternalRow, Publisher, RowReader,
};
use super::*;
use crate::domain::{
    ActorKind, CasualtyCategory, DatePrecision, EventSubType, EventType, GeoPrecision,
    ParticipantRole, ReportStatus, SourceKind,
};
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::LazyLock;

/// The dataset's name in provenance records, for GED events.
pub const DATASET: &str = "ucdp-ged";
/// The dataset's name in provenance records, for conflicts (their ids are UCDP's too, but of
/// another table, and could equal a GED event's).
pub const CONFLICTS: &str = "ucdp-conflict";

/// UCDP itself, cited by everything imported from it and the claimant of its estimates.
const UCDP: Publisher = Publisher {
    key: "ucdp",
    name: "UCDP",
    full_name: "Uppsala Conflict Data Program",
    publisher: "Uppsala Conflict Data Program",
    kind: SourceKind::Academic,
    title: "UCDP Georeferenced Event Dataset (GED)",
    url: "https://ucdp.uu.se/",
    country: Some("SE"),
};

/// GED's columns in their published order: the header of a file that has one.
pub const COLUMNS: [&str; 49] = [
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
];

/// Columns without which a row means nothing.
const REQUIRED: &[&str] = &[
    "id",
    "type_of_violence",
    "conflict_new_id",
    "conflict_name",
    "side_a",
    "side_b",
    "where_prec",
    "country",
    "country_id",
    "date_prec",
    "date_start",
    "date_end",
    "best",
    "high",
    "low",
];

/// Whether a header row is GED's.
pub fn recognises(header: &[String]) -> bool {
    let has = |name: &str| header.iter().any(|h| h == name);
    has("conflict_new_id") && has("where_prec") && has("date_prec")
}

/// Whether the first row of a file without a header is a GED row.
pub fn recognises_row(fields: &[String]) -> bool {
    fields.len() == COLUMNS.len()
        && fields[0].trim().parse::<u64>().is_ok()
        && matches!(fields[5].trim(), "1" | "2" | "3")
}

/// Gleditsch–Ward state codes and the ISO 3166-1 alpha-2 code of each, where one exists.
static GLEDITSCH_WARD: LazyLock<HashMap<u32, (Option<String>, String)>> = LazyLock::new(|| {
    let table = include_str!("../../data/crosswalks/gleditsch-ward.csv");
    csv::Reader::from_reader(table.as_bytes())
        .records()
        .filter_map(Result::ok)
        .filter_map(|row| {
            let code = row.get(0)?.parse().ok()?;
            let iso = row.get(1).filter(|iso| !iso.is_empty()).map(str::to_owned);
            Some((code, (iso, row.get(2)?.to_owned())))
        })
        .collect()
});

/// Opens a GED file for import. Its conflicts become episodes, which their events must find
/// written before them and which span all of them: so the file is read twice, once here for
/// the conflicts (a few hundred records however long the file), then row by row by
/// [`Reader::next_row`], the conflicts first.
///
/// # Errors
/// `VALIDATION` for a file that cannot be read as GED at all: `INVALID_CSV`, `MISSING_COLUMN`.
pub fn open(file: &str, path: &Path) -> Result<(Reader, ExternalBatch), AppError> {
    let (mut reader, header) = Reader::start(file, path)?;
    require_columns(file, "GED", &header, REQUIRED)?;
    reader.columns = header.iter().enumerate().map(|(i, h)| (h.clone(), i)).collect();
    let mut conflicts: BTreeMap<String, Conflict> = BTreeMap::new();
    while reader.read()? {
        let mut problems = Vec::new();
        let at = String::new();
        let mut row = Row {
            at: &at,
            columns: &reader.columns,
            record: &reader.record,
            problems: &mut problems,
        };
        if reader.record.len() == reader.columns.len() {
            if let Some(parsed) = row.parse() {
                conflicts
                    .entry(parsed.conflict_id.clone())
                    .or_insert_with(|| Conflict::new(&parsed))
                    .add(&parsed.event);
            }
        }
    }
    let columns = std::mem::take(&mut reader.columns);
    let (mut reader, _) = Reader::start(file, path)?;
    reader.columns = columns;
    reader.conflicts = conflicts.into_values().map(Conflict::into_row).collect();
    let batch = ExternalBatch::new(DATASET, file, header, &UCDP);
    Ok((reader, batch))
}

/// A GED file being read.
pub struct Reader {
    file: String,
    rows: csv::Reader<Input>,
    record: csv::StringRecord,
    /// The first row, when it is not a header.
    first: Option<csv::StringRecord>,
    columns: HashMap<String, usize>,
    /// The conflicts' episodes, still to be read.
    conflicts: std::collections::VecDeque<ExternalRow>,
    /// See [`crlf_lag`].
    lag: u64,
}

impl Reader {
    /// Opens the file and reads its header, or the first row of a file without one.
    fn start(file: &str, path: &Path) -> Result<(Self, Vec<String>), AppError> {
        let mut input = input(path)?;
        let lag = crlf_lag(&mut input);
        let mut rows =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
        let mut first = csv::StringRecord::new();
        let read = rows.read_record(&mut first).map_err(|err| not_csv(file, &err))?;
        let cells: Vec<String> = first.iter().map(|f| f.trim().to_owned()).collect();
        let (header, first) = if read && recognises(&cells) {
            (cells, None)
        } else {
            (COLUMNS.iter().map(|c| (*c).to_owned()).collect(), read.then_some(first))
        };
        let reader = Reader {
            file: file.to_owned(),
            rows,
            record: csv::StringRecord::new(),
            first,
            columns: HashMap::new(),
            conflicts: Default::default(),
            lag,
        };
        Ok((reader, header))
    }

    /// Reads the next row into `record`; false at the end of the file.
    fn read(&mut self) -> Result<bool, AppError> {
        if let Some(first) = self.first.take() {
            self.record = first;
            return Ok(true);
        }
        self.rows.read_record(&mut self.record).map_err(|err| not_csv(&self.file, &err))
    }
}

fn not_csv(file: &str, err: &csv::Error) -> AppError {
    let line = err.position().map_or(0, |p| p.line());
    AppError::Validation(vec![Violation::new(
        Rule::InvalidCsv,
        format!("{file} line {line}"),
        "the row is not well-formed CSV",
    )])
}

impl RowReader for Reader {
    fn next_row(&mut self, batch: &mut ExternalBatch) -> Result<bool, AppError> {
        if let Some(conflict) = self.conflicts.pop_front() {
            batch.push(&[], Some(conflict), Vec::new());
            return Ok(true);
        }
        if !self.read()? {
            return Ok(false);
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
        let mut row = Row { at: &at, columns: &self.columns, record, problems: &mut problems };
        let Some(parsed) = row.parse() else {
            batch.push(&fields, None, problems);
            return Ok(true);
        };
        let Parsed { id, event, report, actors, sources, .. } = parsed;
        let row = ExternalRow::new(DATASET, id, line, &fields, event, vec![report]);
        if batch.push(&fields, Some(row), problems) {
            for actor in actors {
                batch.actor(actor);
            }
            for name in sources {
                batch.source(news_source("ucdp-source", &name));
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
    conflict_id: String,
    conflict_name: String,
    event: EventRecord,
    report: CasualtyReportRecord,
    actors: Vec<ActorRecord>,
    sources: Vec<String>,
}

/// A conflict, as an episode spanning its events in the file.
struct Conflict {
    id: String,
    event: EventRecord,
    /// Every country its events are in: the episode is located only if there is one.
    countries: Vec<String>,
}

impl Conflict {
    fn new(first: &Parsed) -> Self {
        let event = EventRecord {
            key: conflict_key(&first.conflict_id),
            parent: None,
            title: first.conflict_name.clone(),
            summary: None,
            event_type: first.event.event_type,
            sub_type: first.event.sub_type,
            start_date: first.event.start_date,
            end_date: None,
            date_precision: DatePrecision::Day,
            location: None,
            participants: Vec::new(),
            citations: vec![CitationRecord { source: UCDP.key.into(), excerpt: None }],
            disorder_type: first.event.disorder_type.clone(),
            civilian_targeting: None,
            source_scale: None,
            tags: Vec::new(),
            low_confidence: false,
        };
        Conflict { id: first.conflict_id.clone(), event, countries: Vec::new() }
    }

    /// Widens the episode to cover `event`.
    fn add(&mut self, event: &EventRecord) {
        let end = event
            .end_date
            .unwrap_or_else(|| event.date_precision.period_end(event.start_date))
            .max(event.date_precision.period_end(event.start_date));
        self.event.start_date = self.event.start_date.min(event.start_date);
        self.event.end_date = Some(self.event.end_date.map_or(end, |e| e.max(end)));
        for participant in &event.participants {
            if !self.event.participants.contains(participant) {
                self.event.participants.push(participant.clone());
            }
        }
        if let Some(location) = &event.location {
            if !self.countries.contains(&location.country_code) {
                self.countries.push(location.country_code.clone());
            }
        }
    }

    fn into_row(mut self) -> ExternalRow {
        if let [country] = self.countries.as_slice() {
            self.event.location = Some(LocationRecord {
                country_code: country.clone(),
                admin1: None,
                admin2: None,
                admin3: None,
                place: None,
                latitude: None,
                longitude: None,
                precision: GeoPrecision::Country,
            });
        }
        let described = serde_json::to_string(&self.event).unwrap_or_default();
        ExternalRow {
            dataset: CONFLICTS,
            external_id: self.id,
            episode: true,
            line: 0,
            hash: row_hash(&[&described]),
            event: self.event,
            reports: Vec::new(),
        }
    }
}

fn conflict_key(id: &str) -> String {
    format!("ucdp-conflict-{}", super::external::slug(id))
}

/// One row being read, and where its problems go.
struct Row<'a> {
    at: &'a str,
    columns: &'a HashMap<String, usize>,
    record: &'a csv::StringRecord,
    problems: &'a mut Vec<Violation>,
}

impl<'a> Row<'a> {
    fn fail(&mut self, code: Rule, column: &str, message: String) {
        self.problems.push(Violation::new(code, format!("{} column {column}", self.at), message));
    }

    /// A column the file lacks reads as empty, like an empty cell.
    fn cell(&self, name: &str) -> &'a str {
        let record: &'a csv::StringRecord = self.record;
        self.columns.get(name).and_then(|&i| record.get(i)).map_or("", str::trim)
    }

    /// The row's records, or `None` after reporting why it has none.
    fn parse(&mut self) -> Option<Parsed> {
        let before = self.problems.len();
        let id = self.cell("id").to_owned();
        if id.parse::<u64>().is_err() {
            self.fail(Rule::InvalidNumber, "id", format!("{id:?} is not a GED event id"));
        }
        let conflict_id = self.cell("conflict_new_id").to_owned();
        if conflict_id.is_empty() {
            self.fail(Rule::Blank, "conflict_new_id", "every GED event has a conflict".into());
        }
        let violence = match self.cell("type_of_violence") {
            "1" => Some(("state-based", EventType::Battles, EventSubType::ArmedClash)),
            "2" => Some(("non-state", EventType::Battles, EventSubType::ArmedClash)),
            "3" => Some(("one-sided", EventType::ViolenceAgainstCivilians, EventSubType::Attack)),
            other => self.unknown("type_of_violence", other, "1, 2 or 3"),
        };
        let start = self.date("date_start");
        let end = self.date("date_end");
        let precision = match self.cell("date_prec") {
            "1" => Some(DatePrecision::Day),
            // Known within 2-6 days, or within a week: the week from the first possible day.
            "2" | "3" => Some(DatePrecision::Week),
            "4" => Some(DatePrecision::Month),
            "5" => Some(DatePrecision::Year),
            other => self.unknown("date_prec", other, "1 to 5"),
        };
        let geo = match self.cell("where_prec") {
            "1" => Some(GeoPrecision::Exact),
            // Within about 25 km of a known point: as near as a town.
            "2" => Some(GeoPrecision::City),
            "3" => Some(GeoPrecision::District),
            "4" => Some(GeoPrecision::Region),
            "5" => Some(GeoPrecision::PartOfCountry),
            "6" => Some(GeoPrecision::Country),
            "7" => Some(GeoPrecision::Water),
            other => self.unknown("where_prec", other, "1 to 7"),
        };
        let country = self.gleditsch_ward("country_id", true);
        let latitude = self.number::<f64>("latitude");
        let longitude = self.number::<f64>("longitude");
        let low = self.count("low");
        let best = self.count("best");
        let high = self.count("high");
        let breakdown: Vec<CountRecord> =
            [("side_a", "deaths_a"), ("side_b", "deaths_b"), ("civilians", "deaths_civilians")]
                .into_iter()
                .chain(std::iter::once(("unknown", "deaths_unknown")))
                .filter_map(|(group, column)| {
                    let count = self.count(column)?;
                    Some(CountRecord { group: group.to_owned(), count })
                })
                .collect();
        let side_a = self.cell("side_a").to_owned();
        let side_b = self.cell("side_b").to_owned();
        for (column, name) in [("side_a", &side_a), ("side_b", &side_b)] {
            if name.is_empty() {
                self.fail(Rule::Blank, column, "every GED event has two sides".into());
            }
        }
        let country_a = self.gleditsch_ward("gwnoa", false).flatten();
        let country_b = self.gleditsch_ward("gwnob", false).flatten();
        if self.problems.len() > before {
            return None;
        }
        let (violence, start, end, precision, geo, country) =
            (violence?, start?, end?, precision?, geo?, country??);
        let (violence_label, event_type, sub_type) = violence;
        let (low, best, high) = (low?, best?, high?);

        let actors = vec![actor_record(&side_a, country_a), actor_record(&side_b, country_b)];
        let participants = vec![
            ParticipantRecord { actor: actors[0].key.clone(), role: ParticipantRole::Initiator },
            ParticipantRecord { actor: actors[1].key.clone(), role: ParticipantRole::Target },
        ];
        // `source_office` names the outlets, `source_headline` their headlines, each
        // `;`-separated; the headline is the passage cited when the two line up.
        let offices = split(self.cell("source_office"));
        let headlines = split(self.cell("source_headline"));
        let mut citations = vec![CitationRecord { source: UCDP.key.into(), excerpt: None }];
        let mut sources = Vec::new();
        for (i, office) in offices.iter().enumerate() {
            let key = key_for("ucdp-source", office);
            if citations.iter().any(|c| c.source == key) {
                continue;
            }
            let excerpt = (headlines.len() == offices.len()).then(|| headlines[i].to_owned());
            citations.push(CitationRecord { source: key, excerpt });
            sources.push((*office).to_owned());
        }
        // Annals stores a period from its first day.
        let start_date = match precision {
            DatePrecision::Month => start.with_day0(0).unwrap_or(start),
            DatePrecision::Year => start.with_ordinal0(0).unwrap_or(start),
            _ => start,
        };
        let key = format!("ucdp-ged-{}", super::external::slug(&id));
        let place = [self.cell("where_coordinates"), self.cell("adm_2"), self.cell("adm_1")]
            .into_iter()
            .find(|p| !p.is_empty())
            .map(str::to_owned);
        let dyad = self.cell("dyad_name");
        let dyad = if dyad.is_empty() { format!("{side_a} - {side_b}") } else { dyad.to_owned() };
        let title = match &place {
            Some(place) => format!("{dyad} in {place}"),
            None => format!("{dyad} ({})", self.cell("country")),
        };
        let mut tags = vec![format!("type_of_violence={violence_label}")];
        for column in ["event_clarity", "code_status", "where_description", "priogrid_gid"] {
            let value = self.cell(column);
            if !value.is_empty() {
                tags.push(format!("{column}={value}"));
            }
        }
        let event = EventRecord {
            key: key.clone(),
            parent: Some(conflict_key(&conflict_id)),
            title,
            summary: None,
            event_type,
            sub_type: Some(sub_type),
            start_date,
            end_date: (end > start_date).then_some(end),
            date_precision: precision,
            location: Some(LocationRecord {
                country_code: country,
                admin1: non_empty(self.cell("adm_1")),
                admin2: non_empty(self.cell("adm_2")),
                admin3: None,
                place,
                latitude: latitude.flatten(),
                longitude: longitude.flatten(),
                precision: geo,
            }),
            participants,
            citations,
            disorder_type: Some("Political violence".into()),
            civilian_targeting: Some(event_type == EventType::ViolenceAgainstCivilians),
            source_scale: None,
            tags,
            low_confidence: false,
        };
        let report = CasualtyReportRecord {
            preferred: false,
            key: format!("{key}-killed"),
            event: key,
            category: CasualtyCategory::Killed,
            affected_group: None,
            low,
            high: Some(high),
            as_of: None,
            claimed_by: Some(UCDP.key.into()),
            status: ReportStatus::Reported,
            status_reason: None,
            note: None,
            citations: vec![CitationRecord { source: UCDP.key.into(), excerpt: None }],
            best: Some(best),
            breakdown,
        };
        Some(Parsed {
            id,
            conflict_id,
            conflict_name: self.cell("conflict_name").to_owned(),
            event,
            report,
            actors,
            sources,
        })
    }

    /// `2021-01-03`, with or without a time part (`2021-01-03 00:00:00.000`).
    fn date(&mut self, column: &str) -> Option<NaiveDate> {
        let value = self.cell(column);
        let day = value.split([' ', 'T']).next().unwrap_or_default();
        match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                let message = format!("{value:?} is not a date like 2021-01-03");
                self.fail(Rule::InvalidDate, column, message);
                None
            }
        }
    }

    /// A number, `None` inside for an empty cell.
    fn number<T: std::str::FromStr>(&mut self, column: &str) -> Option<Option<T>> {
        let value = self.cell(column);
        if value.is_empty() {
            return Some(None);
        }
        match value.parse::<T>() {
            Ok(n) => Some(Some(n)),
            Err(_) => {
                self.fail(Rule::InvalidNumber, column, format!("{value:?} is not a number"));
                None
            }
        }
    }

    fn count(&mut self, column: &str) -> Option<i64> {
        let value = self.cell(column);
        match value.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                self.fail(Rule::InvalidNumber, column, format!("{value:?} is not a count"));
                None
            }
        }
    }

    /// A Gleditsch–Ward code as ISO 3166-1 alpha-2: `Some(None)` for an empty optional cell.
    /// A code with no ISO equivalent (a state that no longer exists, such as the German
    /// Democratic Republic) is `UNKNOWN_CODE`: Annals places every event in a country.
    fn gleditsch_ward(&mut self, column: &str, required: bool) -> Option<Option<String>> {
        let value = self.cell(column).to_owned();
        if value.is_empty() && !required {
            return Some(None);
        }
        // `gwnoa` can list several states (`2, 700`): the first is the side's own.
        let first = value.split(',').next().unwrap_or_default().trim();
        match first.parse::<u32>().ok().and_then(|code| GLEDITSCH_WARD.get(&code)) {
            Some((Some(iso), _)) => Some(Some(iso.clone())),
            Some((None, name)) => self.unknown(
                column,
                &value,
                &format!(
                    "a state with an ISO 3166-1 code ({name} has none; see \
                     data/crosswalks/gleditsch-ward.csv)"
                ),
            ),
            None => self.unknown(column, &value, "a Gleditsch–Ward state code"),
        }
    }

    fn unknown<T>(&mut self, column: &str, value: &str, expected: &str) -> Option<T> {
        self.fail(Rule::UnknownCode, column, format!("{value:?} is not {expected}"));
        None
    }
}

/// A side of a GED event: a government is a state; UCDP names the victims of one-sided
/// violence "Civilians"; everyone else is an armed group.
fn actor_record(name: &str, country: Option<String>) -> ActorRecord {
    let kind = if name.starts_with("Government of") {
        ActorKind::State
    } else if name == "Civilians" {
        ActorKind::Civilians
    } else {
        ActorKind::ArmedGroup
    };
    ActorRecord {
        key: key_for("ucdp-actor", name),
        kind,
        name: name.to_owned(),
        aliases: Vec::new(),
        country_code: if kind == ActorKind::State { country } else { None },
        description: None,
        wikidata_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gleditsch_ward_code_maps_to_a_known_iso_code_or_to_none() {
        assert!(GLEDITSCH_WARD.len() > 200);
        assert_eq!(GLEDITSCH_WARD[&705].0.as_deref(), Some("KZ"));
        assert_eq!(GLEDITSCH_WARD[&265].0, None);
        for (code, (iso, name)) in GLEDITSCH_WARD.iter() {
            if let Some(iso) = iso {
                // Kosovo's XK is user-assigned, outside ISO 3166-1; validation refuses it.
                if iso != "XK" {
                    assert!(
                        isocountry::CountryCode::for_alpha2(iso).is_ok(),
                        "{code} {name}: {iso}"
                    );
                }
            }
        }
    }
}
