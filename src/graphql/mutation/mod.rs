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
use crate::graphql::context::viewer;
use crate::graphql::id::decode_as;
use crate::graphql::pagination::gql;
use crate::service::write::NewCitation;
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
