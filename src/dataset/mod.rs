//! The dataset file: a hand-editable JSON document in which records refer to each other by
//! readable keys (`"speaker": "tokayev"`). `data/README.md` documents it for people.
//!
//! [`parse`] reads a file, [`validate`] checks every rule at once, [`import`] writes a valid
//! dataset in one transaction, and [`export`] writes the database back in the same format.
//! The records themselves and their rules are the domain's (`domain::records`,
//! `domain::validate`), shared with the mutations; rows are the service's (`service::rows`).

mod export;
mod import;

pub use crate::domain::records::*;
pub use crate::domain::validate::validate;
pub use export::export;
pub use import::{import, import_bundled_if_empty};

use crate::error::Rule;
use crate::error::{AppError, Violation};

/// The dataset built from the January 2022 Kazakhstan article, loaded into empty databases.
pub const BUNDLED: &str = include_str!("../../data/kazakhstan-2022.json");

/// Reads a dataset file; a syntax or type error names the record (by key when it has one)
/// and the field.
///
/// # Errors
/// `VALIDATION` with the one problem found.
pub fn parse(text: &str) -> Result<Dataset, AppError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|err| {
        AppError::Validation(vec![Violation::new(
            Rule::InvalidJson,
            format!("line {} column {}", err.line(), err.column()),
            format!("not valid JSON: {err}"),
        )])
    })?;
    serde_path_to_error::deserialize(&value).map_err(|err| {
        let path = describe_path(&value, &err.path().to_string());
        AppError::Validation(vec![Violation::new(
            Rule::InvalidFormat,
            path,
            err.into_inner().to_string(),
        )])
    })
}

/// `events[3].type` becomes `events[3] "almaty-riots" .type`, so people can find the record.
fn describe_path(root: &serde_json::Value, path: &str) -> String {
    let Some(open) = path.find('[') else { return path.to_owned() };
    let Some(close) = path[open..].find(']').map(|i| open + i) else { return path.to_owned() };
    let collection = &path[..open];
    let key = path[open + 1..close]
        .parse::<usize>()
        .ok()
        .and_then(|index| root.get(collection)?.get(index)?.get("key")?.as_str());
    match key {
        Some(key) => format!("{} (key {key:?}){}", &path[..=close], &path[close + 1..]),
        None => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_dataset_parses_and_validates() {
        let dataset = parse(BUNDLED).expect("bundled dataset parses");
        validate(&dataset).expect("bundled dataset is valid");
        assert!(dataset.events.len() > 10);
    }

    #[test]
    fn type_errors_name_the_record_and_field() {
        let text = BUNDLED.replacen("\"type\": \"RIOTS\"", "\"type\": \"RIOT\"", 1);
        let Err(AppError::Validation(violations)) = parse(&text) else {
            panic!("expected a validation error")
        };
        assert!(violations[0].path.starts_with("events["), "{:?}", violations[0]);
        assert!(violations[0].path.contains("(key "), "{:?}", violations[0]);
        assert!(violations[0].path.ends_with(".type"), "{:?}", violations[0]);
    }
}
