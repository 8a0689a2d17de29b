//! Writing events: create and update, and adding and removing participants.

use super::{
    cited, id_of, ids_of, insert, key_found, key_of, key_or_new, keys_of, open, recite, resolved,
    save, upsert, Editable, NewCitation, References, Toggle, Write,
};
use crate::domain::records::{CitationRecord, EventRecord, LocationRecord, ParticipantRecord};
use crate::domain::validate::{check_event, Checker};
use crate::domain::{DatePrecision, EventSubType, EventType, NodeType, Operation, ParticipantRole};
use crate::error::AppError;
use crate::error::Rule;
use crate::service::citation::Cited;
use crate::service::event::participants;
use crate::service::rows;
use chrono::NaiveDate;
use entity::{event, event_participant};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter,
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
    /// Citations that replace the current ones.
    pub citations: Option<Vec<NewCitation>>,
}

/// Creates an event.
///
/// # Errors
/// `VALIDATION` with every problem of the input; `CONFLICT` when the key is taken.
pub async fn create(
    db: &DatabaseConnection,
    author: &str,
    input: NewEvent,
) -> Result<event::Model, AppError> {
    let write = Write::begin(db, author).await?;
    let mut refs = References::new(write.txn());
    let parent = match input.parent_id {
        Some(id) => Some(refs.key(NODE, id, "input.parentId").await?),
        None => None,
    };
    let mut participants = Vec::with_capacity(input.participants.len());
    for (i, participant) in input.participants.iter().enumerate() {
        let path = format!("input.participants[{i}].actorId");
        let actor = refs.key(NodeType::Actor, participant.actor_id, &path).await?;
        participants.push(ParticipantRecord { actor, role: participant.role });
    }
    let citations = refs.citations(&input.citations, "input.citations").await?;
    let mut check = refs.checker();
    let record = EventRecord {
        key: key_or_new(&mut check, NODE, input.key),
        parent,
        title: input.title,
        summary: input.summary,
        event_type: input.event_type,
        sub_type: input.sub_type,
        start_date: input.start_date,
        end_date: input.end_date,
        date_precision: input.date_precision,
        location: input.location,
        participants,
        citations,
    };
    insert::<Events>(write, &record, check).await
}

/// Changes fields of an event.
///
/// # Errors
/// `NOT_FOUND`, `CONFLICT` for a stale `version`, `VALIDATION` when the changed event would
/// break a rule, including a parent that would make the event its own ancestor.
pub async fn update(
    db: &DatabaseConnection,
    author: &str,
    id: i32,
    version: Option<i32>,
    patch: EventPatch,
) -> Result<event::Model, AppError> {
    let (write, row, before) = open::<Events>(db, author, id, version).await?;
    // Destructured whole: a field added to the patch and not applied here does not compile.
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
    } = patch;
    let mut refs = References::new(write.txn());
    let mut after = before.clone();
    if let Some(parent) = parent_id {
        after.parent = match parent {
            Some(parent) => Some(refs.key(NODE, parent, "input.parentId").await?),
            None => None,
        };
    }
    if let Some(citations) = &citations {
        after.citations = refs.citations(citations, "input.citations").await?;
    }
    let mut check = refs.checker();
    if let Some(Some(parent)) = parent_id {
        if is_ancestor_or_self(write.txn(), id, parent).await? {
            check.fail(Rule::Cycle, "input.parentId", "an event cannot be its own ancestor");
        }
    }
    after.title = title.unwrap_or(after.title);
    after.summary = summary.unwrap_or(after.summary);
    after.event_type = event_type.unwrap_or(after.event_type);
    after.sub_type = sub_type.unwrap_or(after.sub_type);
    after.start_date = start_date.unwrap_or(after.start_date);
    after.end_date = end_date.unwrap_or(after.end_date);
    after.date_precision = date_precision.unwrap_or(after.date_precision);
    after.location = location.unwrap_or(after.location);
    save::<Events>(write, row, &before, &after, Operation::Update, check).await
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
pub(crate) struct Events;

impl Editable for Events {
    type Model = event::Model;
    type Record = EventRecord;
    const NODE: NodeType = NODE;

    fn id_and_version(row: &Self::Model) -> (i32, i32) {
        (row.id, row.version)
    }

    async fn load(
        db: &DatabaseTransaction,
        id: i32,
    ) -> Result<Option<(Self::Model, Self::Record)>, AppError> {
        let Some(row) = event::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
        let dangling = || AppError::internal(format!("event {id} has a dangling reference"));
        let parent = match row.parent_id {
            Some(parent) => Some(key_of(db, NODE, parent).await?.ok_or_else(dangling)?),
            None => None,
        };
        let taking_part = participants(db, &[id]).await?.remove(&id).unwrap_or_default();
        let actors: Vec<i32> = taking_part.iter().map(|p| p.actor_id).collect();
        let keys = keys_of(db, NodeType::Actor, &actors).await?;
        let records = taking_part
            .into_iter()
            .map(|p| Ok(ParticipantRecord { actor: key_found(&keys, p.actor_id)?, role: p.role }))
            .collect::<Result<Vec<_>, AppError>>()?;
        let citations: Vec<CitationRecord> = cited(db, Cited::Event, id).await?;
        let record = rows::event_record(row.clone(), parent, records, citations)?;
        Ok(Some((row, record)))
    }

    async fn store(
        db: &DatabaseTransaction,
        existing: Option<(Self::Model, &Self::Record)>,
        record: &Self::Record,
    ) -> Result<Self::Model, AppError> {
        let parent_id = match &record.parent {
            Some(key) => Some(id_of(db, NODE, key).await?),
            None => None,
        };
        let model = rows::event_model(record, parent_id);
        let before = existing.as_ref().map(|(_, before)| *before);
        let row = upsert(db, model, existing.map(|(e, _)| (e.id, e.version))).await?;
        if before.map(|b| &b.participants) != Some(&record.participants) {
            event_participant::Entity::delete_many()
                .filter(event_participant::Column::EventId.eq(row.id))
                .exec(db)
                .await?;
            let actors = record.participants.iter().map(|p| p.actor.as_str());
            let actors = ids_of(db, NodeType::Actor, actors).await?;
            for participant in &record.participants {
                event_participant::ActiveModel {
                    event_id: Set(row.id),
                    actor_id: Set(resolved(&actors, &participant.actor)?),
                    role: Set(participant.role.as_str().to_owned()),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
        }
        if before.map(|b| &b.citations) != Some(&record.citations) {
            recite(db, Cited::Event, row.id, &record.citations).await?;
        }
        Ok(row)
    }

    fn check(check: &mut Checker, record: &Self::Record) {
        check_event(check, "input", record, None);
    }

    fn citations(record: &mut Self::Record) -> Option<&mut Vec<CitationRecord>> {
        Some(&mut record.citations)
    }
}
