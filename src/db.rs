//! Connecting to the database, migrating it, and counting the SQL statements it runs.

use crate::error::AppError;
use migration::{Migrator, MigratorTrait};
use prometheus::{Histogram, HistogramOpts, IntCounter};
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseBackend, DatabaseConnection};
use std::time::Duration;

/// The migration that creates `event_figures`, which existing records must then fill.
const FIGURES_MIGRATION: &str = "m20261202_000009_event_figures";
/// The migration that creates `episodes`, filled with the figures.
const EPISODES_MIGRATION: &str = "m20261202_000012_episodes";
const ROLLUP_MIGRATION: &str = "m20261202_000013_stats_rollup";
const DAILY_ROLLUP_MIGRATION: &str = "m20261202_000015_daily_rollup";
/// The migration that adds events' unit vectors, which SQLite databases then fill.
const PLACES_MIGRATION: &str = "m20261202_000010_places";
/// The migration that rebuilds the search columns of events and statements (PostgreSQL),
/// rewriting both tables.
const SEARCH_RECENCY_MIGRATION: &str = "m20261202_000017_search_recency";

/// A connection pool plus counters of the statements sent through it.
#[derive(Clone, Debug)]
pub struct Database {
    /// The pool; cheap to clone.
    pub conn: DatabaseConnection,
    /// Statements executed since the pool was opened.
    pub(crate) statements: IntCounter,
    /// How long statements took, as the driver saw it.
    pub(crate) statement_seconds: Histogram,
}

/// How a request pool behaves.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    /// On PostgreSQL every statement is cancelled by the server after this, so a slow query
    /// cannot outlive the request that gave up on it.
    pub statement_timeout: Option<Duration>,
    /// A request waits at most this for a connection: when the database is gone it fails
    /// fast with `SERVICE_UNAVAILABLE` instead of hanging.
    pub acquire_timeout: Duration,
    /// PostgreSQL plans each prepared statement once for every value of its parameters
    /// (`plan_cache_mode = force_generic_plan`). Left to itself it re-plans a statement at
    /// every execution whenever a plan made for the actual values looks cheaper, as it does
    /// for any keyset page: planning then cost more than running the statement
    /// (BENCHMARKS.md). The statements are written so that their one plan is good for every
    /// value: equality on keys, and index range scans for pages.
    pub generic_plans: bool,
}

/// The driver's options for a pool of `url`.
fn options(url: &str, pool: PoolSettings) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    // PostgreSQL compiles a plan whose estimated cost passes `jit_above_cost`; the generic
    // plans of Annals' statements are costed with default selectivities, and a search
    // estimated past the threshold spent 100 ms compiling to run for 20. Compiling pays only
    // for statements that run for seconds.
    let mut settings = vec![("jit", "off".to_owned())];
    if let Some(timeout) = pool.statement_timeout {
        settings.push(("statement_timeout", timeout.as_millis().to_string()));
    }
    if pool.generic_plans {
        settings.push(("plan_cache_mode", "force_generic_plan".to_owned()));
    }
    options.map_sqlx_postgres_opts(move |pg| pg.options(settings.clone()));
    options
        .max_connections(10)
        .min_connections(1)
        .connect_timeout(pool.acquire_timeout)
        .acquire_timeout(pool.acquire_timeout)
        .sqlx_logging(false);
    options
}

/// How many connections a pool holds.
#[derive(Debug, Clone, Copy)]
pub struct PoolStatus {
    /// Connections open now, idle or in use.
    pub open: u32,
    /// Open connections waiting for work.
    pub idle: usize,
    /// The most the pool opens.
    pub max: u32,
}

impl Database {
    /// Opens a pool for `url`. SQLite files are created when the URL asks for it
    /// (`mode=rwc`); foreign keys are enforced on every SQLite connection.
    pub async fn connect(url: &str) -> Result<Self, AppError> {
        let pool = PoolSettings {
            statement_timeout: None,
            acquire_timeout: Duration::from_secs(5),
            generic_plans: false,
        };
        Self::connect_with(url, pool).await
    }

    /// Like [`Database::connect`], with the pool's settings (see [`PoolSettings`]).
    pub async fn connect_with(url: &str, pool: PoolSettings) -> Result<Self, AppError> {
        let statements =
            IntCounter::new("annals_sql_statements_total", "SQL statements sent to the database.")
                .expect("valid metric");
        let statement_seconds = Histogram::with_opts(
            HistogramOpts::new("annals_sql_statement_duration_seconds", "SQL statement latency.")
                .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0]),
        )
        .expect("valid metric");
        Self::open(options(url, pool), statements, statement_seconds).await
    }

    /// A pool for another database of the same deployment (a read replica), whose statements
    /// count with this pool's. It connects when first used: a replica that is down at start
    /// joins later.
    pub async fn connect_alongside(&self, url: &str, pool: PoolSettings) -> Result<Self, AppError> {
        let mut options = options(url, pool);
        options.connect_lazy(true);
        Self::open(options, self.statements.clone(), self.statement_seconds.clone()).await
    }

    async fn open(
        options: ConnectOptions,
        statements: IntCounter,
        statement_seconds: Histogram,
    ) -> Result<Self, AppError> {
        let mut conn = sea_orm::Database::connect(options).await?;
        let (counter, histogram) = (statements.clone(), statement_seconds.clone());
        conn.set_metric_callback(move |info| {
            counter.inc();
            histogram.observe(info.elapsed.as_secs_f64());
            tracing::debug!(target: "annals::sql", elapsed_us = info.elapsed.as_micros() as u64, failed = info.failed, sql = %info.statement.sql);
        });
        Ok(Database { conn, statements, statement_seconds })
    }

    /// How many SQL statements this pool has executed since it was opened.
    pub fn statements_executed(&self) -> u64 {
        self.statements.get()
    }

    /// The pool's connections now.
    pub fn pool_status(&self) -> PoolStatus {
        match self.conn.get_database_backend() {
            DatabaseBackend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                PoolStatus {
                    open: pool.size(),
                    idle: pool.num_idle(),
                    max: pool.options().get_max_connections(),
                }
            }
            DatabaseBackend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                PoolStatus {
                    open: pool.size(),
                    idle: pool.num_idle(),
                    max: pool.options().get_max_connections(),
                }
            }
            _ => PoolStatus { open: 0, idle: 0, max: 0 },
        }
    }

    /// Whether the database answers and has every migration applied; the reason when not.
    /// The reason names the failure's kind only, never a driver message.
    pub async fn readiness(&self) -> Result<(), &'static str> {
        if self.conn.ping().await.is_err() {
            return Err("the database does not answer");
        }
        match Migrator::get_pending_migrations(&self.conn).await {
            Ok(pending) if pending.is_empty() => Ok(()),
            Ok(_) => Err("migrations are pending"),
            Err(_) => Err("the migration state cannot be read"),
        }
    }

    /// Applies pending migrations; a no-op on an up-to-date database.
    pub async fn migrate(&self) -> Result<(), AppError> {
        let pending = Migrator::get_pending_migrations(&self.conn).await?;
        let adds_figures = pending.iter().any(|m| {
            [FIGURES_MIGRATION, EPISODES_MIGRATION, ROLLUP_MIGRATION, DAILY_ROLLUP_MIGRATION]
                .contains(&m.name())
        });
        let adds_places = pending.iter().any(|m| m.name() == PLACES_MIGRATION);
        let rewrites_search = pending.iter().any(|m| m.name() == SEARCH_RECENCY_MIGRATION);
        Migrator::up(&self.conn, None).await?;
        // Rewritten tables have an empty visibility map and stale statistics until a vacuum,
        // and searches were slower until then; the vacuum took 4 s at a million events.
        // VACUUM cannot run in the migration's transaction.
        if rewrites_search && self.conn.get_database_backend() == DatabaseBackend::Postgres {
            self.conn.execute_unprepared("VACUUM ANALYZE events, statements").await?;
        }
        // The unit vectors of events located before they were stored (PostgreSQL's migration
        // computes them in SQL).
        if adds_places {
            crate::service::places::fill_unit_vectors(&self.conn).await?;
        }
        // The figures and statistics' rollup of records written before they were stored.
        if adds_figures {
            let txn = sea_orm::TransactionTrait::begin(&self.conn).await?;
            crate::service::figures::refresh_all(&txn).await?;
            txn.commit().await?;
        }
        Ok(())
    }
}
