use super::citation::citations_of;
use super::record::{Record as _, RecordFields};
use super::{Actor, Citation, Event};
use crate::domain::{CasualtyCategory, ReportStatus};
use crate::error::AppError;
use crate::graphql::context::{load, load_required};
use crate::graphql::loaders::{ActorById, EventById};
use crate::graphql::scalars::Date;
use crate::service::citation::Cited;
use async_graphql::{Context, Object, Result, SimpleObject};
use entity::casualty_report;

/// One casualty figure as one party reported it. Competing figures for the same event are
/// separate reports side by side; a retracted figure stays readable with status `RETRACTED`.
#[derive(Clone)]
pub struct CasualtyReport(pub casualty_report::Model);

#[Object]
impl CasualtyReport {
    /// The fields every record has: `id`, `key`, `version`, `archivedAt`, `history`.
    #[graphql(flatten)]
    async fn record(&self) -> RecordFields {
        self.fields()
    }

    /// The event the figure is about.
    async fn event(&self, ctx: &Context<'_>) -> Result<Event> {
        load_required(ctx, EventById(self.0.event_id)).await.map(Event)
    }

    /// What is counted.
    async fn category(&self) -> Result<CasualtyCategory> {
        Ok(CasualtyCategory::from_db(&self.0.category)?)
    }

    /// Who is counted, when the report says: "protesters", "police officers".
    async fn affected_group(&self) -> Option<&str> {
        self.0.affected_group.as_deref()
    }

    /// The lower bound: "more than 5,800" has low 5800; an exact figure has low = high.
    async fn low(&self) -> i32 {
        self.0.low
    }

    /// The upper bound; null when the report gives none ("more than 5,800").
    async fn high(&self) -> Option<i32> {
        self.0.high
    }

    /// The report's best estimate between low and high (UCDP's `best`); null when it gives
    /// none.
    async fn best(&self) -> Option<i32> {
        self.0.best
    }

    /// Whether an editor marked this report as the one to trust among those that disagree:
    /// its figure is then the best of the event's reconciled figure.
    async fn preferred(&self) -> bool {
        self.0.preferred
    }

    /// The figure split by who was counted, as the report gives it (UCDP's deaths on side A,
    /// side B, among civilians and unknown); empty when it does not.
    async fn breakdown(&self) -> Result<Vec<CasualtyCount>> {
        let parts = crate::service::rows::breakdown(self.0.breakdown.as_deref())?;
        let count = |n: i64| i32::try_from(n).map_err(|_| AppError::internal("count out of range"));
        parts
            .into_iter()
            .map(|part| Ok(CasualtyCount { count: count(part.count)?, group: part.group }))
            .collect()
    }

    /// The date the figure counts up to, if given.
    async fn as_of(&self) -> Option<Date> {
        self.0.as_of.map(Date)
    }

    /// The actor who put the figure forward, such as a government; null when unattributed.
    async fn claimed_by(&self, ctx: &Context<'_>) -> Result<Option<Actor>> {
        let Some(actor_id) = self.0.claimed_by_id else { return Ok(None) };
        Ok(load(ctx, ActorById(actor_id)).await?.map(Actor))
    }

    /// Whether the figure stands, is disputed, or was retracted.
    async fn status(&self) -> Result<ReportStatus> {
        Ok(ReportStatus::from_db(&self.0.status)?)
    }

    /// Why the figure was retracted or disputed, as recorded by `retractCasualtyReport` or
    /// `disputeCasualtyReport`.
    async fn status_reason(&self) -> Option<&str> {
        self.0.status_reason.as_deref()
    }

    /// Context for the figure: attribution, doubts, why it was retracted.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The sources that reported the figure.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations_of(ctx, Cited::CasualtyReport, self.0.id).await
    }
}

/// One part of a casualty figure.
#[derive(SimpleObject)]
pub struct CasualtyCount {
    /// Who is counted: `side_a`, `side_b`, `civilians` or `unknown` for UCDP's figures.
    group: String,
    /// How many.
    count: i32,
}
