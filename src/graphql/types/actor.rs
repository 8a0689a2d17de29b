use super::citation::citations_of;
use super::record::{Record as _, RecordFields};
use super::{nested_events, nested_statements, Citation, Event, Statement};
use crate::domain::{ActorKind, DatePrecision};
use crate::graphql::context::{load, load_required};
use crate::graphql::loaders::{ActorById, AffiliationsOf, AliasesOf, Nested};
use crate::graphql::pagination::{args, page_cost, Conn};
use crate::graphql::scalars::Date;
use crate::service::citation::Cited;
use async_graphql::{Context, Object, Result};
use entity::{actor, affiliation};

/// A person, state, body or group that acts, speaks or is affected.
#[derive(Clone)]
pub struct Actor(pub actor::Model);

#[Object]
impl Actor {
    /// The fields every record has: `id`, `key`, `version`, `archivedAt`, `history`.
    #[graphql(flatten)]
    async fn record(&self) -> RecordFields {
        self.fields()
    }

    /// The name the actor is best known by.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What kind of actor this is.
    async fn kind(&self) -> Result<ActorKind> {
        Ok(ActorKind::from_db(&self.0.kind)?)
    }

    /// Other names and spellings, including in other scripts.
    async fn aliases(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(load(ctx, AliasesOf(self.0.id)).await?.unwrap_or_default())
    }

    /// ISO 3166-1 alpha-2 code of the actor's country, if it has one.
    async fn country_code(&self) -> Option<&str> {
        self.0.country_code.as_deref()
    }

    /// Who or what the actor is.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The Wikidata item for the actor, such as `Q232`.
    async fn wikidata_id(&self) -> Option<&str> {
        self.0.wikidata_id.as_deref()
    }

    /// The organizations the actor belongs or belonged to, earliest first.
    async fn affiliations(&self, ctx: &Context<'_>) -> Result<Vec<Affiliation>> {
        let rows = load(ctx, AffiliationsOf(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(Affiliation).collect())
    }

    /// The events the actor took part in, latest first.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<Event>> {
        nested_events(ctx, Nested::EventsOfActor, self.0.id, args(first, after, last, before)).await
    }

    /// What the actor said, latest first.
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
            Nested::StatementsOfActor,
            self.0.id,
            args(first, after, last, before),
        )
        .await
    }
}

/// An actor's role in an organization over a period: a presidency, a membership, a post.
pub struct Affiliation(pub affiliation::Model);

#[Object]
impl Affiliation {
    /// The affiliation's readable key in the dataset; `removeAffiliation` names it.
    async fn key(&self) -> &str {
        &self.0.key
    }

    /// The member or office-holder.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Actor> {
        load_required(ctx, ActorById(self.0.actor_id)).await.map(Actor)
    }

    /// The organization, state or body.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Actor> {
        load_required(ctx, ActorById(self.0.organization_id)).await.map(Actor)
    }

    /// The role held, such as "President".
    async fn role(&self) -> &str {
        &self.0.role
    }

    /// When the role began, if known.
    async fn from(&self) -> Option<Date> {
        self.0.from_date.map(Date)
    }

    /// When the role ended; null while it lasts or when the end is not known.
    async fn to(&self) -> Option<Date> {
        self.0.to_date.map(Date)
    }

    /// How exactly `from` and `to` are known.
    async fn date_precision(&self) -> Result<DatePrecision> {
        Ok(DatePrecision::from_db(&self.0.date_precision)?)
    }

    /// What the dates or the role leave open.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The sources for the affiliation.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations_of(ctx, Cited::Affiliation, self.0.id).await
    }
}
