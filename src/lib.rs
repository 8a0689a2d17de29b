//! Annals: a provenance-first GraphQL API over structured event data — events, actors,
//! statements and casualty figures, each tied to the sources that report them.
//!
//! The layers, outside in: [`routes`] (HTTP) → [`graphql`] (types, resolvers, loaders) →
//! [`service`] (queries, no GraphQL) → `entity` (SeaORM rows) and `migration` (schema).
//! [`dataset`] reads and writes the JSON dataset format.

#[cfg(feature = "tools")]
pub mod bench;
pub mod commands;
pub mod config;
pub mod dataset;
pub mod db;
pub mod domain;
pub mod error;
#[cfg(feature = "tools")]
pub mod generate;
pub mod graphql;
pub mod metrics;
pub mod replicas;
pub mod routes;
pub mod service;
pub mod startup;
pub mod telemetry;
