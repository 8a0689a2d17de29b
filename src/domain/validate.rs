//! Every rule a dataset must follow, checked at once so a person fixing a file sees every
//! problem in one run. The database enforces most of these again with constraints; checking
//! here first gives messages that name the record and field instead of a constraint.

use super::records::*;
use crate::error::{AppError, Rule, Violation};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// Checks the whole dataset.
///
/// # Errors
/// `VALIDATION` listing every violation, each with its record and field path.
pub fn validate(dataset: &Dataset) -> Result<(), AppError> {
    let mut check = Checker::default();
    if dataset.format != FORMAT {
        check.fail(
            Rule::InvalidFormat,
            "format",
            format!("must be {FORMAT:?}, found {:?}", dataset.format),
        );
    }
    let known = Known {
        sources: check.keys("sources", dataset.sources.iter().map(|r| r.key.as_str())),
        actors: check.keys("actors", dataset.actors.iter().map(|r| r.key.as_str())),
        events: check.keys("events", dataset.events.iter().map(|r| r.key.as_str())),
    };
    check.keys("affiliations", dataset.affiliations.iter().map(|r| r.key.as_str()));
    check.keys("statements", dataset.statements.iter().map(|r| r.key.as_str()));
    check.keys("casualtyReports", dataset.casualty_reports.iter().map(|r| r.key.as_str()));
    let refs = Some(&known);

    for (i, source) in dataset.sources.iter().enumerate() {
        check_source(&mut check, &record_path("sources", i, &source.key), source);
    }
    for (i, actor) in dataset.actors.iter().enumerate() {
        check_actor(&mut check, &record_path("actors", i, &actor.key), actor);
    }
    for (i, affiliation) in dataset.affiliations.iter().enumerate() {
        let at = record_path("affiliations", i, &affiliation.key);
        check_affiliation(&mut check, &at, affiliation, refs);
    }
    let parents: HashMap<&str, Option<&str>> =
        dataset.events.iter().map(|e| (e.key.as_str(), e.parent.as_deref())).collect();
    for (i, event) in dataset.events.iter().enumerate() {
        let at = record_path("events", i, &event.key);
        check_event(&mut check, &at, event, refs);
        if event.parent.is_some() && has_cycle(&event.key, &parents) {
            check.fail(
                Rule::Cycle,
                format!("{at}.parent"),
                "parents form a cycle: an event cannot be its own ancestor",
            );
        }
    }
    for (i, statement) in dataset.statements.iter().enumerate() {
        let at = record_path("statements", i, &statement.key);
        check_statement(&mut check, &at, statement, refs);
    }
    for (i, report) in dataset.casualty_reports.iter().enumerate() {
        let at = record_path("casualtyReports", i, &report.key);
        check_casualty_report(&mut check, &at, report, refs);
    }
    check.finish()
}

/// The keys a dataset defines, for checking its references. Mutations resolve their
/// references before the record rules run, and pass `None`.
pub(crate) struct Known<'a> {
    sources: HashSet<&'a str>,
    actors: HashSet<&'a str>,
    events: HashSet<&'a str>,
}

/// The rules of one source.
pub(crate) fn check_source(check: &mut Checker, at: &str, source: &SourceRecord) {
    check.not_blank(at, "publisher", &source.publisher);
    check.url(at, "url", source.url.as_deref());
    check.url(at, "archiveUrl", source.archive_url.as_deref());
    check.date(at, "publishedOn", source.published_on);
}

/// The rules of one actor.
pub(crate) fn check_actor(check: &mut Checker, at: &str, actor: &ActorRecord) {
    check.not_blank(at, "name", &actor.name);
    check.country(at, "countryCode", actor.country_code.as_deref());
    if let Some(id) = &actor.wikidata_id {
        let digits = id.strip_prefix('Q').unwrap_or_default();
        if digits.is_empty()
            || !digits.chars().all(|c| c.is_ascii_digit())
            || digits.starts_with('0')
        {
            check.fail(
                Rule::InvalidWikidataId,
                format!("{at}.wikidataId"),
                format!("{id:?} is not a Wikidata item id such as \"Q232\""),
            );
        }
    }
    let mut seen = HashSet::new();
    for (j, alias) in actor.aliases.iter().enumerate() {
        check.not_blank(at, &format!("aliases[{j}]"), alias);
        if !seen.insert(alias.as_str()) {
            check.fail(
                Rule::Duplicate,
                format!("{at}.aliases[{j}]"),
                format!("alias {alias:?} is listed twice"),
            );
        }
    }
}

/// The rules of one affiliation.
pub(crate) fn check_affiliation(
    check: &mut Checker,
    at: &str,
    affiliation: &AffiliationRecord,
    refs: Option<&Known>,
) {
    if let Some(known) = refs {
        check.reference(at, "actor", &affiliation.actor, &known.actors);
        check.reference(at, "organization", &affiliation.organization, &known.actors);
        check.citations(at, &affiliation.citations, &known.sources);
    }
    if affiliation.actor == affiliation.organization {
        check.fail(
            Rule::SelfReference,
            format!("{at}.organization"),
            "an actor cannot be affiliated with itself",
        );
    }
    check.not_blank(at, "role", &affiliation.role);
    check.date(at, "from", affiliation.from);
    check.date(at, "to", affiliation.to);
    check.date_order(at, "to", affiliation.from, affiliation.to);
    check.cited(at, &affiliation.citations);
}

/// The rules of one event, but for parent cycles, which need every event.
pub(crate) fn check_event(
    check: &mut Checker,
    at: &str,
    event: &EventRecord,
    refs: Option<&Known>,
) {
    check.not_blank(at, "title", &event.title);
    if let Some(known) = refs {
        if let Some(parent) = &event.parent {
            check.reference(at, "parent", parent, &known.events);
        }
        for (j, participant) in event.participants.iter().enumerate() {
            check.reference(
                at,
                &format!("participants[{j}].actor"),
                &participant.actor,
                &known.actors,
            );
        }
        check.citations(at, &event.citations, &known.sources);
    }
    if let Some(sub_type) = event.sub_type {
        if sub_type.event_type() != event.event_type {
            check.fail(
                Rule::TypeMismatch,
                format!("{at}.subType"),
                format!(
                    "{} belongs to {}, not {}",
                    sub_type.as_str(),
                    sub_type.event_type().as_str(),
                    event.event_type.as_str()
                ),
            );
        }
    }
    check.date(at, "startDate", Some(event.start_date));
    check.date(at, "endDate", event.end_date);
    check.date_order(at, "endDate", Some(event.start_date), event.end_date);
    if let Some(location) = &event.location {
        let at = format!("{at}.location");
        check.country(&at, "countryCode", Some(&location.country_code));
        match (location.latitude, location.longitude) {
            (Some(lat), Some(lon)) => {
                if !(-90.0..=90.0).contains(&lat) {
                    check.fail(
                        Rule::OutOfRange,
                        format!("{at}.latitude"),
                        format!("{lat} is outside -90..90"),
                    );
                }
                if !(-180.0..=180.0).contains(&lon) {
                    check.fail(
                        Rule::OutOfRange,
                        format!("{at}.longitude"),
                        format!("{lon} is outside -180..180"),
                    );
                }
            }
            (None, None) => {}
            _ => check.fail(
                Rule::Incomplete,
                format!("{at}.latitude"),
                "give both latitude and longitude, or neither",
            ),
        }
    }
    let mut seen = HashSet::new();
    for (j, participant) in event.participants.iter().enumerate() {
        if !seen.insert((participant.actor.as_str(), participant.role)) {
            check.fail(
                Rule::Duplicate,
                format!("{at}.participants[{j}]"),
                "the same actor is listed twice in the same role",
            );
        }
    }
    check.cited(at, &event.citations);
}

/// The rules of one statement.
pub(crate) fn check_statement(
    check: &mut Checker,
    at: &str,
    statement: &StatementRecord,
    refs: Option<&Known>,
) {
    if let Some(known) = refs {
        check.reference(at, "speaker", &statement.speaker, &known.actors);
        if let Some(event) = &statement.event {
            check.reference(at, "event", event, &known.events);
        }
        for (j, mention) in statement.mentions.iter().enumerate() {
            check.reference(at, &format!("mentions[{j}].actor"), &mention.actor, &known.actors);
        }
        check.citations(at, &statement.citations, &known.sources);
    }
    check.not_blank(at, "text", &statement.text);
    check.date(at, "statedOn", statement.stated_on);
    if statement.stated_on.is_some() != statement.date_precision.is_some() {
        check.fail(
            Rule::Incomplete,
            format!("{at}.datePrecision"),
            "give statedOn and datePrecision together, or neither",
        );
    }
    let mut seen = HashSet::new();
    for (j, mention) in statement.mentions.iter().enumerate() {
        if !seen.insert(mention.actor.as_str()) {
            check.fail(
                Rule::Duplicate,
                format!("{at}.mentions[{j}]"),
                "the same actor is mentioned twice",
            );
        }
    }
    check.cited(at, &statement.citations);
}

/// The rules of one casualty report.
pub(crate) fn check_casualty_report(
    check: &mut Checker,
    at: &str,
    report: &CasualtyReportRecord,
    refs: Option<&Known>,
) {
    if let Some(known) = refs {
        check.reference(at, "event", &report.event, &known.events);
        if let Some(claimant) = &report.claimed_by {
            check.reference(at, "claimedBy", claimant, &known.actors);
        }
        check.citations(at, &report.citations, &known.sources);
    }
    check.date(at, "asOf", report.as_of);
    if !(0..=i64::from(i32::MAX)).contains(&report.low) {
        check.fail(
            Rule::OutOfRange,
            format!("{at}.low"),
            format!("{} is not a count between 0 and {}", report.low, i32::MAX),
        );
    }
    if let Some(high) = report.high {
        if high < report.low || high > i64::from(i32::MAX) {
            check.fail(
                Rule::OutOfRange,
                format!("{at}.high"),
                format!("{high} must be at least low ({}) and at most {}", report.low, i32::MAX),
            );
        }
    }
    if let Some(best) = report.best {
        if best < report.low || report.high.is_some_and(|high| best > high) {
            check.fail(
                Rule::OutOfRange,
                format!("{at}.best"),
                format!("{best} must lie between low ({}) and high", report.low),
            );
        }
    }
    for (i, part) in report.breakdown.iter().enumerate() {
        check.not_blank(at, &format!("breakdown[{i}].group"), &part.group);
        if !(0..=i64::from(i32::MAX)).contains(&part.count) {
            check.fail(
                Rule::OutOfRange,
                format!("{at}.breakdown[{i}].count"),
                format!("{} is not a count", part.count),
            );
        }
    }
    check.cited(at, &report.citations);
}

fn record_path(collection: &str, index: usize, key: &str) -> String {
    format!("{collection}[{index}] (key {key:?})")
}

fn has_cycle(start: &str, parents: &HashMap<&str, Option<&str>>) -> bool {
    let mut seen = HashSet::from([start]);
    let mut current = start;
    while let Some(Some(parent)) = parents.get(current) {
        if !seen.insert(parent) {
            return true;
        }
        current = parent;
    }
    false
}

/// Collects every violation of a dataset or a record, so that all are reported at once.
#[derive(Default)]
pub struct Checker {
    violations: Vec<Violation>,
}

impl Checker {
    /// Records a violation of rule `code`.
    pub(crate) fn fail(&mut self, code: Rule, path: impl Into<String>, message: impl Into<String>) {
        self.violations.push(Violation::new(code, path, message));
    }

    /// Every violation found.
    pub(crate) fn into_violations(self) -> Vec<Violation> {
        self.violations
    }

    /// Nothing found, or every violation found.
    pub(crate) fn finish(self) -> Result<(), AppError> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.violations))
        }
    }

    /// Checks one key is well-formed.
    pub(crate) fn key(&mut self, path: impl Into<String>, key: &str) -> bool {
        let well_formed = !key.is_empty()
            && key.len() <= 200
            && key.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !well_formed {
            self.fail(
                Rule::InvalidKey,
                path,
                format!("{key:?} is not a key: use lower-case letters, digits and '-'"),
            );
        }
        well_formed
    }

    /// Checks keys are well-formed and unique; returns them for reference checks.
    fn keys<'a>(
        &mut self,
        collection: &str,
        keys: impl Iterator<Item = &'a str>,
    ) -> HashSet<&'a str> {
        let mut seen = HashSet::new();
        for (i, key) in keys.enumerate() {
            self.key(format!("{collection}[{i}].key"), key);
            if !seen.insert(key) {
                self.fail(
                    Rule::Duplicate,
                    format!("{collection}[{i}].key"),
                    format!("key {key:?} is used twice"),
                );
            }
        }
        seen
    }

    fn reference(&mut self, at: &str, field: &str, key: &str, known: &HashSet<&str>) {
        if !known.contains(key) {
            self.fail(
                Rule::UnknownReference,
                format!("{at}.{field}"),
                format!("no record has the key {key:?}"),
            );
        }
    }

    pub(crate) fn not_blank(&mut self, at: &str, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.fail(Rule::Blank, format!("{at}.{field}"), "must not be empty");
        }
    }

    fn country(&mut self, at: &str, field: &str, code: Option<&str>) {
        if let Some(code) = code {
            if code.len() != 2 || isocountry::CountryCode::for_alpha2(code).is_err() {
                self.fail(
                    Rule::InvalidCountry,
                    format!("{at}.{field}"),
                    format!("{code:?} is not an ISO 3166-1 alpha-2 country code such as \"KZ\""),
                );
            }
        }
    }

    fn url(&mut self, at: &str, field: &str, value: Option<&str>) {
        if let Some(value) = value {
            match url::Url::parse(value) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {}
                _ => self.fail(
                    Rule::InvalidUrl,
                    format!("{at}.{field}"),
                    format!("{value:?} is not an http(s) URL"),
                ),
            }
        }
    }

    /// A date outside the years Annals holds ([`crate::domain::dates`]).
    fn date(&mut self, at: &str, field: &str, date: Option<NaiveDate>) {
        if let Some(date) = date.filter(|date| !crate::domain::dates::in_range(*date)) {
            self.fail(
                Rule::OutOfRange,
                format!("{at}.{field}"),
                format!("{date} is outside the years 0001 to 9999"),
            );
        }
    }

    fn date_order(
        &mut self,
        at: &str,
        field: &str,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) {
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                self.fail(
                    Rule::DateOrder,
                    format!("{at}.{field}"),
                    format!("{to} is before {from}"),
                );
            }
        }
    }

    fn citations(&mut self, at: &str, citations: &[CitationRecord], sources: &HashSet<&str>) {
        for (j, citation) in citations.iter().enumerate() {
            self.reference(at, &format!("citations[{j}].source"), &citation.source, sources);
        }
    }

    fn cited(&mut self, at: &str, citations: &[CitationRecord]) {
        if citations.is_empty() {
            self.fail(Rule::NotCited, format!("{at}.citations"), "cite at least one source");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{parse, BUNDLED};
    use crate::domain::*;

    fn bundled() -> Dataset {
        parse(BUNDLED).unwrap()
    }

    fn violations(dataset: &Dataset) -> Vec<Violation> {
        match validate(dataset) {
            Err(AppError::Validation(v)) => v,
            other => panic!("expected violations, got {other:?}"),
        }
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let mut dataset = bundled();
        dataset.casualty_reports[0].high = Some(dataset.casualty_reports[0].low - 1);
        dataset.events[1].location = Some(LocationRecord {
            country_code: "XX".into(),
            admin1: None,
            admin2: None,
            admin3: None,
            place: None,
            latitude: Some(95.0),
            longitude: Some(10.0),
            precision: GeoPrecision::City,
        });
        dataset.statements[0].speaker = "nobody".into();
        let found = violations(&dataset);
        let paths: Vec<_> = found.iter().map(|v| v.path.as_str()).collect();
        assert!(
            paths.iter().any(|p| p.starts_with("casualtyReports[0]") && p.ends_with(".high")),
            "{paths:?}"
        );
        assert!(paths.iter().any(|p| p.ends_with(".location.countryCode")), "{paths:?}");
        assert!(paths.iter().any(|p| p.ends_with(".location.latitude")), "{paths:?}");
        assert!(
            paths.iter().any(|p| p.starts_with("statements[0]") && p.ends_with(".speaker")),
            "{paths:?}"
        );
    }

    #[test]
    fn sub_types_must_belong_to_their_type() {
        let mut dataset = bundled();
        dataset.events[0].event_type = EventType::Battles;
        dataset.events[0].sub_type = Some(EventSubType::PeacefulProtest);
        assert!(violations(&dataset).iter().any(|v| v.path.ends_with(".subType")));
    }

    #[test]
    fn parent_cycles_are_refused() {
        let mut dataset = bundled();
        let first = dataset.events[0].key.clone();
        let second = dataset.events[1].key.clone();
        dataset.events[0].parent = Some(second);
        dataset.events[1].parent = Some(first);
        assert!(violations(&dataset).iter().any(|v| v.message.contains("cycle")));
    }
}
