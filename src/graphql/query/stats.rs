use super::event::EventFilter;
use crate::domain::{
    ActorKind, CasualtyCategory, EventSubType, EventType, NodeType, StatsDimension, StatsInterval,
    StatsScope, WeekStart,
};
use crate::error::AppError;
use crate::graphql::context::{db, load};
use crate::graphql::loaders::ActorById;
use crate::graphql::scalars::Date;
use crate::graphql::types::Actor;
use crate::service::stats::{self, CategorySums, EventStats, Point, Series, StatsQuery};
use async_graphql::{Context, Object, Result, SimpleObject};
use strum::VariantArray;

/// Statistics over events.
#[derive(Default)]
pub struct StatsRoot;

#[Object]
impl StatsRoot {
    /// How many events, and how many killed, injured, detained…, per step of time and per
    /// group. `filter` is exactly the `events` filter, so a list and its counts agree. The axis
    /// runs from `from` to `to` (by default from the first to the last event counted) with
    /// every step present, empty or not; events that start outside it are not counted. With
    /// `groupBy`, the `top` largest series come first and the rest are folded into one
    /// `other` series; `total` counts every event once. Figures are the events' reconciled
    /// figures; with the default scope an episode is not counted itself and adds only what
    /// its sub-events' figures leave out, so that a total equals the episode's figure.
    #[graphql(complexity = "stats_cost(top.unwrap_or(10), child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn event_stats(
        &self,
        ctx: &Context<'_>,
        filter: Option<EventFilter>,
        #[graphql(desc = "What the series are; none gives one series of everything.")]
        group_by: Option<Vec<StatsDimension>>,
        #[graphql(desc = "The width of a step of the time axis; `MONTH` when not given.")]
        interval: Option<StatsInterval>,
        #[graphql(desc = "The first day of the axis; events that start earlier are not counted.")]
        from: Option<Date>,
        #[graphql(desc = "The last day of the axis; events that start later are not counted.")]
        to: Option<Date>,
        #[graphql(desc = "The day weeks start on; `MONDAY` (ISO) when not given.")]
        week_start: Option<WeekStart>,
        #[graphql(desc = "Which events count; `LEAVES` when not given.")] scope: Option<StatsScope>,
        #[graphql(desc = "How many series to give before `other`: 0 to 100, 10 when not given.")]
        top: Option<i32>,
    ) -> Result<StatsAnswer> {
        let top = match top {
            None => stats::DEFAULT_TOP,
            Some(top) => usize::try_from(top)
                .map_err(|_| AppError::invalid_input("top", "top must not be negative"))?,
        };
        let query = StatsQuery {
            filter: filter.map(EventFilter::into_service).transpose()?.unwrap_or_default(),
            group_by: group_by.unwrap_or_default(),
            interval: interval.unwrap_or(StatsInterval::Month),
            from: from.map(|d| d.0),
            to: to.map(|d| d.0),
            week_start: week_start.unwrap_or(WeekStart::Monday),
            scope: scope.unwrap_or(StatsScope::Leaves),
            top,
            figures: figures_selected(ctx),
            rollup: ctx.data_opt::<crate::graphql::StatsRollup>().is_none_or(|on| on.0),
        };
        Ok(StatsAnswer(stats::event_stats(db(ctx)?, &query).await?, query.group_by))
    }
}

/// Whether the request selects any point's `figures`: summing them is most of the work.
fn figures_selected(ctx: &Context<'_>) -> bool {
    let answer = ctx.look_ahead();
    ["series", "total"].iter().any(|series| {
        let series = answer.field(series);
        ["points", "total"].iter().any(|point| series.field(point).field("figures").exists())
    })
}

/// The cost of `eventStats`: the series it may return times what each selects.
pub fn stats_cost(top: i32, child_complexity: usize) -> usize {
    let series = usize::try_from(top).unwrap_or(0).min(stats::MAX_TOP) + 2;
    series.saturating_mul(child_complexity).saturating_add(10)
}

/// The answer of `eventStats`.
pub struct StatsAnswer(EventStats, Vec<StatsDimension>);

#[Object]
impl StatsAnswer {
    /// The first day of each step of the time axis, oldest first; empty when `interval` is
    /// `NONE` or nothing is counted and no range was given.
    async fn steps(&self) -> Vec<Date> {
        self.0.steps.iter().copied().map(Date).collect()
    }

    /// The series: the largest `top` groups by events (ties by key), then `other`.
    async fn series(&self) -> Vec<StatsSeries> {
        self.0.series.iter().map(|s| StatsSeries::new(s, &self.1, &self.0.steps)).collect()
    }

    /// Every event counted, once.
    async fn total(&self) -> StatsSeries {
        StatsSeries::new(&self.0.total, &[], &self.0.steps)
    }
}

/// One group's counts over the axis.
#[derive(SimpleObject)]
pub struct StatsSeries {
    /// The group: one value per `groupBy` dimension, in that order. Empty for `total` and
    /// for `other`.
    key: Vec<StatsKey>,
    /// Whether this series folds every group past `top`.
    other: bool,
    /// One point per step of the axis.
    points: Vec<StatsPoint>,
    /// The whole series.
    total: StatsPoint,
}

impl StatsSeries {
    fn new(series: &Series, dimensions: &[StatsDimension], steps: &[chrono::NaiveDate]) -> Self {
        let key = if series.other {
            Vec::new()
        } else {
            dimensions
                .iter()
                .zip(&series.key)
                .map(|(dimension, value)| StatsKey { dimension: *dimension, value: value.clone() })
                .collect()
        };
        StatsSeries {
            key,
            other: series.other,
            points: series
                .points
                .iter()
                .zip(steps)
                .map(|(point, start)| StatsPoint::new(point, Some(*start)))
                .collect(),
            total: StatsPoint::new(&series.total, None),
        }
    }
}

/// One dimension's value of a series; the typed field of its dimension is set.
pub struct StatsKey {
    dimension: StatsDimension,
    value: Option<String>,
}

#[Object]
impl StatsKey {
    /// What the value is of.
    async fn dimension(&self) -> StatsDimension {
        self.dimension
    }

    /// The value as stored: a country code, an admin-1 name, an enumeration's name, an
    /// actor's global ID; null where the events have none.
    async fn value(&self) -> Result<Option<String>> {
        match (&self.value, self.dimension) {
            (Some(id), StatsDimension::Actor) => {
                Ok(Some(crate::graphql::id::encode(NodeType::Actor, actor_row(id)?).to_string()))
            }
            (value, _) => Ok(value.clone()),
        }
    }

    /// The country, for `COUNTRY`: its ISO 3166-1 alpha-2 code.
    async fn country_code(&self) -> Option<&str> {
        self.of(StatsDimension::Country)
    }

    /// The first-level administrative division, for `ADMIN1`.
    async fn admin1(&self) -> Option<&str> {
        self.of(StatsDimension::Admin1)
    }

    /// The disorder type, for `DISORDER_TYPE`.
    async fn disorder_type(&self) -> Option<&str> {
        self.of(StatsDimension::DisorderType)
    }

    /// The event type, for `EVENT_TYPE`.
    async fn event_type(&self) -> Result<Option<EventType>> {
        Ok(self.of(StatsDimension::EventType).map(EventType::from_db).transpose()?)
    }

    /// The sub-type, for `SUB_EVENT_TYPE`.
    async fn sub_type(&self) -> Result<Option<EventSubType>> {
        Ok(self.of(StatsDimension::SubEventType).map(EventSubType::from_db).transpose()?)
    }

    /// The actor, for `ACTOR`.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<Actor>> {
        let Some(id) = self.of(StatsDimension::Actor) else { return Ok(None) };
        Ok(load(ctx, ActorById(actor_row(id)?)).await?.map(Actor))
    }

    /// The actor kind, for `ACTOR_KIND`.
    async fn actor_kind(&self) -> Result<Option<ActorKind>> {
        Ok(self.of(StatsDimension::ActorKind).map(ActorKind::from_db).transpose()?)
    }
}

impl StatsKey {
    fn of(&self, dimension: StatsDimension) -> Option<&str> {
        (self.dimension == dimension).then_some(self.value.as_deref()).flatten()
    }
}

fn actor_row(id: &str) -> Result<i32, AppError> {
    id.parse().map_err(|_| AppError::internal(format!("actor key {id:?} is not a row id")))
}

/// The counts of one step, or of a whole series.
#[derive(SimpleObject)]
pub struct StatsPoint {
    /// The first day of the step; null for a series' total.
    start: Option<Date>,
    /// Events counted.
    events: i32,
    /// Of those, the events whose date is known less exactly than one step (a month-precise
    /// date on a weekly axis): counted where their date starts.
    coarser_dates: i32,
    /// Per casualty category, in the categories' order.
    figures: Vec<StatsFigure>,
}

impl StatsPoint {
    fn new(point: &Point, start: Option<chrono::NaiveDate>) -> Self {
        StatsPoint {
            start: start.map(Date),
            events: saturate(point.events),
            coarser_dates: saturate(point.coarser),
            figures: CasualtyCategory::VARIANTS
                .iter()
                .zip(&point.figures)
                .map(|(category, sums)| StatsFigure::new(*category, sums, point.events))
                .collect(),
        }
    }
}

fn saturate(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// One casualty category summed over the events of a point.
#[derive(SimpleObject)]
pub struct StatsFigure {
    /// What is counted.
    category: CasualtyCategory,
    /// Sum of the events' reconciled lower bounds.
    low: i32,
    /// Sum of their best estimates.
    best: i32,
    /// Sum of their upper bounds.
    high: i32,
    /// Whether any figure in the sum is open-ended.
    high_open: bool,
    /// Events counted that have no figure for the category: unknown, not zero.
    unknown: i32,
}

impl StatsFigure {
    fn new(category: CasualtyCategory, sums: &CategorySums, events: i64) -> Self {
        StatsFigure {
            category,
            low: saturate(sums.low),
            best: saturate(sums.best),
            high: saturate(sums.high),
            high_open: sums.high_open,
            unknown: saturate((events - sums.known).max(0)),
        }
    }
}
