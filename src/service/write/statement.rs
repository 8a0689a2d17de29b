//! Writing statements: create and update, and adding and removing the actors they mention.

use super::{
    cited, id_of, ids_of, insert, key_found, key_of, key_or_new, keys_of, open, recite, resolved,
    save, upsert, Editable, NewCitation, References, Toggle, Write,
};
use crate::domain::records::{CitationRecord, MentionRecord, StatementRecord};
use crate::domain::validate::{check_statement, Checker};
use crate::domain::{
    DatePrecision, MentionRole, NodeType, Operation, StatementKind, StatementMode,
};
use crate::error::AppError;
use crate::service::citation::Cited;
use crate::service::rows;
use crate::service::statement::mentions;
use chrono::NaiveDate;
use entity::{statement, statement_mention};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter,
};

const NODE: NodeType = NodeType::Statement;

/// An actor a statement refers to, as an input names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewMention {
    /// The actor.
    pub actor_id: i32,
    /// How the statement refers to them.
    pub role: MentionRole,
}

/// A new statement.
#[derive(Debug, Clone)]
pub struct NewStatement {
    /// Its readable key; made up when not given.
    pub key: Option<String>,
    /// Who said it.
    pub speaker_id: i32,
    /// What was said.
    pub text: String,
    /// Quoted or paraphrased.
    pub mode: StatementMode,
    /// What kind of statement.
    pub kind: StatementKind,
    /// When it was said.
    pub stated_on: Option<NaiveDate>,
    /// How exactly that day is known; given with `stated_on`.
    pub date_precision: Option<DatePrecision>,
    /// The event it is about.
    pub event_id: Option<i32>,
    /// The actors it refers to.
    pub mentions: Vec<NewMention>,
    /// The sources that report it; at least one.
    pub citations: Vec<NewCitation>,
}

/// Changes to a statement; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct StatementPatch {
    /// Another speaker.
    pub speaker_id: Option<i32>,
    /// Another text.
    pub text: Option<String>,
    /// Another mode.
    pub mode: Option<StatementMode>,
    /// Another kind.
    pub kind: Option<StatementKind>,
    /// Another day.
    pub stated_on: Option<Option<NaiveDate>>,
    /// Another precision.
    pub date_precision: Option<Option<DatePrecision>>,
    /// Another event, or none.
    pub event_id: Option<Option<i32>>,
    /// Citations that replace the current ones.
    pub citations: Option<Vec<NewCitation>>,
}

/// Creates a statement.
///
/// # Errors
/// `VALIDATION` with every problem of the input; `CONFLICT` when the key is taken.
pub async fn create(
    db: &DatabaseConnection,
    author: &str,
    input: NewStatement,
) -> Result<statement::Model, AppError> {
    let write = Write::begin(db, author).await?;
    let mut refs = References::new(write.txn());
    let speaker = refs.key(NodeType::Actor, input.speaker_id, "input.speakerId").await?;
    let event = match input.event_id {
        Some(id) => Some(refs.key(NodeType::Event, id, "input.eventId").await?),
        None => None,
    };
    let mut mentioned = Vec::with_capacity(input.mentions.len());
    for (i, mention) in input.mentions.iter().enumerate() {
        let path = format!("input.mentions[{i}].actorId");
        let actor = refs.key(NodeType::Actor, mention.actor_id, &path).await?;
        mentioned.push(MentionRecord { actor, role: mention.role });
    }
    let citations = refs.citations(&input.citations, "input.citations").await?;
    let mut check = refs.checker();
    let record = StatementRecord {
        key: key_or_new(&mut check, NODE, input.key),
        speaker,
        text: input.text,
        mode: input.mode,
        kind: input.kind,
        stated_on: input.stated_on,
        date_precision: input.date_precision,
        event,
        mentions: mentioned,
        citations,
    };
    insert::<Statements>(write, &record, check).await
}

/// Changes fields of a statement.
///
/// # Errors
/// `NOT_FOUND`, `CONFLICT` for a stale `version`, `VALIDATION` when the changed statement
/// would break a rule.
pub async fn update(
    db: &DatabaseConnection,
    author: &str,
    id: i32,
    version: Option<i32>,
    patch: StatementPatch,
) -> Result<statement::Model, AppError> {
    let (write, row, before) = open::<Statements>(db, author, id, version).await?;
    // Destructured whole: a field added to the patch and not applied here does not compile.
    let StatementPatch {
        speaker_id,
        text,
        mode,
        kind,
        stated_on,
        date_precision,
        event_id,
        citations,
    } = patch;
    let mut refs = References::new(write.txn());
    let mut after = before.clone();
    if let Some(speaker) = speaker_id {
        after.speaker = refs.key(NodeType::Actor, speaker, "input.speakerId").await?;
    }
    if let Some(event) = event_id {
        after.event = match event {
            Some(event) => Some(refs.key(NodeType::Event, event, "input.eventId").await?),
            None => None,
        };
    }
    if let Some(citations) = &citations {
        after.citations = refs.citations(citations, "input.citations").await?;
    }
    let check = refs.checker();
    after.text = text.unwrap_or(after.text);
    after.mode = mode.unwrap_or(after.mode);
    after.kind = kind.unwrap_or(after.kind);
    after.stated_on = stated_on.unwrap_or(after.stated_on);
    after.date_precision = date_precision.unwrap_or(after.date_precision);
    save::<Statements>(write, row, &before, &after, Operation::Update, check).await
}

/// Adds (`add`) or removes an actor a statement mentions; removing ignores the role.
///
/// # Errors
/// `NOT_FOUND`, `CONFLICT` for a stale `version`, `VALIDATION` for an unknown actor, an actor
/// mentioned twice, or one not mentioned.
pub async fn set_mention(
    db: &DatabaseConnection,
    author: &str,
    id: i32,
    version: Option<i32>,
    mention: NewMention,
    add: bool,
) -> Result<statement::Model, AppError> {
    let (write, row, before) = open::<Statements>(db, author, id, version).await?;
    let mut refs = References::new(write.txn());
    let actor = refs.key(NodeType::Actor, mention.actor_id, "input.actorId").await?;
    let mut check = refs.checker();
    let mut after = before.clone();
    let toggle = Toggle {
        add,
        path: "input.actorId",
        present: "the statement mentions this actor already",
        absent: "the statement does not mention this actor",
    };
    let item = MentionRecord { actor, role: mention.role };
    let operation = toggle.apply(&mut check, &mut after.mentions, item, |a, b| a.actor == b.actor);
    save::<Statements>(write, row, &before, &after, operation, check).await
}

/// Statements as the write path edits them.
pub(crate) struct Statements;

impl Editable for Statements {
    type Model = statement::Model;
    type Record = StatementRecord;
    const NODE: NodeType = NODE;

    fn id_and_version(row: &Self::Model) -> (i32, i32) {
        (row.id, row.version)
    }

    async fn load(
        db: &DatabaseTransaction,
        id: i32,
    ) -> Result<Option<(Self::Model, Self::Record)>, AppError> {
        let Some(row) = statement::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
        let dangling = || AppError::internal(format!("statement {id} has a dangling reference"));
        let speaker = key_of(db, NodeType::Actor, row.speaker_id).await?.ok_or_else(dangling)?;
        let event = match row.event_id {
            Some(event) => Some(key_of(db, NodeType::Event, event).await?.ok_or_else(dangling)?),
            None => None,
        };
        let mentioned = mentions(db, &[id]).await?.remove(&id).unwrap_or_default();
        let actors: Vec<i32> = mentioned.iter().map(|m| m.actor_id).collect();
        let keys = keys_of(db, NodeType::Actor, &actors).await?;
        let records = mentioned
            .into_iter()
            .map(|m| Ok(MentionRecord { actor: key_found(&keys, m.actor_id)?, role: m.role }))
            .collect::<Result<Vec<_>, AppError>>()?;
        let citations: Vec<CitationRecord> = cited(db, Cited::Statement, id).await?;
        let record = rows::statement_record(row.clone(), speaker, event, records, citations)?;
        Ok(Some((row, record)))
    }

    async fn store(
        db: &DatabaseTransaction,
        existing: Option<(Self::Model, &Self::Record)>,
        record: &Self::Record,
    ) -> Result<Self::Model, AppError> {
        let speaker_id = id_of(db, NodeType::Actor, &record.speaker).await?;
        let event_id = match &record.event {
            Some(key) => Some(id_of(db, NodeType::Event, key).await?),
            None => None,
        };
        let model = rows::statement_model(record, speaker_id, event_id);
        let before = existing.as_ref().map(|(_, before)| *before);
        let row = upsert(db, model, existing.map(|(e, _)| (e.id, e.version))).await?;
        if before.map(|b| &b.mentions) != Some(&record.mentions) {
            statement_mention::Entity::delete_many()
                .filter(statement_mention::Column::StatementId.eq(row.id))
                .exec(db)
                .await?;
            let actors =
                ids_of(db, NodeType::Actor, record.mentions.iter().map(|m| m.actor.as_str()))
                    .await?;
            for mention in &record.mentions {
                statement_mention::ActiveModel {
                    statement_id: Set(row.id),
                    actor_id: Set(resolved(&actors, &mention.actor)?),
                    role: Set(mention.role.as_str().to_owned()),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
        }
        if before.map(|b| &b.citations) != Some(&record.citations) {
            recite(db, Cited::Statement, row.id, &record.citations).await?;
        }
        Ok(row)
    }

    fn check(check: &mut Checker, record: &Self::Record) {
        check_statement(check, "input", record, None);
    }

    fn citations(record: &mut Self::Record) -> Option<&mut Vec<CitationRecord>> {
        Some(&mut record.citations)
    }
}
