//! Events' reconciled casualty figures: the rule of `domain::reconcile` applied to each event's
//! live reports, and to its live sub-events' figures, bottom up.

use super::sql::Sql;
use crate::domain::reconcile::{reconcile, Bounds, Claim, Figure};
use crate::domain::{CasualtyCategory, ReportStatus};
use crate::error::AppError;
use entity::casualty_report;
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::collections::{HashMap, HashSet};
use strum::VariantArray;

/// One category's reconciled figure of one event, with the event's own reports of that
/// category (the ones the figure considers or excludes).
#[derive(Clone, Debug, PartialEq)]
pub struct CasualtyFigure {
    /// What is counted.
    pub category: CasualtyCategory,
    /// The figure.
    pub figure: Figure,
    /// The event's own live reports of the category, by id.
    pub reports: Vec<casualty_report::Model>,
}

impl CasualtyFigure {
    /// The report with row `id` among the event's own.
    pub fn report(&self, id: i32) -> Option<&casualty_report::Model> {
        self.reports.iter().find(|report| report.id == id)
    }
}

#[derive(FromQueryResult)]
struct Node {
    id: i32,
    parent_id: Option<i32>,
}

/// The events below `ids` (and `ids` themselves), archived sub-events left out: the same
/// recursive expression on both backends.
fn tree(sql: &mut Sql, ids: &[i32]) {
    sql.push("WITH RECURSIVE tree(id, parent_id) AS (SELECT id, parent_id FROM events WHERE ");
    sql.in_list("id", ids.iter().copied());
    sql.push(
        " UNION SELECT e.id, e.parent_id FROM events e JOIN tree t ON e.parent_id = t.id \
         WHERE e.archived_at IS NULL) ",
    );
}

/// The reconciled figures of each event of `ids`, one per category that any report of the
/// event or of its sub-events counts, in the categories' order; events with none are left out.
/// Two statements, whatever the number of events.
///
/// # Errors
/// `INTERNAL` when the database fails or holds a value this build does not know.
pub async fn of_events(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<CasualtyFigure>>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let backend = db.get_database_backend();
    let mut sql = Sql::new(backend);
    tree(&mut sql, ids);
    sql.push("SELECT id, parent_id FROM tree");
    let nodes = Node::find_by_statement(sql.build()).all(db).await?;
    let mut sql = Sql::new(backend);
    tree(&mut sql, ids);
    sql.push(
        "SELECT c.* FROM casualty_reports c JOIN tree t ON c.event_id = t.id \
         WHERE c.archived_at IS NULL ORDER BY c.id",
    );
    let reports = casualty_report::Model::find_by_statement(sql.build()).all(db).await?;

    let in_tree: HashSet<i32> = nodes.iter().map(|n| n.id).collect();
    let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
    for node in &nodes {
        if let Some(parent) = node.parent_id.filter(|p| in_tree.contains(p)) {
            children.entry(parent).or_default().push(node.id);
        }
    }
    let mut own: HashMap<(i32, CasualtyCategory), Vec<casualty_report::Model>> = HashMap::new();
    for report in reports {
        let category = CasualtyCategory::from_db(&report.category)?;
        own.entry((report.event_id, category)).or_default().push(report);
    }
    let mut memo = Memo { children: &children, own: &own, figures: HashMap::new() };
    let mut result = HashMap::new();
    for &id in ids {
        let mut figures = Vec::new();
        for &category in CasualtyCategory::VARIANTS {
            if let Some(figure) = memo.figure(id, category)? {
                let reports = own.get(&(id, category)).cloned().unwrap_or_default();
                figures.push(CasualtyFigure { category, figure, reports });
            }
        }
        if !figures.is_empty() {
            result.insert(id, figures);
        }
    }
    Ok(result)
}

/// The figures computed so far, so that a sub-event shared by several requested events is
/// reconciled once.
struct Memo<'a> {
    children: &'a HashMap<i32, Vec<i32>>,
    own: &'a HashMap<(i32, CasualtyCategory), Vec<casualty_report::Model>>,
    figures: HashMap<(i32, CasualtyCategory), Option<Figure>>,
}

impl Memo<'_> {
    /// The figure of `event`: its sub-events first (without recursion, so that no nesting
    /// depth can exhaust the stack), then the event itself.
    fn figure(
        &mut self,
        event: i32,
        category: CasualtyCategory,
    ) -> Result<Option<Figure>, AppError> {
        let mut stack = vec![(event, false)];
        let mut seen = HashSet::new();
        while let Some((id, expanded)) = stack.pop() {
            if self.figures.contains_key(&(id, category)) {
                continue;
            }
            let children = self.children.get(&id).map(Vec::as_slice).unwrap_or_default();
            if !expanded && seen.insert(id) {
                stack.push((id, true));
                stack.extend(children.iter().map(|&child| (child, false)));
                continue;
            }
            let parts: Vec<Bounds> = children
                .iter()
                .filter_map(|child| self.figures.get(&(*child, category)).cloned().flatten())
                .filter_map(|figure| figure.bounds())
                .collect();
            let claims = self
                .own
                .get(&(id, category))
                .map(|reports| reports.iter().map(claim).collect::<Result<Vec<_>, _>>())
                .transpose()?
                .unwrap_or_default();
            let figure = Figure::with_sub_events(reconcile(&claims), &parts);
            self.figures.insert((id, category), figure);
        }
        Ok(self.figures.get(&(event, category)).cloned().flatten())
    }
}

fn claim(report: &casualty_report::Model) -> Result<Claim, AppError> {
    Ok(Claim {
        id: report.id,
        claimant: report.claimed_by_id,
        group: report.affected_group.clone(),
        low: i64::from(report.low),
        high: report.high.map(i64::from),
        best: report.best.map(i64::from),
        as_of: report.as_of,
        status: ReportStatus::from_db(&report.status)?,
        preferred: report.preferred,
    })
}
