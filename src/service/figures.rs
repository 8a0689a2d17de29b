//! Events' reconciled casualty figures (`domain::reconcile`), stored in `event_figures` and
//! kept up to date by the write path: before a write commits, the events whose reports,
//! parent or archive state it changed are recomputed, and then their ancestors, bottom up
//! ([`refresh`]). Statistics sum the stored figures; reads select them.

use super::sql::Sql;
use crate::domain::reconcile::{reconcile, Bounds, Claim, Exclusion, Figure};
use crate::domain::{CasualtyCategory, ExclusionReason, ReconciliationRule, ReportStatus};
use crate::error::AppError;
use entity::{casualty_report, event_figure};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult};
use std::collections::{BTreeMap, HashMap, HashSet};
use strum::VariantArray;

/// Ids per `IN (…)` list and figure rows per INSERT (15 columns each): both under SQLite's
/// 32,766 bound parameters.
const BATCH: usize = 2_000;

/// The stored figures of each event of `ids`, in the categories' order; events without any
/// are left out. One statement.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn of_events(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<event_figure::Model>>, AppError> {
    super::catalogue::FIGURES_OF_EVENT.fetch(db, ids).await
}

/// A stored figure as the rule gave it.
///
/// # Errors
/// `INTERNAL` when the row holds a value this build does not know.
pub fn figure(row: &event_figure::Model) -> Result<Figure, AppError> {
    let unreadable = |what: &str| AppError::internal(format!("unreadable {what} of event figure"));
    let considered: Vec<i32> =
        serde_json::from_str(&row.considered).map_err(|_| unreadable("considered"))?;
    let excluded: Vec<(i32, String, Option<i32>)> =
        serde_json::from_str(&row.excluded).map_err(|_| unreadable("excluded"))?;
    let excluded = excluded
        .into_iter()
        .map(|(id, reason, by)| {
            let exclusion = match (ExclusionReason::parse(&reason), by) {
                (Some(ExclusionReason::Retracted), _) => Exclusion::Retracted,
                (Some(ExclusionReason::Superseded), Some(by)) => Exclusion::SupersededBy(by),
                _ => return Err(unreadable("exclusion")),
            };
            Ok((id, exclusion))
        })
        .collect::<Result<_, AppError>>()?;
    let sub_events = match (row.sub_low, row.sub_best, row.sub_high) {
        (Some(low), Some(best), Some(high)) => {
            Some(Bounds { low, best, high, high_open: row.sub_high_open.unwrap_or(false) })
        }
        _ => None,
    };
    Ok(Figure {
        low: row.low,
        best: row.best,
        high: row.high,
        high_open: row.high_open,
        rule: ReconciliationRule::from_db(&row.rule)?,
        considered,
        excluded,
        sub_events,
    })
}

/// What a write touched that figures depend on: casualty reports, events (their parent or
/// archive state), and events named by key in the changes (a report's former event, an
/// event's former parent).
#[derive(Debug, Default)]
pub struct Touched {
    /// Casualty reports written.
    pub reports: Vec<i32>,
    /// Events written.
    pub events: Vec<i32>,
    /// Events named by key.
    pub event_keys: Vec<String>,
    /// Where written events were before the write moved them, for the statistics' rollup.
    pub formerly: Vec<super::rollup::Former>,
}

impl Touched {
    /// Whether nothing that figures depend on was written.
    pub fn is_empty(&self) -> bool {
        self.reports.is_empty()
            && self.events.is_empty()
            && self.event_keys.is_empty()
            && self.formerly.is_empty()
    }
}

/// Recomputes the figures of the events `touched` names and of their ancestors, then the
/// statistics' rollup of the months and countries they are in, or were in.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn refresh_touched(db: &impl ConnectionTrait, touched: Touched) -> Result<(), AppError> {
    if touched.is_empty() {
        return Ok(());
    }
    let mut events: HashSet<i32> = touched.events.into_iter().collect();
    let backend = db.get_database_backend();
    for chunk in touched.reports.chunks(BATCH) {
        let mut sql = Sql::new(backend);
        sql.push("SELECT DISTINCT event_id AS id FROM casualty_reports WHERE ");
        sql.in_list("id", chunk.iter().copied());
        events.extend(Id::find_by_statement(sql.build()).all(db).await?.into_iter().map(|r| r.id));
    }
    for chunk in touched.event_keys.chunks(BATCH) {
        let mut sql = Sql::new(backend);
        sql.push("SELECT id FROM events WHERE ");
        sql.in_list("key", chunk.iter().cloned());
        events.extend(Id::find_by_statement(sql.build()).all(db).await?.into_iter().map(|r| r.id));
    }
    let recomputed = refresh(db, events).await?;
    super::rollup::refresh_written(db, &recomputed, touched.formerly).await
}

/// Recomputes the figures of every event and the whole statistics' rollup, as after a bulk
/// load that bypassed the write path.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn refresh_all(db: &impl ConnectionTrait) -> Result<(), AppError> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT id FROM events");
    let ids = Id::find_by_statement(sql.build()).all(db).await?;
    refresh(db, ids.into_iter().map(|row| row.id).collect()).await?;
    super::rollup::rebuild(db).await
}

#[derive(FromQueryResult)]
struct Id {
    id: i32,
}

#[derive(FromQueryResult)]
struct Node {
    id: i32,
    parent_id: Option<i32>,
    start_date: chrono::NaiveDate,
    country_code: Option<String>,
}

#[derive(FromQueryResult)]
struct ChildSum {
    event_id: i32,
    category: String,
    low: i64,
    best: i64,
    high: i64,
    open: i32,
}

/// Recomputes the figures of `events` and of all their ancestors, deepest first, so that each
/// event sums its sub-events' fresh figures. Statements grow with the number of events and
/// the nesting depth, not with the number of reports. Returns every event recomputed, with the
/// rollup group it is in (read with its parent, for the statistics' rollup).
async fn refresh(
    db: &impl ConnectionTrait,
    events: HashSet<i32>,
) -> Result<BTreeMap<i32, super::rollup::Group>, AppError> {
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres && events.len() > BATCH {
        // Full batches repeat one statement text, and after five runs PostgreSQL may switch
        // to a generic plan, in which `IN ($1, …, $2000)` is an array built and searched for
        // every row scanned: 10 s a batch at 1M events (`annals generate` did not finish in
        // 40 min). Custom plans see the ids (index look-ups, a hashed list).
        db.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan").await?;
    }
    let mut parent: HashMap<i32, Option<i32>> = HashMap::new();
    let mut groups = BTreeMap::new();
    let mut pending: Vec<i32> = events.into_iter().collect();
    while !pending.is_empty() {
        let mut next = Vec::new();
        for chunk in pending.chunks(BATCH) {
            let mut sql = Sql::new(backend);
            sql.push("SELECT id, parent_id, start_date, country_code FROM events WHERE ");
            sql.in_list("id", chunk.iter().copied());
            for node in Node::find_by_statement(sql.build()).all(db).await? {
                parent.insert(node.id, node.parent_id);
                groups
                    .insert(node.id, (super::rollup::month_of(node.start_date), node.country_code));
                if let Some(up) = node.parent_id {
                    next.push(up);
                }
            }
        }
        next.sort_unstable();
        next.dedup();
        next.retain(|id| !parent.contains_key(id));
        pending = next;
    }
    let mut by_depth: BTreeMap<usize, Vec<i32>> = BTreeMap::new();
    for &id in parent.keys() {
        let mut depth = 0;
        let mut at = id;
        // Parents form no cycle (the write path refuses one); the bound is a guard.
        while let Some(Some(up)) = parent.get(&at) {
            depth += 1;
            at = *up;
            if depth > parent.len() {
                break;
            }
        }
        by_depth.entry(depth).or_default().push(id);
    }
    for (_, mut ids) in by_depth.into_iter().rev() {
        ids.sort_unstable();
        for chunk in ids.chunks(BATCH) {
            store(db, chunk).await?;
        }
    }
    Ok(groups)
}

/// Recomputes and rewrites the figures of `ids`, whose sub-events' figures are up to date, and
/// whether each is an episode (`episodes`).
async fn store(db: &impl ConnectionTrait, ids: &[i32]) -> Result<(), AppError> {
    let backend = db.get_database_backend();
    let mut sql = Sql::new(backend);
    sql.push("SELECT * FROM casualty_reports WHERE archived_at IS NULL AND ");
    sql.in_list("event_id", ids.iter().copied());
    sql.push(" ORDER BY id");
    let reports = casualty_report::Model::find_by_statement(sql.build()).all(db).await?;
    let mut sql = Sql::new(backend);
    sql.push(
        "SELECT e.parent_id AS event_id, f.category, \
         CAST(SUM(f.low) AS BIGINT) AS low, CAST(SUM(f.best) AS BIGINT) AS best, \
         CAST(SUM(f.high) AS BIGINT) AS high, \
         MAX(CASE WHEN f.high_open THEN 1 ELSE 0 END) AS open \
         FROM event_figures f JOIN events e ON e.id = f.event_id \
         WHERE e.archived_at IS NULL AND f.best IS NOT NULL AND ",
    );
    sql.in_list("e.parent_id", ids.iter().copied());
    sql.push(" GROUP BY e.parent_id, f.category");
    let sums = ChildSum::find_by_statement(sql.build()).all(db).await?;

    let mut claims: HashMap<(i32, CasualtyCategory), Vec<Claim>> = HashMap::new();
    for report in &reports {
        let category = CasualtyCategory::from_db(&report.category)?;
        claims.entry((report.event_id, category)).or_default().push(claim(report)?);
    }
    let mut parts: HashMap<(i32, CasualtyCategory), Bounds> = HashMap::new();
    for sum in sums {
        let category = CasualtyCategory::from_db(&sum.category)?;
        let bounds =
            Bounds { low: sum.low, best: sum.best, high: sum.high, high_open: sum.open != 0 };
        parts.insert((sum.event_id, category), bounds);
    }
    let mut rows = Vec::new();
    for &id in ids {
        for (position, &category) in CasualtyCategory::VARIANTS.iter().enumerate() {
            let own = claims.get(&(id, category)).and_then(|claims| reconcile(claims));
            let part = parts.get(&(id, category)).copied();
            let Some(figure) = Figure::with_sub_events(own, part.as_slice()) else { continue };
            rows.push(row(id, category, position, &figure)?);
        }
    }
    let mut sql = Sql::new(backend);
    sql.push("DELETE FROM event_figures WHERE ");
    sql.in_list("event_id", ids.iter().copied());
    db.execute_raw(sql.build()).await?;
    for chunk in rows.chunks(BATCH) {
        event_figure::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
    }
    // Which of them are episodes now: they have a live sub-event.
    let mut sql = Sql::new(backend);
    sql.push("DELETE FROM episodes WHERE ");
    sql.in_list("event_id", ids.iter().copied());
    db.execute_raw(sql.build()).await?;
    let mut sql = Sql::new(backend);
    sql.push("INSERT INTO episodes (event_id) SELECT DISTINCT parent_id FROM events WHERE ");
    sql.push("archived_at IS NULL AND ");
    sql.in_list("parent_id", ids.iter().copied());
    db.execute_raw(sql.build()).await?;
    Ok(())
}

fn row(
    event_id: i32,
    category: CasualtyCategory,
    position: usize,
    figure: &Figure,
) -> Result<event_figure::ActiveModel, AppError> {
    let excluded: Vec<(i32, &str, Option<i32>)> = figure
        .excluded
        .iter()
        .map(|&(id, exclusion)| match exclusion {
            Exclusion::Retracted => (id, ExclusionReason::Retracted.as_str(), None),
            Exclusion::SupersededBy(by) => (id, ExclusionReason::Superseded.as_str(), Some(by)),
        })
        .collect();
    let sub = figure.sub_events;
    Ok(event_figure::ActiveModel {
        event_id: Set(event_id),
        category: Set(category.as_str().to_owned()),
        position: Set(i16::try_from(position).unwrap_or(i16::MAX)),
        low: Set(figure.low),
        best: Set(figure.best),
        high: Set(figure.high),
        high_open: Set(figure.high_open),
        rule: Set(figure.rule.as_str().to_owned()),
        sub_low: Set(sub.map(|s| s.low)),
        sub_best: Set(sub.map(|s| s.best)),
        sub_high: Set(sub.map(|s| s.high)),
        sub_high_open: Set(sub.map(|s| s.high_open)),
        considered: Set(serde_json::to_string(&figure.considered)?),
        excluded: Set(serde_json::to_string(&excluded)?),
    })
}

fn claim(report: &casualty_report::Model) -> Result<Claim, AppError> {
    Ok(Claim {
        id: report.id,
        claimant: report.claimed_by_id,
        group: report.affected_group.clone(),
        low: i64::from(report.low),
        high: report.high.map(i64::from),
        best: report.best.map(i64::from),
        as_of: report.as_of,
        status: ReportStatus::from_db(&report.status)?,
        preferred: report.preferred,
    })
}
