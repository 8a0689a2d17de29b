use super::{author, citations, created, patch, row, updated, CitationInput};
use super::{CreateInput, UpdateInput};
use crate::domain::records::LocationRecord;
use crate::domain::NodeType;
use crate::domain::{DatePrecision, EventSubType, EventType, GeoPrecision, ParticipantRole, Role};
use crate::graphql::context::db;
use crate::graphql::scalars::Date;
use crate::graphql::types::Event;
use crate::service::write::event::{self as write, EventPatch, NewEvent, NewParticipant};
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};

/// Writing events.
#[derive(Default)]
pub struct EventMutation;

#[Object]
impl EventMutation {
    /// Records an event. Needs an `EDITOR` key.
    async fn create_event(
        &self,
        ctx: &Context<'_>,
        input: CreateEventInput,
    ) -> Result<EventPayload> {
        Ok(EventPayload { event: Event(created(ctx, input).await?) })
    }

    /// Changes fields of an event; fields left out stay as they are, `null` clears an
    /// optional one. Participants change with `addParticipant` and `removeParticipant`.
    /// Needs an `EDITOR` key.
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        input: UpdateEventInput,
    ) -> Result<EventPayload> {
        Ok(EventPayload { event: Event(updated(ctx, input).await?) })
    }

    /// Adds an actor's part in an event. Needs an `EDITOR` key.
    async fn add_participant(
        &self,
        ctx: &Context<'_>,
        input: AddParticipantInput,
    ) -> Result<EventPayload> {
        set_participant(ctx, input.event_id, input.version, input.actor_id, input.role, true).await
    }

    /// Removes an actor's part in an event. Needs an `EDITOR` key.
    async fn remove_participant(
        &self,
        ctx: &Context<'_>,
        input: RemoveParticipantInput,
    ) -> Result<EventPayload> {
        set_participant(ctx, input.event_id, input.version, input.actor_id, input.role, false).await
    }
}

async fn set_participant(
    ctx: &Context<'_>,
    event: ID,
    version: Option<i32>,
    actor: ID,
    role: ParticipantRole,
    add: bool,
) -> Result<EventPayload> {
    let author = author(ctx, Role::Editor)?;
    let id = row(NodeType::Event, &event)?;
    let participant = NewParticipant { actor_id: row(NodeType::Actor, &actor)?, role };
    let saved = write::set_participant(db(ctx)?, &author, id, version, participant, add).await?;
    Ok(EventPayload { event: Event(saved) })
}

/// The event a mutation wrote.
#[derive(SimpleObject)]
pub struct EventPayload {
    /// The event as it is now.
    event: Event,
}

/// Where an event happened.
#[derive(InputObject)]
pub struct LocationInput {
    /// ISO 3166-1 alpha-2 country code, such as `KZ`.
    country_code: String,
    /// First-level administrative division.
    admin1: Option<String>,
    /// Second-level administrative division (district).
    admin2: Option<String>,
    /// Third-level administrative division.
    admin3: Option<String>,
    /// The place.
    place: Option<String>,
    /// Latitude, given with longitude.
    latitude: Option<f64>,
    /// Longitude, given with latitude.
    longitude: Option<f64>,
    /// How exactly the coordinates place the event.
    precision: GeoPrecision,
}

impl LocationInput {
    fn into_record(self) -> LocationRecord {
        LocationRecord {
            country_code: self.country_code.to_uppercase(),
            admin1: self.admin1,
            admin2: self.admin2,
            admin3: self.admin3,
            place: self.place,
            latitude: self.latitude,
            longitude: self.longitude,
            precision: self.precision,
        }
    }
}

/// An actor's part, named in a new event.
#[derive(InputObject)]
pub struct ParticipantInput {
    /// The actor.
    actor_id: ID,
    /// Their role.
    role: ParticipantRole,
}

/// A new event.
#[derive(InputObject)]
pub struct CreateEventInput {
    /// A readable key (lower-case letters, digits and `-`); one is made up when left out.
    key: Option<String>,
    /// The episode this event is part of.
    parent_id: Option<ID>,
    /// A short title.
    title: String,
    /// What happened, in a few sentences.
    summary: Option<String>,
    /// ACLED's event type.
    r#type: EventType,
    /// ACLED's sub-type; it must belong to `type`.
    sub_type: Option<EventSubType>,
    /// When it started.
    start_date: Date,
    /// When it ended, if it lasted longer than its start.
    end_date: Option<Date>,
    /// How exactly the dates are known.
    date_precision: DatePrecision,
    /// Where it happened.
    location: Option<LocationInput>,
    /// Who took part.
    participants: Option<Vec<ParticipantInput>>,
    /// The sources that report it; at least one.
    citations: Vec<CitationInput>,
}

/// Changes to an event.
#[derive(InputObject)]
pub struct UpdateEventInput {
    /// The event to change.
    id: ID,
    /// The version you read; the update is refused with `CONFLICT` if the event changed since.
    version: Option<i32>,
    /// Another episode; `null` makes it stand alone.
    parent_id: MaybeUndefined<ID>,
    /// Another title.
    title: Option<String>,
    /// Another summary; `null` clears it.
    summary: MaybeUndefined<String>,
    /// Another type.
    r#type: Option<EventType>,
    /// Another sub-type; `null` clears it.
    sub_type: MaybeUndefined<EventSubType>,
    /// Another start.
    start_date: Option<Date>,
    /// Another end; `null` clears it.
    end_date: MaybeUndefined<Date>,
    /// Another precision.
    date_precision: Option<DatePrecision>,
    /// Another location; `null` clears it.
    location: MaybeUndefined<LocationInput>,
    /// Citations that replace the current ones.
    citations: Option<Vec<CitationInput>>,
    /// `false` once a person has checked a machine-coded event.
    low_confidence: Option<bool>,
}

impl CreateInput for CreateEventInput {
    type Write = write::Events;

    fn into_new(self) -> Result<NewEvent> {
        let Self {
            key,
            parent_id,
            title,
            summary,
            r#type,
            sub_type,
            start_date,
            end_date,
            date_precision,
            location,
            participants,
            citations: cited,
        } = self;
        let participants = participants.unwrap_or_default().into_iter().map(|p| {
            Ok(NewParticipant { actor_id: row(NodeType::Actor, &p.actor_id)?, role: p.role })
        });
        Ok(NewEvent {
            key,
            parent_id: parent_id.map(|id| row(NodeType::Event, &id)).transpose()?,
            title,
            summary,
            event_type: r#type,
            sub_type,
            start_date: start_date.0,
            end_date: end_date.map(|d| d.0),
            date_precision,
            location: location.map(LocationInput::into_record),
            participants: participants.collect::<Result<_>>()?,
            citations: citations(cited)?,
        })
    }
}

impl UpdateInput for UpdateEventInput {
    type Write = write::Events;

    fn target(&self) -> (&ID, Option<i32>) {
        (&self.id, self.version)
    }

    fn into_patch(self) -> Result<EventPatch> {
        let Self {
            id: _,
            version: _,
            parent_id,
            title,
            summary,
            r#type,
            sub_type,
            start_date,
            end_date,
            date_precision,
            location,
            citations: cited,
            low_confidence,
        } = self;
        let changes = EventPatch {
            parent_id: patch(parent_id, |id| row(NodeType::Event, &id))?,
            title,
            summary: patch(summary, Ok)?,
            event_type: r#type,
            sub_type: patch(sub_type, Ok)?,
            start_date: start_date.map(|d| d.0),
            end_date: patch(end_date, |d| Ok(d.0))?,
            date_precision,
            location: patch(location, |l| Ok(l.into_record()))?,
            citations: cited.map(citations).transpose()?,
            low_confidence,
        };
        Ok(changes)
    }
}

/// An actor's part to add to an event.
#[derive(InputObject)]
pub struct AddParticipantInput {
    /// The event.
    event_id: ID,
    /// The version of the event you read, checked as in `updateEvent`.
    version: Option<i32>,
    /// The actor.
    actor_id: ID,
    /// Their role.
    role: ParticipantRole,
}

/// An actor's part to remove from an event.
#[derive(InputObject)]
pub struct RemoveParticipantInput {
    /// The event.
    event_id: ID,
    /// The version of the event you read, checked as in `updateEvent`.
    version: Option<i32>,
    /// The actor.
    actor_id: ID,
    /// The role to remove; the actor's other roles stay.
    role: ParticipantRole,
}
