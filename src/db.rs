//! Connecting to the database, migrating it, and counting the SQL statements it runs.

use crate::error::AppError;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, DatabaseConnection};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A connection pool plus a running count of the statements sent through it.
#[derive(Clone, Debug)]
pub struct Database {
    /// The pool; cheap to clone.
    pub conn: DatabaseConnection,
    statements: Arc<AtomicU64>,
}

impl Database {
    /// Opens a pool for `url`. SQLite files are created when the URL asks for it
    /// (`mode=rwc`); foreign keys are enforced on every SQLite connection.
    pub async fn connect(url: &str) -> Result<Self, AppError> {
        Self::connect_with(url, None).await
    }

    /// Like [`Database::connect`]; on PostgreSQL every statement is also cancelled by the
    /// server after `statement_timeout`, so a slow query cannot outlive the request that
    /// gave up on it.
    pub async fn connect_with(
        url: &str,
        statement_timeout: Option<Duration>,
    ) -> Result<Self, AppError> {
        let mut options = ConnectOptions::new(url.to_owned());
        if let Some(timeout) = statement_timeout {
            let millis = timeout.as_millis().to_string();
            options.map_sqlx_postgres_opts(move |pg| {
                pg.options([("statement_timeout", millis.clone())])
            });
        }
        options
            .max_connections(10)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(5))
            .sqlx_logging(false);
        let mut conn = sea_orm::Database::connect(options).await?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&statements);
        conn.set_metric_callback(move |info| {
            counter.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(target: "annals::sql", elapsed_us = info.elapsed.as_micros() as u64, failed = info.failed, sql = %info.statement.sql);
        });
        Ok(Database { conn, statements })
    }

    /// How many SQL statements this pool has executed since it was opened.
    pub fn statements_executed(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
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
        Migrator::up(&self.conn, None).await?;
        Ok(())
    }
}
