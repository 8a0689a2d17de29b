//! Citations: which sources back an event, statement, casualty report or affiliation.

use super::catalogue::{self, RowList};
use super::sql::Sql;
use crate::error::AppError;
use entity::citation;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

/// The kinds of record that cite sources.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cited {
    /// An event.
    Event,
    /// A statement.
    Statement,
    /// A casualty report.
    CasualtyReport,
    /// An affiliation.
    Affiliation,
}

impl Cited {
    /// The catalogue's list of a record's citations.
    pub fn list(self) -> &'static RowList {
        match self {
            Cited::Event => &catalogue::CITATIONS_OF_EVENT,
            Cited::Statement => &catalogue::CITATIONS_OF_STATEMENT,
            Cited::CasualtyReport => &catalogue::CITATIONS_OF_CASUALTY_REPORT,
            Cited::Affiliation => &catalogue::CITATIONS_OF_AFFILIATION,
        }
    }

    /// The citations column that names a record of this kind.
    pub(crate) fn column(self) -> citation::Column {
        match self {
            Cited::Event => citation::Column::EventId,
            Cited::Statement => citation::Column::StatementId,
            Cited::CasualtyReport => citation::Column::CasualtyReportId,
            Cited::Affiliation => citation::Column::AffiliationId,
        }
    }
}

/// The citations of each record of one kind, in the order they were recorded.
pub async fn of(
    db: &impl ConnectionTrait,
    cited: Cited,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<citation::Model>>, AppError> {
    cited.list().fetch(db, ids).await
}

/// A source as a walk through many records reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CitedSource {
    /// The source's key.
    pub key: String,
    /// Who published it.
    pub publisher: String,
}

/// The sources each record of one kind cites, in the order cited (a source cited twice comes
/// twice), in one statement.
pub async fn sources_of(
    db: &impl ConnectionTrait,
    cited: Cited,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<CitedSource>>, AppError> {
    // Look-ups by primary key rather than a join, which PostgreSQL answers by merging the
    // whole sources table (see `event::named_participants`).
    let parent = format!("c.{}", cited.list().parent);
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT ").push(&parent).push(" AS parent_key, ");
    sql.push("(SELECT s.key FROM sources s WHERE s.id = c.source_id) AS key, ");
    sql.push("(SELECT s.publisher FROM sources s WHERE s.id = c.source_id) AS publisher ");
    sql.push("FROM citations c WHERE ");
    sql.in_list(&parent, ids.iter().copied()).push(" ORDER BY c.id");
    let mut grouped: HashMap<i32, Vec<CitedSource>> = HashMap::new();
    for row in db.query_all_raw(sql.build()).await? {
        grouped.entry(row.try_get("", "parent_key")?).or_default().push(CitedSource {
            key: row.try_get("", "key")?,
            publisher: row.try_get("", "publisher")?,
        });
    }
    Ok(grouped)
}
