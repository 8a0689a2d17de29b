use super::{author, citations, created, patch, row, updated, CitationInput};
use super::{CreateInput, UpdateInput};
use crate::domain::NodeType;
use crate::domain::{DatePrecision, MentionRole, Role, StatementKind, StatementMode};
use crate::graphql::context::db;
use crate::graphql::scalars::Date;
use crate::graphql::types::Statement;
use crate::service::write::statement::{self as write, NewMention, NewStatement, StatementPatch};
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};

/// Writing statements.
#[derive(Default)]
pub struct StatementMutation;

#[Object]
impl StatementMutation {
    /// Records what an actor said. Needs an `EDITOR` key.
    async fn create_statement(
        &self,
        ctx: &Context<'_>,
        input: CreateStatementInput,
    ) -> Result<StatementPayload> {
        Ok(StatementPayload { statement: Statement(created(ctx, input).await?) })
    }

    /// Changes fields of a statement; fields left out stay as they are, `null` clears an
    /// optional one. Mentions change with `addMention` and `removeMention`. Needs an `EDITOR`
    /// key.
    async fn update_statement(
        &self,
        ctx: &Context<'_>,
        input: UpdateStatementInput,
    ) -> Result<StatementPayload> {
        Ok(StatementPayload { statement: Statement(updated(ctx, input).await?) })
    }

    /// Records that a statement refers to an actor. Needs an `EDITOR` key.
    async fn add_mention(
        &self,
        ctx: &Context<'_>,
        input: AddMentionInput,
    ) -> Result<StatementPayload> {
        let mention =
            NewMention { actor_id: row(NodeType::Actor, &input.actor_id)?, role: input.role };
        set_mention(ctx, input.statement_id, input.version, mention, true).await
    }

    /// Removes an actor a statement refers to. Needs an `EDITOR` key.
    async fn remove_mention(
        &self,
        ctx: &Context<'_>,
        input: RemoveMentionInput,
    ) -> Result<StatementPayload> {
        let actor_id = row(NodeType::Actor, &input.actor_id)?;
        let mention = NewMention { actor_id, role: MentionRole::Mentioned };
        set_mention(ctx, input.statement_id, input.version, mention, false).await
    }
}

async fn set_mention(
    ctx: &Context<'_>,
    statement: ID,
    version: Option<i32>,
    mention: NewMention,
    add: bool,
) -> Result<StatementPayload> {
    let author = author(ctx, Role::Editor)?;
    let id = row(NodeType::Statement, &statement)?;
    let saved = write::set_mention(db(ctx)?, &author, id, version, mention, add).await?;
    Ok(StatementPayload { statement: Statement(saved) })
}

/// The statement a mutation wrote.
#[derive(SimpleObject)]
pub struct StatementPayload {
    /// The statement as it is now.
    statement: Statement,
}

/// An actor a new statement refers to.
#[derive(InputObject)]
pub struct MentionInput {
    /// The actor.
    actor_id: ID,
    /// How the statement refers to them.
    role: MentionRole,
}

/// A new statement.
#[derive(InputObject)]
pub struct CreateStatementInput {
    /// A readable key (lower-case letters, digits and `-`); one is made up when left out.
    key: Option<String>,
    /// Who said it.
    speaker_id: ID,
    /// What was said: a quotation for `VERBATIM`, our words for `PARAPHRASE`.
    text: String,
    /// Quoted or paraphrased.
    mode: StatementMode,
    /// What kind of statement.
    kind: StatementKind,
    /// When it was said; give `datePrecision` with it.
    stated_on: Option<Date>,
    /// How exactly `statedOn` is known.
    date_precision: Option<DatePrecision>,
    /// The event it is about.
    event_id: Option<ID>,
    /// The actors it refers to.
    mentions: Option<Vec<MentionInput>>,
    /// The sources that report it; at least one.
    citations: Vec<CitationInput>,
}

/// Changes to a statement.
#[derive(InputObject)]
pub struct UpdateStatementInput {
    /// The statement to change.
    id: ID,
    /// The version you read; the update is refused with `CONFLICT` if the statement changed
    /// since.
    version: Option<i32>,
    /// Another speaker.
    speaker_id: Option<ID>,
    /// Another text.
    text: Option<String>,
    /// Another mode.
    mode: Option<StatementMode>,
    /// Another kind.
    kind: Option<StatementKind>,
    /// Another day; `null` clears it.
    stated_on: MaybeUndefined<Date>,
    /// Another precision; `null` clears it.
    date_precision: MaybeUndefined<DatePrecision>,
    /// Another event; `null` clears it.
    event_id: MaybeUndefined<ID>,
    /// Citations that replace the current ones.
    citations: Option<Vec<CitationInput>>,
    /// `false` once a person has checked a machine-coded statement.
    low_confidence: Option<bool>,
}

impl CreateInput for CreateStatementInput {
    type Write = write::Statements;

    fn into_new(self) -> Result<NewStatement> {
        let Self {
            key,
            speaker_id,
            text,
            mode,
            kind,
            stated_on,
            date_precision,
            event_id,
            mentions,
            citations: cited,
        } = self;
        let mentions = mentions
            .unwrap_or_default()
            .into_iter()
            .map(|m| Ok(NewMention { actor_id: row(NodeType::Actor, &m.actor_id)?, role: m.role }));
        Ok(NewStatement {
            key,
            speaker_id: row(NodeType::Actor, &speaker_id)?,
            text,
            mode,
            kind,
            stated_on: stated_on.map(|d| d.0),
            date_precision,
            event_id: event_id.map(|id| row(NodeType::Event, &id)).transpose()?,
            mentions: mentions.collect::<Result<_>>()?,
            citations: citations(cited)?,
        })
    }
}

impl UpdateInput for UpdateStatementInput {
    type Write = write::Statements;

    fn target(&self) -> (&ID, Option<i32>) {
        (&self.id, self.version)
    }

    fn into_patch(self) -> Result<StatementPatch> {
        let Self {
            id: _,
            version: _,
            speaker_id,
            text,
            mode,
            kind,
            stated_on,
            date_precision,
            event_id,
            citations: cited,
            low_confidence,
        } = self;
        let changes = StatementPatch {
            speaker_id: speaker_id.map(|id| row(NodeType::Actor, &id)).transpose()?,
            text,
            mode,
            kind,
            stated_on: patch(stated_on, |d| Ok(d.0))?,
            date_precision: patch(date_precision, Ok)?,
            event_id: patch(event_id, |id| row(NodeType::Event, &id))?,
            citations: cited.map(citations).transpose()?,
            low_confidence,
        };
        Ok(changes)
    }
}

/// An actor to add to what a statement refers to.
#[derive(InputObject)]
pub struct AddMentionInput {
    /// The statement.
    statement_id: ID,
    /// The version of the statement you read, checked as in `updateStatement`.
    version: Option<i32>,
    /// The actor.
    actor_id: ID,
    /// How the statement refers to them.
    role: MentionRole,
}

/// An actor to remove from what a statement refers to.
#[derive(InputObject)]
pub struct RemoveMentionInput {
    /// The statement.
    statement_id: ID,
    /// The version of the statement you read, checked as in `updateStatement`.
    version: Option<i32>,
    /// The actor.
    actor_id: ID,
}
