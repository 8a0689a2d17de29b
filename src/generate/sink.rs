//! Where generated rows go: `COPY` on PostgreSQL, multi-row `INSERT` on SQLite, both inside
//! one transaction so a failed run leaves the database as it was.

use crate::error::AppError;
use chrono::NaiveDate;
use sea_orm::sqlx::postgres::{PgConnection, PgCopyIn};
use sea_orm::sqlx::{self, Postgres, Row};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement,
    TransactionTrait, Value,
};
use std::fmt::Write;

/// The tables `generate` writes, for finding the indexes and constraints to rebuild.
const TABLES: &[&str] = &[
    "sources",
    "actors",
    "actor_aliases",
    "affiliations",
    "events",
    "event_participants",
    "statements",
    "statement_mentions",
    "casualty_reports",
    "citations",
];

/// Bytes of COPY text buffered before they are sent.
const COPY_CHUNK: usize = 1 << 20;
/// Bound parameters per SQLite statement (its limit is 32766).
const SQLITE_PARAMETERS: usize = 30_000;

/// One column value of a generated row.
pub enum Field {
    /// An integer.
    Int(i64),
    /// A nullable integer.
    OptInt(Option<i64>),
    /// A nullable float.
    Float(Option<f64>),
    /// Nullable text.
    Text(Option<String>),
    /// A nullable date.
    Date(Option<NaiveDate>),
}

impl Field {
    /// Non-null text.
    pub fn text(value: impl Into<String>) -> Self {
        Field::Text(Some(value.into()))
    }

    /// Nullable text.
    pub fn opt_text(value: Option<String>) -> Self {
        Field::Text(value)
    }

    /// A nullable integer.
    pub fn opt_int(value: Option<i64>) -> Self {
        Field::OptInt(value)
    }

    /// Appends the value in COPY's text format.
    fn write_copy(&self, out: &mut String) {
        match self {
            Field::Int(n) | Field::OptInt(Some(n)) => {
                let _ = write!(out, "{n}");
            }
            Field::Float(Some(x)) => {
                let _ = write!(out, "{x}");
            }
            Field::Date(Some(date)) => {
                let _ = write!(out, "{}", date.format("%Y-%m-%d"));
            }
            Field::Text(Some(text)) => {
                for c in text.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        c => out.push(c),
                    }
                }
            }
            Field::OptInt(None) | Field::Float(None) | Field::Text(None) | Field::Date(None) => {
                out.push_str("\\N")
            }
        }
    }

    fn into_value(self) -> Value {
        match self {
            Field::Int(n) => n.into(),
            Field::OptInt(n) => n.into(),
            Field::Float(x) => x.into(),
            Field::Text(text) => text.into(),
            Field::Date(date) => date.into(),
        }
    }
}

/// An open load: a transaction on one connection.
pub enum Sink {
    /// PostgreSQL, with the statements that restore what was dropped for the load.
    Postgres { tx: sqlx::Transaction<'static, Postgres>, rebuild: Vec<String> },
    /// SQLite.
    Sqlite { txn: DatabaseTransaction },
}

impl Sink {
    /// Begins the load. On PostgreSQL, drops the secondary indexes and the unique and
    /// foreign-key constraints of the generated tables (within the transaction), remembering
    /// how to rebuild them: building an index once is far cheaper than maintaining it per row.
    pub async fn open(db: &DatabaseConnection) -> Result<Self, AppError> {
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(Sink::Sqlite { txn: db.begin().await? });
        }
        let mut tx = db.get_postgres_connection_pool().begin().await.map_err(db_error)?;
        let tables: Vec<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
        let constraints = sqlx::query(
            "SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname) AS drop_sql, \
                    format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) AS create_sql \
             FROM pg_constraint \
             WHERE contype IN ('f', 'u') AND connamespace = current_schema()::regnamespace \
               AND conrelid::regclass::text = ANY($1) \
             ORDER BY contype DESC, conname", // foreign keys ('f') after unique constraints ('u')
        )
        .bind(&tables)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;
        let indexes = sqlx::query(
            "SELECT format('DROP INDEX %I.%I', schemaname, indexname) AS drop_sql, indexdef AS create_sql \
             FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename = ANY($1) \
               AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u', 'x')) \
             ORDER BY indexname",
        )
        .bind(&tables)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;

        // Drop foreign keys before the unique constraints they may rely on; rebuild in the
        // opposite order: indexes, unique constraints, then foreign keys.
        let mut drops = Vec::new();
        let mut rebuild = Vec::new();
        for row in indexes.iter() {
            drops.push(row.try_get::<String, _>("drop_sql").map_err(db_error)?);
            rebuild.push(row.try_get::<String, _>("create_sql").map_err(db_error)?);
        }
        for row in constraints.iter().rev() {
            drops.push(row.try_get::<String, _>("drop_sql").map_err(db_error)?);
        }
        for row in constraints.iter() {
            rebuild.push(row.try_get::<String, _>("create_sql").map_err(db_error)?);
        }
        // These statements come from the catalog (names quoted by format('%I')), not from input.
        for sql in drops {
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await.map_err(db_error)?;
        }
        Ok(Sink::Postgres { tx, rebuild })
    }

    /// Starts writing `table`.
    pub async fn table<'a>(
        &'a mut self,
        name: &'static str,
        columns: &'static [&'static str],
    ) -> Result<Table<'a>, AppError> {
        let target = match self {
            Sink::Postgres { tx, .. } => {
                let statement = format!("COPY {name} ({}) FROM STDIN", columns.join(", "));
                let connection: &'a mut PgConnection = tx;
                Target::Copy(connection.copy_in_raw(&statement).await.map_err(db_error)?)
            }
            Sink::Sqlite { txn } => Target::Insert(txn),
        };
        Ok(Table {
            name,
            columns,
            target,
            text: String::with_capacity(COPY_CHUNK + 4096),
            rows: Vec::new(),
            count: 0,
        })
    }

    /// Rebuilds what was dropped, moves the id sequences past the generated ids, commits, and
    /// refreshes the planner's statistics and the visibility map.
    pub async fn close(self, db: &DatabaseConnection) -> Result<(), AppError> {
        match self {
            Sink::Postgres { mut tx, rebuild } => {
                sqlx::query("SET LOCAL maintenance_work_mem = '256MB'")
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                for sql in rebuild {
                    tracing::debug!(%sql, "rebuilding");
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                }
                for table in TABLES {
                    let sql = format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
                    );
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                }
                tx.commit().await.map_err(db_error)?;
                // VACUUM also sets the visibility map, without which counts and other
                // index-only scans would still visit every table page.
                db.execute_unprepared("VACUUM ANALYZE").await?;
                Ok(())
            }
            Sink::Sqlite { txn } => Ok(txn.commit().await?),
        }
    }
}

/// Maps a driver error into the service's error type.
fn db_error(err: sqlx::Error) -> AppError {
    AppError::from(sea_orm::DbErr::Custom(err.to_string()))
}

enum Target<'a> {
    Copy(PgCopyIn<&'a mut PgConnection>),
    Insert(&'a DatabaseTransaction),
}

/// Rows on their way into one table.
pub struct Table<'a> {
    name: &'static str,
    columns: &'static [&'static str],
    target: Target<'a>,
    text: String,
    rows: Vec<Vec<Field>>,
    count: u64,
}

impl Table<'_> {
    /// Adds one row, its fields in the order of the table's columns.
    pub async fn row(&mut self, fields: Vec<Field>) -> Result<(), AppError> {
        debug_assert_eq!(fields.len(), self.columns.len(), "{}", self.name);
        self.count += 1;
        match &mut self.target {
            Target::Copy(copy) => {
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        self.text.push('\t');
                    }
                    field.write_copy(&mut self.text);
                }
                self.text.push('\n');
                if self.text.len() >= COPY_CHUNK {
                    copy.send(self.text.as_bytes()).await.map_err(db_error)?;
                    self.text.clear();
                }
            }
            Target::Insert(_) => {
                self.rows.push(fields);
                if (self.rows.len() + 1) * self.columns.len() > SQLITE_PARAMETERS {
                    self.insert_rows().await?;
                }
            }
        }
        Ok(())
    }

    async fn insert_rows(&mut self) -> Result<(), AppError> {
        let Target::Insert(txn) = &self.target else { return Ok(()) };
        if self.rows.is_empty() {
            return Ok(());
        }
        let placeholders = format!("({})", vec!["?"; self.columns.len()].join(", "));
        let mut sql = format!("INSERT INTO {} ({}) VALUES ", self.name, self.columns.join(", "));
        sql.push_str(&vec![placeholders; self.rows.len()].join(", "));
        let values: Vec<Value> = self.rows.drain(..).flatten().map(Field::into_value).collect();
        txn.execute_raw(Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)).await?;
        Ok(())
    }

    /// Sends what is left and returns how many rows the table received.
    pub async fn finish(mut self) -> Result<u64, AppError> {
        self.insert_rows().await?;
        if let Target::Copy(mut copy) = self.target {
            if !self.text.is_empty() {
                copy.send(self.text.as_bytes()).await.map_err(db_error)?;
            }
            copy.finish().await.map_err(db_error)?;
        }
        Ok(self.count)
    }
}
