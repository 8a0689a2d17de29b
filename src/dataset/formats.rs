//! The flat export formats: CSV (Annals' columns, or ACLED's), GeoJSON and NDJSON, written a
//! page of events at a time by [`EventExport`], whichever transport carries the chunks (a
//! file, standard output, an HTTP response).
//!
//! Every format says the same about an event: [`properties`] names its flat fields once, and
//! the GeoJSON feature, the NDJSON line and the Annals CSV row are made of them.

use super::acled_export;
use super::flat::{ExportedEvent, Walk};
use crate::domain::{CasualtyCategory, NodeType};
use crate::error::AppError;
use crate::service::event::EventFilter;
use sea_orm::DatabaseConnection;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// The formats events are exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventsFormat {
    /// Comma-separated values with a header row, in the given column set.
    Csv(CsvFlavor),
    /// An RFC 7946 FeatureCollection.
    GeoJson,
    /// One GeoJSON Feature per line.
    NdJson,
}

/// Which columns a CSV export has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CsvFlavor {
    /// Annals' flat columns: the GeoJSON properties, then latitude and longitude.
    #[default]
    Annals,
    /// ACLED's current export columns, which its importer reads back.
    Acled,
}

impl EventsFormat {
    /// The media type of the whole export.
    pub fn content_type(self) -> &'static str {
        match self {
            EventsFormat::Csv(_) => "text/csv; charset=utf-8",
            EventsFormat::GeoJson => "application/geo+json",
            EventsFormat::NdJson => "application/x-ndjson",
        }
    }

    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            EventsFormat::Csv(_) => "csv",
            EventsFormat::GeoJson => "geojson",
            EventsFormat::NdJson => "ndjson",
        }
    }
}

/// How many flat fields an event has.
const COLUMNS: usize = 43;

/// The flat fields of every event, in their order: the GeoJSON properties and the first
/// columns of the Annals CSV. The figures are the reconciled ones (`Event.figures`): for each
/// category the best estimate, the bounds and whether the upper bound is open ("more than");
/// the killed figure (`fatalities`, as ACLED and UCDP name it) also says which rule gave it.
pub const PROPERTIES: [&str; COLUMNS] = [
    "key",
    "title",
    "summary",
    "type",
    "sub_type",
    "start_date",
    "end_date",
    "date_precision",
    "country_code",
    "admin1",
    "admin2",
    "admin3",
    "place",
    "geo_precision",
    "disorder_type",
    "civilian_targeting",
    "source_scale",
    "tags",
    "actors",
    "fatalities",
    "fatalities_low",
    "fatalities_high",
    "fatalities_high_open",
    "fatalities_rule",
    "injured",
    "injured_low",
    "injured_high",
    "injured_high_open",
    "detained",
    "detained_low",
    "detained_high",
    "detained_high_open",
    "missing",
    "missing_low",
    "missing_high",
    "missing_high_open",
    "displaced",
    "displaced_low",
    "displaced_high",
    "displaced_high_open",
    "sources",
    "low_confidence",
    "global_id",
];

/// The values of [`PROPERTIES`] for `event`: strings, numbers, booleans and nulls only, so
/// that GIS tools read them as attribute columns. Lists are joined with `;`.
fn properties(event: &ExportedEvent) -> [Value; COLUMNS] {
    let e = &event.row;
    let text = |value: &Option<String>| value.clone().map_or(Value::Null, Value::String);
    let date = |value: Option<chrono::NaiveDate>| {
        value.map_or(Value::Null, |d| Value::String(d.format("%Y-%m-%d").to_string()))
    };
    let mut actors: Vec<&str> = Vec::new();
    for participant in &event.participants {
        if !actors.contains(&participant.name.as_str()) {
            actors.push(&participant.name);
        }
    }
    let publishers: Vec<&str> = event.sources.iter().map(|s| s.publisher.as_str()).collect();
    let [killed, injured, detained, missing, displaced] = [
        CasualtyCategory::Killed,
        CasualtyCategory::Injured,
        CasualtyCategory::Detained,
        CasualtyCategory::Missing,
        CasualtyCategory::Displaced,
    ]
    .map(|category| figure(event, category));
    let rule = event
        .figures
        .iter()
        .find(|(category, _)| *category == CasualtyCategory::Killed)
        .map_or(Value::Null, |(_, figure)| Value::String(figure.rule.as_str().to_owned()));
    let [k0, k1, k2, k3] = killed;
    let [i0, i1, i2, i3] = injured;
    let [d0, d1, d2, d3] = detained;
    let [m0, m1, m2, m3] = missing;
    let [p0, p1, p2, p3] = displaced;
    [
        Value::String(e.key.clone()),
        Value::String(e.title.clone()),
        text(&e.summary),
        Value::String(event.event_type.as_str().to_owned()),
        event.sub_type.map_or(Value::Null, |t| Value::String(t.as_str().to_owned())),
        date(Some(e.start_date)),
        date(e.end_date),
        Value::String(event.date_precision.as_str().to_owned()),
        text(&e.country_code),
        text(&e.admin1),
        text(&e.admin2),
        text(&e.admin3),
        text(&e.place),
        event.geo_precision.map_or(Value::Null, |p| Value::String(p.as_str().to_owned())),
        text(&e.disorder_type),
        e.civilian_targeting.map_or(Value::Null, Value::Bool),
        text(&e.source_scale),
        joined(event.tags.iter().map(String::as_str)),
        joined(actors.into_iter()),
        k0,
        k1,
        k2,
        k3,
        rule,
        i0,
        i1,
        i2,
        i3,
        d0,
        d1,
        d2,
        d3,
        m0,
        m1,
        m2,
        m3,
        p0,
        p1,
        p2,
        p3,
        joined(dedup(publishers).into_iter()),
        Value::Bool(e.low_confidence),
        Value::String(NodeType::Event.global_id(e.id.into())),
    ]
}

/// An event's reconciled figure for `category` as best, low, high and whether high is open;
/// nulls when no report counts it (unknown, not zero).
fn figure(event: &ExportedEvent, category: CasualtyCategory) -> [Value; 4] {
    let found = event.figures.iter().find(|(c, _)| *c == category).map(|(_, figure)| figure);
    let Some(figure) = found.filter(|figure| figure.best.is_some()) else {
        return [Value::Null, Value::Null, Value::Null, Value::Null];
    };
    let number = |n: Option<i64>| n.map_or(Value::Null, Value::from);
    [number(figure.best), number(figure.low), number(figure.high), Value::Bool(figure.high_open)]
}

/// `;`-joined, or null for none.
fn joined<'a>(mut items: impl Iterator<Item = &'a str>) -> Value {
    let Some(first) = items.next() else { return Value::Null };
    let mut text = first.to_owned();
    for item in items {
        text.push(';');
        text.push_str(item);
    }
    Value::String(text)
}

/// Each value once, in its first place: two articles by one publisher name it once.
fn dedup(items: Vec<&str>) -> Vec<&str> {
    let mut seen = Vec::with_capacity(items.len());
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen
}

/// The event's point, longitude first (RFC 7946 §3.1.1), when it has both coordinates.
fn point(event: &ExportedEvent) -> Option<[f64; 2]> {
    match (event.row.longitude, event.row.latitude) {
        (Some(lon), Some(lat)) if lon.is_finite() && lat.is_finite() => Some([lon, lat]),
        _ => None,
    }
}

/// An event as a GeoJSON Feature.
struct Feature<'a> {
    event: &'a ExportedEvent,
}

impl Serialize for Feature<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Point {
            #[serde(rename = "type")]
            kind: &'static str,
            coordinates: [f64; 2],
        }
        /// The properties in [`PROPERTIES`]' order, which a map would not keep.
        struct Properties([Value; COLUMNS]);
        impl Serialize for Properties {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(PROPERTIES.len()))?;
                for (name, value) in PROPERTIES.iter().zip(&self.0) {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("type", "Feature")?;
        map.serialize_entry("id", &self.event.row.key)?;
        map.serialize_entry(
            "geometry",
            &point(self.event).map(|coordinates| Point { kind: "Point", coordinates }),
        )?;
        map.serialize_entry("properties", &Properties(properties(self.event)))?;
        map.end()
    }
}

/// The text of a flat value in a CSV cell: nothing for null.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Writes the events of one format: its opening, each event, its end.
struct Encoder {
    format: EventsFormat,
    written: u64,
}

impl Encoder {
    fn start(&self, out: &mut Vec<u8>) -> Result<(), AppError> {
        match self.format {
            EventsFormat::Csv(CsvFlavor::Annals) => {
                let header = PROPERTIES.iter().chain(&["latitude", "longitude"]);
                csv_rows(out, std::iter::once(header))
            }
            EventsFormat::Csv(CsvFlavor::Acled) => {
                csv_rows(out, std::iter::once(acled_export::COLUMNS.iter()))
            }
            EventsFormat::GeoJson => {
                out.extend_from_slice(b"{\"type\":\"FeatureCollection\",\"features\":[");
                Ok(())
            }
            EventsFormat::NdJson => Ok(()),
        }
    }

    fn events(&mut self, events: &[ExportedEvent], out: &mut Vec<u8>) -> Result<(), AppError> {
        match self.format {
            EventsFormat::Csv(CsvFlavor::Annals) => csv_rows(
                out,
                events.iter().map(|event| {
                    let coordinate = |c: Option<f64>| c.map_or(Value::Null, Value::from);
                    properties(event)
                        .into_iter()
                        .chain([coordinate(event.row.latitude), coordinate(event.row.longitude)])
                        .map(|value| cell(&value))
                }),
            )?,
            EventsFormat::Csv(CsvFlavor::Acled) => {
                csv_rows(out, events.iter().map(acled_export::row))?
            }
            EventsFormat::GeoJson => {
                for (i, event) in events.iter().enumerate() {
                    out.extend_from_slice(if self.written + i as u64 == 0 {
                        b"\n"
                    } else {
                        b",\n"
                    });
                    serde_json::to_writer(&mut *out, &Feature { event })?;
                }
            }
            EventsFormat::NdJson => {
                for event in events {
                    serde_json::to_writer(&mut *out, &Feature { event })?;
                    out.push(b'\n');
                }
            }
        }
        self.written += events.len() as u64;
        Ok(())
    }

    fn finish(&self, out: &mut Vec<u8>) {
        if self.format == EventsFormat::GeoJson {
            out.extend_from_slice(b"\n]}\n");
        }
    }
}

/// Appends `rows` to `out` as CSV records.
fn csv_rows<R, F>(out: &mut Vec<u8>, rows: impl Iterator<Item = R>) -> Result<(), AppError>
where
    R: IntoIterator<Item = F>,
    F: AsRef<[u8]>,
{
    let mut writer = csv::WriterBuilder::new().from_writer(out);
    for row in rows {
        writer.write_record(row).map_err(|err| AppError::Internal(err.into()))?;
    }
    writer.flush().map_err(|err| AppError::Internal(err.into()))?;
    Ok(())
}

/// An export under way: the file's bytes, a page of events at a time. Reading the next chunk
/// reads the next page, never before: a consumer that stops asking (a client that went away)
/// stops the export.
pub struct EventExport {
    walk: Walk,
    encoder: Encoder,
    state: State,
}

/// Where an export stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing written yet.
    Starting,
    /// The opening written, events being written.
    Writing,
    /// The whole file given.
    Finished,
    /// Stopped by an error.
    Failed,
}

impl EventExport {
    /// The events matching `filter`, in `format`, in id order.
    pub fn new(db: DatabaseConnection, filter: EventFilter, format: EventsFormat) -> Self {
        EventExport {
            walk: Walk::new(db, filter),
            encoder: Encoder { format, written: 0 },
            state: State::Starting,
        }
    }

    /// The same export, reading `page_size` events at a time.
    pub fn with_page_size(mut self, page_size: u64) -> Self {
        self.walk = self.walk.with_page_size(page_size);
        self
    }

    /// The next part of the file: the first holds its opening, each holds one page of
    /// events, and the last holds its end; `None` once all was given.
    ///
    /// # Errors
    /// Database failures; the export cannot go on after one.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, AppError> {
        let result = self.write_next().await;
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    async fn write_next(&mut self) -> Result<Option<Vec<u8>>, AppError> {
        let mut out = Vec::new();
        match self.state {
            State::Finished | State::Failed => return Ok(None),
            State::Starting => {
                self.encoder.start(&mut out)?;
                self.state = State::Writing;
            }
            State::Writing => {}
        }
        if let Some(events) = self.walk.next_page().await? {
            self.encoder.events(&events, &mut out)?;
        }
        // The last page ends the file in the same chunk.
        if self.walk.is_done() {
            self.encoder.finish(&mut out);
            self.state = State::Finished;
        }
        Ok(Some(out))
    }

    /// How many events have been written so far.
    pub fn events_written(&self) -> u64 {
        self.encoder.written
    }

    /// Whether the whole file has been given.
    pub fn is_finished(&self) -> bool {
        self.state == State::Finished
    }
}
