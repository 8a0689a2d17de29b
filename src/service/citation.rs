//! Citations: which sources back an event, statement, casualty report or affiliation.

use super::catalogue::{self, RowList};
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
