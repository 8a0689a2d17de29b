//! The GraphQL object types. They wrap entity rows but are not the rows: every field is chosen
//! and documented here, and relations resolve through the DataLoaders.

mod actor;
mod api_key;
mod casualty;
mod citation;
mod event;
mod figure;
mod record;
mod revision;
mod source;
mod statement;

pub use actor::Actor;
pub use api_key::ApiKey;
pub use casualty::CasualtyReport;
pub use citation::Citation;
pub use event::Event;
pub use figure::ReconciledFigure;
pub(crate) use revision::history;
pub use revision::Revision;
pub use source::Source;
pub use statement::Statement;

use crate::graphql::context::load_required;
// The `Node` interface's derive calls `id` on each type; the record types have it from here.
use crate::graphql::loaders::{EventPage, Nested, StatementPage};
use crate::graphql::pagination::{connection, gql, Conn, Counter};
use crate::service::page::{Ordering, PageArgs, Window};
use async_graphql::{Context, Interface, Result, ID};
use record::Record as _;

/// An object with a global ID, fetchable with `node(id:)`.
// Short-lived values in a response, one per node: boxing the event row would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's global ID: opaque and stable."))]
pub enum Node {
    /// An event.
    Event(Event),
    /// An actor.
    Actor(Actor),
    /// A statement.
    Statement(Statement),
    /// A casualty report.
    CasualtyReport(CasualtyReport),
    /// A source.
    Source(Source),
}

/// One page of a nested event list (sub-events, an actor's events), latest first.
async fn nested_events(
    ctx: &Context<'_>,
    nested: Nested,
    parent: i32,
    args: PageArgs,
) -> Result<Conn<Event>> {
    let window = Window::new(&args, ordering(nested)?)?;
    let page = load_required(ctx, EventPage(nested, parent, window)).await?;
    Ok(connection(page, Event, Counter::Nested(nested, parent)))
}

/// One page of a nested statement list (an event's, an actor's), latest first.
async fn nested_statements(
    ctx: &Context<'_>,
    nested: Nested,
    parent: i32,
    args: PageArgs,
) -> Result<Conn<Statement>> {
    let window = Window::new(&args, ordering(nested)?)?;
    let page = load_required(ctx, StatementPage(nested, parent, window)).await?;
    Ok(connection(page, Statement, Counter::Nested(nested, parent)))
}

/// The one ordering of a nested list, as the catalogue gives it.
fn ordering(nested: Nested) -> Result<Ordering> {
    let connection = nested.connection().ok_or_else(|| {
        gql(crate::error::AppError::internal(format!("{nested:?} is not a node list")))
    })?;
    Ok((connection.ordering)())
}
