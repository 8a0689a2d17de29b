//! Writing events: create and update, and adding and removing participants.

use super::{
    cited, open, patch_fields, referenced_id, referenced_key, replace_actor_rows, save,
    with_actor_keys, Citations, Editable, NewCitation, References, Toggle, Writable,
};
use crate::domain::records::{EventRecord, LocationRecord, ParticipantRecord};
use crate::domain::validate::{check_event, Checker};
use crate::domain::{DatePrecision, EventSubType, EventType, NodeType, ParticipantRole};
use crate::error::AppError;
use crate::error::Rule;
use crate::service::citation::Cited;
use crate::service::event::participants;
use crate::service::rows;
use chrono::NaiveDate;
use entity::event;
use entity::event_participant::{self, Column};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
};

const NODE: NodeType = NodeType::Event;

/// An actor's part in an event, as an input names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewParticipant {
    /// The actor.
    pub actor_id: i32,
    /// Their role.
    pub role: ParticipantRole,
}

/// A new event.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Its readable key; made up when not given.
    pub key: Option<String>,
    /// The episode it is part of.
    pub parent_id: Option<i32>,
    /// Its title.
    pub title: String,
    /// What happened.
    pub summary: Option<String>,
    /// ACLED's event type.
    pub event_type: EventType,
    /// ACLED's sub-type, which must belong to the type.
    pub sub_type: Option<EventSubType>,
    /// When it started.
    pub start_date: NaiveDate,
    /// When it ended.
    pub end_date: Option<NaiveDate>,
    /// How exactly the dates are known.
    pub date_precision: DatePrecision,
    /// Where it happened.
    pub location: Option<LocationRecord>,
    /// Who took part.
    pub participants: Vec<NewParticipant>,
    /// The sources that report it; at least one.
    pub citations: Vec<NewCitation>,
}

/// Changes to an event; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct EventPatch {
    /// Another episode, or none.
    pub parent_id: Option<Option<i32>>,
    /// Another title.
    pub title: Option<String>,
    /// Another summary.
    pub summary: Option<Option<String>>,
    /// Another type.
    pub event_type: Option<EventType>,
    /// Another sub-type.
    pub sub_type: Option<Option<EventSubType>>,
    /// Another start.
    pub start_date: Option<NaiveDate>,
    /// Another end.
    pub end_date: Option<Option<NaiveDate>>,
    /// Another precision.
    pub date_precision: Option<DatePrecision>,
    /// Another location.
    pub location: Option<Option<LocationRecord>>,
    /// Whether it is still only machine-coded; `false` once a person has checked it.
    pub low_confidence: Option<bool>,
    /// Citations that replace the current ones.
    pub citations: Option<Vec<NewCitation>>,
}

impl Writable for Events {
    type New = NewEvent;
    type Patch = EventPatch;

    async fn build(
        refs: &mut References<'_, DatabaseTransaction>,
        input: NewEvent,
    ) -> Result<EventRecord, AppError> {
        let NewEvent {
            key,
            parent_id,
            title,
            summary,
            event_type,
            sub_type,
            start_date,
            end_date,
            date_precision,
            location,
            participants,
            citations,
        } = input;
        let parent = refs.optional_key(NODE, parent_id, "input.parentId").await?;
        let taking_part = refs
            .actor_list(
                &participants,
                "input.participants",
                |p| p.actor_id,
                |actor, p| ParticipantRecord { actor, role: p.role },
            )
            .await?;
        let citations = refs.citations(&citations, "input.citations").await?;
        Ok(EventRecord {
            key: refs.new_key(NODE, key),
            parent,
            title,
            summary,
            event_type,
            sub_type,
            start_date,
            end_date,
            date_precision,
            location,
            participants: taking_part,
            citations,
            // What only imported data carries; the API reads these and does not set them.
            disorder_type: None,
            civilian_targeting: None,
            source_scale: None,
            tags: Vec::new(),
            // A person wrote it.
            low_confidence: false,
        })
    }

    /// Refuses, besides the record's rules, a parent that would make the event its own
    /// ancestor.
    async fn apply(
        refs: &mut References<'_, DatabaseTransaction>,
        id: i32,
        after: &mut EventRecord,
        patch: EventPatch,
    ) -> Result<(), AppError> {
        let EventPatch {
            title,
            summary,
            event_type,
            sub_type,
            start_date,
            end_date,
            date_precision,
            location,
            parent_id,
            citations,
            low_confidence,
        } = patch;
        if let Some(parent) = parent_id {
            after.parent = refs.optional_key(NODE, parent, "input.parentId").await?;
        }
        if let Some(citations) = &citations {
            after.citations = refs.citations(citations, "input.citations").await?;
        }
        if let Some(Some(parent)) = parent_id {
            if is_ancestor_or_self(refs.db(), id, parent).await? {
                let message = "an event cannot be its own ancestor";
                refs.check().fail(Rule::Cycle, "input.parentId", message);
            }
        }
        patch_fields!(after; title, summary, event_type, sub_type, start_date, end_date,
            date_precision, location, low_confidence);
        Ok(())
    }
}

/// Adds (`add`) or removes an actor's part in an event.
///
/// # Errors
/// `NOT_FOUND`, `CONFLICT` for a stale `version`, `VALIDATION` for an unknown actor, a
/// participant listed twice, or one that is not there to remove.
pub async fn set_participant(
    db: &DatabaseConnection,
    author: &str,
    id: i32,
    version: Option<i32>,
    participant: NewParticipant,
    add: bool,
) -> Result<event::Model, AppError> {
    let (write, row, before) = open::<Events>(db, author, id, version).await?;
    let mut refs = References::new(write.txn());
    let actor = refs.key(NodeType::Actor, participant.actor_id, "input.actorId").await?;
    let mut check = refs.checker();
    let mut after = before.clone();
    let wanted = ParticipantRecord { actor, role: participant.role };
    let toggle = Toggle {
        add,
        path: "input.actorId",
        present: "the actor takes part in this role already",
        absent: "the actor does not take part in this role",
    };
    let operation = toggle.apply(&mut check, &mut after.participants, wanted, |a, b| a == b);
    save::<Events>(write, row, &before, &after, operation, check).await
}

/// Whether `candidate` is `id` or one of its sub-events, at any depth: making it the parent
/// of `id` would close a cycle.
async fn is_ancestor_or_self(
    db: &impl ConnectionTrait,
    id: i32,
    candidate: i32,
) -> Result<bool, AppError> {
    let mut current = Some(candidate);
    // The chain is finite: the rules keep parents acyclic, and the bound guards a broken one.
    for _ in 0..10_000 {
        match current {
            None => return Ok(false),
            Some(event) if event == id => return Ok(true),
            Some(event) => {
                current = event::Entity::find_by_id(event).one(db).await?.and_then(|e| e.parent_id);
            }
        }
    }
    Ok(true)
}

/// Events as the write path edits them.
pub struct Events;

impl Editable for Events {
    type Entity = event::Entity;
    type Model = event::Model;
    type Active = event::ActiveModel;
    type Record = EventRecord;
    const NODE: NodeType = NODE;
    const CITATIONS: Option<Citations<EventRecord>> = Some(Citations {
        cited: Cited::Event,
        list: |record| &record.citations,
        list_mut: |record| &mut record.citations,
    });

    async fn record(db: &DatabaseTransaction, row: &event::Model) -> Result<EventRecord, AppError> {
        let parent = referenced_key(db, NODE, row.parent_id, ("event", row.id)).await?;
        let taking_part = participants(db, &[row.id]).await?.remove(&row.id).unwrap_or_default();
        let taking_part = with_actor_keys(
            db,
            taking_part,
            |p| p.actor_id,
            |actor, p| ParticipantRecord { actor, role: p.role },
        )
        .await?;
        let citations = cited(db, Cited::Event, row.id).await?;
        rows::event_record(row.clone(), parent, taking_part, citations)
    }

    async fn row(
        db: &DatabaseTransaction,
        record: &EventRecord,
    ) -> Result<event::ActiveModel, AppError> {
        let parent_id = referenced_id(db, NODE, record.parent.as_ref()).await?;
        Ok(rows::event_model(record, parent_id))
    }

    async fn store_lists(
        db: &DatabaseTransaction,
        id: i32,
        before: Option<&EventRecord>,
        record: &EventRecord,
    ) -> Result<(), AppError> {
        let before = before.map(|b| b.participants.as_slice());
        let row = |actor, p: &ParticipantRecord| event_participant::ActiveModel {
            event_id: Set(id),
            actor_id: Set(actor),
            role: Set(p.role.as_str().to_owned()),
            ..Default::default()
        };
        replace_actor_rows(db, Column::EventId, id, before, &record.participants, |p| &p.actor, row)
            .await
    }

    fn check(check: &mut Checker, record: &Self::Record) {
        check_event(check, "input", record, None);
    }
}
