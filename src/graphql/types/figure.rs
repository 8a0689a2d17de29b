use super::CasualtyReport;
use crate::domain::reconcile::{Bounds, Exclusion};
use crate::domain::{CasualtyCategory, ExclusionReason, ReconciliationRule};
use crate::error::AppError;
use crate::service::figures::CasualtyFigure;
use async_graphql::{Object, Result, SimpleObject};

/// One casualty figure of an event, reconciled from its competing reports by one rule:
/// retracted reports are left out; of several reports by one claimant about one group only the
/// latest counts; best is the preferred report's figure, else the lowest undisputed one, else
/// the lowest disputed one; low and high span every report that stands. An episode's figure is,
/// bound by bound, the larger of its own and the sum of its sub-events' figures. A report's
/// figure is its own best estimate when it gives one, else its low.
pub struct ReconciledFigure(pub CasualtyFigure);

fn count(n: i64) -> Result<i32> {
    i32::try_from(n).map_err(|_| AppError::internal(format!("figure {n} out of range")).into())
}

fn report(figure: &CasualtyFigure, id: i32) -> Result<CasualtyReport> {
    let report = figure
        .report(id)
        .ok_or_else(|| AppError::internal(format!("report {id} is not among the event's")))?;
    Ok(CasualtyReport(report.clone()))
}

#[Object]
impl ReconciledFigure {
    /// What is counted.
    async fn category(&self) -> CasualtyCategory {
        self.0.category
    }

    /// The lower bound; null when no report stands (unknown, not zero).
    async fn low(&self) -> Result<Option<i32>> {
        self.0.figure.low.map(count).transpose()
    }

    /// The best estimate; null when no report stands.
    async fn best(&self) -> Result<Option<i32>> {
        self.0.figure.best.map(count).transpose()
    }

    /// The upper bound; null when no report stands. When `highOpen`, the true figure may be
    /// higher still.
    async fn high(&self) -> Result<Option<i32>> {
        self.0.figure.high.map(count).transpose()
    }

    /// Whether a count behind `high` gives no upper bound ("more than 5,800").
    async fn high_open(&self) -> bool {
        self.0.figure.high_open
    }

    /// The step of the rule that gave `best`.
    async fn rule(&self) -> ReconciliationRule {
        self.0.figure.rule
    }

    /// How the figure was reached, in one or two sentences for a reader.
    async fn explanation(&self) -> String {
        self.0.figure.explanation()
    }

    /// The event's own reports that count, in the order recorded.
    async fn considered(&self) -> Result<Vec<CasualtyReport>> {
        self.0.figure.considered.iter().map(|&id| report(&self.0, id)).collect()
    }

    /// The event's own reports that do not count, each with the reason.
    async fn excluded(&self) -> Result<Vec<ExcludedReport>> {
        self.0
            .figure
            .excluded
            .iter()
            .map(|&(id, exclusion)| {
                let (reason, superseded_by) = match exclusion {
                    Exclusion::Retracted => (ExclusionReason::Retracted, None),
                    Exclusion::SupersededBy(newer) => {
                        (ExclusionReason::Superseded, Some(report(&self.0, newer)?))
                    }
                };
                Ok(ExcludedReport { report: report(&self.0, id)?, reason, superseded_by })
            })
            .collect()
    }

    /// The sum of the sub-events' figures, when the event has sub-events with a figure in
    /// this category; the event's figure is never less.
    async fn sub_events(&self) -> Result<Option<FigureRange>> {
        self.0.figure.sub_events.map(FigureRange::new).transpose()
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
