//! Citations: which sources back an event, statement, casualty report or affiliation.

use super::group_by_parent;
use crate::error::AppError;
use entity::citation;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
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
    /// The citations column that names a record of this kind.
    pub(crate) fn column(self) -> citation::Column {
        match self {
            Cited::Event => citation::Column::EventId,
            Cited::Statement => citation::Column::StatementId,
            Cited::CasualtyReport => citation::Column::CasualtyReportId,
            Cited::Affiliation => citation::Column::AffiliationId,
        }
    }

    fn subject_of(self, row: &citation::Model) -> Option<i32> {
        match self {
            Cited::Event => row.event_id,
            Cited::Statement => row.statement_id,
            Cited::CasualtyReport => row.casualty_report_id,
            Cited::Affiliation => row.affiliation_id,
        }
    }
}

/// The citations of each record of one kind, in the order they were recorded.
pub async fn of(
    db: &impl ConnectionTrait,
    cited: Cited,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<citation::Model>>, AppError> {
    let rows = citation::Entity::find()
        .filter(cited.column().is_in(ids.iter().copied()))
        .order_by_asc(citation::Column::Id)
        .all(db)
        .await?;
    // The filter guarantees the subject column is set.
    Ok(group_by_parent(ids, rows, |row| cited.subject_of(row).unwrap_or_default()))
}
