//! The mutation root, merged from one object per area. Every mutation takes one `input`
//! object and returns a payload holding the changed node; a refused mutation changes nothing
//! and answers with a coded error (`VALIDATION` lists each problem with its input path).

mod actor;
mod archive;
mod casualty;
mod event;
mod keys;
mod source;
mod statement;

use crate::domain::NodeType;
use crate::domain::Role;
use crate::error::AppError;
use crate::graphql::context::db;
use crate::graphql::context::viewer;
use crate::graphql::id::decode_as;
use crate::graphql::pagination::gql;
use crate::service::write::{create, update, Editable, NewCitation, Writable};
use async_graphql::{Context, InputObject, MaybeUndefined, MergedObject, Result, ID};

/// Everything a client can change.
#[derive(MergedObject, Default)]
pub struct Mutation(
    event::EventMutation,
    actor::ActorMutation,
    statement::StatementMutation,
    casualty::CasualtyMutation,
    source::SourceMutation,
    archive::ArchiveMutation,
    keys::KeyMutation,
);

/// The name of the API key making the request, if its role is at least `role`; changes are
/// recorded under it.
fn author(ctx: &Context<'_>, role: Role) -> Result<String> {
    Ok(viewer(ctx).require(role).map(str::to_owned)?)
}

/// A create input of a record type: the new record it describes, for the service.
trait CreateInput {
    /// The record type it creates.
    type Write: Writable;

    /// The new record, its IDs decoded. Implementations destructure the whole input, so that
    /// a field added to it and not passed on does not compile.
    fn into_new(self) -> Result<<Self::Write as Writable>::New>;
}

/// An update input of a record type: the record it names, the version the client read, and
/// the changes, for the service.
trait UpdateInput {
    /// The record type it changes.
    type Write: Writable;

    /// The record's ID and the version the client read.
    fn target(&self) -> (&ID, Option<i32>);

    /// The changes, their IDs decoded. Implementations destructure the whole input, as
    /// [`CreateInput::into_new`] does.
    fn into_patch(self) -> Result<<Self::Write as Writable>::Patch>;
}

/// Creates the record `input` describes. Needs an `EDITOR` key.
async fn created<I: CreateInput>(
    ctx: &Context<'_>,
    input: I,
) -> Result<<I::Write as Editable>::Model> {
    let author = author(ctx, Role::Editor)?;
    let new = input.into_new()?;
    Ok(create::<I::Write>(db(ctx)?, &author, new).await?)
}

/// Changes the record `input` names. Needs an `EDITOR` key.
async fn updated<I: UpdateInput>(
    ctx: &Context<'_>,
    input: I,
) -> Result<<I::Write as Editable>::Model> {
    let author = author(ctx, Role::Editor)?;
    let (id, version) = input.target();
    let id = row(<I::Write as Editable>::NODE, id)?;
    let changes = input.into_patch()?;
    Ok(update::<I::Write>(db(ctx)?, &author, id, version, changes).await?)
}

/// The row id of an ID that must name a node of `kind`.
fn row(kind: NodeType, id: &ID) -> Result<i32> {
    Ok(decode_as(kind, id)?)
}

/// A field left out stays as it is; `null` clears it.
fn patch<T, U>(
    value: MaybeUndefined<T>,
    map: impl FnOnce(T) -> Result<U>,
) -> Result<Option<Option<U>>> {
    Ok(match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(value) => Some(Some(map(value)?)),
    })
}

/// A source cited for a claim.
#[derive(InputObject)]
pub struct CitationInput {
    /// The cited source.
    source_id: ID,
    /// The short passage of the source that supports the claim.
    excerpt: Option<String>,
}

fn citations(inputs: Vec<CitationInput>) -> Result<Vec<NewCitation>> {
    inputs
        .into_iter()
        .map(|c| {
            Ok(NewCitation { source_id: row(NodeType::Source, &c.source_id)?, excerpt: c.excerpt })
        })
        .collect()
}

/// Widens a GraphQL `Int` for the record rules, which refuse negative counts themselves.
fn count(n: i32) -> i64 {
    i64::from(n)
}

/// An internal error for a payload whose node vanished right after it was written.
fn vanished(what: &str) -> async_graphql::Error {
    gql(AppError::internal(format!("{what} vanished after it was written")))
}
