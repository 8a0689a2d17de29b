//! Writing a chunk of a file's rows into the import's transaction.

use super::*;
use crate::domain::validate::{check_actor, check_source};
use crate::domain::{NodeType, Operation};
use crate::service::rows;
use crate::service::sql::Sql;
use crate::service::write::actor::{ActorState, Actors};
use crate::service::write::casualty::Reports;
use crate::service::write::event::Events;
use crate::service::write::source::Sources;
use crate::service::write::statement::Statements;
use crate::service::write::{
    diff, ids_of, load, resolved, set_archived_in, snapshot, store_changed, store_new, Write,
};
use entity::{casualty_report, citation, event, event_participant, external_id};
use futures_util::TryStreamExt;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, StreamTrait,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Checks the shared records of `batch` (its actors and sources) with the rules every record
/// obeys; each row's records were checked as it was read.
fn check(batch: &ExternalBatch) -> Result<(), AppError> {
    let mut check = Checker::default();
    for source in &batch.records.sources {
        check_source(&mut check, &format!("{} source {:?}", batch.file, source.key), source);
    }
    for actor in &batch.records.actors {
        check_actor(&mut check, &format!("{} actor {:?}", batch.file, actor.key), actor);
    }
    check.finish()
}

/// Merges the chunk of rows `batch` holds into the database in `write`'s transaction.
///
/// # Errors
/// `VALIDATION` when an actor or source breaks a rule; database failures, after which the
/// transaction must be rolled back.
pub(super) async fn merge_chunk(
    write: &mut Write,
    batch: &ExternalBatch,
    summary: &mut ExternalSummary,
) -> Result<(), AppError> {
    check(batch)?;
    summary.skipped += batch.skipped;

    // Citations of events never imported are dropped here, so that their sources, cited by
    // nothing, are not created.
    let cited_events = imported_events(write.txn(), batch).await?;
    let citations: Vec<(i32, &CitationRecord)> = batch
        .citations
        .iter()
        .filter_map(|(id, citation)| Some((*cited_events.get(id)?, citation)))
        .collect();
    summary.skipped += batch.citations.len() - citations.len();
    let cited: HashSet<&str> = batch
        .rows
        .iter()
        .flat_map(|row| {
            let reports = row.reports.iter().flat_map(|r| r.citations.iter());
            row.event.citations.iter().chain(reports)
        })
        .chain(batch.statements.iter().flat_map(|row| row.statement.citations.iter()))
        .chain(citations.iter().map(|(_, citation)| *citation))
        .map(|citation| citation.source.as_str())
        .collect();
    let keys = batch.records.sources.iter().map(|s| s.key.as_str());
    let existing = ids_of(write.txn(), NodeType::Source, keys).await?;
    let new = |s: &&SourceRecord| !existing.contains_key(&s.key) && cited.contains(s.key.as_str());
    // Each actor and source the file brings keeps its id there, as its rows' records do.
    let mut named = Vec::new();
    let mut name = |node: NodeType, key: &str, id: i32| {
        if let Some(name) = batch.names.get(&(node, key.to_owned())) {
            named.push(provenance_row(&batch.file, (batch.dataset, name, ""), (node, id)));
        }
    };
    for source in batch.records.sources.iter().filter(new) {
        let saved = store_new::<Sources>(write, source, Operation::Import).await?;
        name(NodeType::Source, &source.key, saved.id);
        summary.sources += 1;
    }
    let keys = batch.records.actors.iter().map(|a| a.key.as_str());
    let existing = ids_of(write.txn(), NodeType::Actor, keys).await?;
    for actor in batch.records.actors.iter().filter(|a| !existing.contains_key(&a.key)) {
        let state = ActorState { record: actor.clone(), affiliations: Vec::new() };
        let saved = store_new::<Actors>(write, &state, Operation::Import).await?;
        name(NodeType::Actor, &actor.key, saved.id);
        summary.actors += 1;
    }
    for piece in named.chunks(4_000) {
        // Two records may share a name in a dataset (GDELT's name and code pairs): the first
        // keeps it.
        let conflict = OnConflict::columns([
            external_id::Column::Dataset,
            external_id::Column::NodeType,
            external_id::Column::ExternalId,
        ])
        .do_nothing()
        .to_owned();
        external_id::Entity::insert_many(piece.to_vec())
            .on_conflict(conflict)
            .exec_without_returning(write.txn())
            .await?;
    }

    let seen = provenance(write.txn(), batch).await?;
    let is_new = |row: &&ExternalRow| !seen.contains_key(&(row.dataset, row.external_id.clone()));
    // New episodes first: rows seen before may have moved into one.
    let (episodes, events): (Vec<&ExternalRow>, Vec<&ExternalRow>) =
        batch.rows.iter().filter(is_new).partition(|row| row.episode);
    create_rows(write, &batch.file, &episodes).await?;
    for row in &batch.rows {
        match seen.get(&(row.dataset, row.external_id.clone())) {
            Some(known) if known.row_hash == row.hash => summary.unchanged += 1,
            Some(known) => {
                let (added, changed) = update_row(write, row, known.node_id).await?;
                record_provenance(write, &batch.file, row.provenance(), added).await?;
                // Every record of the row (its event and its reports) names the newer file.
                external_id::Entity::update_many()
                    .col_expr(external_id::Column::RowHash, Expr::value(row.hash.clone()))
                    .col_expr(external_id::Column::File, Expr::value(batch.file.clone()))
                    .filter(external_id::Column::Dataset.eq(row.dataset))
                    .filter(external_id::Column::ExternalId.eq(row.external_id.as_str()))
                    .exec(write.txn())
                    .await?;
                if changed {
                    summary.updated += 1;
                } else {
                    summary.unchanged += 1;
                }
            }
            None => summary.created += 1,
        }
    }
    create_rows(write, &batch.file, &events).await?;
    import_statements(write, batch, summary).await?;
    cite(write, &citations, summary).await?;
    write.flush().await?;
    Ok(())
}

/// Refreshes PostgreSQL's statistics of the tables an import writes, once it has written
/// enough rows to matter. Inside the import's transaction too: `ANALYZE` samples the rows the
/// transaction itself added, without which the planner, which thought the tables small, plans
/// the next chunk's lookups as scans.
pub(super) async fn analyze(db: &impl ConnectionTrait) -> Result<(), AppError> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared(
            "ANALYZE events, event_participants, citations, casualty_reports, external_ids, \
             statements, statement_mentions, revisions",
        )
        .await?;
    }
    Ok(())
}

/// Finds the rows `batch`'s file no longer has and, with `archive`, archives their records.
pub(super) async fn missing_rows(
    write: &mut Write,
    batch: &ExternalBatch,
    archive: bool,
    summary: &mut ExternalSummary,
) -> Result<(), AppError> {
    summary.missing = missing(write.txn(), batch).await?;
    if archive {
        archive_missing(write, batch.dataset, &summary.missing).await?;
        summary.archived_missing = true;
    }
    Ok(())
}

/// New rows are written this many at a time: each multi-row statement well under the
/// backends' bound-parameter limits (an event has 26 columns; SQLite takes 32,766 parameters).
const ROWS_PER_INSERT: usize = 1_000;

/// Creates the records of `rows`, none of them imported before, in a fixed number of
/// statements per chunk of rows whatever its size: one multi-row INSERT each for the events,
/// their participants, their citations, their reports, the reports' citations and the
/// provenance, and one read each for the ids of the keys they name. Each record's `IMPORT`
/// revision is queued as `store_new` queues it. A row's parent must exist already.
async fn create_rows(write: &mut Write, file: &str, rows: &[&ExternalRow]) -> Result<(), AppError> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let txn = write.txn();
        let events = || chunk.iter().map(|row| &row.event);
        let reports = || chunk.iter().flat_map(|row| row.reports.iter());
        let actors = events()
            .flat_map(|e| e.participants.iter().map(|p| p.actor.as_str()))
            .chain(reports().filter_map(|r| r.claimed_by.as_deref()));
        let actors = ids_of(txn, NodeType::Actor, actors).await?;
        let sources = events()
            .flat_map(|e| e.citations.iter())
            .chain(reports().flat_map(|r| r.citations.iter()))
            .map(|c| c.source.as_str());
        let sources = ids_of(txn, NodeType::Source, sources).await?;
        let parents = ids_of(txn, NodeType::Event, events().filter_map(|e| e.parent.as_deref()));
        let parents = parents.await?;

        let models = events()
            .map(|e| {
                let parent = e.parent.as_deref().map(|key| resolved(&parents, key)).transpose()?;
                Ok(rows::event_model(e, parent))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        // RETURNING, not a read of the keys back: inside the import's transaction the
        // planner's statistics do not yet know the rows, and would scan.
        let event_ids: HashMap<String, i32> = event::Entity::insert_many(models)
            .exec_with_returning(txn)
            .await?
            .into_iter()
            .map(|row| (row.key, row.id))
            .collect();
        let mut participants = Vec::new();
        let mut citations = Vec::new();
        for event in events() {
            let id = resolved(&event_ids, &event.key)?;
            for participant in &event.participants {
                participants.push(event_participant::ActiveModel {
                    event_id: Set(id),
                    actor_id: Set(resolved(&actors, &participant.actor)?),
                    role: Set(participant.role.as_str().to_owned()),
                    ..Default::default()
                });
            }
            for citation in &event.citations {
                citations
                    .push(citation_row(&sources, citation, |row| row.event_id = Set(Some(id)))?);
            }
        }
        let models = reports()
            .map(|r| {
                let claimant = r.claimed_by.as_deref().map(|key| resolved(&actors, key));
                rows::casualty_model(r, resolved(&event_ids, &r.event)?, claimant.transpose()?)
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let report_ids = if models.is_empty() {
            HashMap::new()
        } else {
            casualty_report::Entity::insert_many(models)
                .exec_with_returning(txn)
                .await?
                .into_iter()
                .map(|row| (row.key, row.id))
                .collect()
        };
        for report in reports() {
            let id = resolved(&report_ids, &report.key)?;
            for citation in &report.citations {
                let cited =
                    |row: &mut citation::ActiveModel| row.casualty_report_id = Set(Some(id));
                citations.push(citation_row(&sources, citation, cited)?);
            }
        }
        insert_all(txn, participants).await?;
        insert_all(txn, citations).await?;

        let mut provenance = Vec::new();
        for row in chunk {
            let event = resolved(&event_ids, &row.event.key)?;
            let mut records = vec![(NodeType::Event, event)];
            let changes = diff(&serde_json::Value::Null, &snapshot(&row.event)?);
            write.record(NodeType::Event, event, Operation::Import, changes);
            for report in &row.reports {
                let id = resolved(&report_ids, &report.key)?;
                let changes = diff(&serde_json::Value::Null, &snapshot(report)?);
                write.record(NodeType::CasualtyReport, id, Operation::Import, changes);
                records.push((NodeType::CasualtyReport, id));
            }
            provenance.extend(provenance_rows(file, row.provenance(), records));
        }
        insert_all(write.txn(), provenance).await?;
    }
    Ok(())
}

/// A citation's row, of the record `cite` names.
fn citation_row(
    sources: &HashMap<String, i32>,
    citation: &CitationRecord,
    cite: impl FnOnce(&mut citation::ActiveModel),
) -> Result<citation::ActiveModel, AppError> {
    let mut row = citation::ActiveModel {
        source_id: Set(resolved(sources, &citation.source)?),
        excerpt: Set(citation.excerpt.clone()),
        ..Default::default()
    };
    cite(&mut row);
    Ok(row)
}

/// Merges `batch`'s statements as [`import`] merges its rows: unchanged ones are skipped,
/// changed ones updated, new ones created with their provenance.
async fn import_statements(
    write: &mut Write,
    batch: &ExternalBatch,
    summary: &mut ExternalSummary,
) -> Result<(), AppError> {
    let ids: Vec<&str> = batch.statements.iter().map(|s| s.external_id.as_str()).collect();
    let seen = known(write.txn(), batch.dataset, NodeType::Statement, &ids).await?;
    for row in &batch.statements {
        match seen.get(&row.external_id) {
            Some(known) if known.row_hash == row.hash => summary.unchanged += 1,
            Some(known) => {
                let Some((current, before)) =
                    load::<Statements>(write.txn(), known.node_id).await?
                else {
                    return Err(AppError::internal(format!("statement {} is gone", known.node_id)));
                };
                let mut after = row.statement.clone();
                after.key = before.key.clone();
                let (_, changed) =
                    store_changed::<Statements>(write, current, &before, &after, Operation::Update)
                        .await?;
                let mut known: external_id::ActiveModel = known.clone().into();
                known.row_hash = Set(row.hash.clone());
                known.file = Set(batch.file.clone());
                known.update(write.txn()).await?;
                if changed {
                    summary.updated += 1;
                } else {
                    summary.unchanged += 1;
                }
            }
            None => {
                let statement =
                    store_new::<Statements>(write, &row.statement, Operation::Import).await?;
                let provenance = (batch.dataset, row.external_id.as_str(), row.hash.as_str());
                record_provenance(
                    write,
                    &batch.file,
                    provenance,
                    vec![(NodeType::Statement, statement.id)],
                )
                .await?;
                summary.created += 1;
            }
        }
    }
    Ok(())
}

/// The provenance rows of the records of type `node` that have `ids` in `dataset`, by id.
async fn known(
    db: &DatabaseTransaction,
    dataset: &str,
    node: NodeType,
    ids: &[&str],
) -> Result<HashMap<String, external_id::Model>, AppError> {
    let mut found = HashMap::new();
    // Chunks keep each statement under the backends' bound-parameter limits.
    for chunk in ids.chunks(500) {
        let rows = external_id::Entity::find()
            .filter(external_id::Column::Dataset.eq(dataset))
            .filter(external_id::Column::NodeType.eq(node.as_str()))
            .filter(external_id::Column::ExternalId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        found.extend(rows.into_iter().map(|r| (r.external_id.clone(), r)));
    }
    Ok(found)
}

/// The events imported before that `batch`'s citations name, by external id.
async fn imported_events(
    db: &DatabaseTransaction,
    batch: &ExternalBatch,
) -> Result<HashMap<String, i32>, AppError> {
    let ids: BTreeSet<&str> = batch.citations.iter().map(|(id, _)| id.as_str()).collect();
    let ids: Vec<&str> = ids.into_iter().collect();
    let found = known(db, batch.dataset, NodeType::Event, &ids).await?;
    Ok(found.into_iter().map(|(id, row)| (id, row.node_id)).collect())
}

/// Adds `citations` to the events they name, each event's as one `UPDATE` revision; a
/// citation already there is left as it is.
async fn cite(
    write: &mut Write,
    citations: &[(i32, &CitationRecord)],
    summary: &mut ExternalSummary,
) -> Result<(), AppError> {
    let mut by_event: BTreeMap<i32, Vec<&CitationRecord>> = BTreeMap::new();
    for (event, citation) in citations {
        by_event.entry(*event).or_default().push(citation);
    }
    for (event_id, citations) in by_event {
        let Some((current, before)) = load::<Events>(write.txn(), event_id).await? else {
            return Err(AppError::internal(format!("imported event {event_id} is gone")));
        };
        let mut after = before.clone();
        for citation in citations {
            if !after.citations.iter().any(|c| c.source == citation.source) {
                after.citations.push(citation.clone());
            }
        }
        let (_, changed) =
            store_changed::<Events>(write, current, &before, &after, Operation::Update).await?;
        summary.cited += usize::from(changed);
    }
    Ok(())
}

/// The ids of live events imported from `batch`'s dataset before, within the countries and
/// the dates its rows cover, that `batch` no longer has (valid or not). An export of one
/// country for one year says nothing of the others, so only what it covers can be missing.
async fn missing(db: &DatabaseTransaction, batch: &ExternalBatch) -> Result<Vec<String>, AppError> {
    let scope = batch.scope();
    let (Some(from), Some(to)) = (scope.from, scope.to) else {
        return Ok(Vec::new());
    };
    if !batch.whole {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(ConnectionTrait::get_database_backend(db));
    sql.push("SELECT x.external_id FROM external_ids x JOIN events e ON e.id = x.node_id");
    sql.push(" WHERE x.dataset = ").bind(batch.dataset);
    sql.push(" AND x.node_type = ").bind(NodeType::Event.as_str());
    sql.push(" AND e.archived_at IS NULL AND e.start_date >= ").bind(from);
    sql.push(" AND e.start_date <= ").bind(to).push(" AND ");
    sql.in_list("e.country_code", scope.countries.iter().cloned());
    sql.push(" ORDER BY x.external_id");
    // Streamed: what the file covers may be a million rows, of which few are missing.
    let mut rows = db.stream_raw(sql.build()).await?;
    let mut missing = Vec::new();
    while let Some(row) = rows.try_next().await? {
        let id: String = row.try_get("", "external_id")?;
        if !batch.had(batch.dataset, &id) {
            missing.push(id);
        }
    }
    Ok(missing)
}

/// Archives every record that came from the rows `ids` of `dataset`.
async fn archive_missing(write: &mut Write, dataset: &str, ids: &[String]) -> Result<(), AppError> {
    for chunk in ids.chunks(500) {
        let records = external_id::Entity::find()
            .filter(external_id::Column::Dataset.eq(dataset))
            .filter(external_id::Column::ExternalId.is_in(chunk.iter().map(String::as_str)))
            // A row's records; an actor or a source is never missing, only unmentioned.
            .filter(
                external_id::Column::NodeType
                    .is_not_in([NodeType::Actor.as_str(), NodeType::Source.as_str()]),
            )
            .order_by_asc(external_id::Column::Id)
            .all(write.txn())
            .await?;
        for record in records {
            let node = NodeType::from_db(&record.node_type)?;
            set_archived_in(write, node, record.node_id, None, true).await?;
        }
    }
    Ok(())
}

/// Notes that `records` came from `row` of `batch`.
async fn record_provenance(
    write: &Write,
    file: &str,
    (dataset, external_id, hash): (&str, &str, &str),
    records: Vec<(NodeType, i32)>,
) -> Result<(), AppError> {
    if records.is_empty() {
        return Ok(());
    }
    let provenance = provenance_rows(file, (dataset, external_id, hash), records);
    external_id::Entity::insert_many(provenance).exec(write.txn()).await?;
    Ok(())
}

/// The provenance rows of `records`, which came from the row `(dataset, id, hash)` of `file`.
fn provenance_rows<'a>(
    file: &'a str,
    row: (&'a str, &'a str, &'a str),
    records: Vec<(NodeType, i32)>,
) -> impl Iterator<Item = external_id::ActiveModel> + 'a {
    records.into_iter().map(move |record| provenance_row(file, row, record))
}

/// The provenance row of `record`, which came from the row `(dataset, id, hash)` of `file`.
fn provenance_row(
    file: &str,
    (dataset, external_id, hash): (&str, &str, &str),
    (node, id): (NodeType, i32),
) -> external_id::ActiveModel {
    external_id::ActiveModel {
        node_type: Set(node.as_str().to_owned()),
        node_id: Set(id),
        dataset: Set(dataset.to_owned()),
        external_id: Set(external_id.to_owned()),
        file: Set(file.to_owned()),
        row_hash: Set(hash.to_owned()),
        ..Default::default()
    }
}

/// The provenance of the rows of `batch` imported before, by external id.
async fn provenance(
    db: &DatabaseTransaction,
    batch: &ExternalBatch,
) -> Result<HashMap<(&'static str, String), external_id::Model>, AppError> {
    let mut seen = HashMap::new();
    let datasets: BTreeSet<&'static str> = batch.rows.iter().map(|r| r.dataset).collect();
    for dataset in datasets {
        let ids: Vec<&str> = batch
            .rows
            .iter()
            .filter(|r| r.dataset == dataset)
            .map(|r| r.external_id.as_str())
            .collect();
        let found = known(db, dataset, NodeType::Event, &ids).await?;
        seen.extend(found.into_iter().map(|(id, row)| ((dataset, id), row)));
    }
    Ok(seen)
}

/// Updates the records of a row that changed, keeping what the file does not carry; returns
/// the records it had to create, and whether anything changed.
async fn update_row(
    write: &mut Write,
    row: &ExternalRow,
    event_id: i32,
) -> Result<(Vec<(NodeType, i32)>, bool), AppError> {
    let mut created = Vec::new();
    let Some((current, before)) = load::<Events>(write.txn(), event_id).await? else {
        return Err(AppError::internal(format!("imported event {event_id} is gone")));
    };
    let mut after = row.event.clone();
    after.key = before.key.clone();
    // An editor who checked a machine-coded event cleared the mark; a new file keeps it clear.
    after.low_confidence &= before.low_confidence;
    if after.parent.is_none() {
        after.parent = before.parent.clone();
    }
    if row.episode {
        after.start_date = after.start_date.min(before.start_date);
        after.end_date = after.end_date.max(before.end_date);
    } else if after.end_date.is_none() {
        after.end_date = before.end_date;
    }
    let (_, mut changed) =
        store_changed::<Events>(write, current, &before, &after, Operation::Update).await?;
    for report in &row.reports {
        let existing =
            ids_of(write.txn(), NodeType::CasualtyReport, std::iter::once(report.key.as_str()))
                .await?;
        let loaded = match existing.get(&report.key) {
            Some(&id) => load::<Reports>(write.txn(), id).await?,
            None => None,
        };
        match loaded {
            Some((current, before)) => {
                let mut after = report.clone();
                after.status = before.status;
                after.status_reason = before.status_reason.clone();
                after.note = before.note.clone();
                after.affected_group = before.affected_group.clone();
                after.preferred = before.preferred;
                let (_, report_changed) =
                    store_changed::<Reports>(write, current, &before, &after, Operation::Update)
                        .await?;
                changed |= report_changed;
            }
            None => {
                let report = store_new::<Reports>(write, report, Operation::Import).await?;
                created.push((NodeType::CasualtyReport, report.id));
                changed = true;
            }
        }
    }
    Ok((created, changed))
}

/// Inserts `models` in as few multi-row statements as the backends' parameter limits allow.
async fn insert_all<A>(txn: &DatabaseTransaction, models: Vec<A>) -> Result<(), AppError>
where
    A: ActiveModelTrait + Send,
{
    // The link tables have at most seven columns: 4,000 rows stay under SQLite's 32,766.
    const PER_INSERT: usize = 4_000;
    let mut models = models.into_iter().peekable();
    while models.peek().is_some() {
        let piece: Vec<A> = models.by_ref().take(PER_INSERT).collect();
        <A::Entity as EntityTrait>::insert_many(piece).exec(txn).await?;
    }
    Ok(())
}
