//! The one error type of the service layer, and how it reaches clients.
//!
//! Services return [`AppError`]; the GraphQL layer turns it into a GraphQL error with a stable
//! `extensions.code` through [`ErrorExtensions`]. Unexpected failures are logged once, with their
//! cause chain, where they are turned into a client error, and clients only see a generic
//! message: SQL text, driver messages and file paths never leave the process.

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// One problem found in user input, located by its path (`events[3].location.latitude` in a
/// dataset, `input.low` in a mutation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// Where the problem is: a record and field path in a dataset, or an argument path.
    pub path: String,
    /// What is wrong, in a sentence.
    pub message: String,
    /// Which rule was broken, stable for clients to match on: `BLANK`, `OUT_OF_RANGE`,
    /// `UNKNOWN_REFERENCE`, … (README.md lists them).
    pub code: &'static str,
}

impl Violation {
    /// A violation of rule `code` at `path`.
    pub fn new(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Violation { path: path.into(), message: message.into(), code }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Everything that can go wrong while serving a request or running a command.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The record a client asked for does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// An `ID` argument that is not one this service issued, or names the wrong type.
    #[error("invalid ID {0:?}: IDs are opaque strings returned by this API")]
    InvalidId(String),
    /// A pagination cursor that this service did not issue for this list and ordering.
    #[error(
        "invalid cursor {0:?}: pass a cursor returned by the same list with the same ordering"
    )]
    InvalidCursor(String),
    /// Page-size arguments out of range or combined in a way that has no meaning.
    #[error("{0}")]
    InvalidPagination(String),
    /// An argument that is well-typed but not acceptable, such as an unknown country code.
    #[error("{0}")]
    InvalidInput(Violation),
    /// A dataset or record that breaks the domain's rules; nothing was written.
    #[error("{} problem(s), first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    Validation(Vec<Violation>),
    /// A write that collides with an existing record, such as a duplicate key, or that names a
    /// version of a record that is no longer current.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The request carries no valid API key, and needs one.
    #[error("{0}")]
    Unauthenticated(String),
    /// The API key's role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// The database stopped a statement that ran past its time limit.
    #[error("the query took too long and was stopped")]
    Timeout,
    /// The database cannot be reached right now.
    #[error("the database is unavailable")]
    Unavailable(#[source] DbErr),
    /// A failure the client cannot fix: a bug or a broken invariant.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    /// The stable, machine-readable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::InvalidId(_) => "INVALID_ID",
            AppError::InvalidCursor(_) => "INVALID_CURSOR",
            AppError::InvalidPagination(_) => "INVALID_PAGINATION",
            AppError::InvalidInput(_) => "BAD_USER_INPUT",
            AppError::Validation(_) => "VALIDATION",
            AppError::Conflict(_) => "CONFLICT",
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::Timeout => "TIMEOUT",
            AppError::Unavailable(_) => "SERVICE_UNAVAILABLE",
            AppError::Internal(_) => "INTERNAL",
        }
    }

    /// Shorthand for an internal error with a message, for invariants the database broke.
    pub fn internal(message: impl Into<String>) -> Self {
        AppError::Internal(anyhow::anyhow!(message.into()))
    }

    /// Shorthand for a single invalid argument.
    pub fn invalid_input(path: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::InvalidInput(Violation::new("INVALID_VALUE", path, message))
    }
}

/// Database errors are classified in one place: a unique-key clash is the client's conflict,
/// a lost connection is an outage, everything else is a bug.
impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => return AppError::Conflict(detail),
            // Only a write that would leave a dangling reference gets here: the service
            // checks references first, so this is a record still referred to.
            Some(SqlErr::ForeignKeyConstraintViolation(detail)) => {
                return AppError::Conflict(detail)
            }
            _ => {}
        }
        if is_statement_timeout(&err) {
            return AppError::Timeout;
        }
        if is_restricted_delete(&err) {
            return AppError::Conflict("the record is still referred to".to_owned());
        }
        match err {
            DbErr::RecordNotFound(what) => AppError::NotFound(what),
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => AppError::Unavailable(err),
            DbErr::Query(RuntimeErr::SqlxError(ref sqlx))
            | DbErr::Exec(RuntimeErr::SqlxError(ref sqlx))
                if is_connection_error(sqlx) =>
            {
                AppError::Unavailable(err)
            }
            other => AppError::Internal(other.into()),
        }
    }
}

/// PostgreSQL's `query_canceled` (57014), which `statement_timeout` raises.
fn is_statement_timeout(err: &DbErr) -> bool {
    match err {
        DbErr::Query(RuntimeErr::SqlxError(sqlx)) | DbErr::Exec(RuntimeErr::SqlxError(sqlx)) => {
            sqlx.as_database_error().and_then(|e| e.code()).is_some_and(|code| code == "57014")
        }
        _ => false,
    }
}

/// SQLite reports an `ON DELETE RESTRICT` foreign key as a trigger failure (1811), which
/// SeaORM does not classify.
fn is_restricted_delete(err: &DbErr) -> bool {
    match err {
        DbErr::Query(RuntimeErr::SqlxError(sqlx)) | DbErr::Exec(RuntimeErr::SqlxError(sqlx)) => {
            sqlx.as_database_error().is_some_and(|e| {
                e.code().is_some_and(|code| code == "1811")
                    && e.message().contains("FOREIGN KEY constraint failed")
            })
        }
        _ => false,
    }
}

fn is_connection_error(err: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    matches!(err, Error::Io(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed)
}

impl From<serde_json::Error> for AppError {
    fn from(err: serde_json::Error) -> Self {
        AppError::Internal(err.into())
    }
}

/// Renders the error chain on one line, for logs.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        match self {
            AppError::Internal(_) | AppError::Unavailable(_) => {
                tracing::error!(error.code = self.code(), error.cause = %error_chain(self), "request failed");
            }
            _ => {}
        }
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code());
            match self {
                AppError::InvalidInput(violation) => ext.set("path", violation.path.as_str()),
                AppError::Validation(violations) => {
                    let list = violations
                        .iter()
                        .map(|v| {
                            let mut map = async_graphql::indexmap::IndexMap::new();
                            map.insert(async_graphql::Name::new("path"), v.path.clone().into());
                            map.insert(
                                async_graphql::Name::new("message"),
                                v.message.clone().into(),
                            );
                            map.insert(async_graphql::Name::new("code"), v.code.into());
                            async_graphql::Value::Object(map)
                        })
                        .collect::<Vec<_>>();
                    ext.set("violations", async_graphql::Value::List(list));
                }
                _ => {}
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause_from_clients() {
        let err = AppError::from(DbErr::Custom("relation \"secret_table\" does not exist".into()));
        let gql = err.extend();
        assert_eq!(gql.message, "internal error");
        assert!(!format!("{gql:?}").contains("secret_table"));
    }

    #[test]
    fn record_not_found_maps_to_not_found() {
        assert_eq!(AppError::from(DbErr::RecordNotFound("event".into())).code(), "NOT_FOUND");
    }
}
