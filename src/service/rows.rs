//! Records to table rows and back. Import and the mutations write records through these, and
//! export and the revision history read them back, so a record means the same thing however
//! it enters or leaves the database.

use super::citation::Cited;
use crate::domain::records::*;
use crate::domain::text::fold;
use crate::domain::*;
use crate::error::AppError;
use entity::*;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};

/// A source's row.
pub(crate) fn source_model(record: &SourceRecord) -> source::ActiveModel {
    source::ActiveModel {
        key: Set(record.key.clone()),
        kind: Set(record.kind.as_str().to_owned()),
        publisher: Set(record.publisher.clone()),
        title: Set(record.title.clone()),
        url: Set(record.url.clone()),
        published_on: Set(record.published_on),
        status: Set(record.status.as_str().to_owned()),
        archive_url: Set(record.archive_url.clone()),
        ..Default::default()
    }
}

/// A source's record.
pub(crate) fn source_record(row: source::Model) -> Result<SourceRecord, AppError> {
    Ok(SourceRecord {
        key: row.key,
        kind: SourceKind::from_db(&row.kind)?,
        publisher: row.publisher,
        title: row.title,
        url: row.url,
        published_on: row.published_on,
        status: SourceStatus::from_db(&row.status)?,
        archive_url: row.archive_url,
    })
}

/// An actor's row; its aliases are rows of their own.
pub(crate) fn actor_model(record: &ActorRecord) -> actor::ActiveModel {
    actor::ActiveModel {
        key: Set(record.key.clone()),
        kind: Set(record.kind.as_str().to_owned()),
        name: Set(record.name.clone()),
        name_folded: Set(fold(&record.name)),
        country_code: Set(record.country_code.clone()),
        description: Set(record.description.clone()),
        wikidata_id: Set(record.wikidata_id.clone()),
        ..Default::default()
    }
}

/// An actor's record.
pub(crate) fn actor_record(
    row: actor::Model,
    aliases: Vec<String>,
) -> Result<ActorRecord, AppError> {
    Ok(ActorRecord {
        aliases,
        key: row.key,
        kind: ActorKind::from_db(&row.kind)?,
        name: row.name,
        country_code: row.country_code,
        description: row.description,
        wikidata_id: row.wikidata_id,
    })
}

/// An alias row of actor `actor_id`.
pub(crate) fn alias_model(actor_id: i32, alias: &str) -> actor_alias::ActiveModel {
    actor_alias::ActiveModel {
        actor_id: Set(actor_id),
        alias: Set(alias.to_owned()),
        alias_folded: Set(fold(alias)),
        ..Default::default()
    }
}

/// An affiliation's row; its citations are rows of their own.
pub(crate) fn affiliation_model(
    record: &AffiliationRecord,
    actor_id: i32,
    organization_id: i32,
) -> affiliation::ActiveModel {
    affiliation::ActiveModel {
        key: Set(record.key.clone()),
        actor_id: Set(actor_id),
        organization_id: Set(organization_id),
        role: Set(record.role.clone()),
        from_date: Set(record.from),
        to_date: Set(record.to),
        date_precision: Set(record.date_precision.as_str().to_owned()),
        note: Set(record.note.clone()),
        ..Default::default()
    }
}

/// An affiliation's record, given its actors' keys and its citations.
pub(crate) fn affiliation_record(
    row: affiliation::Model,
    actor: String,
    organization: String,
    citations: Vec<CitationRecord>,
) -> Result<AffiliationRecord, AppError> {
    Ok(AffiliationRecord {
        actor,
        organization,
        citations,
        key: row.key,
        role: row.role,
        from: row.from_date,
        to: row.to_date,
        date_precision: DatePrecision::from_db(&row.date_precision)?,
        note: row.note,
    })
}

/// An event's row; participants and citations are rows of their own.
pub(crate) fn event_model(record: &EventRecord, parent_id: Option<i32>) -> event::ActiveModel {
    let location = record.location.as_ref();
    let point =
        location.and_then(|l| Some(crate::domain::geo::unit_vector(l.latitude?, l.longitude?)));
    event::ActiveModel {
        key: Set(record.key.clone()),
        parent_id: Set(parent_id),
        title: Set(record.title.clone()),
        summary: Set(record.summary.clone()),
        event_type: Set(record.event_type.as_str().to_owned()),
        sub_type: Set(record.sub_type.map(|s| s.as_str().to_owned())),
        start_date: Set(record.start_date),
        end_date: Set(record.end_date),
        date_precision: Set(record.date_precision.as_str().to_owned()),
        period_end: Set(record
            .date_precision
            .period_end(record.end_date.unwrap_or(record.start_date))),
        country_code: Set(location.map(|l| l.country_code.clone())),
        admin1: Set(location.and_then(|l| l.admin1.clone())),
        place: Set(location.and_then(|l| l.place.clone())),
        latitude: Set(location.and_then(|l| l.latitude)),
        longitude: Set(location.and_then(|l| l.longitude)),
        geo_precision: Set(location.map(|l| l.precision.as_str().to_owned())),
        admin2: Set(location.and_then(|l| l.admin2.clone())),
        admin3: Set(location.and_then(|l| l.admin3.clone())),
        disorder_type: Set(record.disorder_type.clone()),
        civilian_targeting: Set(record.civilian_targeting),
        source_scale: Set(record.source_scale.clone()),
        tags: Set(join_tags(&record.tags)),
        low_confidence: Set(record.low_confidence),
        geo_x: Set(point.map(|p| p[0])),
        geo_y: Set(point.map(|p| p[1])),
        geo_z: Set(point.map(|p| p[2])),
        ..Default::default()
    }
}

/// An event's record, given its parent's key, participants and citations.
pub(crate) fn event_record(
    row: event::Model,
    parent: Option<String>,
    participants: Vec<ParticipantRecord>,
    citations: Vec<CitationRecord>,
) -> Result<EventRecord, AppError> {
    let location = match (row.country_code, row.geo_precision) {
        (Some(country_code), Some(precision)) => Some(LocationRecord {
            country_code,
            admin1: row.admin1,
            admin2: row.admin2,
            admin3: row.admin3,
            place: row.place,
            latitude: row.latitude,
            longitude: row.longitude,
            precision: GeoPrecision::from_db(&precision)?,
        }),
        _ => None,
    };
    Ok(EventRecord {
        parent,
        participants,
        citations,
        key: row.key,
        title: row.title,
        summary: row.summary,
        event_type: EventType::from_db(&row.event_type)?,
        sub_type: row.sub_type.as_deref().map(EventSubType::from_db).transpose()?,
        start_date: row.start_date,
        end_date: row.end_date,
        date_precision: DatePrecision::from_db(&row.date_precision)?,
        location,
        disorder_type: row.disorder_type,
        civilian_targeting: row.civilian_targeting,
        source_scale: row.source_scale,
        tags: split_tags(row.tags.as_deref()),
        low_confidence: row.low_confidence,
    })
}

/// Tags are kept in one column joined by `;`, as ACLED writes them; none is NULL.
fn join_tags(tags: &[String]) -> Option<String> {
    (!tags.is_empty()).then(|| tags.join(";"))
}

/// The tags of a column [`join_tags`] wrote.
pub(crate) fn split_tags(column: Option<&str>) -> Vec<String> {
    column.map(|tags| tags.split(';').map(str::to_owned).collect()).unwrap_or_default()
}

/// A statement's row; mentions and citations are rows of their own.
pub(crate) fn statement_model(
    record: &StatementRecord,
    speaker_id: i32,
    event_id: Option<i32>,
) -> statement::ActiveModel {
    statement::ActiveModel {
        key: Set(record.key.clone()),
        speaker_id: Set(speaker_id),
        event_id: Set(event_id),
        text: Set(record.text.clone()),
        text_folded: Set(fold(&record.text)),
        mode: Set(record.mode.as_str().to_owned()),
        kind: Set(record.kind.as_str().to_owned()),
        stated_on: Set(record.stated_on),
        date_precision: Set(record.date_precision.map(|p| p.as_str().to_owned())),
        low_confidence: Set(record.low_confidence),
        ..Default::default()
    }
}

/// A statement's record, given its speaker's and event's keys, mentions and citations.
pub(crate) fn statement_record(
    row: statement::Model,
    speaker: String,
    event: Option<String>,
    mentions: Vec<MentionRecord>,
    citations: Vec<CitationRecord>,
) -> Result<StatementRecord, AppError> {
    Ok(StatementRecord {
        speaker,
        event,
        mentions,
        citations,
        key: row.key,
        text: row.text,
        mode: StatementMode::from_db(&row.mode)?,
        kind: StatementKind::from_db(&row.kind)?,
        stated_on: row.stated_on,
        date_precision: row.date_precision.as_deref().map(DatePrecision::from_db).transpose()?,
        low_confidence: row.low_confidence,
    })
}

/// A casualty report's row; its citations are rows of their own.
pub(crate) fn casualty_model(
    record: &CasualtyReportRecord,
    event_id: i32,
    claimed_by_id: Option<i32>,
) -> Result<casualty_report::ActiveModel, AppError> {
    let count = |n: i64| {
        i32::try_from(n).map_err(|_| AppError::internal("count out of range after validation"))
    };
    Ok(casualty_report::ActiveModel {
        key: Set(record.key.clone()),
        event_id: Set(event_id),
        category: Set(record.category.as_str().to_owned()),
        affected_group: Set(record.affected_group.clone()),
        low: Set(count(record.low)?),
        high: Set(record.high.map(count).transpose()?),
        as_of: Set(record.as_of),
        claimed_by_id: Set(claimed_by_id),
        status: Set(record.status.as_str().to_owned()),
        status_reason: Set(record.status_reason.clone()),
        note: Set(record.note.clone()),
        best: Set(record.best.map(count).transpose()?),
        breakdown: Set(if record.breakdown.is_empty() {
            None
        } else {
            Some(
                serde_json::to_string(&record.breakdown)
                    .map_err(|e| AppError::internal(e.to_string()))?,
            )
        }),
        preferred: Set(record.preferred),
        ..Default::default()
    })
}

/// A casualty report's record, given its event's and claimant's keys and its citations.
pub(crate) fn casualty_record(
    row: casualty_report::Model,
    event: String,
    claimed_by: Option<String>,
    citations: Vec<CitationRecord>,
) -> Result<CasualtyReportRecord, AppError> {
    Ok(CasualtyReportRecord {
        event,
        claimed_by,
        citations,
        key: row.key,
        category: CasualtyCategory::from_db(&row.category)?,
        affected_group: row.affected_group,
        low: i64::from(row.low),
        high: row.high.map(i64::from),
        as_of: row.as_of,
        status: ReportStatus::from_db(&row.status)?,
        status_reason: row.status_reason,
        note: row.note,
        best: row.best.map(i64::from),
        breakdown: breakdown(row.breakdown.as_deref())?,
        preferred: row.preferred,
    })
}

/// A casualty report's breakdown, kept as JSON in one column.
pub(crate) fn breakdown(column: Option<&str>) -> Result<Vec<CountRecord>, AppError> {
    match column {
        None => Ok(Vec::new()),
        Some(json) => serde_json::from_str(json)
            .map_err(|err| AppError::internal(format!("unreadable breakdown {json:?}: {err}"))),
    }
}

/// Writes the citations of record `id`, resolving source keys with `source_id`.
pub(crate) async fn cite(
    db: &impl ConnectionTrait,
    citations: &[CitationRecord],
    cited: Cited,
    id: i32,
    source_id: impl Fn(&str) -> Result<i32, AppError>,
) -> Result<(), AppError> {
    for record in citations {
        let mut row = citation::ActiveModel {
            source_id: Set(source_id(&record.source)?),
            excerpt: Set(record.excerpt.clone()),
            ..Default::default()
        };
        match cited {
            Cited::Event => row.event_id = Set(Some(id)),
            Cited::Statement => row.statement_id = Set(Some(id)),
            Cited::CasualtyReport => row.casualty_report_id = Set(Some(id)),
            Cited::Affiliation => row.affiliation_id = Set(Some(id)),
        }
        row.insert(db).await?;
    }
    Ok(())
}
