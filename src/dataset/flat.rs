//! Events as the flat exports see them (CSV, GeoJSON, NDJSON): each event with the names,
//! kinds and roles of its participants, the publishers of the sources it cites, its reconciled
//! casualty figures, the killed figure ACLED's own columns carry, and its ACLED id.
//!
//! [`Walk`] reads the events matching a filter a page at a time, in id order, with five
//! statements per page whatever its size, so that an export of any size holds one page in
//! memory.

use super::acled::{ACLED as ACLED_PUBLISHER, DATASET as ACLED};
use crate::domain::reconcile::Figure;
use crate::domain::{
    CasualtyCategory, DatePrecision, EventSubType, EventType, GeoPrecision, NodeType, ReportStatus,
};
use crate::error::AppError;
use crate::service::citation::Cited;
pub use crate::service::citation::CitedSource;
use crate::service::event::EventFilter;
pub use crate::service::event::NamedParticipant;
use crate::service::write::ids_of;
use crate::service::{casualty, citation, event, figures, provenance, rows};
use chrono::NaiveDate;
use entity::casualty_report;
use sea_orm::DatabaseConnection;

/// Events read per page: large enough that the statements per page cost little per event,
/// small enough that a page's rows and their relations stay a few MiB, and that a statement's
/// bound parameters (one per event) stay far below either backend's limit.
pub const PAGE_SIZE: u64 = 1000;

/// An event with what the flat formats say about it.
#[derive(Clone, Debug)]
pub struct ExportedEvent {
    /// The event's row.
    pub row: entity::event::Model,
    /// Its type.
    pub event_type: EventType,
    /// Its sub-type.
    pub sub_type: Option<EventSubType>,
    /// How exactly its date is known.
    pub date_precision: DatePrecision,
    /// How exactly its location is known.
    pub geo_precision: Option<GeoPrecision>,
    /// Its tags.
    pub tags: Vec<String>,
    /// Who took part, in the order recorded.
    pub participants: Vec<NamedParticipant>,
    /// The sources it cites, in the order cited, each once.
    pub sources: Vec<CitedSource>,
    /// The killed figure of one report, for ACLED's `fatalities` column (see [`fatalities`]).
    pub fatalities: Option<Fatalities>,
    /// Its reconciled figure per casualty category, as the API's `Event.figures` gives them.
    pub figures: Vec<(CasualtyCategory, Figure)>,
    /// Its id in ACLED's data, when it was imported from there.
    pub acled_id: Option<String>,
}

/// The one killed figure an export gives for an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fatalities {
    /// The figure (the report's lower bound).
    pub count: i32,
    /// The same report's best estimate, when it gives one (UCDP's do).
    pub best: Option<i32>,
    /// Its upper bound, when it gives one.
    pub high: Option<i32>,
    /// The day the figure stands as of.
    pub as_of: Option<NaiveDate>,
}

/// A walk through the events matching a filter, a page at a time, in id order.
pub struct Walk {
    db: DatabaseConnection,
    filter: EventFilter,
    page_size: u64,
    after: Option<i32>,
    done: bool,
    /// The row of the actor standing for ACLED, looked up before the first page.
    acled: Option<Option<i32>>,
}

impl Walk {
    /// A walk through the events matching `filter`, [`PAGE_SIZE`] at a time.
    pub fn new(db: DatabaseConnection, filter: EventFilter) -> Self {
        Walk { db, filter, page_size: PAGE_SIZE, after: None, done: false, acled: None }
    }

    /// The same walk, `page_size` events at a time.
    pub fn with_page_size(mut self, page_size: u64) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// Whether the last page has been read.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The next page of events, or `None` after the last one. A page shorter than the page
    /// size is the last: the walk then stops without asking the database again.
    ///
    /// # Errors
    /// Database failures.
    pub async fn next_page(&mut self) -> Result<Option<Vec<ExportedEvent>>, AppError> {
        if self.done {
            return Ok(None);
        }
        let acled = match self.acled {
            Some(acled) => acled,
            None => {
                let ids =
                    ids_of(&self.db, NodeType::Actor, std::iter::once(ACLED_PUBLISHER.key)).await?;
                *self.acled.insert(ids.get(ACLED_PUBLISHER.key).copied())
            }
        };
        let rows = event::walk(&self.db, &self.filter, self.after, self.page_size).await?;
        self.done = (rows.len() as u64) < self.page_size;
        let Some(last) = rows.last() else {
            self.done = true;
            return Ok(None);
        };
        self.after = Some(last.id);
        Ok(Some(load(&self.db, rows, acled).await?))
    }
}

/// Everything the formats need about `rows`, in five statements, one per relation, whatever
/// the number of rows. `acled` is the row of the actor standing for ACLED.
async fn load(
    db: &DatabaseConnection,
    rows: Vec<entity::event::Model>,
    acled: Option<i32>,
) -> Result<Vec<ExportedEvent>, AppError> {
    let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
    let (mut participants, mut reports, mut sources, mut external_ids, mut stored) = tokio::try_join!(
        event::named_participants(db, &ids),
        casualty::of_events(db, &ids),
        citation::sources_of(db, Cited::Event, &ids),
        provenance::of(db, NodeType::Event, &ids),
        figures::of_events(db, &ids),
    )?;
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        let participants = participants.remove(&row.id).unwrap_or_default();
        let mut cited: Vec<CitedSource> = Vec::new();
        for source in sources.remove(&row.id).unwrap_or_default() {
            if !cited.iter().any(|c| c.key == source.key) {
                cited.push(source);
            }
        }
        let reports = reports.remove(&row.id).unwrap_or_default();
        let acled_id = external_ids
            .remove(&row.id)
            .unwrap_or_default()
            .into_iter()
            .find(|id| id.dataset == ACLED)
            .map(|id| id.external_id);
        let figures = stored
            .remove(&row.id)
            .unwrap_or_default()
            .iter()
            .map(|stored| {
                Ok((CasualtyCategory::from_db(&stored.category)?, figures::figure(stored)?))
            })
            .collect::<Result<_, AppError>>()?;
        events.push(ExportedEvent {
            event_type: EventType::from_db(&row.event_type)?,
            sub_type: row.sub_type.as_deref().map(EventSubType::from_db).transpose()?,
            date_precision: DatePrecision::from_db(&row.date_precision)?,
            geo_precision: row.geo_precision.as_deref().map(GeoPrecision::from_db).transpose()?,
            tags: rows::split_tags(row.tags.as_deref()),
            participants,
            sources: cited,
            fatalities: fatalities(&reports, acled),
            figures,
            acled_id,
            row,
        });
    }
    Ok(events)
}

/// The killed figure an ACLED row gives for an event, from its live (not archived) reports:
/// the one ACLED claims (`acled` is its actor's row) when there is one and it is not
/// retracted, since an ACLED row carries exactly that figure and an import must read back what
/// was exported; otherwise the lowest lower bound of the reports not retracted, the figure
/// every live report agrees is reached. `None` when no live report counts the killed.
fn fatalities(reports: &[casualty_report::Model], acled: Option<i32>) -> Option<Fatalities> {
    let killed = reports.iter().filter(|r| {
        r.category == CasualtyCategory::Killed.as_str()
            && r.status != ReportStatus::Retracted.as_str()
    });
    let claimed = killed.clone().find(|r| acled.is_some() && r.claimed_by_id == acled);
    claimed.or_else(|| killed.min_by_key(|r| (r.low, r.id))).map(|r| Fatalities {
        count: r.low,
        best: r.best,
        high: r.high,
        as_of: r.as_of,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(
        id: i32,
        low: i32,
        status: ReportStatus,
        claimant: Option<i32>,
    ) -> casualty_report::Model {
        casualty_report::Model {
            id,
            key: format!("r{id}"),
            event_id: 1,
            category: CasualtyCategory::Killed.as_str().to_owned(),
            affected_group: None,
            low,
            high: None,
            as_of: None,
            claimed_by_id: claimant,
            status: status.as_str().to_owned(),
            note: None,
            version: 1,
            archived_at: None,
            status_reason: None,
            best: None,
            breakdown: None,
            preferred: false,
        }
    }

    #[test]
    fn the_figure_is_acleds_when_it_claims_one_else_the_lowest_live_one() {
        let count =
            |reports: &[casualty_report::Model]| fatalities(reports, Some(1)).map(|f| f.count);
        let acled = report(1, 9, ReportStatus::Reported, Some(1));
        let lower = report(2, 4, ReportStatus::Disputed, Some(2));
        let retracted = report(3, 1, ReportStatus::Retracted, Some(2));
        assert_eq!(count(&[lower.clone(), acled.clone(), retracted.clone()]), Some(9));
        assert_eq!(count(&[lower.clone(), retracted.clone()]), Some(4));
        let acled_retracted = report(1, 9, ReportStatus::Retracted, Some(1));
        assert_eq!(count(&[acled_retracted, lower]), Some(4));
        assert_eq!(count(&[retracted]), None);
        let mut injured = report(4, 2, ReportStatus::Reported, None);
        injured.category = CasualtyCategory::Injured.as_str().to_owned();
        assert_eq!(count(&[injured]), None);
    }
}
