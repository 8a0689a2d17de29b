use super::citation::citations_of;
use super::record::{Record as _, RecordFields};
use super::{Actor, Citation, Event};
use crate::domain::{DatePrecision, MentionRole, StatementKind, StatementMode};
use crate::graphql::context::{load, load_all_required, load_required};
use crate::graphql::loaders::{EventById, MentionedById, MentionsOf, SpeakerById};
use crate::graphql::scalars::Date;
use crate::service::citation::Cited;
use async_graphql::{Context, Object, Result};
use entity::statement;

/// Something an actor said: a claim, an accusation, a warning. Who said it is the `speaker`;
/// who reported it is in `citations`.
#[derive(Clone)]
pub struct Statement(pub statement::Model);

#[Object]
impl Statement {
    /// The fields every record has: `id`, `key`, `version`, `archivedAt`, `history`.
    #[graphql(flatten)]
    async fn record(&self) -> RecordFields {
        self.fields()
    }

    /// What was said: the speaker's words when `mode` is `VERBATIM`, a reporter's rendering
    /// when it is `PARAPHRASE`.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// Whether `text` is a verbatim quote or a paraphrase.
    async fn mode(&self) -> Result<StatementMode> {
        Ok(StatementMode::from_db(&self.0.mode)?)
    }

    /// What the statement does.
    async fn kind(&self) -> Result<StatementKind> {
        Ok(StatementKind::from_db(&self.0.kind)?)
    }

    /// When it was said, if known.
    async fn stated_on(&self) -> Option<Date> {
        self.0.stated_on.map(Date)
    }

    /// How exactly `statedOn` is known.
    async fn date_precision(&self) -> Result<Option<DatePrecision>> {
        Ok(self.0.date_precision.as_deref().map(DatePrecision::from_db).transpose()?)
    }

    /// Whether the statement was machine-coded (imported from GDELT) and no person has
    /// checked it since.
    async fn low_confidence(&self) -> bool {
        self.0.low_confidence
    }

    /// Who said it.
    async fn speaker(&self, ctx: &Context<'_>) -> Result<Actor> {
        load_required(ctx, SpeakerById(self.0.speaker_id)).await.map(Actor)
    }

    /// The event the statement is about.
    async fn event(&self, ctx: &Context<'_>) -> Result<Option<Event>> {
        let Some(event_id) = self.0.event_id else { return Ok(None) };
        Ok(load(ctx, EventById(event_id)).await?.map(Event))
    }

    /// Every actor the statement refers to, blamed or merely mentioned.
    async fn mentions(&self, ctx: &Context<'_>) -> Result<Vec<Actor>> {
        let mentions = load(ctx, MentionsOf(self.0.id)).await?.unwrap_or_default();
        let keys = mentions.iter().map(|m| MentionedById(m.actor_id)).collect();
        Ok(load_all_required(ctx, keys).await?.into_iter().map(Actor).collect())
    }

    /// The actors the statement refers to, with how it refers to each (`BLAMED`, `MENTIONED`).
    async fn actor_mentions(&self, ctx: &Context<'_>) -> Result<Vec<ActorMention>> {
        let rows = load(ctx, MentionsOf(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(|m| ActorMention { actor_id: m.actor_id, role: m.role }).collect())
    }

    /// The sources that report the statement.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations_of(ctx, Cited::Statement, self.0.id).await
    }
}

/// An actor a statement refers to, and how.
pub struct ActorMention {
    actor_id: i32,
    role: MentionRole,
}

#[Object]
impl ActorMention {
    /// The actor referred to.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Actor> {
        load_required(ctx, MentionedById(self.actor_id)).await.map(Actor)
    }

    /// Whether the statement blames the actor or only mentions them.
    async fn role(&self) -> MentionRole {
        self.role
    }
}
