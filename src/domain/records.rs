//! The records of Annals as people write them: the dataset file's shape, in which records
//! refer to each other by readable keys (`"speaker": "tokayev"`). Imports and mutations both
//! build these, and both check them with the rules of [`super::validate`].

use super::*;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The format marker every dataset file starts with.
pub const FORMAT: &str = "annals-dataset/1";

/// A whole dataset file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dataset {
    /// Always [`FORMAT`].
    pub format: String,
    /// The documents that report facts.
    #[serde(default)]
    pub sources: Vec<SourceRecord>,
    /// People, states, bodies and groups.
    #[serde(default)]
    pub actors: Vec<ActorRecord>,
    /// Dated memberships of actors in organizations.
    #[serde(default)]
    pub affiliations: Vec<AffiliationRecord>,
    /// Events, with their participants.
    #[serde(default)]
    pub events: Vec<EventRecord>,
    /// Statements, with their mentions.
    #[serde(default)]
    pub statements: Vec<StatementRecord>,
    /// Casualty figures as reported.
    #[serde(default)]
    pub casualty_reports: Vec<CasualtyReportRecord>,
}

/// A source document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceRecord {
    pub key: String,
    pub kind: SourceKind,
    pub publisher: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub published_on: Option<NaiveDate>,
    pub status: SourceStatus,
    #[serde(default)]
    pub archive_url: Option<String>,
}

/// An actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActorRecord {
    pub key: String,
    pub kind: ActorKind,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub country_code: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub wikidata_id: Option<String>,
}

/// A source citation with the excerpt that supports the claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CitationRecord {
    pub source: String,
    #[serde(default)]
    pub excerpt: Option<String>,
}

/// An actor's role in an organization over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AffiliationRecord {
    pub key: String,
    pub actor: String,
    pub organization: String,
    pub role: String,
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub to: Option<NaiveDate>,
    pub date_precision: DatePrecision,
    #[serde(default)]
    pub note: Option<String>,
    pub citations: Vec<CitationRecord>,
}

/// Where an event happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocationRecord {
    pub country_code: String,
    #[serde(default)]
    pub admin1: Option<String>,
    /// Second-level administrative region (district), as imported data gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin2: Option<String>,
    /// Third-level administrative region, as imported data gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin3: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    pub precision: GeoPrecision,
}

/// An actor's part in an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParticipantRecord {
    pub actor: String,
    pub role: ParticipantRole,
}

/// An event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventRecord {
    pub key: String,
    #[serde(default)]
    pub parent: Option<String>,
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(rename = "type")]
    pub event_type: EventType,
    #[serde(default)]
    pub sub_type: Option<EventSubType>,
    pub start_date: NaiveDate,
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    pub date_precision: DatePrecision,
    #[serde(default)]
    pub location: Option<LocationRecord>,
    #[serde(default)]
    pub participants: Vec<ParticipantRecord>,
    pub citations: Vec<CitationRecord>,
    /// ACLED's disorder type ("Political violence", "Demonstrations", …), as imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disorder_type: Option<String>,
    /// Whether ACLED codes the event as targeting civilians.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub civilian_targeting: Option<bool>,
    /// ACLED's source scale ("National", "Subnational-National", …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_scale: Option<String>,
    /// ACLED's tags, such as "crowd size=no report".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Machine-coded (GDELT) and not checked by a person since.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub low_confidence: bool,
}

/// An actor a statement refers to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MentionRecord {
    pub actor: String,
    pub role: MentionRole,
}

/// A statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatementRecord {
    pub key: String,
    pub speaker: String,
    pub text: String,
    pub mode: StatementMode,
    pub kind: StatementKind,
    #[serde(default)]
    pub stated_on: Option<NaiveDate>,
    #[serde(default)]
    pub date_precision: Option<DatePrecision>,
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub mentions: Vec<MentionRecord>,
    pub citations: Vec<CitationRecord>,
    /// Machine-coded (GDELT) and not checked by a person since.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub low_confidence: bool,
}

/// A casualty figure as one party reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CasualtyReportRecord {
    pub key: String,
    pub event: String,
    pub category: CasualtyCategory,
    #[serde(default)]
    pub affected_group: Option<String>,
    pub low: i64,
    #[serde(default)]
    pub high: Option<i64>,
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
    #[serde(default)]
    pub claimed_by: Option<String>,
    pub status: ReportStatus,
    /// Why the figure was retracted or disputed; left out of files when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    pub citations: Vec<CitationRecord>,
    /// The claimant's best estimate between `low` and `high` (UCDP's `best`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best: Option<i64>,
    /// The figure split by who was counted (UCDP's deaths on side A, side B, civilians and
    /// unknown), in the claimant's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breakdown: Vec<CountRecord>,
    /// Whether an editor marked this report as the one to trust among those that disagree:
    /// it gives the best figure of the event's reconciled figure. Left out of files when
    /// false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preferred: bool,
}

/// One part of a casualty figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountRecord {
    /// Who is counted: `side_a`, `civilians`, …
    pub group: String,
    /// How many.
    pub count: i64,
}
