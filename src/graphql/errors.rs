//! Every error in a response carries `extensions.code`, from one place.
//!
//! Resolvers return [`AppError`] with `?`: async-graphql's own conversion keeps the error as
//! its source, and [`complete`] gives it its code (and its violations, and logs it when it is
//! internal), so a resolver cannot forget a conversion. Errors async-graphql raises itself
//! (parsing, validation, limits) get the code of their kind. An execution error that arrives
//! with neither a code nor an [`AppError`] is a bug, and is logged as one.

use crate::error::{error_chain, AppError, ErrorCode};
use crate::graphql::loaders::LoadError;
use crate::graphql::validation::LimitExceeded;
use async_graphql::{ErrorExtensions, Response};

/// Gives every error of `response` its code; `fallback` is the code of the request's kind of
/// failure (parse, validation, execution).
pub fn complete(response: &mut Response, fallback: ErrorCode) {
    for error in &mut response.errors {
        if error.extensions.as_ref().is_some_and(|e| e.get("code").is_some()) {
            continue;
        }
        let app = error
            .source::<AppError>()
            .or_else(|| error.source::<LoadError>().map(LoadError::inner));
        if let Some(app) = app {
            let coded = app.extend();
            error.message = coded.message;
            error.extensions = coded.extensions;
            continue;
        }
        let limit = error.source::<LimitExceeded>().map(|LimitExceeded(code)| *code);
        let code = limit.unwrap_or_else(|| {
            if !error.path.is_empty() {
                tracing::error!(
                    error.message = %error.message,
                    error.path = ?error.path,
                    "bug: an execution error without a code reached the response"
                );
            }
            fallback
        });
        error.extensions.get_or_insert_with(Default::default).set("code", code.as_str());
    }
}

/// An [`AppError`] as a GraphQL error: its message, its code, and the path or violations of
/// invalid input. Internal and availability errors are logged here with their cause.
impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        match self {
            AppError::Internal(_) | AppError::Unavailable(_) => {
                tracing::error!(error.code = self.code().as_str(), error.cause = %error_chain(self), "request failed");
            }
            _ => {}
        }
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code().as_str());
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
                            map.insert(async_graphql::Name::new("code"), v.code.as_str().into());
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

/// An [`AppError`] as the JSON of a GraphQL error (`message`, `extensions.code`, and the
/// path or violations of invalid input), for routes that answer outside GraphQL, such as the
/// exports, with the API's codes.
pub fn client_error(err: &AppError) -> serde_json::Value {
    let error = err.extend().into_server_error(async_graphql::Pos::default());
    serde_json::to_value(&error).unwrap_or_else(
        |_| serde_json::json!({"message": "internal error", "extensions": {"code": "INTERNAL"}}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause_from_clients() {
        let err = AppError::from(sea_orm::DbErr::Custom("relation \"secret_table\"".into()));
        let gql = err.extend();
        assert_eq!(gql.message, "internal error");
        assert!(!format!("{gql:?}").contains("secret_table"));
    }
}
