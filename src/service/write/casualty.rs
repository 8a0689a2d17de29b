//! Writing casualty reports: create and update, and the domain operations retract and dispute,
//! which keep the figure readable and record why, and on whose word, its status changed.

use super::{
    cited, id_of, open, patch_fields, referenced_id, referenced_key, save, Citations, Editable,
    NewCitation, References, Writable,
};
use crate::domain::records::{CasualtyReportRecord, CitationRecord};
use crate::domain::validate::{check_casualty_report, Checker};
use crate::domain::{CasualtyCategory, NodeType, Operation, ReportStatus};
use crate::error::AppError;
use crate::service::citation::Cited;
use crate::service::rows;
use chrono::NaiveDate;
use entity::casualty_report;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

const NODE: NodeType = NodeType::CasualtyReport;

/// A new casualty report.
#[derive(Debug, Clone)]
pub struct NewCasualtyReport {
    /// Its readable key; made up when not given.
    pub key: Option<String>,
    /// The event the figure is about.
    pub event_id: i32,
    /// What is counted.
    pub category: CasualtyCategory,
    /// Who is counted.
    pub affected_group: Option<String>,
    /// The lower bound.
    pub low: i64,
    /// The upper bound, if any.
    pub high: Option<i64>,
    /// The best estimate between them, if any.
    pub best: Option<i64>,
    /// The day the figure counts up to.
    pub as_of: Option<NaiveDate>,
    /// Who put the figure forward.
    pub claimed_by_id: Option<i32>,
    /// Whether it stands.
    pub status: ReportStatus,
    /// Context.
    pub note: Option<String>,
    /// Whether it is the report to trust among those that disagree.
    pub preferred: bool,
    /// The sources that report it; at least one.
    pub citations: Vec<NewCitation>,
}

/// Changes to a casualty report; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct CasualtyReportPatch {
    /// Another event.
    pub event_id: Option<i32>,
    /// Another category.
    pub category: Option<CasualtyCategory>,
    /// Another affected group.
    pub affected_group: Option<Option<String>>,
    /// Another lower bound.
    pub low: Option<i64>,
    /// Another upper bound.
    pub high: Option<Option<i64>>,
    /// Another best estimate.
    pub best: Option<Option<i64>>,
    /// Another as-of day.
    pub as_of: Option<Option<NaiveDate>>,
    /// Another claimant.
    pub claimed_by_id: Option<Option<i32>>,
    /// Another status.
    pub status: Option<ReportStatus>,
    /// Another note.
    pub note: Option<Option<String>>,
    /// Marked as the report to trust, or not.
    pub preferred: Option<bool>,
    /// Citations that replace the current ones.
    pub citations: Option<Vec<NewCitation>>,
}

impl Writable for Reports {
    type New = NewCasualtyReport;
    type Patch = CasualtyReportPatch;

    async fn build(
        refs: &mut References<'_, DatabaseTransaction>,
        input: NewCasualtyReport,
    ) -> Result<CasualtyReportRecord, AppError> {
        let NewCasualtyReport {
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
            citations,
        } = input;
        let event = refs.key(NodeType::Event, event_id, "input.eventId").await?;
        let claimed_by = refs.optional_key(NodeType::Actor, claimed_by_id, "input.claimedById");
        let claimed_by = claimed_by.await?;
        let citations = refs.citations(&citations, "input.citations").await?;
        Ok(CasualtyReportRecord {
            key: refs.new_key(NODE, key),
            event,
            category,
            affected_group,
            low,
            high,
            as_of,
            claimed_by,
            status,
            status_reason: None,
            note,
            citations,
            best,
            // Only imports bring a breakdown so far.
            breakdown: Vec::new(),
            preferred,
        })
    }

    async fn apply(
        refs: &mut References<'_, DatabaseTransaction>,
        _id: i32,
        after: &mut CasualtyReportRecord,
        patch: CasualtyReportPatch,
    ) -> Result<(), AppError> {
        let CasualtyReportPatch {
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
            citations,
        } = patch;
        if let Some(event_id) = event_id {
            after.event = refs.key(NodeType::Event, event_id, "input.eventId").await?;
        }
        if let Some(claimed_by) = claimed_by_id {
            after.claimed_by =
                refs.optional_key(NodeType::Actor, claimed_by, "input.claimedById").await?;
        }
        if let Some(citations) = &citations {
            after.citations = refs.citations(citations, "input.citations").await?;
        }
        patch_fields!(after; category, affected_group, low, high, best, as_of, status, note,
            preferred);
        Ok(())
    }
}

/// Retracts or disputes a figure: its status changes, the figure stays readable, and the
/// reason and the source that says so are recorded.
///
/// # Errors
/// As [`super::update`]; also `VALIDATION` for a blank reason or an unknown source.
pub async fn change_status(
    db: &DatabaseConnection,
    author: &str,
    id: i32,
    version: Option<i32>,
    status: ReportStatus,
    reason: String,
    source_id: i32,
) -> Result<casualty_report::Model, AppError> {
    let (write, row, before) = open::<Reports>(db, author, id, version).await?;
    let mut refs = References::new(write.txn());
    let source = refs.key(NodeType::Source, source_id, "input.sourceId").await?;
    let mut check = refs.checker();
    check.not_blank("input", "reason", &reason);
    let mut after = before.clone();
    after.status = status;
    after.status_reason = Some(reason.trim().to_owned());
    if !source.is_empty() && !after.citations.iter().any(|c| c.source == source) {
        after.citations.push(CitationRecord { source, excerpt: None });
    }
    let operation = match status {
        ReportStatus::Retracted => Operation::Retract,
        ReportStatus::Disputed => Operation::Dispute,
        ReportStatus::Reported => Operation::Update,
    };
    save::<Reports>(write, row, &before, &after, operation, check).await
}

/// Casualty reports as the write path edits them.
pub struct Reports;

impl Editable for Reports {
    type Entity = casualty_report::Entity;
    type Model = casualty_report::Model;
    type Active = casualty_report::ActiveModel;
    type Record = CasualtyReportRecord;
    const NODE: NodeType = NODE;
    const CITATIONS: Option<Citations<CasualtyReportRecord>> = Some(Citations {
        cited: Cited::CasualtyReport,
        list: |record| &record.citations,
        list_mut: |record| &mut record.citations,
    });

    async fn record(
        db: &DatabaseTransaction,
        row: &casualty_report::Model,
    ) -> Result<CasualtyReportRecord, AppError> {
        let from = ("casualty report", row.id);
        let event = referenced_key(db, NodeType::Event, Some(row.event_id), from).await?;
        let claimed_by = referenced_key(db, NodeType::Actor, row.claimed_by_id, from).await?;
        let citations = cited(db, Cited::CasualtyReport, row.id).await?;
        rows::casualty_record(row.clone(), event.unwrap_or_default(), claimed_by, citations)
    }

    async fn row(
        db: &DatabaseTransaction,
        record: &CasualtyReportRecord,
    ) -> Result<casualty_report::ActiveModel, AppError> {
        let event_id = id_of(db, NodeType::Event, &record.event).await?;
        let claimed_by_id = referenced_id(db, NodeType::Actor, record.claimed_by.as_ref()).await?;
        rows::casualty_model(record, event_id, claimed_by_id)
    }

    fn check(check: &mut Checker, record: &Self::Record) {
        check_casualty_report(check, "input", record, None);
    }
}
