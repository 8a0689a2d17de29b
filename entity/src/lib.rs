//! SeaORM entities for Annals, one module per table. Generated shapes only: behaviour and
//! domain types live in the service crate.

pub mod actor;
pub mod actor_alias;
pub mod affiliation;
pub mod api_key;
pub mod casualty_report;
pub mod citation;
pub mod event;
pub mod event_participant;
pub mod revision;
pub mod source;
pub mod statement;
pub mod statement_mention;
