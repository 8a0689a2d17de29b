//! Event statistics: counts and summed reconciled figures of the events a filter selects, per
//! step of a time axis and per group. The database groups by day (the finest step) and by the
//! grouping columns; the steps, the gaps, the top series and the rest are made here, the same
//! way on both backends.

use super::event::EventFilter;
use super::page::Filter;
use super::rollup::{month_of, Grain};
use super::sql::Sql;
use crate::domain::stats::{coarser_than, next_step, step_start, steps};
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
        StatsScope::Leaves | StatsScope::All => sql.push(
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
    let rolled = rollup_scope(query.scope).zip(rolled_up(query, dimensions));
    let (counts, figures) = if let Some(((counted, prefix), parts)) = rolled {
        let figures =
            query.figures.then(|| rollup_figures(backend, &parts, prefix, query, dimensions));
        (rollup_counts(backend, &parts, counted, query, dimensions), figures)
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

/// The rollup's column counting the events of `scope`, and the prefix of its figures'
/// columns; `None` for a scope it does not keep (`ALL`: an episode is in no column).
fn rollup_scope(scope: StatsScope) -> Option<(&'static str, &'static str)> {
    match scope {
        StatsScope::Leaves => Some(("r.leaves", "r.leaves_")),
        StatsScope::TopLevel => Some(("r.top_level", "r.top_")),
        StatsScope::All => None,
    }
}

/// Days `from..=to` (open where `None`) read from one rollup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Part {
    grain: Grain,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

/// Where the rollup (`service::rollup`) holds the answer to `query`, if it does: a filter and
/// groups made only of what the rollup keeps. Steps of whole months (months, quarters, years,
/// or none) read the monthly rows for the whole months on the axis (about 30 times fewer rows
/// to sum) and the daily rows for the part-months at its ends; weeks and days read the daily
/// rows. Every field of the filter is named here, so that a new one must be decided on.
fn rolled_up(query: &StatsQuery, dimensions: &[StatsDimension]) -> Option<Vec<Part>> {
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
    // "Ongoing on or after `from`" says nothing more of events that start on the axis when the
    // axis starts on or after it; otherwise it needs each event's end.
    let from_implied = from.is_none_or(|from| query.from.is_some_and(|start| start >= from));
    let grouped = dimensions.iter().all(|d| rollup_column(*d).is_some());
    if !(kept && from_implied && grouped) {
        return None;
    }
    let last = match (query.to, *to) {
        (Some(axis), Some(filter)) => Some(axis.min(filter)),
        (axis, filter) => axis.or(filter),
    };
    let whole_steps = matches!(
        query.interval,
        StatsInterval::Month | StatsInterval::Quarter | StatsInterval::Year | StatsInterval::None
    );
    Some(if whole_steps {
        by_months(query.from, last)
    } else {
        vec![Part { grain: Grain::Day, from: query.from, to: last }]
    })
}

/// Days `from..=to` as the whole months between them, read monthly, and the days of the
/// part-months at either end, read daily.
fn by_months(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Vec<Part> {
    let day = |from, to| Part { grain: Grain::Day, from, to };
    // The first day of the first whole month, and the last day of the last one.
    let first = from.map(|day| {
        if day.day() == 1 {
            day
        } else {
            next_step(month_of(day), StatsInterval::Month).unwrap_or(NaiveDate::MAX)
        }
    });
    let last = to.map(|day| match day.succ_opt() {
        Some(next) if next.day() != 1 => month_of(day).pred_opt().unwrap_or(NaiveDate::MIN),
        _ => day,
    });
    if let (Some(first), Some(last)) = (first, last) {
        if first > last {
            return vec![day(from, to)];
        }
    }
    let mut parts = Vec::with_capacity(3);
    if let (Some(from), Some(first)) = (from, first) {
        if from < first {
            parts.push(day(Some(from), first.pred_opt()));
        }
    }
    parts.push(Part { grain: Grain::Month, from: first, to: last });
    if let (Some(to), Some(last)) = (to, last) {
        if last < to {
            parts.push(day(last.succ_opt(), Some(to)));
        }
    }
    parts
}

/// The conditions on rollup rows `r` of `part` that select what `query` counts.
fn rollup_conditions(sql: &mut Sql, part: Part, query: &StatsQuery) {
    if let Some(types) = &query.filter.types {
        sql.and().in_list("r.event_type", types.iter().map(|t| t.as_str()));
    }
    if let Some(codes) = &query.filter.country_codes {
        sql.and().in_list("r.country_code", codes.iter().cloned());
    }
    // A monthly row is keyed by its month's first day, and a monthly part holds whole months.
    let date = |day: NaiveDate| if part.grain == Grain::Month { month_of(day) } else { day };
    if let Some(from) = part.from {
        sql.and().push("r.").push(part.grain.column()).push(" >= ").bind(date(from));
    }
    if let Some(to) = part.to {
        sql.and().push("r.").push(part.grain.column()).push(" <= ").bind(date(to));
    }
}

/// Each part's rows, as one statement.
fn union_of(backend: DbBackend, parts: &[Part], mut select: impl FnMut(&mut Sql, Part)) -> Sql {
    let mut sql = Sql::new(backend);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        // No parentheses: SQLite takes none around the members of a compound SELECT.
        sql.subquery(|sql| select(sql, *part));
    }
    sql
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
    parts: &[Part],
    counted: &str,
    query: &StatsQuery,
    dimensions: &[StatsDimension],
) -> Sql {
    union_of(backend, parts, |sql, part| {
        let column = part.grain.column();
        sql.push("SELECT r.").push(column).push(" AS day, r.date_precision, CAST(SUM(");
        sql.push(counted).push(") AS BIGINT) AS n");
        rollup_keys(sql, dimensions);
        sql.push(" FROM ").push(part.grain.tables().0).push(" r");
        rollup_conditions(sql, part, query);
        sql.push(" GROUP BY r.").push(column).push(", r.date_precision");
        group_keys(sql, dimensions);
        sql.push(" HAVING SUM(").push(counted).push(") > 0");
    })
}

fn rollup_figures(
    backend: DbBackend,
    parts: &[Part],
    prefix: &str,
    query: &StatsQuery,
    dimensions: &[StatsDimension],
) -> Sql {
    union_of(backend, parts, |sql, part| {
        let column = part.grain.column();
        sql.push("SELECT r.").push(column).push(" AS day, r.category");
        for bound in ["low", "best", "high", "known"] {
            sql.push(&format!(", CAST(SUM({prefix}{bound}) AS BIGINT) AS {bound}"));
        }
        sql.push(&format!(", MAX({prefix}open) AS open"));
        rollup_keys(sql, dimensions);
        sql.push(" FROM ").push(part.grain.tables().1).push(" r");
        rollup_conditions(sql, part, query);
        sql.push(" GROUP BY r.").push(column).push(", r.category");
        group_keys(sql, dimensions);
        // Under the leaves scope an episode's row counts what its sub-events leave out, known
        // or not, as the events' own sums do; under top level only top-level events count.
        if query.scope == StatsScope::TopLevel {
            sql.push(" HAVING SUM(r.top_known) > 0");
        }
    })
}

/// The day a row of events is counted on: its start day, or, without a time axis, the first
/// start day of its group, so that the database does not group by day for nothing.
fn day(query: &StatsQuery) -> &'static str {
    if query.interval == StatsInterval::None {
        "MIN(e.start_date)"
    } else {
        "e.start_date"
    }
}

/// The start of a `GROUP BY` list: the start day when there is a time axis.
fn by_day(query: &StatsQuery) -> &'static str {
    if query.interval == StatsInterval::None {
        ""
    } else {
        "e.start_date, "
    }
}

/// The events counted per day (or per group without a time axis), precision and group.
fn event_counts(backend: DbBackend, query: &StatsQuery, dimensions: &[StatsDimension]) -> Sql {
    let mut sql = Sql::new(backend);
    sql.push("SELECT ").push(day(query)).push(" AS day, e.date_precision, COUNT(*) AS n");
    keys(&mut sql, dimensions);
    events_from(&mut sql, query, dimensions);
    if query.scope != StatsScope::All {
        sql.push(" WHERE e.episode = 0");
    }
    sql.push(" GROUP BY ").push(by_day(query)).push("e.date_precision");
    group_keys(&mut sql, dimensions);
    sql
}

/// The figures summed per day, group and category. An episode adds what its sub-events'
/// figures leave out: its figure is never less than their sum, so the difference is never
/// negative.
fn event_figures(backend: DbBackend, query: &StatsQuery, dimensions: &[StatsDimension]) -> Sql {
    let mut sql = Sql::new(backend);
    sql.push("SELECT ").push(day(query)).push(
        " AS day, f.category, \
         CAST(SUM(CASE WHEN e.episode = 1 THEN f.low - COALESCE(f.sub_low, 0) ELSE f.low END) AS BIGINT) AS low, \
         CAST(SUM(CASE WHEN e.episode = 1 THEN f.best - COALESCE(f.sub_best, 0) ELSE f.best END) AS BIGINT) AS best, \
         CAST(SUM(CASE WHEN e.episode = 1 THEN f.high - COALESCE(f.sub_high, 0) ELSE f.high END) AS BIGINT) AS high, \
         MAX(CASE WHEN f.high_open THEN 1 ELSE 0 END) AS open, ",
    );
    // An episode is counted, and its figure known, only under ALL.
    sql.push(if query.scope == StatsScope::All {
        "CAST(COUNT(*) AS BIGINT) AS known"
    } else {
        "CAST(SUM(1 - e.episode) AS BIGINT) AS known"
    });
    keys(&mut sql, dimensions);
    events_from(&mut sql, query, dimensions);
    sql.push(" JOIN event_figures f ON f.event_id = e.id WHERE f.best IS NOT NULL");
    sql.push(" GROUP BY ").push(by_day(query)).push("f.category");
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn part(grain: Grain, from: &str, to: &str) -> Part {
        Part { grain, from: Some(d(from)), to: Some(d(to)) }
    }

    #[test]
    fn an_axis_reads_whole_months_monthly_and_the_ends_daily() {
        assert_eq!(
            by_months(Some(d("2015-03-17")), Some(d("2024-11-20"))),
            [
                part(Grain::Day, "2015-03-17", "2015-03-31"),
                part(Grain::Month, "2015-04-01", "2024-10-31"),
                part(Grain::Day, "2024-11-01", "2024-11-20"),
            ]
        );
        // Aligned ends, a leap February, open ends: months only.
        assert_eq!(
            by_months(Some(d("2024-01-01")), Some(d("2024-02-29"))),
            [part(Grain::Month, "2024-01-01", "2024-02-29")]
        );
        assert_eq!(by_months(None, None), [Part { grain: Grain::Month, from: None, to: None }]);
        assert_eq!(
            by_months(None, Some(d("2024-02-10"))),
            [
                Part { grain: Grain::Month, from: None, to: Some(d("2024-01-31")) },
                part(Grain::Day, "2024-02-01", "2024-02-10"),
            ]
        );
        // Inside one month, or across two part-months: days only.
        for (from, to) in [("2024-02-03", "2024-02-20"), ("2024-01-20", "2024-02-10")] {
            assert_eq!(by_months(Some(d(from)), Some(d(to))), [part(Grain::Day, from, to)]);
        }
        assert_eq!(
            by_months(Some(d("2024-01-20")), Some(d("2024-02-29"))),
            [
                part(Grain::Day, "2024-01-20", "2024-01-31"),
                part(Grain::Month, "2024-02-01", "2024-02-29")
            ]
        );
    }
}
