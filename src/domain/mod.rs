//! The vocabulary of Annals: enumerations shared by the database, the dataset format and the
//! API, and the small value types parsed at the edges.
//!
//! Enumerations are stored and exchanged under their SCREAMING_CASE names, so the database,
//! the JSON dataset and GraphQL all spell `RETRACTED` the same way.

pub mod dates;
mod enums;
pub mod geo;
pub mod reconcile;
pub mod records;
pub mod search;
pub mod stats;
pub mod text;
pub mod validate;

pub use enums::*;
