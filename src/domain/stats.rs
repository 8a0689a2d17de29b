//! The time axis of event statistics: which step a day falls in, and every step between two
//! days, computed the same way whatever the database.

use super::{DatePrecision, StatsInterval, WeekStart};
use chrono::{Datelike, Days, Months, NaiveDate};

/// The first day of the step of `interval` that `day` falls in; `None` for no axis.
pub fn step_start(
    day: NaiveDate,
    interval: StatsInterval,
    week_start: WeekStart,
) -> Option<NaiveDate> {
    let first_of = |month: u32| NaiveDate::from_ymd_opt(day.year(), month, 1);
    match interval {
        StatsInterval::Day => Some(day),
        StatsInterval::Week => {
            let from_monday = day.weekday().num_days_from_monday();
            let back = match week_start {
                WeekStart::Monday => from_monday,
                WeekStart::Saturday => (from_monday + 2) % 7,
            };
            day.checked_sub_days(Days::new(u64::from(back)))
        }
        StatsInterval::Month => first_of(day.month()),
        StatsInterval::Quarter => first_of((day.month0() / 3) * 3 + 1),
        StatsInterval::Year => first_of(1),
        StatsInterval::None => None,
    }
}

/// The first day of the step after the one starting on `start`.
pub fn next_step(start: NaiveDate, interval: StatsInterval) -> Option<NaiveDate> {
    match interval {
        StatsInterval::Day => start.checked_add_days(Days::new(1)),
        StatsInterval::Week => start.checked_add_days(Days::new(7)),
        StatsInterval::Month => start.checked_add_months(Months::new(1)),
        StatsInterval::Quarter => start.checked_add_months(Months::new(3)),
        StatsInterval::Year => start.checked_add_months(Months::new(12)),
        StatsInterval::None => None,
    }
}

/// The starts of every step from the one holding `from` to the one holding `to`, or `None`
/// when there are more than `limit`.
pub fn steps(
    from: NaiveDate,
    to: NaiveDate,
    interval: StatsInterval,
    week_start: WeekStart,
    limit: usize,
) -> Option<Vec<NaiveDate>> {
    let (Some(mut at), Some(last)) =
        (step_start(from, interval, week_start), step_start(to, interval, week_start))
    else {
        return Some(Vec::new());
    };
    let mut steps = Vec::new();
    while at <= last {
        if steps.len() == limit {
            return None;
        }
        steps.push(at);
        let Some(next) = next_step(at, interval) else { break };
        at = next;
    }
    Some(steps)
}

/// Whether a date known to `precision` is coarser than one step of `interval`, so that the
/// step it is counted in is only where it starts.
pub fn coarser_than(precision: DatePrecision, interval: StatsInterval) -> bool {
    let rank = |p: DatePrecision| match p {
        DatePrecision::Day => 0,
        DatePrecision::Week => 1,
        DatePrecision::Month => 2,
        DatePrecision::Year => 4,
    };
    let step = match interval {
        StatsInterval::Day => 0,
        StatsInterval::Week => 1,
        StatsInterval::Month => 2,
        StatsInterval::Quarter => 3,
        StatsInterval::Year | StatsInterval::None => 4,
    };
    rank(precision) > step
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn weeks_start_on_monday_or_on_saturday() {
        // 2022-01-05 is a Wednesday.
        let wednesday = day(2022, 1, 5);
        assert_eq!(
            step_start(wednesday, StatsInterval::Week, WeekStart::Monday),
            Some(day(2022, 1, 3))
        );
        assert_eq!(
            step_start(wednesday, StatsInterval::Week, WeekStart::Saturday),
            Some(day(2022, 1, 1))
        );
        let saturday = day(2022, 1, 8);
        assert_eq!(step_start(saturday, StatsInterval::Week, WeekStart::Saturday), Some(saturday));
        assert_eq!(
            step_start(saturday, StatsInterval::Week, WeekStart::Monday),
            Some(day(2022, 1, 3))
        );
        let friday = day(2022, 1, 7);
        assert_eq!(
            step_start(friday, StatsInterval::Week, WeekStart::Saturday),
            Some(day(2022, 1, 1))
        );
    }

    #[test]
    fn months_quarters_and_years_start_on_their_first_day() {
        let d = day(2024, 8, 31);
        assert_eq!(step_start(d, StatsInterval::Month, WeekStart::Monday), Some(day(2024, 8, 1)));
        assert_eq!(step_start(d, StatsInterval::Quarter, WeekStart::Monday), Some(day(2024, 7, 1)));
        assert_eq!(step_start(d, StatsInterval::Year, WeekStart::Monday), Some(day(2024, 1, 1)));
        assert_eq!(step_start(d, StatsInterval::None, WeekStart::Monday), None);
    }

    #[test]
    fn the_axis_is_every_step_between_and_refuses_more_than_the_limit() {
        let months =
            steps(day(2022, 1, 15), day(2022, 4, 2), StatsInterval::Month, WeekStart::Monday, 10);
        assert_eq!(
            months,
            Some(vec![day(2022, 1, 1), day(2022, 2, 1), day(2022, 3, 1), day(2022, 4, 1)])
        );
        let quarters = steps(
            day(2021, 12, 31),
            day(2022, 1, 1),
            StatsInterval::Quarter,
            WeekStart::Monday,
            10,
        );
        assert_eq!(quarters, Some(vec![day(2021, 10, 1), day(2022, 1, 1)]));
        assert_eq!(
            steps(day(2022, 1, 1), day(2022, 12, 31), StatsInterval::Day, WeekStart::Monday, 364),
            None
        );
        assert_eq!(
            steps(day(2022, 1, 1), day(2022, 12, 31), StatsInterval::Day, WeekStart::Monday, 365)
                .map(|s| s.len()),
            Some(365)
        );
    }

    #[test]
    fn a_month_date_is_coarser_than_a_week_and_not_than_a_month() {
        assert!(coarser_than(DatePrecision::Month, StatsInterval::Week));
        assert!(!coarser_than(DatePrecision::Month, StatsInterval::Month));
        assert!(!coarser_than(DatePrecision::Week, StatsInterval::Week));
        assert!(coarser_than(DatePrecision::Year, StatsInterval::Quarter));
        assert!(!coarser_than(DatePrecision::Year, StatsInterval::None));
    }
}
