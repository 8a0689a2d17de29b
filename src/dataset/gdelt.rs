//! GDELT 2.0's event files: 61 tab-separated columns, no header (`GLOBALEVENTID` …
//! `SOURCEURL`). GDELT is machine-coded and noisy, so every event it brings is marked
//! low-confidence.
//!
//! A row whose CAMEO code the crosswalk (`data/crosswalks/cameo.csv`) maps to an event type
//! becomes an event (key `gdelt-<id>`) with its two actors as participants, located by its
//! `ActionGeo_*` columns (FIPS 10-4 country codes, mapped to ISO by
//! `data/crosswalks/fips-iso.csv`) and citing its `SOURCEURL`. Every other row is skipped and
//! counted, except statement-like codes, which become statements of the first actor. A mentions file
//! (16 columns) cites, for events imported before, the web articles that mention them. The
//! mapping is `data/crosswalks/gdelt.md`.

use super::external::{
    key_for, non_empty, row_hash, wrong_length, ExternalBatch, ExternalRow, ExternalStatement,
    Publisher, RowReader,
};
use super::*;
use crate::domain::{
    ActorKind, DatePrecision, EventSubType, EventType, GeoPrecision, MentionRole, ParticipantRole,
    SourceKind, SourceStatus, StatementKind, StatementMode,
};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::io::BufRead;
use std::sync::LazyLock;

/// The dataset's name in provenance records.
pub const DATASET: &str = "gdelt";

/// The GDELT Project, cited by everything imported from it.
const GDELT: Publisher = Publisher {
    key: "gdelt",
    name: "GDELT",
    full_name: "GDELT Project",
    publisher: "The GDELT Project",
    kind: SourceKind::Other,
    title: "GDELT 2.0 Event Database",
    url: "https://www.gdeltproject.org/",
    country: None,
};

/// GDELT 2.0's event columns, in order: the reject file's header.
pub const COLUMNS: [&str; 61] = [
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    "Actor1Code",
    "Actor1Name",
    "Actor1CountryCode",
    "Actor1KnownGroupCode",
    "Actor1EthnicCode",
    "Actor1Religion1Code",
    "Actor1Religion2Code",
    "Actor1Type1Code",
    "Actor1Type2Code",
    "Actor1Type3Code",
    "Actor2Code",
    "Actor2Name",
    "Actor2CountryCode",
    "Actor2KnownGroupCode",
    "Actor2EthnicCode",
    "Actor2Religion1Code",
    "Actor2Religion2Code",
    "Actor2Type1Code",
    "Actor2Type2Code",
    "Actor2Type3Code",
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    "Actor1Geo_Type",
    "Actor1Geo_FullName",
    "Actor1Geo_CountryCode",
    "Actor1Geo_ADM1Code",
    "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat",
    "Actor1Geo_Long",
    "Actor1Geo_FeatureID",
    "Actor2Geo_Type",
    "Actor2Geo_FullName",
    "Actor2Geo_CountryCode",
    "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat",
    "Actor2Geo_Long",
    "Actor2Geo_FeatureID",
    "ActionGeo_Type",
    "ActionGeo_FullName",
    "ActionGeo_CountryCode",
    "ActionGeo_ADM1Code",
    "ActionGeo_ADM2Code",
    "ActionGeo_Lat",
    "ActionGeo_Long",
    "ActionGeo_FeatureID",
    "DATEADDED",
    "SOURCEURL",
];

/// GDELT 2.0's mention columns, in order.
pub const MENTION_COLUMNS: [&str; 16] = [
    "GLOBALEVENTID",
    "EventTimeDate",
    "MentionTimeDate",
    "MentionType",
    "MentionSourceName",
    "MentionIdentifier",
    "SentenceID",
    "Actor1CharOffset",
    "Actor2CharOffset",
    "ActionCharOffset",
    "InRawText",
    "Confidence",
    "MentionDocLen",
    "MentionDocTone",
    "MentionDocTranslationInfo",
    "Extras",
];

/// The number of columns of a GDELT 1.0 event file, which lacks the ADM2 codes.
const GDELT1_COLUMNS: usize = 58;

/// The kinds of GDELT file, by their first row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// GDELT 2.0 events.
    Events,
    /// GDELT 1.0 events, which Annals does not read.
    Events1,
    /// GDELT 2.0 mentions.
    Mentions,
}

/// What a file's first row says it is, when it is tab-separated with a numeric first field.
pub fn recognises(first_line: &str) -> Option<Kind> {
    let fields: Vec<&str> = first_line.trim_end_matches(['\r', '\n']).split('\t').collect();
    if fields[0].parse::<u64>().is_err() {
        return None;
    }
    match fields.len() {
        61 => Some(Kind::Events),
        GDELT1_COLUMNS => Some(Kind::Events1),
        16 => Some(Kind::Mentions),
        _ => None,
    }
}

/// What a CAMEO code becomes.
#[derive(Clone, Debug)]
enum Becomes {
    Event(EventType, EventSubType),
    Statement(StatementKind),
    Skip,
}

/// The CAMEO crosswalk: each code, its description, and what it becomes.
static CAMEO: LazyLock<HashMap<String, (String, Becomes)>> = LazyLock::new(|| {
    let table = include_str!("../../data/crosswalks/cameo.csv");
    csv::Reader::from_reader(table.as_bytes())
        .records()
        .filter_map(Result::ok)
        .filter_map(|row| {
            let becomes = match row.get(2)? {
                "event" => Becomes::Event(row.get(3)?.parse().ok()?, row.get(4)?.parse().ok()?),
                "statement" => Becomes::Statement(row.get(5)?.parse().ok()?),
                _ => Becomes::Skip,
            };
            Some((row.get(0)?.to_owned(), (row.get(1)?.to_owned(), becomes)))
        })
        .collect()
});

/// FIPS 10-4 country codes and the ISO 3166-1 alpha-2 code of each, where one exists.
static FIPS: LazyLock<HashMap<String, Option<String>>> = LazyLock::new(|| {
    let table = include_str!("../../data/crosswalks/fips-iso.csv");
    csv::Reader::from_reader(table.as_bytes())
        .records()
        .filter_map(Result::ok)
        .filter_map(|row| {
            let iso = row.get(1).filter(|iso| !iso.is_empty()).map(str::to_owned);
            Some((row.get(0)?.to_owned(), iso))
        })
        .collect()
});

/// A CAMEO code's entry: the code itself, else its three-digit base, else its root.
fn cameo(code: &str) -> Option<&'static (String, Becomes)> {
    [code.len(), 3, 2].into_iter().filter(|&n| n <= code.len()).find_map(|n| CAMEO.get(&code[..n]))
}

/// Opens a GDELT 2.0 events file for import; its rows are read by [`Reader::next_row`], every
/// problem of each located by line and column.
///
/// # Errors
/// `VALIDATION` with `INVALID_FORMAT` for a GDELT 1.0 file.
pub fn open(file: &str, mut input: Input) -> Result<(Reader, ExternalBatch), AppError> {
    let first = first_line(&mut input);
    if recognises(&first) == Some(Kind::Events1) {
        return Err(AppError::Validation(vec![Violation::new(
            Rule::InvalidFormat,
            format!("{file} line 1"),
            "a GDELT 1.0 events file (58 columns, no ADM2 codes): Annals reads GDELT 2.0's \
             61-column files",
        )]));
    }
    let header: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    let mut batch = ExternalBatch::new(DATASET, file, header, &GDELT);
    // Each file adds 15 minutes: an event it lacks is not missing.
    batch.whole = false;
    Ok((Reader::new(file, input, Kind::Events), batch))
}

/// Opens a GDELT 2.0 mentions file: each row cites, for the event it names, the article that
/// mentions it. Events never imported are skipped when the batch is merged.
///
/// # Errors
/// None of its own: bad rows are set aside in the batch's `rejected`.
pub fn open_mentions(file: &str, input: Input) -> Result<(Reader, ExternalBatch), AppError> {
    let header: Vec<String> = MENTION_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    let mut batch = ExternalBatch::new(DATASET, file, header, &GDELT);
    batch.whole = false;
    Ok((Reader::new(file, input, Kind::Mentions), batch))
}

/// The first line of `input`, left unread.
fn first_line(input: &mut Input) -> String {
    let buffer = input.fill_buf().unwrap_or_default();
    let end = buffer.iter().position(|&b| b == b'\n').unwrap_or(buffer.len());
    String::from_utf8_lossy(&buffer[..end]).into_owned()
}

/// A GDELT events or mentions file being read. GDELT quotes nothing: a tab separates, and a
/// quote is text; so it is read line by line, not as CSV.
pub struct Reader {
    file: String,
    input: Input,
    kind: Kind,
    line: String,
    number: u64,
    position: u64,
}

impl Reader {
    fn new(file: &str, input: Input, kind: Kind) -> Self {
        let (line, number, position) = (String::new(), 0, 0);
        Reader { file: file.to_owned(), input, kind, line, number, position }
    }
}

impl RowReader for Reader {
    fn next_row(&mut self, batch: &mut ExternalBatch) -> Result<bool, AppError> {
        loop {
            self.line.clear();
            let read = self.input.read_line(&mut self.line).map_err(|err| {
                AppError::Validation(vec![Violation::new(
                    Rule::InvalidCsv,
                    format!("{} line {}", self.file, self.number + 1),
                    format!("the line cannot be read as text: {err}"),
                )])
            })?;
            if read == 0 {
                return Ok(false);
            }
            self.number += 1;
            self.position += read as u64;
            if !self.line.trim().is_empty() {
                break;
            }
        }
        let fields: Vec<&str> = self.line.trim_end_matches(['\r', '\n']).split('\t').collect();
        let at = format!("{} line {}", self.file, self.number);
        match self.kind {
            Kind::Mentions => mention(batch, &at, &fields),
            _ => event(batch, &at, self.number, &fields),
        }
        Ok(true)
    }

    fn position(&self) -> u64 {
        self.position
    }

    /// A mentions file is merged whole: the citations of one event, wherever they are in
    /// the file, make one revision of it. A file holds 15 minutes of mentions.
    fn merged_whole(&self) -> bool {
        self.kind == Kind::Mentions
    }
}

/// Reads a row of an events file into `batch`.
fn event(batch: &mut ExternalBatch, at: &str, line: u64, fields: &[&str]) {
    if let Some(problem) = wrong_length(at, fields.len(), COLUMNS.len()) {
        batch.push(fields, None, vec![problem]);
        return;
    }
    let mut problems = Vec::new();
    let mut row = Row { at, fields, problems: &mut problems };
    match row.parse() {
        Parsed::Skipped => batch.skipped += 1,
        Parsed::Invalid => {
            batch.push(fields, None, problems);
        }
        Parsed::Statement { id, statement, taking_part, source } => {
            let row = ExternalStatement {
                external_id: id,
                line,
                hash: row_hash(fields),
                statement: *statement,
            };
            if batch.push_statement(fields, row, problems) {
                named(batch, taking_part, source);
            }
        }
        Parsed::Event { id, event, taking_part, source } => {
            let row = ExternalRow::new(DATASET, id, line, fields, *event, Vec::new());
            if batch.push(fields, Some(row), problems) {
                named(batch, taking_part, source);
            }
        }
    }
}

/// The actors and the source a valid row names.
fn named(batch: &mut ExternalBatch, actors: Vec<ActorRecord>, source: Option<SourceRecord>) {
    for actor in actors {
        // GDELT names an actor by its name and CAMEO code together (the code is its alias).
        let id = match actor.aliases.first() {
            Some(code) => format!("{} ({code})", actor.name),
            None => actor.name.clone(),
        };
        batch.actor_named(id, actor);
    }
    if let Some(source) = source {
        batch.source(source);
    }
}

/// Reads a row of a mentions file into `batch`.
fn mention(batch: &mut ExternalBatch, at: &str, fields: &[&str]) {
    let mut problems: Vec<Violation> =
        wrong_length(at, fields.len(), MENTION_COLUMNS.len()).into_iter().collect();
    let cell = |name: &str| {
        let i = MENTION_COLUMNS.iter().position(|c| *c == name).unwrap_or(usize::MAX);
        fields.get(i).map_or("", |f| f.trim())
    };
    let id = cell("GLOBALEVENTID");
    if problems.is_empty() && id.parse::<u64>().is_err() {
        let message = format!("{id:?} is not a GDELT event id");
        problems.push(Violation::new(
            Rule::InvalidNumber,
            format!("{at} column GLOBALEVENTID"),
            message,
        ));
    }
    // Type 1 is the web, whose identifier is the article's URL; the others (broadcast,
    // print, …) name a document no reader can open.
    let source = match cell("MentionType") {
        "1" => news_url(cell("MentionIdentifier")),
        _ => None,
    };
    if !problems.is_empty() {
        batch.push(fields, None, problems);
        return;
    }
    match source {
        Some(source) => {
            let citation = CitationRecord { source: source.key.clone(), excerpt: None };
            batch.source(source);
            batch.citations.push((id.to_owned(), citation));
        }
        None => batch.skipped += 1,
    }
}

/// A news article at `url`, as a source: its publisher is the site's host.
fn news_url(url: &str) -> Option<SourceRecord> {
    let parsed = url::Url::parse(url).ok()?;
    Some(SourceRecord {
        key: key_for("gdelt-source", url),
        kind: SourceKind::News,
        publisher: parsed.host_str()?.to_owned(),
        title: None,
        url: Some(url.to_owned()),
        published_on: None,
        status: SourceStatus::Available,
        archive_url: None,
    })
}

/// What one row becomes.
enum Parsed {
    Event {
        id: String,
        event: Box<EventRecord>,
        taking_part: Vec<ActorRecord>,
        source: Option<SourceRecord>,
    },
    Statement {
        id: String,
        statement: Box<StatementRecord>,
        taking_part: Vec<ActorRecord>,
        source: Option<SourceRecord>,
    },
    Skipped,
    Invalid,
}

/// One row being read, and where its problems go.
struct Row<'a> {
    at: &'a str,
    fields: &'a [&'a str],
    problems: &'a mut Vec<Violation>,
}

/// The index of a column.
fn column(name: &str) -> usize {
    COLUMNS.iter().position(|c| *c == name).unwrap_or_else(|| unreachable!("no column {name}"))
}

impl<'a> Row<'a> {
    fn cell(&self, name: &str) -> &'a str {
        let fields: &'a [&'a str] = self.fields;
        fields.get(column(name)).map_or("", |f| f.trim())
    }

    fn fail(&mut self, code: Rule, column: &str, message: String) {
        self.problems.push(Violation::new(code, format!("{} column {column}", self.at), message));
    }

    fn parse(&mut self) -> Parsed {
        let code = self.cell("EventCode");
        let Some((description, becomes)) = cameo(code) else {
            self.fail(Rule::UnknownCode, "EventCode", format!("{code:?} is not a CAMEO code"));
            return Parsed::Invalid;
        };
        let (event_type, sub_type) = match becomes {
            Becomes::Event(event_type, sub_type) => (event_type, sub_type),
            Becomes::Statement(kind) => return self.statement(description, *kind),
            Becomes::Skip => return Parsed::Skipped,
        };
        let (id, date) = (self.id(), self.date());
        let location = self.location();
        let (Some(id), Some(date), Some(location)) = (id, date, location) else {
            return Parsed::Invalid;
        };
        if !self.problems.is_empty() {
            return Parsed::Invalid;
        }

        let mut taking_part = Vec::new();
        let mut participants = Vec::new();
        for (actor, role) in
            [("Actor1", ParticipantRole::Initiator), ("Actor2", ParticipantRole::Target)]
        {
            if let Some(record) = self.actor(actor) {
                participants.push(ParticipantRecord { actor: record.key.clone(), role });
                taking_part.push(record);
            }
        }
        let source = news_url(self.cell("SOURCEURL"));
        let mut citations = vec![CitationRecord { source: GDELT.key.into(), excerpt: None }];
        if let Some(source) = &source {
            citations.push(CitationRecord { source: source.key.clone(), excerpt: None });
        }
        let place = location.as_ref().and_then(|l| l.place.clone());
        let title = match &place {
            Some(place) => format!("{description} in {place}"),
            None => format!("{description} ({id})"),
        };
        let mut tags = vec![format!("cameo={code}")];
        for (tag, column) in [
            ("quad_class", "QuadClass"),
            ("goldstein", "GoldsteinScale"),
            ("num_mentions", "NumMentions"),
            ("avg_tone", "AvgTone"),
            ("adm1", "ActionGeo_ADM1Code"),
        ] {
            let value = self.cell(column);
            if !value.is_empty() {
                tags.push(format!("{tag}={value}"));
            }
        }
        let event = EventRecord {
            key: format!("gdelt-{id}"),
            parent: None,
            title,
            summary: None,
            event_type: *event_type,
            sub_type: Some(*sub_type),
            start_date: date,
            end_date: None,
            date_precision: DatePrecision::Day,
            location,
            participants,
            citations,
            disorder_type: None,
            civilian_targeting: None,
            source_scale: None,
            tags,
            low_confidence: true,
        };
        Parsed::Event { id, event: Box::new(event), taking_part, source }
    }

    fn id(&mut self) -> Option<String> {
        let id = self.cell("GLOBALEVENTID");
        if id.parse::<u64>().is_ok() {
            return Some(id.to_owned());
        }
        let message = format!("{id:?} is not a GDELT event id");
        self.fail(Rule::InvalidNumber, "GLOBALEVENTID", message);
        None
    }

    fn date(&mut self) -> Option<NaiveDate> {
        let date = self.cell("SQLDATE");
        match NaiveDate::parse_from_str(date, "%Y%m%d") {
            Ok(date) => Some(date),
            Err(_) => {
                let message = format!("{date:?} is not a date like 20220105");
                self.fail(Rule::InvalidDate, "SQLDATE", message);
                None
            }
        }
    }

    /// A statement-like row: what Actor1 said, about Actor2 when there is one. GDELT keeps no
    /// words, so the text is CAMEO's description of the act, paraphrased.
    fn statement(&mut self, description: &str, kind: StatementKind) -> Parsed {
        let (id, date) = (self.id(), self.date());
        let (Some(id), Some(date)) = (id, date) else { return Parsed::Invalid };
        // Nobody to have said it: nothing to record.
        let Some(speaker) = self.actor("Actor1") else { return Parsed::Skipped };
        let about = self.actor("Actor2");
        let text = match &about {
            Some(about) => format!("{description}: {}", about.name),
            None => description.to_owned(),
        };
        let role = if kind == StatementKind::Accusation {
            MentionRole::Blamed
        } else {
            MentionRole::Mentioned
        };
        let source = news_url(self.cell("SOURCEURL"));
        let mut citations = vec![CitationRecord { source: GDELT.key.into(), excerpt: None }];
        citations
            .extend(source.iter().map(|s| CitationRecord { source: s.key.clone(), excerpt: None }));
        let statement = StatementRecord {
            key: format!("gdelt-{id}"),
            speaker: speaker.key.clone(),
            text,
            mode: StatementMode::Paraphrase,
            kind,
            stated_on: Some(date),
            date_precision: Some(DatePrecision::Day),
            event: None,
            mentions: about.iter().map(|a| MentionRecord { actor: a.key.clone(), role }).collect(),
            citations,
            low_confidence: true,
        };
        let taking_part = std::iter::once(speaker).chain(about).collect();
        Parsed::Statement { id, statement: Box::new(statement), taking_part, source }
    }

    /// Where the action took place; `Some(None)` when GDELT could not place it.
    fn location(&mut self) -> Option<Option<LocationRecord>> {
        let precision = match self.cell("ActionGeo_Type") {
            "" | "0" => return Some(None),
            "1" => GeoPrecision::Country,
            // A US state, or a first-order division elsewhere.
            "2" | "5" => GeoPrecision::Region,
            // A US city, or a city elsewhere.
            "3" | "4" => GeoPrecision::City,
            other => {
                let message = format!("{other:?} is not a GDELT geographic type (0-5)");
                self.fail(Rule::UnknownCode, "ActionGeo_Type", message);
                return None;
            }
        };
        let fips = self.cell("ActionGeo_CountryCode");
        let country = match FIPS.get(fips) {
            Some(Some(iso)) => iso.clone(),
            Some(None) => {
                let message = format!("{fips:?} is a FIPS 10-4 code with no ISO 3166-1 country");
                self.fail(Rule::UnknownCode, "ActionGeo_CountryCode", message);
                return None;
            }
            None => {
                let message = format!("{fips:?} is not a FIPS 10-4 country code");
                self.fail(Rule::UnknownCode, "ActionGeo_CountryCode", message);
                return None;
            }
        };
        let coordinate = |value: &str| value.parse::<f64>().ok().filter(|n| n.is_finite());
        Some(Some(LocationRecord {
            country_code: country,
            admin1: None,
            admin2: None,
            admin3: None,
            place: non_empty(self.cell("ActionGeo_FullName")),
            latitude: coordinate(self.cell("ActionGeo_Lat")),
            longitude: coordinate(self.cell("ActionGeo_Long")),
            precision,
        }))
    }

    /// An actor of the row (`Actor1`, `Actor2`): one per distinct name and code.
    fn actor(&self, which: &str) -> Option<ActorRecord> {
        let name = self.cell(&format!("{which}Name"));
        let code = self.cell(&format!("{which}Code"));
        let name = if name.is_empty() { code } else { name };
        if name.is_empty() {
            return None;
        }
        let country = self.cell(&format!("{which}CountryCode"));
        let kind = match self.cell(&format!("{which}Type1Code")) {
            "GOV" | "LEG" | "JUD" => ActorKind::GovernmentBody,
            "MIL" | "COP" | "SPY" => ActorKind::SecurityForce,
            "REB" | "INS" | "SEP" | "UAF" => ActorKind::ArmedGroup,
            "OPP" | "PTY" | "ACT" | "LAB" | "NGO" | "NGM" => ActorKind::PoliticalGroup,
            "CVL" | "REF" => ActorKind::Civilians,
            "MED" => ActorKind::Media,
            "EDU" => ActorKind::AcademicInstitution,
            "IGO" => ActorKind::InternationalOrganization,
            // A bare country code ("KAZ") names the state itself.
            "" if !code.is_empty() && code == country => ActorKind::State,
            _ => ActorKind::Unidentified,
        };
        Some(ActorRecord {
            key: key_for("gdelt-actor", &format!("{name}\t{code}")),
            kind,
            name: name.to_owned(),
            aliases: if code.is_empty() || code == name {
                Vec::new()
            } else {
                vec![code.to_owned()]
            },
            country_code: isocountry::CountryCode::for_alpha3(country)
                .ok()
                .map(|c| c.alpha2().to_owned()),
            description: None,
            wikidata_id: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cameo_codes_fall_back_to_their_base_and_root() {
        assert!(matches!(cameo("145").unwrap().1, Becomes::Event(EventType::Riots, _)));
        assert!(matches!(
            cameo("1951").unwrap().1,
            Becomes::Event(EventType::ExplosionsRemoteViolence, EventSubType::AirDroneStrike)
        ));
        assert!(matches!(cameo("173").unwrap().1, Becomes::Event(_, EventSubType::Arrests)));
        assert!(matches!(cameo("0231").unwrap().1, Becomes::Statement(_)));
        assert!(matches!(cameo("112").unwrap().1, Becomes::Statement(StatementKind::Accusation)));
        assert!(matches!(cameo("13").unwrap().1, Becomes::Statement(StatementKind::Warning)));
        assert!(matches!(cameo("042").unwrap().1, Becomes::Skip));
        // Every event row names a sub-type of its type.
        for (code, (_, becomes)) in CAMEO.iter() {
            if let Becomes::Event(event_type, sub_type) = becomes {
                assert_eq!(sub_type.event_type(), *event_type, "CAMEO {code}");
            }
        }
    }

    #[test]
    fn fips_codes_map_to_known_iso_codes() {
        assert_eq!(FIPS["KZ"].as_deref(), Some("KZ"));
        assert_eq!(FIPS["RS"].as_deref(), Some("RU"));
        assert_eq!(FIPS["UP"].as_deref(), Some("UA"));
        for (fips, iso) in FIPS.iter() {
            if let Some(iso) = iso.as_deref().filter(|iso| *iso != "XK") {
                assert!(isocountry::CountryCode::for_alpha2(iso).is_ok(), "{fips}: {iso}");
            }
        }
    }
}
