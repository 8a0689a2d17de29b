//! The GraphQL object types. They wrap entity rows but are not the rows: every field is chosen
//! and documented here, and relations resolve through the DataLoaders.

mod actor;
mod casualty;
mod citation;
mod event;
mod source;
mod statement;

pub use actor::Actor;
pub use casualty::CasualtyReport;
pub use citation::Citation;
pub use event::Event;
pub use source::Source;
pub use statement::Statement;

use async_graphql::{Interface, ID};

/// An object with a global ID, fetchable with `node(id:)`.
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
