use super::{author, citations, count, created, patch, row, updated, CitationInput};
use super::{CreateInput, UpdateInput};
use crate::domain::NodeType;
use crate::domain::{CasualtyCategory, ReportStatus, Role};
use crate::graphql::context::db;
use crate::graphql::scalars::Date;
use crate::graphql::types::CasualtyReport;
use crate::service::write::casualty::{self as write, CasualtyReportPatch, NewCasualtyReport};
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};

/// Writing casualty reports.
#[derive(Default)]
pub struct CasualtyMutation;

#[Object]
impl CasualtyMutation {
    /// Records a casualty figure as one party reported it. Competing figures for the same
    /// event are separate reports. Needs an `EDITOR` key.
    async fn create_casualty_report(
        &self,
        ctx: &Context<'_>,
        input: CreateCasualtyReportInput,
    ) -> Result<CasualtyReportPayload> {
        Ok(CasualtyReportPayload { casualty_report: CasualtyReport(created(ctx, input).await?) })
    }

    /// Changes fields of a casualty report; fields left out stay as they are, `null` clears
    /// an optional one. To retract or dispute a figure, use `retractCasualtyReport` or
    /// `disputeCasualtyReport`, which record why. Needs an `EDITOR` key.
    async fn update_casualty_report(
        &self,
        ctx: &Context<'_>,
        input: UpdateCasualtyReportInput,
    ) -> Result<CasualtyReportPayload> {
        Ok(CasualtyReportPayload { casualty_report: CasualtyReport(updated(ctx, input).await?) })
    }

    /// Marks a figure as retracted: withdrawn or corrected by the party that put it forward.
    /// A deleted post is not a retraction (mark the source `DELETED` instead). The figure
    /// stays readable, with the reason and the source that reports the retraction, and leaves
    /// the event's reconciled figure. Needs an `EDITOR` key.
    async fn retract_casualty_report(
        &self,
        ctx: &Context<'_>,
        input: RetractCasualtyReportInput,
    ) -> Result<CasualtyReportPayload> {
        let StatusChange { id, version, reason, source_id } = input.into();
        change_status(ctx, ReportStatus::Retracted, id, version, reason, source_id).await
    }

    /// Marks a figure as disputed, with the reason and the source that disputes it. Needs an
    /// `EDITOR` key.
    async fn dispute_casualty_report(
        &self,
        ctx: &Context<'_>,
        input: DisputeCasualtyReportInput,
    ) -> Result<CasualtyReportPayload> {
        let StatusChange { id, version, reason, source_id } = input.into();
        change_status(ctx, ReportStatus::Disputed, id, version, reason, source_id).await
    }
}

/// A retraction's or a dispute's input, which differ only in their documentation.
struct StatusChange {
    id: ID,
    version: Option<i32>,
    reason: String,
    source_id: ID,
}

impl From<RetractCasualtyReportInput> for StatusChange {
    fn from(input: RetractCasualtyReportInput) -> Self {
        let RetractCasualtyReportInput { id, version, reason, source_id } = input;
        StatusChange { id, version, reason, source_id }
    }
}

impl From<DisputeCasualtyReportInput> for StatusChange {
    fn from(input: DisputeCasualtyReportInput) -> Self {
        let DisputeCasualtyReportInput { id, version, reason, source_id } = input;
        StatusChange { id, version, reason, source_id }
    }
}

/// Retracts or disputes a figure, with the reason and the source that says so.
async fn change_status(
    ctx: &Context<'_>,
    status: ReportStatus,
    id: ID,
    version: Option<i32>,
    reason: String,
    source_id: ID,
) -> Result<CasualtyReportPayload> {
    let author = author(ctx, Role::Editor)?;
    let id = row(NodeType::CasualtyReport, &id)?;
    let source = row(NodeType::Source, &source_id)?;
    let saved =
        write::change_status(db(ctx)?, &author, id, version, status, reason, source).await?;
    Ok(CasualtyReportPayload { casualty_report: CasualtyReport(saved) })
}

/// The casualty report a mutation wrote.
#[derive(SimpleObject)]
pub struct CasualtyReportPayload {
    /// The report as it is now.
    casualty_report: CasualtyReport,
}

/// A new casualty figure.
#[derive(InputObject)]
pub struct CreateCasualtyReportInput {
    /// A readable key (lower-case letters, digits and `-`); one is made up when left out.
    key: Option<String>,
    /// The event the figure is about.
    event_id: ID,
    /// What is counted.
    category: CasualtyCategory,
    /// Who is counted, when the report says: "protesters", "police officers".
    affected_group: Option<String>,
    /// The lower bound: "more than 5,800" has low 5800.
    low: i32,
    /// The upper bound; leave it out when the report gives none.
    high: Option<i32>,
    /// The report's best estimate between low and high, when it gives one.
    best: Option<i32>,
    /// The day the figure counts up to.
    as_of: Option<Date>,
    /// The actor who put the figure forward.
    claimed_by_id: Option<ID>,
    /// Whether the figure stands.
    #[graphql(default_with = "ReportStatus::Reported")]
    status: ReportStatus,
    /// Context for the figure.
    note: Option<String>,
    /// Whether this is the report to trust among those that disagree: its figure becomes the
    /// best of the event's reconciled figure.
    #[graphql(default)]
    preferred: bool,
    /// The sources that report the figure; at least one.
    citations: Vec<CitationInput>,
}

/// Changes to a casualty report.
#[derive(InputObject)]
pub struct UpdateCasualtyReportInput {
    /// The report to change.
    id: ID,
    /// The version you read; the update is refused with `CONFLICT` if the report changed
    /// since.
    version: Option<i32>,
    /// Another event.
    event_id: Option<ID>,
    /// Another category.
    category: Option<CasualtyCategory>,
    /// Another affected group; `null` clears it.
    affected_group: MaybeUndefined<String>,
    /// Another lower bound.
    low: Option<i32>,
    /// Another upper bound; `null` clears it.
    high: MaybeUndefined<i32>,
    /// Another best estimate; `null` clears it.
    best: MaybeUndefined<i32>,
    /// Another as-of day; `null` clears it.
    as_of: MaybeUndefined<Date>,
    /// Another claimant; `null` clears it.
    claimed_by_id: MaybeUndefined<ID>,
    /// Another status.
    status: Option<ReportStatus>,
    /// Another note; `null` clears it.
    note: MaybeUndefined<String>,
    /// Mark the report as the one to trust among those that disagree, or take the mark off.
    preferred: Option<bool>,
    /// Citations that replace the current ones.
    citations: Option<Vec<CitationInput>>,
}

impl CreateInput for CreateCasualtyReportInput {
    type Write = write::Reports;

    fn into_new(self) -> Result<NewCasualtyReport> {
        let Self {
            key,
            event_id,
            category,
            affected_group,
            low,
            high,
            best,
            as_of,
            claimed_by_id,
            status,
            note,
            preferred,
            citations: cited,
        } = self;
        Ok(NewCasualtyReport {
            key,
            event_id: row(NodeType::Event, &event_id)?,
            category,
            affected_group,
            low: count(low),
            high: high.map(count),
            best: best.map(count),
            as_of: as_of.map(|d| d.0),
            claimed_by_id: claimed_by_id.map(|id| row(NodeType::Actor, &id)).transpose()?,
            status,
            note,
            preferred,
            citations: citations(cited)?,
        })
    }
}

impl UpdateInput for UpdateCasualtyReportInput {
    type Write = write::Reports;

    fn target(&self) -> (&ID, Option<i32>) {
        (&self.id, self.version)
    }

    fn into_patch(self) -> Result<CasualtyReportPatch> {
        let Self {
            id: _,
            version: _,
            event_id,
            category,
            affected_group,
            low,
            high,
            best,
            as_of,
            claimed_by_id,
            status,
            note,
            preferred,
            citations: cited,
        } = self;
        let changes = CasualtyReportPatch {
            event_id: event_id.map(|id| row(NodeType::Event, &id)).transpose()?,
            category,
            affected_group: patch(affected_group, Ok)?,
            low: low.map(count),
            high: patch(high, |n| Ok(count(n)))?,
            best: patch(best, |n| Ok(count(n)))?,
            as_of: patch(as_of, |d| Ok(d.0))?,
            claimed_by_id: patch(claimed_by_id, |id| row(NodeType::Actor, &id))?,
            status,
            note: patch(note, Ok)?,
            preferred,
            citations: cited.map(citations).transpose()?,
        };
        Ok(changes)
    }
}

/// Why, and on whose word, a figure is retracted.
#[derive(InputObject)]
pub struct RetractCasualtyReportInput {
    /// The report to retract.
    id: ID,
    /// The version you read, checked as in `updateCasualtyReport`.
    version: Option<i32>,
    /// Why it was retracted: "the government deleted the post".
    reason: String,
    /// The source that reports the retraction.
    source_id: ID,
}

/// Why, and on whose word, a figure is disputed.
#[derive(InputObject)]
pub struct DisputeCasualtyReportInput {
    /// The report to dispute.
    id: ID,
    /// The version you read, checked as in `updateCasualtyReport`.
    version: Option<i32>,
    /// Why it is disputed.
    reason: String,
    /// The source that disputes it.
    source_id: ID,
}
