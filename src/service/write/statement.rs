//! Writing statements: create and update, and adding and removing the actors they mention.

use super::{
    cited, id_of, open, patch_fields, recite_changed, referenced_id, referenced_key,
    replace_actor_rows, save, upsert, with_actor_keys, Editable, NewCitation, References, Toggle,
    Writable,
};
use crate::domain::records::{CitationRecord, MentionRecord, StatementRecord};
use crate::domain::validate::{check_statement, Checker};
use crate::domain::{DatePrecision, MentionRole, NodeType, StatementKind, StatementMode};
use crate::error::AppError;
use crate::service::citation::Cited;
use crate::service::rows;
use crate::service::statement::mentions;
use chrono::NaiveDate;
use entity::statement;
use entity::statement_mention::{self, Column};
use sea_orm::{ActiveValue::Set, DatabaseConnection, DatabaseTransaction, EntityTrait};

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
    /// Whether it is still only machine-coded; `false` once a person has checked it.
    pub low_confidence: Option<bool>,
}

impl Writable for Statements {
    type New = NewStatement;
    type Patch = StatementPatch;

    async fn build(
        refs: &mut References<'_, DatabaseTransaction>,
        input: NewStatement,
    ) -> Result<StatementRecord, AppError> {
        let NewStatement {
            key,
            speaker_id,
            text,
            mode,
            kind,
            stated_on,
            date_precision,
            event_id,
            mentions,
            citations,
        } = input;
        let speaker = refs.key(NodeType::Actor, speaker_id, "input.speakerId").await?;
        let event = refs.optional_key(NodeType::Event, event_id, "input.eventId").await?;
        let mentioned = refs
            .actor_list(
                &mentions,
                "input.mentions",
                |m| m.actor_id,
                |actor, m| MentionRecord { actor, role: m.role },
            )
            .await?;
        let citations = refs.citations(&citations, "input.citations").await?;
        Ok(StatementRecord {
            key: refs.new_key(NODE, key),
            speaker,
            text,
            mode,
            kind,
            stated_on,
            date_precision,
            event,
            mentions: mentioned,
            citations,
            // A person wrote it.
            low_confidence: false,
        })
    }

    async fn apply(
        refs: &mut References<'_, DatabaseTransaction>,
        _id: i32,
        after: &mut StatementRecord,
        patch: StatementPatch,
    ) -> Result<(), AppError> {
        let StatementPatch {
            speaker_id,
            text,
            mode,
            kind,
            stated_on,
            date_precision,
            event_id,
            citations,
            low_confidence,
        } = patch;
        if let Some(speaker) = speaker_id {
            after.speaker = refs.key(NodeType::Actor, speaker, "input.speakerId").await?;
        }
        if let Some(event) = event_id {
            after.event = refs.optional_key(NodeType::Event, event, "input.eventId").await?;
        }
        if let Some(citations) = &citations {
            after.citations = refs.citations(citations, "input.citations").await?;
        }
        patch_fields!(after; text, mode, kind, stated_on, date_precision, low_confidence);
        Ok(())
    }
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
pub struct Statements;

impl Editable for Statements {
    type Model = statement::Model;
    type Record = StatementRecord;
    const NODE: NodeType = NODE;

    async fn load(
        db: &DatabaseTransaction,
        id: i32,
    ) -> Result<Option<(Self::Model, Self::Record)>, AppError> {
        let Some(row) = statement::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
        let from = ("statement", id);
        let speaker = referenced_key(db, NodeType::Actor, Some(row.speaker_id), from).await?;
        let speaker = speaker.unwrap_or_default();
        let event = referenced_key(db, NodeType::Event, row.event_id, from).await?;
        let mentioned = mentions(db, &[id]).await?.remove(&id).unwrap_or_default();
        let records = with_actor_keys(
            db,
            mentioned,
            |m| m.actor_id,
            |actor, m| MentionRecord { actor, role: m.role },
        )
        .await?;
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
        let event_id = referenced_id(db, NodeType::Event, record.event.as_ref()).await?;
        let model = rows::statement_model(record, speaker_id, event_id);
        let before = existing.as_ref().map(|(_, before)| *before);
        let row = upsert(db, model, existing.map(|(e, _)| (e.id, e.version))).await?;
        if before.map(|b| &b.mentions) != Some(&record.mentions) {
            let mentions = &record.mentions;
            replace_actor_rows(
                db,
                Column::StatementId,
                row.id,
                mentions,
                |m| &m.actor,
                |actor, m| statement_mention::ActiveModel {
                    statement_id: Set(row.id),
                    actor_id: Set(actor),
                    role: Set(m.role.as_str().to_owned()),
                    ..Default::default()
                },
            )
            .await?;
        }
        let cited_before = before.map(|b| b.citations.as_slice());
        recite_changed(db, Cited::Statement, row.id, cited_before, &record.citations).await?;
        Ok(row)
    }

    fn check(check: &mut Checker, record: &Self::Record) {
        check_statement(check, "input", record, None);
    }

    fn citations(record: &mut Self::Record) -> Option<&mut Vec<CitationRecord>> {
        Some(&mut record.citations)
    }
}
