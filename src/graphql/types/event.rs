use super::citation::citations_of;
use super::record::{Record as _, RecordFields};
use super::{
    nested_events, nested_statements, Actor, CasualtyReport, Citation, ReconciledFigure, Statement,
};
use crate::domain::{
    CasualtyCategory, DatePrecision, EventSubType, EventType, GeoPrecision, ParticipantRole,
};
use crate::graphql::context::{load, load_required};
use crate::graphql::loaders::{
    ActorById, CasualtyReportsOf, EventById, FiguresOf, Nested, ParticipantsOf,
};
use crate::graphql::pagination::{args, page_cost, Conn};
use crate::graphql::scalars::Date;
use crate::service::citation::Cited;
use async_graphql::{Context, Object, Result, SimpleObject};
use entity::event;

/// Something that happened: a protest, a riot, a deployment, a declaration. Events nest: an
/// episode such as the January 2022 unrest has the protests, riots and deployments as
/// sub-events.
#[derive(Clone)]
pub struct Event(pub event::Model);

#[Object]
impl Event {
    /// The fields every record has: `id`, `key`, `version`, `archivedAt`, `history`.
    #[graphql(flatten)]
    async fn record(&self) -> RecordFields {
        self.fields()
    }

    /// A short title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What happened, in a few sentences.
    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }

    /// ACLED event type.
    #[graphql(name = "type")]
    async fn event_type(&self) -> Result<EventType> {
        Ok(EventType::from_db(&self.0.event_type)?)
    }

    /// ACLED event sub-type; always one of the type's sub-types.
    async fn sub_type(&self) -> Result<Option<EventSubType>> {
        Ok(self.0.sub_type.as_deref().map(EventSubType::from_db).transpose()?)
    }

    /// The first day of the event (or of the period it is known to fall in).
    async fn start_date(&self) -> Date {
        Date(self.0.start_date)
    }

    /// The last day, for events that lasted more than a day.
    async fn end_date(&self) -> Option<Date> {
        self.0.end_date.map(Date)
    }

    /// How exactly the dates are known.
    async fn date_precision(&self) -> Result<DatePrecision> {
        Ok(DatePrecision::from_db(&self.0.date_precision)?)
    }

    /// Where it happened, when known.
    async fn location(&self) -> Result<Option<Location>> {
        let (Some(country_code), Some(precision)) = (&self.0.country_code, &self.0.geo_precision)
        else {
            return Ok(None);
        };
        Ok(Some(Location {
            country_code: country_code.clone(),
            admin1: self.0.admin1.clone(),
            admin2: self.0.admin2.clone(),
            admin3: self.0.admin3.clone(),
            place: self.0.place.clone(),
            latitude: self.0.latitude,
            longitude: self.0.longitude,
            precision: GeoPrecision::from_db(precision)?,
        }))
    }

    /// ACLED's disorder type, for events imported from ACLED: "Political violence",
    /// "Demonstrations", "Strategic developments" or a combination.
    async fn disorder_type(&self) -> Option<&str> {
        self.0.disorder_type.as_deref()
    }

    /// Whether ACLED codes the event as targeting civilians; null when the source does not
    /// say.
    async fn civilian_targeting(&self) -> Option<bool> {
        self.0.civilian_targeting
    }

    /// ACLED's source scale: how widely the sources that report the event circulate
    /// ("National", "Subnational-National", "International", …).
    async fn source_scale(&self) -> Option<&str> {
        self.0.source_scale.as_deref()
    }

    /// ACLED's tags, such as `crowd size=no report`; empty when there are none.
    async fn tags(&self) -> Vec<String> {
        crate::service::rows::split_tags(self.0.tags.as_deref())
    }

    /// Whether the event was machine-coded (imported from GDELT) and no person has checked
    /// it since; filter with `lowConfidence: false` to leave such events out.
    async fn low_confidence(&self) -> bool {
        self.0.low_confidence
    }

    /// The episode this event is part of.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Event>> {
        let Some(parent_id) = self.0.parent_id else { return Ok(None) };
        Ok(load(ctx, EventById(parent_id)).await?.map(Event))
    }

    /// The events that make up this one, latest first.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn sub_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<Event>> {
        nested_events(ctx, Nested::SubEvents, self.0.id, args(first, after, last, before)).await
    }

    /// Who took part, and in what role.
    async fn participants(&self, ctx: &Context<'_>) -> Result<Vec<Participation>> {
        let rows = load(ctx, ParticipantsOf(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(|p| Participation { actor_id: p.actor_id, role: p.role }).collect())
    }

    /// Statements about this event, latest first.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn statements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<Statement>> {
        nested_statements(
            ctx,
            Nested::StatementsOfEvent,
            self.0.id,
            args(first, after, last, before),
        )
        .await
    }

    /// Every casualty figure reported for this event, competing and retracted ones included.
    async fn casualty_reports(&self, ctx: &Context<'_>) -> Result<Vec<CasualtyReport>> {
        let rows = load(ctx, CasualtyReportsOf(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(CasualtyReport).collect())
    }

    /// The great-circle distance in kilometres from the given point to where the event
    /// happened; null when the event has no coordinates.
    async fn distance_km(&self, latitude: f64, longitude: f64) -> Option<f64> {
        let (lat, lon) = (self.0.latitude?, self.0.longitude?);
        Some(crate::domain::geo::distance_km((latitude, longitude), (lat, lon)))
    }

    /// The event's casualty figures, one per category that a report of the event or of its
    /// sub-events counts, each reconciled from the competing reports by one rule (see
    /// `ReconciledFigure`).
    async fn figures(&self, ctx: &Context<'_>) -> Result<Vec<ReconciledFigure>> {
        let figures = load(ctx, FiguresOf(self.0.id)).await?.unwrap_or_default();
        Ok(figures.into_iter().map(ReconciledFigure).collect())
    }

    /// The event's reconciled figure for one category; null when no report counts it
    /// (unknown, not zero).
    async fn figure(
        &self,
        ctx: &Context<'_>,
        category: CasualtyCategory,
    ) -> Result<Option<ReconciledFigure>> {
        let figures = load(ctx, FiguresOf(self.0.id)).await?.unwrap_or_default();
        Ok(figures.into_iter().find(|f| f.category == category.as_str()).map(ReconciledFigure))
    }

    /// The sources that report this event.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations_of(ctx, Cited::Event, self.0.id).await
    }
}

/// Where an event happened, as precisely as it is known.
#[derive(SimpleObject)]
pub struct Location {
    /// ISO 3166-1 alpha-2 country code.
    pub country_code: String,
    /// First-level administrative region (province, oblast, state).
    pub admin1: Option<String>,
    /// Second-level administrative region (district), where imported data gives it.
    pub admin2: Option<String>,
    /// Third-level administrative region, where imported data gives it.
    pub admin3: Option<String>,
    /// Town, city or site.
    pub place: Option<String>,
    /// WGS 84 latitude.
    pub latitude: Option<f64>,
    /// WGS 84 longitude.
    pub longitude: Option<f64>,
    /// How exactly the location is known.
    pub precision: GeoPrecision,
}

/// An actor's part in an event.
pub struct Participation {
    actor_id: i32,
    role: ParticipantRole,
}

#[Object]
impl Participation {
    /// Who took part.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Actor> {
        load_required(ctx, ActorById(self.actor_id)).await.map(Actor)
    }

    /// In what role.
    async fn role(&self) -> ParticipantRole {
        self.role
    }
}
