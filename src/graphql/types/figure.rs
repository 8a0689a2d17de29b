use super::CasualtyReport;
use crate::domain::reconcile::{Bounds, Exclusion, Figure};
use crate::domain::{CasualtyCategory, ExclusionReason, ReconciliationRule};
use crate::error::AppError;
use crate::graphql::context::load_all_required;
use crate::graphql::loaders::CasualtyReportById;
use crate::service::figures;
use async_graphql::{Context, Object, Result, SimpleObject};
use entity::event_figure;

/// One casualty figure of an event, reconciled from its competing reports by one rule:
/// retracted reports are left out; of several reports by one claimant about one group only the
/// latest counts; best is the preferred report's figure, else the lowest undisputed one, else
/// the lowest disputed one; low and high span every report that stands. An episode's figure is,
/// bound by bound, the larger of its own and the sum of its sub-events' figures. A report's
/// figure is its own best estimate when it gives one, else its low.
pub struct ReconciledFigure(pub event_figure::Model);

fn count(n: i64) -> Result<i32> {
    i32::try_from(n).map_err(|_| AppError::internal(format!("figure {n} out of range")).into())
}

impl ReconciledFigure {
    fn figure(&self) -> Result<Figure> {
        Ok(figures::figure(&self.0)?)
    }
}

/// The reports of `ids`, in that order.
async fn reports(ctx: &Context<'_>, ids: &[i32]) -> Result<Vec<CasualtyReport>> {
    let keys = ids.iter().map(|&id| CasualtyReportById(id)).collect();
    Ok(load_all_required(ctx, keys).await?.into_iter().map(CasualtyReport).collect())
}

#[Object]
impl ReconciledFigure {
    /// What is counted.
    async fn category(&self) -> Result<CasualtyCategory> {
        Ok(CasualtyCategory::from_db(&self.0.category)?)
    }

    /// The lower bound; null when no report stands (unknown, not zero).
    async fn low(&self) -> Result<Option<i32>> {
        self.0.low.map(count).transpose()
    }

    /// The best estimate; null when no report stands.
    async fn best(&self) -> Result<Option<i32>> {
        self.0.best.map(count).transpose()
    }

    /// The upper bound; null when no report stands. When `highOpen`, the true figure may be
    /// higher still.
    async fn high(&self) -> Result<Option<i32>> {
        self.0.high.map(count).transpose()
    }

    /// Whether a count behind `high` gives no upper bound ("more than 5,800").
    async fn high_open(&self) -> bool {
        self.0.high_open
    }

    /// The step of the rule that gave `best`.
    async fn rule(&self) -> Result<ReconciliationRule> {
        Ok(ReconciliationRule::from_db(&self.0.rule)?)
    }

    /// How the figure was reached, in one or two sentences for a reader.
    async fn explanation(&self) -> Result<String> {
        Ok(self.figure()?.explanation())
    }

    /// The event's own reports that count, in the order recorded.
    async fn considered(&self, ctx: &Context<'_>) -> Result<Vec<CasualtyReport>> {
        reports(ctx, &self.figure()?.considered).await
    }

    /// The event's own reports that do not count, each with the reason.
    async fn excluded(&self, ctx: &Context<'_>) -> Result<Vec<ExcludedReport>> {
        let excluded = self.figure()?.excluded;
        let ids: Vec<i32> = excluded.iter().map(|(id, _)| *id).collect();
        let by: Vec<i32> = excluded
            .iter()
            .filter_map(|(_, e)| match e {
                Exclusion::SupersededBy(newer) => Some(*newer),
                Exclusion::Retracted => None,
            })
            .collect();
        let mut newer = reports(ctx, &by).await?.into_iter();
        let listed = reports(ctx, &ids).await?;
        Ok(listed
            .into_iter()
            .zip(excluded)
            .map(|(report, (_, exclusion))| match exclusion {
                Exclusion::Retracted => ExcludedReport {
                    report,
                    reason: ExclusionReason::Retracted,
                    superseded_by: None,
                },
                Exclusion::SupersededBy(_) => ExcludedReport {
                    report,
                    reason: ExclusionReason::Superseded,
                    superseded_by: newer.next(),
                },
            })
            .collect())
    }

    /// The sum of the sub-events' figures, when the event has sub-events with a figure in
    /// this category; the event's figure is never less.
    async fn sub_events(&self) -> Result<Option<FigureRange>> {
        self.figure()?.sub_events.map(FigureRange::new).transpose()
    }
}

/// A casualty report left out of a reconciled figure.
#[derive(SimpleObject)]
pub struct ExcludedReport {
    /// The report.
    report: CasualtyReport,
    /// Why it does not count.
    reason: ExclusionReason,
    /// The later report by the same claimant that replaces it, when `reason` is `SUPERSEDED`.
    superseded_by: Option<CasualtyReport>,
}

/// Low, best and high of a figure that stands.
#[derive(SimpleObject)]
pub struct FigureRange {
    /// The lower bound.
    low: i32,
    /// The best estimate.
    best: i32,
    /// The upper bound.
    high: i32,
    /// Whether a count behind `high` gives no upper bound.
    high_open: bool,
}

impl FigureRange {
    fn new(bounds: Bounds) -> Result<Self> {
        Ok(FigureRange {
            low: count(bounds.low)?,
            best: count(bounds.best)?,
            high: count(bounds.high)?,
            high_open: bounds.high_open,
        })
    }
}
