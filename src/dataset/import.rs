//! Writing a validated dataset in one transaction: a file is loaded whole or not at all.

use super::*;
use crate::domain::text::fold;
use crate::service::citation::Cited;
use entity::*;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};
use std::collections::HashMap;

/// How many records an import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub sources: usize,
    pub actors: usize,
    pub affiliations: usize,
    pub events: usize,
    pub statements: usize,
    pub casualty_reports: usize,
}

/// Validates `dataset` and writes it in one transaction.
///
/// # Errors
/// `VALIDATION` when any record breaks a rule or reuses a key already in the database; nothing
/// is written then. Database failures roll the whole transaction back.
#[tracing::instrument(skip_all)]
pub async fn import(db: &DatabaseConnection, dataset: &Dataset) -> Result<ImportSummary, AppError> {
    validate(dataset)?;
    check_keys_are_new(db, dataset).await?;
    let txn = db.begin().await?;
    let summary = write(&txn, dataset).await?;
    txn.commit().await?;
    tracing::info!(?summary, "dataset imported");
    Ok(summary)
}

/// Loads the bundled dataset into a database that holds no records yet; a database that
/// already holds data is never reseeded. Returns whether it loaded anything.
pub async fn import_bundled_if_empty(db: &DatabaseConnection) -> Result<bool, AppError> {
    let empty = source::Entity::find().count(db).await? == 0
        && actor::Entity::find().count(db).await? == 0
        && event::Entity::find().count(db).await? == 0;
    if !empty {
        return Ok(false);
    }
    import(db, &parse(BUNDLED)?).await?;
    Ok(true)
}

/// Keys are unique per table, across imports too: a clash is reported like any other
/// validation problem instead of surfacing as a constraint error halfway through.
async fn check_keys_are_new(db: &DatabaseConnection, dataset: &Dataset) -> Result<(), AppError> {
    let mut violations = Vec::new();
    macro_rules! clashes {
        ($collection:literal, $entity:ident, $records:expr) => {{
            let keys: Vec<&str> = $records.iter().map(|r| r.key.as_str()).collect();
            for chunk in keys.chunks(500) {
                let existing = $entity::Entity::find()
                    .filter($entity::Column::Key.is_in(chunk.iter().copied()))
                    .all(db)
                    .await?;
                for row in existing {
                    violations.push(Violation::new(
                        "DUPLICATE",
                        format!("{} (key {:?})", $collection, row.key),
                        "a record with this key already exists in the database",
                    ));
                }
            }
        }};
    }
    clashes!("sources", source, dataset.sources);
    clashes!("actors", actor, dataset.actors);
    clashes!("affiliations", affiliation, dataset.affiliations);
    clashes!("events", event, dataset.events);
    clashes!("statements", statement, dataset.statements);
    clashes!("casualtyReports", casualty_report, dataset.casualty_reports);
    if violations.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(violations))
    }
}

async fn write(db: &impl ConnectionTrait, dataset: &Dataset) -> Result<ImportSummary, AppError> {
    let mut sources = HashMap::new();
    for record in &dataset.sources {
        let row = source::ActiveModel {
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
        .insert(db)
        .await?;
        sources.insert(record.key.as_str(), row.id);
    }

    let mut actors = HashMap::new();
    for record in &dataset.actors {
        let row = actor::ActiveModel {
            key: Set(record.key.clone()),
            kind: Set(record.kind.as_str().to_owned()),
            name: Set(record.name.clone()),
            name_folded: Set(fold(&record.name)),
            country_code: Set(record.country_code.clone()),
            description: Set(record.description.clone()),
            wikidata_id: Set(record.wikidata_id.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        for alias in &record.aliases {
            actor_alias::ActiveModel {
                actor_id: Set(row.id),
                alias: Set(alias.clone()),
                alias_folded: Set(fold(alias)),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        actors.insert(record.key.as_str(), row.id);
    }
    // Validation guarantees every key resolves; a miss here is a bug, reported as one.
    let actor = |key: &str| {
        actors
            .get(key)
            .copied()
            .ok_or_else(|| AppError::internal(format!("unresolved actor {key}")))
    };

    for record in &dataset.affiliations {
        let row = affiliation::ActiveModel {
            key: Set(record.key.clone()),
            actor_id: Set(actor(&record.actor)?),
            organization_id: Set(actor(&record.organization)?),
            role: Set(record.role.clone()),
            from_date: Set(record.from),
            to_date: Set(record.to),
            date_precision: Set(record.date_precision.as_str().to_owned()),
            note: Set(record.note.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        cite(db, &record.citations, Cited::Affiliation, row.id, &sources).await?;
    }

    // Parents before children, so every parent id exists when its children are written.
    let mut events: HashMap<&str, i32> = HashMap::new();
    let mut pending: Vec<&EventRecord> = dataset.events.iter().collect();
    while !pending.is_empty() {
        let before = pending.len();
        let mut waiting = Vec::new();
        for record in pending {
            let parent_id = match &record.parent {
                None => None,
                Some(parent) => match events.get(parent.as_str()) {
                    Some(id) => Some(*id),
                    None => {
                        waiting.push(record);
                        continue;
                    }
                },
            };
            let id = insert_event(db, record, parent_id).await?;
            for participant in &record.participants {
                event_participant::ActiveModel {
                    event_id: Set(id),
                    actor_id: Set(actor(&participant.actor)?),
                    role: Set(participant.role.as_str().to_owned()),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
            cite(db, &record.citations, Cited::Event, id, &sources).await?;
            events.insert(record.key.as_str(), id);
        }
        if waiting.len() == before {
            return Err(AppError::internal("event parents could not be ordered"));
        }
        pending = waiting;
    }
    let event = |key: &str| {
        events
            .get(key)
            .copied()
            .ok_or_else(|| AppError::internal(format!("unresolved event {key}")))
    };

    for record in &dataset.statements {
        let row = statement::ActiveModel {
            key: Set(record.key.clone()),
            speaker_id: Set(actor(&record.speaker)?),
            event_id: Set(record.event.as_deref().map(event).transpose()?),
            text: Set(record.text.clone()),
            text_folded: Set(fold(&record.text)),
            mode: Set(record.mode.as_str().to_owned()),
            kind: Set(record.kind.as_str().to_owned()),
            stated_on: Set(record.stated_on),
            date_precision: Set(record.date_precision.map(|p| p.as_str().to_owned())),
            ..Default::default()
        }
        .insert(db)
        .await?;
        for mention in &record.mentions {
            statement_mention::ActiveModel {
                statement_id: Set(row.id),
                actor_id: Set(actor(&mention.actor)?),
                role: Set(mention.role.as_str().to_owned()),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        cite(db, &record.citations, Cited::Statement, row.id, &sources).await?;
    }

    for record in &dataset.casualty_reports {
        let count = |n: i64| {
            i32::try_from(n).map_err(|_| AppError::internal("count out of range after validation"))
        };
        let row = casualty_report::ActiveModel {
            key: Set(record.key.clone()),
            event_id: Set(event(&record.event)?),
            category: Set(record.category.as_str().to_owned()),
            affected_group: Set(record.affected_group.clone()),
            low: Set(count(record.low)?),
            high: Set(record.high.map(count).transpose()?),
            as_of: Set(record.as_of),
            claimed_by_id: Set(record.claimed_by.as_deref().map(actor).transpose()?),
            status: Set(record.status.as_str().to_owned()),
            note: Set(record.note.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        cite(db, &record.citations, Cited::CasualtyReport, row.id, &sources).await?;
    }

    Ok(ImportSummary {
        sources: dataset.sources.len(),
        actors: dataset.actors.len(),
        affiliations: dataset.affiliations.len(),
        events: dataset.events.len(),
        statements: dataset.statements.len(),
        casualty_reports: dataset.casualty_reports.len(),
    })
}

async fn insert_event(
    db: &impl ConnectionTrait,
    record: &EventRecord,
    parent_id: Option<i32>,
) -> Result<i32, AppError> {
    let location = record.location.as_ref();
    let row = event::ActiveModel {
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
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

async fn cite(
    db: &impl ConnectionTrait,
    citations: &[CitationRecord],
    cited: Cited,
    id: i32,
    sources: &HashMap<&str, i32>,
) -> Result<(), AppError> {
    for record in citations {
        let source_id = sources
            .get(record.source.as_str())
            .copied()
            .ok_or_else(|| AppError::internal(format!("unresolved source {}", record.source)))?;
        let mut row = citation::ActiveModel {
            source_id: Set(source_id),
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
