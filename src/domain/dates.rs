//! Calendar dates as Annals holds them: years 1 to 9999, written `YYYY-MM-DD`.
//!
//! Both read engines must print a date the same way: the resolvers through chrono, the
//! compiled-read path through PostgreSQL, which writes years before 1 as `0001-01-01 BC` and
//! years past 9999 without chrono's `+`. Within these years the two agree, and every date is
//! refused at the edge (API input, dataset file) outside them.

use chrono::{Datelike, NaiveDate};

/// The first year a date may fall in.
pub const FIRST_YEAR: i32 = 1;
/// The last year a date may fall in.
pub const LAST_YEAR: i32 = 9999;

/// Whether `date` falls within the years Annals holds.
pub fn in_range(date: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

/// Reads `YYYY-MM-DD` with a four-digit year from 0001 to 9999; anything else (signs, longer
/// years, times) is `None`.
pub fn parse(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().filter(|date| in_range(*date))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_four_digit_years_from_1_to_9999_are_dates() {
        assert!(parse("2022-01-05").is_some());
        assert!(parse("0001-01-01").is_some());
        assert!(parse("9999-12-31").is_some());
        for bad in [
            "0000-01-01",
            "-0001-01-01",
            "+10000-01-01",
            "10000-01-01",
            "2022-1-5",
            "2022-02-30",
            "2022-01-05T00:00",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
