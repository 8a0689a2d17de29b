//! SeaORM entities for Annals, one module per table. Generated shapes only: behaviour and
//! domain types live in the service crate.

pub mod actor;
pub mod actor_alias;
pub mod affiliation;
pub mod api_key;
pub mod casualty_report;
pub mod citation;
pub mod event;
pub mod event_figure;
pub mod event_participant;
pub mod external_id;
pub mod revision;
pub mod source;
pub mod statement;
pub mod statement_mention;

/// The columns every record table has besides its own: the row id, the readable key, the
/// version that optimistic locking checks, and when the record was archived.
pub trait Record {
    /// The row id.
    fn id(&self) -> i32;
    /// The readable key, unique among records of its table.
    fn key(&self) -> &str;
    /// One more with every change.
    fn version(&self) -> i32;
    /// When the record was archived; `None` while it is live.
    fn archived_at(&self) -> Option<sea_orm::prelude::DateTimeUtc>;
}

/// One implementation for all the record tables: they name the shared columns alike.
macro_rules! records {
    ($($table:ident),*) => {$(
        impl Record for $table::Model {
            fn id(&self) -> i32 { self.id }
            fn key(&self) -> &str { &self.key }
            fn version(&self) -> i32 { self.version }
            fn archived_at(&self) -> Option<sea_orm::prelude::DateTimeUtc> { self.archived_at }
        }
    )*};
}

records!(actor, casualty_report, event, source, statement);
