//! The integration tests: one binary that drives the real HTTP server over a real database.
//! Every test runs twice, on SQLite and (with `TEST_DATABASE_URL`) on PostgreSQL, each time on
//! a database of its own.

mod helpers;

mod abuse;
mod bench;
mod catalogue;
mod cluster;
mod compiled;
mod confidence;
mod constraints;
mod dataset;
mod editing;
mod explorer;
mod export;
mod facts;
mod feed;
mod figures;
mod filters;
mod fuzz;
mod generate;
mod hostile;
mod import_acled;
mod import_gdelt;
mod import_ucdp;
mod keys;
mod limits;
mod live;
mod mutations;
mod n_plus_one;
mod nodes;
mod operations;
mod pagination;
mod places;
mod posture;
mod replicas;
mod schema;
mod search;
mod stats;
mod transport;
