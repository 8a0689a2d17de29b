//! One figure from competing casualty reports: the rule by which Annals answers "how many?"
//! when a government, a newspaper and an NGO disagree, in the spirit of UCDP's best / low /
//! high estimates.
//!
//! For one event and one category:
//! 1. retracted reports are excluded (a deleted source does not retract a claim; only the
//!    status does);
//! 2. of several reports by the same claimant about the same group, only the latest (`asOf`;
//!    on a tie, or without dates, the one recorded last) counts; the older ones are
//!    superseded. Reports with no claimant never supersede each other;
//! 3. best is the figure of the report an editor marked as preferred; otherwise the lowest
//!    figure among undisputed reports; if every standing report is disputed, the lowest among
//!    them. A report's figure is its own best estimate when it gives one, else its low;
//! 4. low is the lowest low of the standing reports, disputed included; high the highest high
//!    (a report's low where it has no high), open-ended when any of them is;
//! 5. no report at all: no figure (unknown), never zero.
//!
//! An episode's figure is, bound by bound, the larger of its own and the sum of its
//! sub-events' figures ([`Figure::with_sub_events`]): nothing is counted twice, no total is
//! lost.

use super::{ReconciliationRule as Rule, ReportStatus};
use chrono::NaiveDate;

/// One casualty report, as the rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The report's row id; a later-recorded report has a larger one.
    pub id: i32,
    /// Who makes the claim; `None` when the report does not say.
    pub claimant: Option<i32>,
    /// Who is counted, when the report narrows it ("police officers").
    pub group: Option<String>,
    /// The lower bound.
    pub low: i64,
    /// The upper bound; `None` for an open-ended figure ("more than 5,800").
    pub high: Option<i64>,
    /// The claimant's own best estimate.
    pub best: Option<i64>,
    /// The day the figure counts up to.
    pub as_of: Option<NaiveDate>,
    /// Where the report stands.
    pub status: ReportStatus,
    /// Whether an editor marked the report as the one to trust.
    pub preferred: bool,
}

impl Claim {
    /// The report's own figure: its best estimate, else its low.
    pub fn figure(&self) -> i64 {
        self.best.unwrap_or(self.low)
    }

    /// The report's upper bound; where it gives none, the most it does say (its figure).
    fn upper(&self) -> i64 {
        self.high.unwrap_or(self.figure())
    }
}

/// Why a report does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusion {
    /// Its status is retracted.
    Retracted,
    /// A later report by the same claimant replaces it (the id of that report).
    SupersededBy(i32),
}

/// The reconciled figure of one event and category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// Lower bound; `None` when nothing stands.
    pub low: Option<i64>,
    /// Best estimate; `None` when nothing stands.
    pub best: Option<i64>,
    /// Upper bound; `None` when nothing stands. Open-ended when `high_open`.
    pub high: Option<i64>,
    /// Whether some count behind `high` gives no upper bound ("more than …").
    pub high_open: bool,
    /// How `best` was reached.
    pub rule: Rule,
    /// The reports that count, by id, in the order given.
    pub considered: Vec<i32>,
    /// The reports that do not, with the reason, in the order given.
    pub excluded: Vec<(i32, Exclusion)>,
    /// The sum of the sub-events' figures, when the event has sub-events with figures.
    pub sub_events: Option<Bounds>,
}

/// Low, best and high of a figure that stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Lower bound.
    pub low: i64,
    /// Best estimate.
    pub best: i64,
    /// Upper bound (open-ended when `high_open`).
    pub high: i64,
    /// Whether the upper bound is open-ended.
    pub high_open: bool,
}

impl Bounds {
    fn add(self, other: Bounds) -> Bounds {
        Bounds {
            low: self.low.saturating_add(other.low),
            best: self.best.saturating_add(other.best),
            high: self.high.saturating_add(other.high),
            high_open: self.high_open || other.high_open,
        }
    }

    fn max(self, other: Bounds) -> Bounds {
        Bounds {
            low: self.low.max(other.low),
            best: self.best.max(other.best),
            high: self.high.max(other.high),
            high_open: self.high_open || other.high_open,
        }
    }
}

/// Reconciles the reports of one event and category; `None` when there are none.
pub fn reconcile(claims: &[Claim]) -> Option<Figure> {
    if claims.is_empty() {
        return None;
    }
    let mut considered = Vec::new();
    let mut excluded = Vec::new();
    for claim in claims {
        if claim.status == ReportStatus::Retracted {
            excluded.push((claim.id, Exclusion::Retracted));
        } else if let Some(newer) = superseding(claims, claim) {
            excluded.push((claim.id, Exclusion::SupersededBy(newer)));
        } else {
            considered.push(claim);
        }
    }
    let lowest =
        |keep: fn(&Claim) -> bool| considered.iter().filter(|c| keep(c)).map(|c| c.figure()).min();
    let (best, rule) = if let Some(best) = lowest(|c| c.preferred) {
        (Some(best), Rule::Preferred)
    } else if let Some(best) = lowest(|c| c.status != ReportStatus::Disputed) {
        (Some(best), Rule::LowestUndisputed)
    } else if let Some(best) = lowest(|_| true) {
        (Some(best), Rule::LowestDisputed)
    } else {
        (None, Rule::NoneStanding)
    };
    Some(Figure {
        low: considered.iter().map(|c| c.low).min(),
        best,
        high: considered.iter().map(|c| c.upper()).max(),
        high_open: considered.iter().any(|c| c.high.is_none()),
        rule,
        considered: considered.iter().map(|c| c.id).collect(),
        excluded,
        sub_events: None,
    })
}

/// The id of a later standing report by `claim`'s claimant about the same group, if any.
fn superseding(claims: &[Claim], claim: &Claim) -> Option<i32> {
    let claimant = claim.claimant?;
    claims
        .iter()
        .filter(|other| {
            other.id != claim.id
                && other.claimant == Some(claimant)
                && other.group == claim.group
                && other.status != ReportStatus::Retracted
                && (other.as_of, other.id) > (claim.as_of, claim.id)
        })
        .max_by_key(|other| (other.as_of, other.id))
        .map(|other| other.id)
}

impl Figure {
    /// What stands of the figure: `None` when nothing does.
    pub fn bounds(&self) -> Option<Bounds> {
        Some(Bounds {
            low: self.low?,
            best: self.best?,
            high: self.high?,
            high_open: self.high_open,
        })
    }

    /// The figure of an episode whose sub-events' figures are `parts` (each already reconciled
    /// the same way): bound by bound the larger of its own and their sum. `own` is `None` when
    /// the episode has no reports of its own.
    pub fn with_sub_events(own: Option<Figure>, parts: &[Bounds]) -> Option<Figure> {
        let Some(sum) = parts.iter().copied().reduce(Bounds::add) else { return own };
        let mut figure = own.unwrap_or(Figure {
            low: None,
            best: None,
            high: None,
            high_open: false,
            rule: Rule::NoneStanding,
            considered: Vec::new(),
            excluded: Vec::new(),
            sub_events: None,
        });
        let total = match figure.bounds() {
            Some(own) => own.max(sum),
            None => sum,
        };
        if figure.best.is_none_or(|best| sum.best > best) {
            figure.rule = Rule::SubEvents;
        }
        figure.low = Some(total.low);
        figure.best = Some(total.best);
        figure.high = Some(total.high);
        figure.high_open = total.high_open;
        figure.sub_events = Some(sum);
        Some(figure)
    }

    /// One sentence saying how the figure was reached, for a reader.
    pub fn explanation(&self) -> String {
        let excluded = match self.excluded.len() {
            0 => String::new(),
            1 => " One report is left out (retracted or superseded).".to_owned(),
            n => format!(" {n} reports are left out (retracted or superseded)."),
        };
        let standing = match self.considered.len() {
            1 => "the one report that stands".to_owned(),
            n => format!("{n} reports that stand"),
        };
        let rule = match self.rule {
            Rule::Preferred => {
                format!("Best is the figure of the report an editor marked as preferred, of {standing}.")
            }
            Rule::LowestUndisputed => {
                format!("Best is the lowest undisputed figure of {standing}.")
            }
            Rule::LowestDisputed => {
                format!("Every report that stands is disputed; best is the lowest of {standing}.")
            }
            Rule::NoneStanding => "No report stands, so the figure is unknown.".to_owned(),
            Rule::SubEvents => {
                "The sub-events add up to more than the event's own reports; best is their sum."
                    .to_owned()
            }
        };
        let range = if self.high_open {
            " At least one count is open-ended, so the true figure may be higher."
        } else {
            ""
        };
        format!("{rule}{range}{excluded}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn claim(id: i32, low: i64, high: Option<i64>) -> Claim {
        Claim {
            id,
            claimant: None,
            group: None,
            low,
            high,
            best: None,
            as_of: None,
            status: ReportStatus::Reported,
            preferred: false,
        }
    }

    fn day(d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2022, 1, d)
    }

    #[test]
    fn no_report_is_unknown_not_zero() {
        assert_eq!(reconcile(&[]), None);
        let retracted = Claim { status: ReportStatus::Retracted, ..claim(1, 164, Some(164)) };
        let figure = reconcile(&[retracted]).unwrap();
        assert_eq!((figure.low, figure.best, figure.high), (None, None, None));
        assert_eq!(figure.rule, Rule::NoneStanding);
        assert_eq!(figure.excluded, [(1, Exclusion::Retracted)]);
    }

    #[test]
    fn undisputed_reports_give_the_lowest_best_and_the_widest_range() {
        let government = Claim { claimant: Some(1), ..claim(1, 164, Some(164)) };
        let ngo = Claim { claimant: Some(2), ..claim(2, 225, Some(240)) };
        let rumour = Claim { status: ReportStatus::Disputed, ..claim(3, 100, None) };
        let figure = reconcile(&[government, ngo, rumour]).unwrap();
        assert_eq!((figure.low, figure.best, figure.high), (Some(100), Some(164), Some(240)));
        assert!(figure.high_open, "the disputed report is open-ended");
        assert_eq!(figure.rule, Rule::LowestUndisputed);
        assert_eq!(figure.considered, [1, 2, 3]);
    }

    #[test]
    fn a_preferred_report_gives_best_and_only_disputed_ones_say_so() {
        let a = claim(1, 100, Some(120));
        let b = Claim { preferred: true, best: Some(210), ..claim(2, 200, Some(230)) };
        let figure = reconcile(&[a.clone(), b]).unwrap();
        assert_eq!((figure.best, figure.rule), (Some(210), Rule::Preferred));
        let disputed = |c: Claim| Claim { status: ReportStatus::Disputed, ..c };
        let figure = reconcile(&[disputed(a), disputed(claim(2, 90, None))]).unwrap();
        assert_eq!((figure.best, figure.rule), (Some(90), Rule::LowestDisputed));
        assert!(figure.explanation().contains("disputed"));
    }

    #[test]
    fn a_later_report_by_the_same_claimant_about_the_same_group_supersedes() {
        let early = Claim { claimant: Some(7), as_of: day(6), ..claim(5, 26, Some(26)) };
        let late = Claim { claimant: Some(7), as_of: day(10), ..claim(4, 164, Some(164)) };
        let police = Claim { group: Some("police".into()), ..early.clone() };
        let police = Claim { id: 6, low: 16, high: Some(16), ..police };
        let figure = reconcile(&[early, late, police]).unwrap();
        assert_eq!(figure.excluded, [(5, Exclusion::SupersededBy(4))]);
        assert_eq!(figure.considered, [4, 6]);
        // Undated reports of one claimant: the one recorded last counts.
        let first = Claim { claimant: Some(7), ..claim(1, 10, None) };
        let second = Claim { claimant: Some(7), ..claim(2, 12, None) };
        let figure = reconcile(&[first, second]).unwrap();
        assert_eq!(figure.excluded, [(1, Exclusion::SupersededBy(2))]);
    }

    #[test]
    fn an_episode_takes_the_larger_of_its_own_figure_and_its_sub_events_sum() {
        let own = reconcile(&[claim(1, 164, Some(164))]);
        let parts = [
            Bounds { low: 100, best: 100, high: 120, high_open: false },
            Bounds { low: 50, best: 80, high: 90, high_open: true },
        ];
        let figure = Figure::with_sub_events(own.clone(), &parts).unwrap();
        assert_eq!((figure.low, figure.best, figure.high), (Some(164), Some(180), Some(210)));
        assert!(figure.high_open);
        assert_eq!(figure.rule, Rule::SubEvents);
        assert_eq!(figure.considered, [1]);
        let small = [Bounds { low: 10, best: 10, high: 10, high_open: false }];
        let figure = Figure::with_sub_events(own, &small).unwrap();
        assert_eq!((figure.best, figure.rule), (Some(164), Rule::LowestUndisputed));
        let figure = Figure::with_sub_events(None, &small).unwrap();
        assert_eq!((figure.best, figure.rule), (Some(10), Rule::SubEvents));
        assert_eq!(Figure::with_sub_events(None, &[]), None);
    }

    fn any_claim() -> impl Strategy<Value = Claim> {
        (
            1..40i32,
            proptest::option::of(1..4i32),
            proptest::option::of(prop_oneof![
                Just("police".to_owned()),
                Just("civilians".to_owned())
            ]),
            0..10_000i64,
            proptest::option::of(0..5_000i64),
            proptest::option::of(0..3_000i64),
            proptest::option::of(1..28u32),
            prop_oneof![
                Just(ReportStatus::Reported),
                Just(ReportStatus::Disputed),
                Just(ReportStatus::Retracted)
            ],
            any::<bool>(),
        )
            .prop_map(
                |(id, claimant, group, low, extra, over, as_of, status, preferred)| Claim {
                    id,
                    claimant,
                    group,
                    low,
                    high: extra.map(|e| low + e),
                    best: over.map(|o| low + extra.map_or(o, |e| o.min(e))),
                    as_of: as_of.and_then(day),
                    status,
                    preferred,
                },
            )
    }

    fn claims() -> impl Strategy<Value = Vec<Claim>> {
        proptest::collection::vec(any_claim(), 0..8).prop_map(|mut claims| {
            // Ids are row ids: distinct.
            claims.sort_by_key(|c| c.id);
            claims.dedup_by_key(|c| c.id);
            claims
        })
    }

    proptest! {
        #[test]
        fn low_best_high_are_ordered(claims in claims()) {
            if let Some(figure) = reconcile(&claims) {
                if let Some(bounds) = figure.bounds() {
                    prop_assert!(bounds.low <= bounds.best && bounds.best <= bounds.high);
                }
                prop_assert_eq!(figure.considered.len() + figure.excluded.len(), claims.len());
            }
        }

        #[test]
        fn a_retracted_report_changes_nothing(claims in claims(), extra in any_claim()) {
            let retracted = Claim { id: 1_000, status: ReportStatus::Retracted, ..extra };
            let before = reconcile(&claims);
            let mut with = claims.clone();
            with.push(retracted);
            let after = reconcile(&with).unwrap();
            let bounds = |f: &Figure| (f.low, f.best, f.high, f.high_open, f.considered.clone());
            match before {
                Some(before) => prop_assert_eq!(bounds(&before), bounds(&after)),
                None => prop_assert_eq!(after.bounds(), None),
            }
        }

        #[test]
        fn a_newer_report_by_the_same_claimant_replaces_the_older(
            claims in claims(),
            older in any_claim(),
            newer_low in 0..10_000i64,
        ) {
            // A claimant no other claim has, so only these two compete.
            let older = Claim {
                id: 1_000,
                claimant: Some(99),
                status: ReportStatus::Reported,
                as_of: day(1),
                ..older
            };
            let newer = Claim { id: 1_001, low: newer_low, high: Some(newer_low), best: None,
                                as_of: day(2), ..older.clone() };
            let mut both = claims.clone();
            both.push(older.clone());
            both.push(newer.clone());
            let mut only_newer = claims.clone();
            only_newer.push(newer);
            let (a, b) = (reconcile(&both).unwrap(), reconcile(&only_newer).unwrap());
            prop_assert_eq!((a.low, a.best, a.high, a.high_open), (b.low, b.best, b.high, b.high_open));
            prop_assert!(a.excluded.contains(&(1_000, Exclusion::SupersededBy(1_001))));
        }

        #[test]
        fn an_episode_is_never_less_than_its_parts(
            claims in claims(),
            parts in proptest::collection::vec((0..500i64, 0..100i64, 0..100i64, any::<bool>()), 0..5),
        ) {
            let parts: Vec<Bounds> = parts
                .into_iter()
                .map(|(low, b, h, open)| Bounds { low, best: low + b, high: low + b + h, high_open: open })
                .collect();
            let own = reconcile(&claims);
            if let Some(figure) = Figure::with_sub_events(own.clone(), &parts) {
                if let Some(total) = figure.bounds() {
                    prop_assert!(total.low <= total.best && total.best <= total.high);
                    let sum: i64 = parts.iter().map(|p| p.best).sum();
                    prop_assert!(total.best >= sum);
                    if let Some(own) = own.as_ref().and_then(Figure::bounds) {
                        prop_assert!(total.best >= own.best);
                    }
                }
            }
        }
    }
}
