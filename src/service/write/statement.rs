//! Writing statements: create and update, and adding and removing the actors they mention.

use super::{
    cited, id_of, open, patch_fields, referenced_id, referenced_key, replace_actor_rows, save,
    with_actor_keys, Citations, Editable, NewCitation, References, Toggle, Writable,
};
use crate::domain::records::{MentionRecord, StatementRecord};
use crate::domain::validate::{check_statement, Checker};
use crate::domain::{DatePrecision, MentionRole, NodeType, StatementKind, StatementMode};
use crate::error::AppError;
use crate::service::citation::Cited;
use crate::service::rows;
use crate::service::statement::mentions;
use chrono::NaiveDate;
use entity::statement;
use entity::statement_mention::{self, Column};
use sea_orm::{ActiveValue::Set, DatabaseConnection, DatabaseTransaction};

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
    type Entity = statement::Entity;
    type Model = statement::Model;
    type Active = statement::ActiveModel;
    type Record = StatementRecord;
    const NODE: NodeType = NODE;
    const CITATIONS: Option<Citations<StatementRecord>> = Some(Citations {
        cited: Cited::Statement,
        list: |record| &record.citations,
        list_mut: |record| &mut record.citations,
    });

    async fn record(
        db: &DatabaseTransaction,
        row: &statement::Model,
    ) -> Result<StatementRecord, AppError> {
        let from = ("statement", row.id);
        let speaker = referenced_key(db, NodeType::Actor, Some(row.speaker_id), from).await?;
        let event = referenced_key(db, NodeType::Event, row.event_id, from).await?;
        let mentioned = mentions(db, &[row.id]).await?.remove(&row.id).unwrap_or_default();
        let mentioned = with_actor_keys(
            db,
            mentioned,
            |m| m.actor_id,
            |actor, m| MentionRecord { actor, role: m.role },
        )
        .await?;
        let citations = cited(db, Cited::Statement, row.id).await?;
        let speaker = speaker.unwrap_or_default();
        rows::statement_record(row.clone(), speaker, event, mentioned, citations)
    }

    async fn row(
        db: &DatabaseTransaction,
        record: &StatementRecord,
    ) -> Result<statement::ActiveModel, AppError> {
        let speaker_id = id_of(db, NodeType::Actor, &record.speaker).await?;
        let event_id = referenced_id(db, NodeType::Event, record.event.as_ref()).await?;
        Ok(rows::statement_model(record, speaker_id, event_id))
    }

    async fn store_lists(
        db: &DatabaseTransaction,
        id: i32,
        before: Option<&StatementRecord>,
        record: &StatementRecord,
    ) -> Result<(), AppError> {
        let before = before.map(|b| b.mentions.as_slice());
        let row = |actor, m: &MentionRecord| statement_mention::ActiveModel {
            statement_id: Set(id),
            actor_id: Set(actor),
            role: Set(m.role.as_str().to_owned()),
            ..Default::default()
        };
        replace_actor_rows(db, Column::StatementId, id, before, &record.mentions, |m| &m.actor, row)
            .await
    }

    fn check(check: &mut Checker, record: &Self::Record) {
        check_statement(check, "input", record, None);
    }
}
