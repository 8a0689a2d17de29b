//! Writing a validated dataset in one transaction: a file is loaded whole or not at all.

use super::*;
use crate::domain::{NodeType, Operation};
use crate::error::Rule;
use crate::service::citation::Cited;
use crate::service::rows;
use crate::service::write::{diff, snapshot, Changes, Write};
use entity::*;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter,
};
use serde::Serialize;
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
    // The same write path as the API's mutations: the write lock, and one revision per record
    // so that imports appear in the change feed.
    let mut write = Write::begin(db, IMPORT_AUTHOR).await?;
    let mut imported = Vec::new();
    let summary = write_records(write.txn(), dataset, &mut imported).await?;
    for (node, id, changes) in imported {
        write.record(node, id, Operation::Import, changes);
    }
    write.commit().await?;
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
                        Rule::Duplicate,
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

/// The author history records for imported records.
pub const IMPORT_AUTHOR: &str = "import";

/// A created record's revision: every field, from nothing.
type Imported = (NodeType, i32, Changes);

fn created(node: NodeType, id: i32, record: &impl Serialize) -> Result<Imported, AppError> {
    Ok((node, id, diff(&serde_json::Value::Null, &snapshot(record)?)))
}

async fn write_records(
    db: &impl ConnectionTrait,
    dataset: &Dataset,
    imported: &mut Vec<Imported>,
) -> Result<ImportSummary, AppError> {
    let mut sources = HashMap::new();
    for record in &dataset.sources {
        let row = rows::source_model(record).insert(db).await?;
        imported.push(created(NodeType::Source, row.id, record)?);
        sources.insert(record.key.as_str(), row.id);
    }
    let source = |key: &str| {
        sources
            .get(key)
            .copied()
            .ok_or_else(|| AppError::internal(format!("unresolved source {key}")))
    };

    let mut actors = HashMap::new();
    for record in &dataset.actors {
        let row = rows::actor_model(record).insert(db).await?;
        for alias in &record.aliases {
            rows::alias_model(row.id, alias).insert(db).await?;
        }
        imported.push(created(NodeType::Actor, row.id, record)?);
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
        let row =
            rows::affiliation_model(record, actor(&record.actor)?, actor(&record.organization)?)
                .insert(db)
                .await?;
        rows::cite(db, &record.citations, Cited::Affiliation, row.id, source).await?;
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
            let id = rows::event_model(record, parent_id).insert(db).await?.id;
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
            rows::cite(db, &record.citations, Cited::Event, id, source).await?;
            imported.push(created(NodeType::Event, id, record)?);
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
        let event_id = record.event.as_deref().map(event).transpose()?;
        let row =
            rows::statement_model(record, actor(&record.speaker)?, event_id).insert(db).await?;
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
        rows::cite(db, &record.citations, Cited::Statement, row.id, source).await?;
        imported.push(created(NodeType::Statement, row.id, record)?);
    }

    for record in &dataset.casualty_reports {
        let claimed_by = record.claimed_by.as_deref().map(actor).transpose()?;
        let row =
            rows::casualty_model(record, event(&record.event)?, claimed_by)?.insert(db).await?;
        rows::cite(db, &record.citations, Cited::CasualtyReport, row.id, source).await?;
        imported.push(created(NodeType::CasualtyReport, row.id, record)?);
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
