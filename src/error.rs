//! The one error type of the service layer, and how it reaches clients.
//!
//! Services return [`AppError`]; the GraphQL layer (`graphql::errors`) turns it into a GraphQL
//! error with its stable `extensions.code`. Unexpected failures are logged once, with their
//! cause chain, where they are turned into a client error, and clients only see a generic
//! message: SQL text, driver messages and file paths never leave the process.

use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// The stable, machine-readable codes of every error a client can get, in
/// `extensions.code`. Compared as variants, written as their SCREAMING_SNAKE_CASE names.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    strum::IntoStaticStr,
    strum::VariantArray,
    strum::EnumString,
)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The document is not valid GraphQL.
    GraphqlParseFailed,
    /// The document does not fit the schema.
    GraphqlValidationFailed,
    /// An argument or variable that is well-typed but not acceptable.
    BadUserInput,
    /// The body is not a GraphQL request.
    BadRequest,
    /// JSON-array batches are not served.
    BatchNotSupported,
    /// A body that is not JSON.
    UnsupportedMediaType,
    /// A method `/graphql` does not serve, or a mutation over GET.
    MethodNotAllowed,
    /// A body over the size limit.
    PayloadTooLarge,
    /// A document with more tokens than allowed.
    QueryTooLarge,
    /// A document nested deeper than allowed.
    QueryTooDeep,
    /// A query whose complexity is over the limit.
    QueryTooComplex,
    /// A document with more aliases than allowed.
    TooManyAliases,
    /// Too many requests from one client.
    RateLimited,
    /// No valid API key where one is needed.
    Unauthenticated,
    /// The API key's role does not allow this.
    Forbidden,
    /// No such record.
    NotFound,
    /// An ID this service did not issue, or of the wrong type.
    InvalidId,
    /// A cursor this list did not issue.
    InvalidCursor,
    /// A subscription's cursor with more changes after it than a subscription replays.
    CursorTooFarBehind,
    /// A subscriber that read too slowly and was dropped.
    SlowSubscriber,
    /// A subscription ended because its server is stopping: subscribe again with the last
    /// cursor.
    ShuttingDown,
    /// More WebSocket connections from one client, or operations on one connection, than
    /// allowed.
    TooManySubscriptions,
    /// A consistency token this service did not hand out.
    InvalidConsistencyToken,
    /// Page sizes out of range.
    InvalidPagination,
    /// Input that breaks the domain's rules; `violations` lists each.
    Validation,
    /// A duplicate key, a stale version, a record still referred to.
    Conflict,
    /// The request ran past its time limit.
    Timeout,
    /// The database cannot be reached.
    ServiceUnavailable,
    /// A bug; the cause is in the server's log.
    Internal,
}

impl ErrorCode {
    /// The code as clients read it.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rules that input (a mutation's arguments, a dataset file) can break, each a stable
/// `code` in a [`Violation`]; README.md lists them, and a test holds the two together.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    strum::IntoStaticStr,
    strum::VariantArray,
    strum::EnumString,
    serde::Serialize,
)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Rule {
    /// Text that must not be empty is.
    Blank,
    /// A key that is not lower-case letters, digits and dashes.
    InvalidKey,
    /// The same key, actor or item twice.
    Duplicate,
    /// A reference to a record that does not exist.
    UnknownReference,
    /// Not an http(s) URL.
    InvalidUrl,
    /// Not an ISO 3166-1 alpha-2 country.
    InvalidCountry,
    /// Not a Wikidata item id.
    InvalidWikidataId,
    /// A number or date outside its range.
    OutOfRange,
    /// An end before its start.
    DateOrder,
    /// A sub-type of another type.
    TypeMismatch,
    /// Fields that go together given apart.
    Incomplete,
    /// A record that must cite a source cites none.
    NotCited,
    /// A parent chain that loops.
    Cycle,
    /// A record that refers to itself.
    SelfReference,
    /// An item to remove that is not there.
    NotPresent,
    /// A value that is not acceptable for its argument.
    InvalidValue,
    /// A dataset file that is not JSON.
    InvalidJson,
    /// A dataset file whose JSON does not have the dataset's shape.
    InvalidFormat,
    /// A data file that is not well-formed CSV text (binary, cut short, a row of the wrong
    /// length).
    InvalidCsv,
    /// A column the file's format requires is missing from its header.
    MissingColumn,
    /// A date that is not in any of the format's date forms, or does not exist.
    InvalidDate,
    /// A number that does not parse, or is out of its column's range.
    InvalidNumber,
    /// A code the format's codebook does not define (an event type, a precision, a country).
    UnknownCode,
    /// The last line of a long report: how many more problems the file has than it lists.
    TooManyProblems,
}

impl Rule {
    /// The code as clients read it.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One problem found in user input, located by its path (`events[3].location.latitude` in a
/// dataset, `input.low` in a mutation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// Where the problem is: a record and field path in a dataset, or an argument path.
    pub path: String,
    /// What is wrong, in a sentence.
    pub message: String,
    /// Which rule was broken, stable for clients to match on.
    pub code: Rule,
}

impl Violation {
    /// A violation of rule `code` at `path`.
    pub fn new(code: Rule, path: impl Into<String>, message: impl Into<String>) -> Self {
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
    /// A subscription's cursor too far behind: the client pages through the feed first.
    #[error("{0}")]
    CursorTooFarBehind(String),
    /// A subscriber that fell too far behind the changes it follows.
    #[error("{0}")]
    SlowSubscriber(String),
    /// A consistency token that is not a WAL position a mutation's response gave.
    #[error("{0}")]
    InvalidConsistencyToken(String),
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
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::InvalidId(_) => ErrorCode::InvalidId,
            AppError::InvalidCursor(_) => ErrorCode::InvalidCursor,
            AppError::CursorTooFarBehind(_) => ErrorCode::CursorTooFarBehind,
            AppError::SlowSubscriber(_) => ErrorCode::SlowSubscriber,
            AppError::InvalidConsistencyToken(_) => ErrorCode::InvalidConsistencyToken,
            AppError::InvalidPagination(_) => ErrorCode::InvalidPagination,
            AppError::InvalidInput(_) => ErrorCode::BadUserInput,
            AppError::Validation(_) => ErrorCode::Validation,
            AppError::Conflict(_) => ErrorCode::Conflict,
            AppError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::Timeout => ErrorCode::Timeout,
            AppError::Unavailable(_) => ErrorCode::ServiceUnavailable,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// Shorthand for an internal error with a message, for invariants the database broke.
    pub fn internal(message: impl Into<String>) -> Self {
        AppError::Internal(anyhow::anyhow!(message.into()))
    }

    /// Shorthand for a single invalid argument.
    pub fn invalid_input(path: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::InvalidInput(Violation::new(Rule::InvalidValue, path, message))
    }
}

/// Database errors are classified in one place: a unique-key clash is the client's conflict,
/// a lost connection is an outage, everything else is a bug.
impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        // The driver's text names tables, columns and constraints: it goes to the log, and
        // the client gets a sentence of its own.
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => {
                tracing::debug!(error.cause = %detail, "unique constraint");
                return AppError::Conflict("a record with this key already exists".to_owned());
            }
            // Only a write that would leave a dangling reference gets here: the service
            // checks references first, so this is a record still referred to.
            Some(SqlErr::ForeignKeyConstraintViolation(detail)) => {
                tracing::debug!(error.cause = %detail, "foreign key constraint");
                return AppError::Conflict("the record is still referred to".to_owned());
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
    // SQLSTATE class 08 is a lost connection; 57P01-57P03 a server shutting down or starting.
    let server_going = err.as_database_error().and_then(|e| e.code()).is_some_and(|code| {
        code.starts_with("08") || ["57P01", "57P02", "57P03"].contains(&code.as_ref())
    });
    server_going
        || matches!(
            err,
            Error::Io(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed
        )
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

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    const README: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));

    /// The `SCREAMING_CASE` names in backticks in `text`.
    fn codes_in(text: &str) -> std::collections::BTreeSet<&str> {
        text.split('`')
            .skip(1)
            .step_by(2)
            .filter(|word| {
                word.len() > 2 && word.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            })
            .collect()
    }

    #[test]
    fn the_readme_lists_every_validation_rule_and_no_other() {
        let start = README.find("a rule `code`:").expect("the README lists the rules");
        let end = start + README[start..].find("A refused mutation").expect("the list ends");
        let listed = codes_in(&README[start..end]);
        let rules = Rule::VARIANTS.iter().map(|rule| rule.as_str()).collect();
        assert_eq!(listed, rules);
    }

    #[test]
    fn the_readme_lists_every_error_code() {
        let start = README.find("| code | meaning |").expect("the README has the code table");
        let end = start + README[start..].find("\n\n").expect("the table ends");
        let listed = codes_in(&README[start..end]);
        for code in ErrorCode::VARIANTS {
            assert!(listed.contains(code.as_str()), "{code} is not in the README's table");
        }
    }

    #[test]
    fn internal_errors_hide_their_cause_from_clients() {
        let err = AppError::from(DbErr::Custom("relation \"secret_table\" does not exist".into()));
        assert_eq!(err.to_string(), "internal error");
        assert_eq!(err.code(), ErrorCode::Internal);
    }

    #[test]
    fn record_not_found_maps_to_not_found() {
        assert_eq!(
            AppError::from(DbErr::RecordNotFound("event".into())).code(),
            ErrorCode::NotFound
        );
    }
}
