//! The rollup that statistics read instead of every event: per month (`stats_month_events`,
//! `stats_month_figures`) and per day (`stats_day_events`, `stats_day_figures`), country,
//! disorder type and event type, the events counted under each scope and their figures summed
//! as statistics sum them. The write path rebuilds the (month, country) groups its changes touched, before
//! it commits and after the figures ([`refresh`]); a bulk load rebuilds all of it
//! ([`rebuild`]). Rebuilding a group, rather than adding and subtracting, keeps the rollup
//! exact whatever the write did: a group is a country's events of one month.

use super::sql::Sql;
use crate::error::AppError;
use chrono::{Datelike, Months, NaiveDate};
use sea_orm::{ConnectionTrait, DbBackend};
use std::collections::{BTreeMap, BTreeSet};

/// A country's events of one month (the first day of the month; the country may be unknown).
pub type Group = (NaiveDate, Option<String>);

/// What a rollup row sums: a month's events, or a day's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grain {
    /// `stats_month_*`, keyed by the first day of the month.
    Month,
    /// `stats_day_*`, keyed by the start day.
    Day,
}

impl Grain {
    const ALL: [Grain; 2] = [Grain::Month, Grain::Day];

    /// The tables of counts and of figures.
    pub fn tables(self) -> (&'static str, &'static str) {
        match self {
            Grain::Month => ("stats_month_events", "stats_month_figures"),
            Grain::Day => ("stats_day_events", "stats_day_figures"),
        }
    }

    /// The column holding a row's month or day.
    pub fn column(self) -> &'static str {
        match self {
            Grain::Month => "month",
            Grain::Day => "day",
        }
    }
}

/// Past this many groups, one write rebuilds the whole rollup: cheaper than thousands of
/// small rebuilds, and what an import of a large file comes to.
const REBUILD_ABOVE: usize = 500;

/// The first day of `day`'s month.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// Where an event was before a write moved it: its former start day and country, where the
/// write changed them.
#[derive(Debug)]
pub struct Former {
    /// The event.
    pub event: i32,
    /// Its start day before, if the write changed it.
    pub day: Option<NaiveDate>,
    /// Its country before (possibly none), if the write changed its location.
    pub country: Option<Option<String>>,
}

/// Rebuilds the groups that the events a write touched (`now`: each with the group it is in
/// now) are in, and those that `formerly` says some of them were in before the write.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn refresh_written(
    db: &impl ConnectionTrait,
    now: &BTreeMap<i32, Group>,
    formerly: Vec<Former>,
) -> Result<(), AppError> {
    let mut groups: BTreeSet<Group> = now.values().cloned().collect();
    for former in formerly {
        if let Some((month, country)) = now.get(&former.event) {
            let month = former.day.map_or(*month, month_of);
            groups.insert((month, former.country.unwrap_or_else(|| country.clone())));
        }
    }
    if groups.is_empty() {
        return Ok(());
    }
    refresh(db, groups).await
}

/// Rebuilds the rollup rows of `groups` from the events, episodes and stored figures.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn refresh(db: &impl ConnectionTrait, groups: BTreeSet<Group>) -> Result<(), AppError> {
    if groups.len() > REBUILD_ABOVE {
        return rebuild(db).await;
    }
    // One pair of statements per table and month, whatever the number of countries.
    let mut months: BTreeMap<NaiveDate, Vec<Option<String>>> = BTreeMap::new();
    for (month, country) in groups {
        months.entry(month).or_default().push(country);
    }
    let backend = db.get_database_backend();
    for (month, countries) in months {
        let next = month.checked_add_months(Months::new(1)).unwrap_or(month);
        for grain in Grain::ALL {
            let (events, figures) = grain.tables();
            for table in [events, figures] {
                let mut sql = Sql::new(backend);
                sql.push("DELETE FROM ").push(table).push(" WHERE ");
                sql.push(grain.column()).push(" >= ").bind(month).push(" AND ");
                sql.push(grain.column()).push(" < ").bind(next).push(" AND ");
                in_countries(&mut sql, "country_code", &countries);
                db.execute_raw(sql.build()).await?;
            }
            let within = |sql: &mut Sql| {
                sql.push(" AND e.start_date >= ").bind(month);
                sql.push(" AND e.start_date < ").bind(next).push(" AND ");
                in_countries(sql, "e.country_code", &countries);
            };
            db.execute_raw(fill_events(backend, grain, Some(month), within).build()).await?;
            db.execute_raw(fill_figures(backend, grain, Some(month), within).build()).await?;
        }
    }
    Ok(())
}

/// Rebuilds the whole rollup, as after a bulk load that bypassed the write path.
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn rebuild(db: &impl ConnectionTrait) -> Result<(), AppError> {
    let backend = db.get_database_backend();
    for grain in Grain::ALL {
        let (events, figures) = grain.tables();
        for table in [events, figures] {
            db.execute_unprepared(&format!("DELETE FROM {table}")).await?;
        }
        db.execute_raw(fill_events(backend, grain, None, |_| {}).build()).await?;
        db.execute_raw(fill_figures(backend, grain, None, |_| {}).build()).await?;
    }
    Ok(())
}

/// `column IN (…)` over `countries`, where `None` is a null country.
fn in_countries(sql: &mut Sql, column: &str, countries: &[Option<String>]) {
    let known: Vec<String> = countries.iter().flatten().cloned().collect();
    sql.push("(");
    sql.in_list(column, known);
    if countries.iter().any(Option::is_none) {
        sql.push(" OR ").push(column).push(" IS NULL");
    }
    sql.push(")");
}

/// The month of each event: `month` when every event selected is of that one (bound once),
/// else the backend's first day of `e.start_date`'s month; or its day.
fn push_date(sql: &mut Sql, grain: Grain, month: Option<NaiveDate>) {
    if grain == Grain::Day {
        sql.push("e.start_date");
        return;
    }
    match (month, sql.backend()) {
        (Some(month), _) => {
            sql.bind(month);
        }
        (None, DbBackend::Postgres) => {
            sql.push("CAST(date_trunc('month', e.start_date) AS DATE)");
        }
        (None, _) => {
            sql.push("date(e.start_date, 'start of month')");
        }
    }
}

/// The events, with whether each is an episode (`x.event_id` not null).
const EVENTS: &str = " FROM events e LEFT JOIN episodes x ON x.event_id = e.id";

/// Only the live ones.
const LIVE: &str = " WHERE e.archived_at IS NULL";

/// Inserts the counts of the live events `within` selects, grouped as the table is.
fn fill_events(
    backend: DbBackend,
    grain: Grain,
    month: Option<NaiveDate>,
    within: impl FnOnce(&mut Sql),
) -> Sql {
    let mut sql = Sql::new(backend);
    sql.push("INSERT INTO ").push(grain.tables().0).push(" (").push(grain.column());
    sql.push(
        ", date_precision, country_code, disorder_type, event_type, leaves, top_level) SELECT ",
    );
    push_date(&mut sql, grain, month);
    sql.push(
        ", e.date_precision, e.country_code, e.disorder_type, e.event_type, \
         SUM(CASE WHEN x.event_id IS NULL THEN 1 ELSE 0 END), \
         SUM(CASE WHEN e.parent_id IS NULL THEN 1 ELSE 0 END)",
    );
    sql.push(EVENTS).push(LIVE);
    within(&mut sql);
    let columns = "e.date_precision, e.country_code, e.disorder_type, e.event_type";
    group_by(&mut sql, grain, month, columns);
    sql
}

/// `GROUP BY` the month or day (unless it is the one month bound) and `columns`.
fn group_by(sql: &mut Sql, grain: Grain, month: Option<NaiveDate>, columns: &str) {
    sql.push(" GROUP BY ");
    if month.is_none() || grain == Grain::Day {
        push_date(sql, grain, None);
        sql.push(", ");
    }
    sql.push(columns);
}

/// Inserts the figures of the live events `within` selects, summed as statistics sum them:
/// under `leaves`, an episode adds what its sub-events' figures leave out (never negative:
/// its figure is at least their sum) and is not counted as known.
fn fill_figures(
    backend: DbBackend,
    grain: Grain,
    month: Option<NaiveDate>,
    within: impl FnOnce(&mut Sql),
) -> Sql {
    let mut sql = Sql::new(backend);
    sql.push("INSERT INTO ").push(grain.tables().1).push(" (").push(grain.column());
    sql.push(
        ", country_code, disorder_type, event_type, category, leaves_low, leaves_best, \
         leaves_high, leaves_open, leaves_known, top_low, top_best, top_high, top_open, \
         top_known) SELECT ",
    );
    push_date(&mut sql, grain, month);
    sql.push(", e.country_code, e.disorder_type, e.event_type, f.category");
    for bound in ["low", "best", "high"] {
        sql.push(&format!(
            ", CAST(SUM(CASE WHEN x.event_id IS NULL THEN f.{bound} \
             ELSE f.{bound} - COALESCE(f.sub_{bound}, 0) END) AS BIGINT)"
        ));
    }
    sql.push(
        ", MAX(CASE WHEN f.high_open THEN 1 ELSE 0 END), \
         CAST(SUM(CASE WHEN x.event_id IS NULL THEN 1 ELSE 0 END) AS BIGINT)",
    );
    for bound in ["low", "best", "high"] {
        sql.push(&format!(
            ", CAST(SUM(CASE WHEN e.parent_id IS NULL THEN f.{bound} ELSE 0 END) AS BIGINT)"
        ));
    }
    sql.push(
        ", MAX(CASE WHEN e.parent_id IS NULL AND f.high_open THEN 1 ELSE 0 END), \
         CAST(SUM(CASE WHEN e.parent_id IS NULL THEN 1 ELSE 0 END) AS BIGINT)",
    );
    sql.push(EVENTS).push(" JOIN event_figures f ON f.event_id = e.id").push(LIVE);
    sql.push(" AND f.best IS NOT NULL");
    within(&mut sql);
    group_by(&mut sql, grain, month, "e.country_code, e.disorder_type, e.event_type, f.category");
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_belongs_to_the_first_of_its_month() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(month_of(day(2022, 1, 5)), day(2022, 1, 1));
        assert_eq!(month_of(day(2024, 2, 29)), day(2024, 2, 1));
        assert_eq!(month_of(day(2022, 12, 1)), day(2022, 12, 1));
    }
}
