//! Event statistics: counts and summed reconciled figures of the events a filter selects, per
//! step of a time axis and per group. The database groups by day (the finest step) and by the
//! grouping columns; the steps, the gaps, the top series and the rest are made here, the same
//! way on both backends.

use super::event::EventFilter;
use super::page::Filter;
use super::rollup::{month_of, Grain};
use super::sql::Sql;
use crate::domain::stats::{coarser_than, step_start, steps};
use crate::domain::{
    CasualtyCategory, DatePrecision, StatsDimension, StatsInterval, StatsScope, WeekStart,
};
use crate::error::AppError;
use chrono::{Datelike, NaiveDate};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};
use std::collections::HashMap;
use strum::VariantArray;

/// Most steps a time axis may have.
pub const MAX_STEPS: usize = 1_000;
/// Most series a request may ask for besides the rest.
pub const MAX_TOP: usize = 100;
/// Series when the request does not say.
pub const DEFAULT_TOP: usize = 10;

/// What to count, and how to cut it.
#[derive(Clone, Debug)]
pub struct StatsQuery {
    /// Which events: exactly the `events` list's filter.
    pub filter: EventFilter,
    /// What the series are; none for one series of everything.
    pub group_by: Vec<StatsDimension>,
    /// The width of a step of the time axis.
    pub interval: StatsInterval,
    /// The first day of the axis; events that start earlier are not counted. When absent,
    /// the axis starts with the earliest event counted.
    pub from: Option<NaiveDate>,
    /// The last day of the axis; events that start later are not counted.
    pub to: Option<NaiveDate>,
    /// The day weeks start on.
    pub week_start: WeekStart,
    /// Which events count.
    pub scope: StatsScope,
    /// How many series to give, the largest first; the others are folded into one.
    pub top: usize,
    /// Whether to sum the casualty figures; when not, every sum is zero and only events are
    /// counted (one statement fewer, and at a million events most of the work saved).
    pub figures: bool,
    /// Whether the rollup may answer, when it holds the answer; off, the events are counted
    /// every time (the answers are the same: the switch proves it).
    pub rollup: bool,
}

/// The sums of one casualty category over the events of a step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CategorySums {
    /// Sum of the reconciled lower bounds.
    pub low: i64,
    /// Sum of the best estimates.
    pub best: i64,
    /// Sum of the upper bounds.
    pub high: i64,
    /// Whether any figure summed is open-ended.
    pub high_open: bool,
    /// Events counted that have a figure in the category.
    pub known: i64,
}

/// The counts of one step (or of a whole series).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Point {
    /// Events counted.
    pub events: i64,
    /// Of those, the ones whose date is known less exactly than one step.
    pub coarser: i64,
    /// Per casualty category, in the categories' order.
    pub figures: Vec<CategorySums>,
}

impl Point {
    fn empty() -> Point {
        Point {
            figures: vec![CategorySums::default(); CasualtyCategory::VARIANTS.len()],
            ..Point::default()
        }
    }

    fn add(&mut self, other: &Point) {
        self.events += other.events;
        self.coarser += other.coarser;
        for (sum, more) in self.figures.iter_mut().zip(&other.figures) {
            sum.low += more.low;
            sum.best += more.best;
            sum.high += more.high;
            sum.high_open |= more.high_open;
            sum.known += more.known;
        }
    }
}

/// One series: a group's counts over the axis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    /// The group's value of each dimension of `group_by`, in that order; `None` where the
    /// events have none (no admin-1, no disorder type). Empty for the series of everything.
    pub key: Vec<Option<String>>,
    /// Whether this is the fold of every series past `top`.
    pub other: bool,
    /// One point per step of the axis.
    pub points: Vec<Point>,
    /// The whole series.
    pub total: Point,
}

/// The answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventStats {
    /// The first day of each step of the axis; empty without an axis.
    pub steps: Vec<NaiveDate>,
    /// The top series by events (then by key), then the rest folded into one.
    pub series: Vec<Series>,
    /// Every event counted, once: an event with several actors counts once here.
    pub total: Series,
}

#[derive(FromQueryResult)]
struct CountRow {
    day: NaiveDate,
    date_precision: String,
    n: i64,
}

#[derive(FromQueryResult)]
struct FigureRow {
    day: NaiveDate,
    category: String,
    low: i64,
    best: i64,
    high: i64,
    open: i32,
    known: i64,
}

/// Counts the events `query` selects.
///
/// # Errors
/// `BAD_USER_INPUT` for an axis past [`MAX_STEPS`], `to` before `from`, or `top` out of range;
/// `INTERNAL` when the database fails.
pub async fn event_stats(
    db: &impl ConnectionTrait,
    query: &StatsQuery,
) -> Result<EventStats, AppError> {
    if query.top > MAX_TOP {
        return Err(AppError::invalid_input("top", format!("top is at most {MAX_TOP}")));
    }
    if let (Some(from), Some(to)) = (query.from, query.to) {
        if to < from {
            return Err(AppError::invalid_input("to", "to is before from"));
        }
        // Refuse a long axis before reading anything.
        axis(from, to, query)?;
    }
    let mut dimensions: Vec<StatsDimension> = Vec::new();
    for dimension in &query.group_by {
        if !dimensions.contains(dimension) {
            dimensions.push(*dimension);
        }
    }
    let grouped = read(db, query, &dimensions).await?;
    // Grouped by the event's own columns, every event is in exactly one group, and the total
    // is their sum; grouped by actor, an event is in one group per actor, so it is read again.
    let partitions =
        !dimensions.iter().any(|d| matches!(d, StatsDimension::Actor | StatsDimension::ActorKind));
    let everything = if partitions && !dimensions.is_empty() {
        let mut all = Rows::default();
        for (_, rows) in &grouped.groups {
            all.counts.extend(rows.counts.iter().cloned());
            all.figures.extend(rows.figures.iter().cloned());
        }
        Grouped { groups: vec![(Vec::new(), all)] }
    } else {
        read(db, query, &[]).await?
    };
    let days = everything.days();
    let from = query.from.or(days.map(|(first, _)| first));
    let to = query.to.or(days.map(|(_, last)| last));
    let steps = match (from, to) {
        (Some(from), Some(to)) => axis(from, to, query)?,
        _ => Vec::new(),
    };
    let mut series: Vec<Series> =
        grouped.groups.into_iter().map(|(key, rows)| rows.series(key, &steps, query)).collect();
    series.sort_by(|a, b| b.total.events.cmp(&a.total.events).then_with(|| a.key.cmp(&b.key)));
    if !dimensions.is_empty() && series.len() > query.top {
        let rest = series.split_off(query.top);
        let mut other = Series {
            key: vec![None; dimensions.len()],
            other: true,
            points: vec![Point::empty(); steps.len()],
            total: Point::empty(),
        };
        for folded in rest {
            for (point, more) in other.points.iter_mut().zip(&folded.points) {
                point.add(more);
            }
            other.total.add(&folded.total);
        }
        series.push(other);
    }
    let total = everything
        .groups
        .into_iter()
        .next()
        .map(|(key, rows)| rows.series(key, &steps, query))
        .unwrap_or_else(|| Series {
            key: Vec::new(),
            other: false,
            points: vec![Point::empty(); steps.len()],
            total: Point::empty(),
        });
    Ok(EventStats { steps, series, total })
}

fn axis(from: NaiveDate, to: NaiveDate, query: &StatsQuery) -> Result<Vec<NaiveDate>, AppError> {
    steps(from, to, query.interval, query.week_start, MAX_STEPS).ok_or_else(|| {
        AppError::invalid_input(
            "interval",
            format!(
                "the axis from {from} to {to} has more than {MAX_STEPS} steps of one {}; \
                 choose a wider interval or a shorter range",
                query.interval.as_str().to_lowercase()
            ),
        )
    })
}

/// The day-level rows of each group.
#[derive(Default)]
struct Rows {
    counts: Vec<(NaiveDate, DatePrecision, i64)>,
    figures: Vec<(NaiveDate, usize, CategorySums)>,
}

struct Grouped {
    groups: Vec<(Vec<Option<String>>, Rows)>,
}

impl Grouped {
    /// The first and last day any event counted starts on.
    fn days(&self) -> Option<(NaiveDate, NaiveDate)> {
        let days = self.groups.iter().flat_map(|(_, rows)| rows.counts.iter().map(|c| c.0));
        let figure_days = self.groups.iter().flat_map(|(_, rows)| rows.figures.iter().map(|f| f.0));
        let all: Vec<NaiveDate> = days.chain(figure_days).collect();
        Some((*all.iter().min()?, *all.iter().max()?))
    }
}

impl Rows {
    fn series(self, key: Vec<Option<String>>, steps: &[NaiveDate], query: &StatsQuery) -> Series {
        let mut points = vec![Point::empty(); steps.len()];
        let mut total = Point::empty();
        let step_of = |day: NaiveDate| {
            let start = step_start(day, query.interval, query.week_start)?;
            steps.binary_search(&start).ok()
        };
        for (day, precision, n) in self.counts {
            let coarser = if coarser_than(precision, query.interval) { n } else { 0 };
            let point = Point { events: n, coarser, figures: Point::empty().figures };
            if let Some(i) = step_of(day) {
                points[i].add(&point);
            }
            total.add(&point);
        }
        for (day, category, sums) in self.figures {
            let mut point = Point::empty();
            point.figures[category] = sums;
            if let Some(i) = step_of(day) {
                points[i].add(&point);
            }
            total.add(&point);
        }
        Series { key, other: false, points, total }
    }
}

/// The SQL of one grouping column, and the join it needs.
fn column(
    dimension: StatsDimension,
    dimensions: &[StatsDimension],
) -> (&'static str, &'static str) {
    let by_actor = dimensions.contains(&StatsDimension::Actor);
    match dimension {
        StatsDimension::Country => ("e.country_code", ""),
        StatsDimension::Admin1 => ("e.admin1", ""),
        StatsDimension::DisorderType => ("e.disorder_type", ""),
        StatsDimension::EventType => ("e.event_type", ""),
        StatsDimension::SubEventType => ("e.sub_type", ""),
        StatsDimension::Actor => (
            "CAST(sp.actor_id AS TEXT)",
            " JOIN (SELECT DISTINCT event_id, actor_id FROM event_participants) sp \
             ON sp.event_id = e.id",
        ),
        StatsDimension::ActorKind if by_actor => {
            ("sa.kind", " JOIN actors sa ON sa.id = sp.actor_id")
        }
        StatsDimension::ActorKind => (
            "sk.kind",
            " JOIN (SELECT DISTINCT ep.event_id, a.kind FROM event_participants ep \
             JOIN actors a ON a.id = ep.actor_id) sk ON sk.event_id = e.id",
        ),
    }
}

/// `FROM` the events `query` selects, each with whether it is an episode whose figures count
/// only by what its sub-events leave out (`e.episode`), joined for `dimensions`.
fn events_from(sql: &mut Sql, query: &StatsQuery, dimensions: &[StatsDimension]) {
    sql.push(" FROM (SELECT e.*, ");
    match query.scope {
        StatsScope::Leaves => sql.push(
            "CASE WHEN x.event_id IS NULL THEN 0 ELSE 1 END AS episode FROM events e \
             LEFT JOIN episodes x ON x.event_id = e.id",
        ),
        StatsScope::TopLevel => sql.push("0 AS episode FROM events e"),
    };
    sql.subquery(|sql| {
        query.filter.push(sql);
        if query.scope == StatsScope::TopLevel {
            sql.and().push("e.parent_id IS NULL");
        }
        if let Some(from) = query.from {
            sql.and().push("e.start_date >= ").bind(from);
        }
        if let Some(to) = query.to {
            sql.and().push("e.start_date <= ").bind(to);
        }
    });
    sql.push(") e");
    for dimension in dimensions {
        sql.push(column(*dimension, dimensions).1);
    }
}

/// The keys' columns, `d0`, `d1`, …, for a select list.
fn keys(sql: &mut Sql, dimensions: &[StatsDimension]) {
    for (i, dimension) in dimensions.iter().enumerate() {
        sql.push(", ").push(column(*dimension, dimensions).0).push(&format!(" AS d{i}"));
    }
}

/// The keys' columns appended to a `GROUP BY`.
fn group_keys(sql: &mut Sql, dimensions: &[StatsDimension]) {
    for i in 0..dimensions.len() {
        sql.push(&format!(", d{i}"));
    }
}

fn key_of(
    row: &sea_orm::QueryResult,
    dimensions: &[StatsDimension],
) -> Result<Vec<Option<String>>, AppError> {
    (0..dimensions.len())
        .map(|i| Ok(row.try_get::<Option<String>>("", &format!("d{i}"))?))
        .collect()
}

/// The events counted per day (or month), precision and group, and their figures summed per
/// day (or month), group and category: from the monthly rollup where it holds the answer,
/// else from the events. Two statements either way.
async fn read(
    db: &impl ConnectionTrait,
    query: &StatsQuery,
    dimensions: &[StatsDimension],
) -> Result<Grouped, AppError> {
    let backend = db.get_database_backend();
    let (counts, figures) = if let Some(grain) = rolled_up(query, dimensions) {
        let figures = query.figures.then(|| rollup_figures(backend, grain, query, dimensions));
        (rollup_counts(backend, grain, query, dimensions), figures)
    } else {
        let figures = query.figures.then(|| event_figures(backend, query, dimensions));
        (event_counts(backend, query, dimensions), figures)
    };
    collect(db, counts, figures, dimensions).await
}

/// The rollup's column of a grouping dimension; `None` for those it does not keep.
fn rollup_column(dimension: StatsDimension) -> Option<&'static str> {
    match dimension {
        StatsDimension::Country => Some("r.country_code"),
        StatsDimension::DisorderType => Some("r.disorder_type"),
        StatsDimension::EventType => Some("r.event_type"),
        StatsDimension::Admin1
        | StatsDimension::SubEventType
        | StatsDimension::Actor
        | StatsDimension::ActorKind => None,
    }
}

/// Which rollup (`service::rollup`) holds the answer to `query`, if one does: a filter and
/// groups made only of what the rollup keeps, and the monthly one when the steps are whole
/// months on an axis from a month's first day to a month's last (fewer rows to sum), else
/// the daily one. Every field of the filter is named here, so that a new one must be decided
/// on.
fn rolled_up(query: &StatsQuery, dimensions: &[StatsDimension]) -> Option<Grain> {
    if !query.rollup {
        return None;
    }
    let EventFilter {
        types: _,
        country_codes: _,
        sub_types,
        from,
        to,
        actor_ids,
        parent_id,
        bbox,
        near,
        geo_precisions,
        search,
        low_confidence,
        include_archived,
    } = &query.filter;
    let kept = sub_types.is_none()
        && actor_ids.is_none()
        && parent_id.is_none()
        && bbox.is_none()
        && near.is_none()
        && geo_precisions.is_none()
        && search.is_none()
        && low_confidence.is_none()
        && !include_archived;
    let first_of_month = |day: NaiveDate| day.day() == 1;
    let last_of_month = |day: NaiveDate| day.succ_opt().is_none_or(|next| next.day() == 1);
    let whole_months = matches!(
        query.interval,
        StatsInterval::Month | StatsInterval::Quarter | StatsInterval::Year | StatsInterval::None
    ) && query.from.is_none_or(first_of_month)
        && query.to.is_none_or(last_of_month)
        && to.is_none_or(last_of_month);
    // "Ongoing on or after `from`" says nothing more of events that start on the axis when the
    // axis starts on or after it; otherwise it needs each event's end.
    let from_implied = from.is_none_or(|from| query.from.is_some_and(|start| start >= from));
    let grouped = dimensions.iter().all(|d| rollup_column(*d).is_some());
    (kept && from_implied && grouped).then_some(if whole_months {
        Grain::Month
    } else {
        Grain::Day
    })
}

/// The conditions on rollup rows `r` that select what `query` counts.
fn rollup_conditions(sql: &mut Sql, grain: Grain, query: &StatsQuery) {
    if let Some(types) = &query.filter.types {
        sql.and().in_list("r.event_type", types.iter().map(|t| t.as_str()));
    }
    if let Some(codes) = &query.filter.country_codes {
        sql.and().in_list("r.country_code", codes.iter().cloned());
    }
    // A monthly row holds whole months: the axis and `filter.to` end with one.
    let date = |day: NaiveDate| if grain == Grain::Month { month_of(day) } else { day };
    if let Some(from) = query.from {
        sql.and().push("r.").push(grain.column()).push(" >= ").bind(date(from));
    }
    for to in [query.to, query.filter.to].into_iter().flatten() {
        sql.and().push("r.").push(grain.column()).push(" <= ").bind(date(to));
    }
}

/// The rollup's keys' columns, `d0`, `d1`, …, for a select list.
fn rollup_keys(sql: &mut Sql, dimensions: &[StatsDimension]) {
    for (i, dimension) in dimensions.iter().enumerate() {
        let column = rollup_column(*dimension).unwrap_or("NULL");
        sql.push(", ").push(column).push(&format!(" AS d{i}"));
    }
}

fn rollup_counts(
    backend: DbBackend,
    grain: Grain,
    query: &StatsQuery,
    dimensions: &[StatsDimension],
) -> Sql {
    let counted = match query.scope {
        StatsScope::Leaves => "r.leaves",
        StatsScope::TopLevel => "r.top_level",
    };
    let mut sql = Sql::new(backend);
    let (events, _) = grain.tables();
    sql.push("SELECT r.").push(grain.column()).push(" AS day, r.date_precision, CAST(SUM(");
    sql.push(counted).push(") AS BIGINT) AS n");
    rollup_keys(&mut sql, dimensions);
    sql.push(" FROM ").push(events).push(" r");
    rollup_conditions(&mut sql, grain, query);
    sql.push(" GROUP BY r.").push(grain.column()).push(", r.date_precision");
    group_keys(&mut sql, dimensions);
    sql.push(" HAVING SUM(").push(counted).push(") > 0");
    sql
}

fn rollup_figures(
    backend: DbBackend,
    grain: Grain,
    query: &StatsQuery,
    dimensions: &[StatsDimension],
) -> Sql {
    let prefix = match query.scope {
        StatsScope::Leaves => "r.leaves_",
        StatsScope::TopLevel => "r.top_",
    };
    let mut sql = Sql::new(backend);
    sql.push("SELECT r.").push(grain.column()).push(" AS day, r.category");
    for bound in ["low", "best", "high", "known"] {
        sql.push(&format!(", CAST(SUM({prefix}{bound}) AS BIGINT) AS {bound}"));
    }
    sql.push(&format!(", MAX({prefix}open) AS open"));
    rollup_keys(&mut sql, dimensions);
    sql.push(" FROM ").push(grain.tables().1).push(" r");
    rollup_conditions(&mut sql, grain, query);
    sql.push(" GROUP BY r.").push(grain.column()).push(", r.category");
    group_keys(&mut sql, dimensions);
    // Under the leaves scope an episode's row counts what its sub-events leave out, known or
    // not, as the events' own sums do; under top level only top-level events count.
    if query.scope == StatsScope::TopLevel {
        sql.push(" HAVING SUM(r.top_known) > 0");
    }
    sql
}

/// The events counted per day, precision and group.
fn event_counts(backend: DbBackend, query: &StatsQuery, dimensions: &[StatsDimension]) -> Sql {
    let mut sql = Sql::new(backend);
    sql.push("SELECT e.start_date AS day, e.date_precision, COUNT(*) AS n");
    keys(&mut sql, dimensions);
    events_from(&mut sql, query, dimensions);
    sql.push(" WHERE e.episode = 0");
    sql.push(" GROUP BY e.start_date, e.date_precision");
    group_keys(&mut sql, dimensions);
    sql
}

/// The figures summed per day, group and category. An episode adds what its sub-events'
/// figures leave out: its figure is never less than their sum, so the difference is never
/// negative.
fn event_figures(backend: DbBackend, query: &StatsQuery, dimensions: &[StatsDimension]) -> Sql {
    let mut sql = Sql::new(backend);
    sql.push(
        "SELECT e.start_date AS day, f.category, \
         CAST(SUM(CASE WHEN e.episode = 1 THEN f.low - COALESCE(f.sub_low, 0) ELSE f.low END) AS BIGINT) AS low, \
         CAST(SUM(CASE WHEN e.episode = 1 THEN f.best - COALESCE(f.sub_best, 0) ELSE f.best END) AS BIGINT) AS best, \
         CAST(SUM(CASE WHEN e.episode = 1 THEN f.high - COALESCE(f.sub_high, 0) ELSE f.high END) AS BIGINT) AS high, \
         MAX(CASE WHEN f.high_open THEN 1 ELSE 0 END) AS open, \
         CAST(SUM(1 - e.episode) AS BIGINT) AS known",
    );
    keys(&mut sql, dimensions);
    events_from(&mut sql, query, dimensions);
    sql.push(" JOIN event_figures f ON f.event_id = e.id WHERE f.best IS NOT NULL");
    sql.push(" GROUP BY e.start_date, f.category");
    group_keys(&mut sql, dimensions);
    sql
}

/// Reads the rows of `counts` and of `figures`, if any, into groups.
async fn collect(
    db: &impl ConnectionTrait,
    counts: Sql,
    figures: Option<Sql>,
    dimensions: &[StatsDimension],
) -> Result<Grouped, AppError> {
    let mut groups: HashMap<Vec<Option<String>>, Rows> = HashMap::new();
    for row in db.query_all_raw(counts.build()).await? {
        let counted = CountRow::from_query_result(&row, "")?;
        let precision = DatePrecision::from_db(&counted.date_precision)?;
        let key = key_of(&row, dimensions)?;
        groups.entry(key).or_default().counts.push((counted.day, precision, counted.n));
    }

    let summed = match figures {
        Some(figures) => db.query_all_raw(figures.build()).await?,
        None => Vec::new(),
    };
    for row in summed {
        let summed = FigureRow::from_query_result(&row, "")?;
        let category = CasualtyCategory::from_db(&summed.category)?;
        let position = CasualtyCategory::VARIANTS.iter().position(|c| *c == category).unwrap_or(0);
        let sums = CategorySums {
            low: summed.low,
            best: summed.best,
            high: summed.high,
            high_open: summed.open != 0,
            known: summed.known,
        };
        let key = key_of(&row, dimensions)?;
        groups.entry(key).or_default().figures.push((summed.day, position, sums));
    }
    if dimensions.is_empty() {
        groups.entry(Vec::new()).or_default();
    }
    Ok(Grouped { groups: groups.into_iter().collect() })
}
