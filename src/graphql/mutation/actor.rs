use super::{author, citations, created, patch, row, updated, CitationInput};
use super::{CreateInput, UpdateInput};
use crate::domain::NodeType;
use crate::domain::{ActorKind, DatePrecision, Role};
use crate::graphql::context::db;
use crate::graphql::scalars::Date;
use crate::graphql::types::Actor;
use crate::service::write::actor::{self as write, ActorPatch, NewActor, NewAffiliation};
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};

/// Writing actors.
#[derive(Default)]
pub struct ActorMutation;

#[Object]
impl ActorMutation {
    /// Records an actor. Needs an `EDITOR` key.
    async fn create_actor(
        &self,
        ctx: &Context<'_>,
        input: CreateActorInput,
    ) -> Result<ActorPayload> {
        Ok(ActorPayload { actor: Actor(created(ctx, input).await?) })
    }

    /// Changes fields of an actor; fields left out stay as they are, `null` clears an
    /// optional one. Needs an `EDITOR` key.
    async fn update_actor(
        &self,
        ctx: &Context<'_>,
        input: UpdateActorInput,
    ) -> Result<ActorPayload> {
        Ok(ActorPayload { actor: Actor(updated(ctx, input).await?) })
    }

    /// Adds another name of an actor. Needs an `EDITOR` key.
    async fn add_alias(&self, ctx: &Context<'_>, input: AliasInput) -> Result<ActorPayload> {
        set_alias(ctx, input, true).await
    }

    /// Removes another name of an actor. Needs an `EDITOR` key.
    async fn remove_alias(&self, ctx: &Context<'_>, input: AliasInput) -> Result<ActorPayload> {
        set_alias(ctx, input, false).await
    }

    /// Records an actor's role in an organization over a period. Needs an `EDITOR` key.
    async fn add_affiliation(
        &self,
        ctx: &Context<'_>,
        input: AddAffiliationInput,
    ) -> Result<ActorPayload> {
        let author = author(ctx, Role::Editor)?;
        let id = row(NodeType::Actor, &input.actor_id)?;
        let new = NewAffiliation {
            key: input.key,
            organization_id: row(NodeType::Actor, &input.organization_id)?,
            role: input.role,
            from: input.from.map(|d| d.0),
            to: input.to.map(|d| d.0),
            date_precision: input.date_precision,
            note: input.note,
            citations: citations(input.citations)?,
        };
        let saved = write::add_affiliation(db(ctx)?, &author, id, input.version, new).await?;
        Ok(ActorPayload { actor: Actor(saved) })
    }

    /// Removes an actor's affiliation, named by its key. Needs an `EDITOR` key.
    async fn remove_affiliation(
        &self,
        ctx: &Context<'_>,
        input: RemoveAffiliationInput,
    ) -> Result<ActorPayload> {
        let author = author(ctx, Role::Editor)?;
        let id = row(NodeType::Actor, &input.actor_id)?;
        let saved =
            write::remove_affiliation(db(ctx)?, &author, id, input.version, &input.key).await?;
        Ok(ActorPayload { actor: Actor(saved) })
    }

    /// Merges two records of the same actor, in one transaction: every participation,
    /// statement, mention, casualty claim and affiliation of `mergeId` moves to `keepId`, its
    /// names become aliases of the kept actor, and it is archived. Its ID keeps working:
    /// `node(id:)` answers with the kept actor. Every record changed gets a `MERGE`
    /// revision. Needs an `EDITOR` key.
    async fn merge_actors(
        &self,
        ctx: &Context<'_>,
        input: MergeActorsInput,
    ) -> Result<ActorPayload> {
        let author = author(ctx, Role::Editor)?;
        let keep = row(NodeType::Actor, &input.keep_id)?;
        let merge = row(NodeType::Actor, &input.merge_id)?;
        let saved = write::merge(db(ctx)?, &author, keep, merge, input.version).await?;
        Ok(ActorPayload { actor: Actor(saved) })
    }
}

async fn set_alias(ctx: &Context<'_>, input: AliasInput, add: bool) -> Result<ActorPayload> {
    let author = author(ctx, Role::Editor)?;
    let id = row(NodeType::Actor, &input.actor_id)?;
    let saved = write::set_alias(db(ctx)?, &author, id, input.version, input.alias, add).await?;
    Ok(ActorPayload { actor: Actor(saved) })
}

/// The actor a mutation wrote.
#[derive(SimpleObject)]
pub struct ActorPayload {
    /// The actor as it is now.
    actor: Actor,
}

/// A new actor.
#[derive(InputObject)]
pub struct CreateActorInput {
    /// A readable key (lower-case letters, digits and `-`); one is made up when left out.
    key: Option<String>,
    /// What kind of actor.
    kind: ActorKind,
    /// The usual name.
    name: String,
    /// Other names and spellings.
    aliases: Option<Vec<String>>,
    /// ISO 3166-1 alpha-2 country code.
    country_code: Option<String>,
    /// Who or what the actor is.
    description: Option<String>,
    /// The Wikidata item, such as `Q232`.
    wikidata_id: Option<String>,
}

/// Changes to an actor.
#[derive(InputObject)]
pub struct UpdateActorInput {
    /// The actor to change.
    id: ID,
    /// The version you read; the update is refused with `CONFLICT` if the actor changed since.
    version: Option<i32>,
    /// Another kind.
    kind: Option<ActorKind>,
    /// Another name.
    name: Option<String>,
    /// Another country; `null` clears it.
    country_code: MaybeUndefined<String>,
    /// Another description; `null` clears it.
    description: MaybeUndefined<String>,
    /// Another Wikidata item; `null` clears it.
    wikidata_id: MaybeUndefined<String>,
}

impl CreateInput for CreateActorInput {
    type Write = write::Actors;

    fn into_new(self) -> Result<NewActor> {
        let Self { key, kind, name, aliases, country_code, description, wikidata_id } = self;
        let aliases = aliases.unwrap_or_default();
        let country_code = country_code.map(|c| c.to_uppercase());
        Ok(NewActor { key, kind, name, aliases, country_code, description, wikidata_id })
    }
}

impl UpdateInput for UpdateActorInput {
    type Write = write::Actors;

    fn target(&self) -> (&ID, Option<i32>) {
        (&self.id, self.version)
    }

    fn into_patch(self) -> Result<ActorPatch> {
        let Self { id: _, version: _, kind, name, country_code, description, wikidata_id } = self;
        let changes = ActorPatch {
            kind,
            name,
            country_code: patch(country_code, |c| Ok(c.to_uppercase()))?,
            description: patch(description, Ok)?,
            wikidata_id: patch(wikidata_id, Ok)?,
        };
        Ok(changes)
    }
}

/// Another name of an actor.
#[derive(InputObject)]
pub struct AliasInput {
    /// The actor.
    actor_id: ID,
    /// The version of the actor you read, checked as in `updateActor`.
    version: Option<i32>,
    /// The name.
    alias: String,
}

/// A new affiliation.
#[derive(InputObject)]
pub struct AddAffiliationInput {
    /// The member or office-holder.
    actor_id: ID,
    /// The version of the actor you read, checked as in `updateActor`.
    version: Option<i32>,
    /// A readable key; one is made up when left out.
    key: Option<String>,
    /// The organization, state or body.
    organization_id: ID,
    /// The role: "president", "member state".
    role: String,
    /// Since when.
    from: Option<Date>,
    /// Until when.
    to: Option<Date>,
    /// How exactly the dates are known.
    date_precision: DatePrecision,
    /// Context.
    note: Option<String>,
    /// The sources that report it; at least one.
    citations: Vec<CitationInput>,
}

/// An affiliation to remove.
#[derive(InputObject)]
pub struct RemoveAffiliationInput {
    /// The member or office-holder.
    actor_id: ID,
    /// The version of the actor you read, checked as in `updateActor`.
    version: Option<i32>,
    /// The affiliation's key.
    key: String,
}

/// Two records of the same actor.
#[derive(InputObject)]
pub struct MergeActorsInput {
    /// The actor that stays.
    keep_id: ID,
    /// The version of the kept actor you read, checked as in `updateActor`.
    version: Option<i32>,
    /// The actor merged into it.
    merge_id: ID,
}
