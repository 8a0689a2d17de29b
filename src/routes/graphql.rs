//! The GraphQL endpoint, following the GraphQL-over-HTTP specification: POST with a JSON body
//! for everything, GET with URL parameters for queries only, `application/graphql-response+json`
//! answered when the client accepts it, and every error carrying `extensions.code`.

use super::rate_limit::{credentials, Credentials, RateLimits};
use super::{graphiql, Options};
use crate::db::Database;
use crate::graphql::compiled::{self, Gate};
use crate::graphql::{AnnalsSchema, ParseCache};
use crate::metrics::{Metrics, Outcome};
use crate::service::keys::{self, Viewer};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Response, Variables};
use futures_util::FutureExt;
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::json;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

/// What every GraphQL request needs from the application.
pub struct Endpoint {
    schema: web::Data<AnnalsSchema>,
    metrics: web::Data<Metrics>,
    cache: web::Data<ParseCache>,
    options: web::Data<Options>,
    rate_limits: web::Data<RateLimits>,
    database: web::Data<Database>,
    gate: web::Data<Gate>,
}

impl actix_web::FromRequest for Endpoint {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        fn data<T: 'static>(req: &HttpRequest) -> Result<web::Data<T>, actix_web::Error> {
            req.app_data::<web::Data<T>>().cloned().ok_or_else(|| {
                actix_web::error::ErrorInternalServerError("the application is misconfigured")
            })
        }
        std::future::ready((|| {
            Ok(Endpoint {
                schema: data(req)?,
                metrics: data(req)?,
                cache: data(req)?,
                options: data(req)?,
                rate_limits: data(req)?,
                database: data(req)?,
                gate: data(req)?,
            })
        })())
    }
}

/// How a request arrived; GET may not run mutations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// POST /graphql: a JSON-encoded GraphQL request.
pub async fn post(
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
    endpoint: Endpoint,
) -> HttpResponse {
    let viewer = match endpoint.identify(&req).await {
        Ok(viewer) => viewer,
        Err(refused) => return *refused,
    };
    if !declares_json(&req) {
        return endpoint.refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send GraphQL requests as a JSON body with Content-Type: application/json",
        );
    }
    let body = match body {
        Ok(body) => body,
        Err(err) if err.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE => {
            return endpoint.refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                "the request body is larger than the server accepts",
            )
        }
        Err(_) => {
            return failure(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the request body could not be read",
            )
        }
    };
    let request = match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(serde_json::Value::Array(_)) => {
            return endpoint.refuse(
                StatusCode::BAD_REQUEST,
                "BATCH_NOT_SUPPORTED",
                "batched requests (JSON arrays) are not supported; send one request per POST",
            )
        }
        Ok(value) => serde_json::from_value::<Request>(value),
        Err(err) => Err(err),
    };
    match request {
        Ok(request) => endpoint.execute(&req, Method::Post, request.data(viewer)).await,
        Err(err) => failure(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            &format!("the body is not a GraphQL request: {err}"),
        ),
    }
}

/// GET /graphql: the GraphiQL IDE for browsers, or a query in URL parameters.
pub async fn get(req: HttpRequest, endpoint: Endpoint) -> HttpResponse {
    let Ok(web::Query(params)) =
        web::Query::<HashMap<String, String>>::from_query(req.query_string())
    else {
        return failure(StatusCode::BAD_REQUEST, "BAD_REQUEST", "the query string is malformed");
    };
    let Some(query) = params.get("query") else {
        if endpoint.options.graphiql && accepts(&req, "text/html") {
            return graphiql::page();
        }
        return failure(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "pass the GraphQL document in the `query` parameter",
        );
    };
    let viewer = match endpoint.identify(&req).await {
        Ok(viewer) => viewer,
        Err(refused) => return *refused,
    };
    if !get_content_type_allowed(&req) {
        return endpoint.refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "a GET request carries its query in the URL; a body type other than JSON is refused",
        );
    }
    let mut request = Request::new(query.clone());
    if let Some(name) = params.get("operationName").filter(|n| !n.is_empty()) {
        request = request.operation_name(name.clone());
    }
    if let Some(variables) = params.get("variables").filter(|v| !v.is_empty()) {
        match serde_json::from_str::<serde_json::Value>(variables) {
            Ok(value @ serde_json::Value::Object(_)) => {
                request = request.variables(Variables::from_json(value))
            }
            _ => {
                return failure(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "`variables` must be a JSON object",
                )
            }
        }
    }
    endpoint.execute(&req, Method::Get, request.data(viewer)).await
}

/// A GET request has no body, so it has no business declaring one; a form or text type is
/// what a cross-site form would send, and is refused.
fn get_content_type_allowed(req: &HttpRequest) -> bool {
    !req.headers().contains_key(header::CONTENT_TYPE) || declares_json(req)
}

/// Whether the request's `Content-Type` is `application/json` (parameters aside).
fn declares_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media_type| media_type.trim().eq_ignore_ascii_case("application/json"))
}

/// The operation a request runs, when its document parsed: its name and type.
fn operation(request: &mut Request) -> Option<(Option<String>, OperationType)> {
    compiled::with_parsed(request, |document, name, _| {
        let (name, operation) = compiled::operation(document, name)?;
        Some((name.map(str::to_owned), operation.ty))
    })
}

impl Endpoint {
    /// Who the request comes from, charged to that client's rate limit: a valid API key's
    /// own bucket, or otherwise the bucket of the address it came from, so that guessing keys
    /// is rate-limited too. Refused with 401 for a bad key (or none, when anonymous reading is
    /// off) and with 429 and `Retry-After` when the bucket is empty.
    async fn identify(&self, req: &HttpRequest) -> Result<Viewer, Box<HttpResponse>> {
        let viewer = match credentials(req) {
            Credentials::None => Ok(Viewer::anonymous()),
            Credentials::Bearer(key) => keys::authenticate(&self.database.conn, key).await,
            Credentials::Malformed => Err(crate::error::AppError::Unauthenticated(
                "send the API key as `Authorization: Bearer <key>`".to_owned(),
            )),
        };
        let charged = match &viewer {
            Ok(Viewer { key_id: Some(id), .. }) => self.rate_limits.check_key(*id),
            _ => self.rate_limits.check_address(req),
        };
        if let Err(wait) = charged {
            let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
            let mut response = self.refuse(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMITED",
                &format!("too many requests; retry in {seconds} s"),
            );
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            return Err(Box::new(response));
        }
        match viewer {
            Ok(viewer) if viewer.key_id.is_none() && !self.options.anonymous_read => {
                Err(Box::new(self.unauthenticated(
                    "this service needs an API key: send `Authorization: Bearer <key>`",
                )))
            }
            Ok(viewer) => Ok(viewer),
            Err(err @ crate::error::AppError::Unauthenticated(_)) => {
                Err(Box::new(self.unauthenticated(&err.to_string())))
            }
            Err(err) => {
                // The key could not be checked: the database is away, or a bug.
                let code = err.code();
                tracing::error!(error.code = code, error.cause = %crate::error::error_chain(&err), "authentication failed");
                let (status, message) = if code == "SERVICE_UNAVAILABLE" {
                    (StatusCode::SERVICE_UNAVAILABLE, "the database is unavailable")
                } else {
                    (StatusCode::INTERNAL_SERVER_ERROR, "internal error")
                };
                Err(Box::new(failure(status, code, message)))
            }
        }
    }

    fn unauthenticated(&self, message: &str) -> HttpResponse {
        let mut response = self.refuse(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message);
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        response
    }

    /// A refusal before execution, counted under its code.
    fn refuse(&self, status: StatusCode, code: &str, message: &str) -> HttpResponse {
        self.metrics.reject(code);
        failure(status, code, message)
    }

    async fn execute(
        &self,
        req: &HttpRequest,
        method: Method,
        mut request: Request,
    ) -> HttpResponse {
        let started = Instant::now();
        if let Err(refusal) = self.cache.prepare(&mut request) {
            self.metrics.reject(refusal.code);
            self.metrics.record(None, Outcome::Rejected, started.elapsed());
            let status = if accepts(req, GRAPHQL_RESPONSE_JSON) {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            return failure(status, refusal.code, &refusal.message);
        }
        let operation = operation(&mut request);
        if method == Method::Get
            && operation.as_ref().is_some_and(|(_, ty)| *ty == OperationType::Mutation)
        {
            let mut response = self.refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "mutations must be sent with POST",
            );
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
        let is_query = operation.as_ref().is_some_and(|(_, ty)| *ty == OperationType::Query);
        let name = operation.and_then(|(name, _)| name);
        let backend = self.database.conn.get_database_backend();
        let variant = (self.options.compiled_reads && is_query && backend == DbBackend::Postgres)
            .then(|| Gate::variant(&mut request))
            .flatten();
        let compiled = match &variant {
            Some(variant) if self.gate.admits(&request.query, variant) => {
                self.compiled(req, &mut request).await
            }
            _ => None,
        };
        let (response, outcome) = match compiled {
            Some(answered) => answered,
            None => {
                let query = variant.is_some().then(|| request.query.clone());
                let (response, outcome) = self.run(req, request).await;
                // A request that ran without error passed validation; its document may now
                // be compiled.
                if let (Some(query), Some(variant), Outcome::Ok) = (query, variant, outcome) {
                    self.gate.validated(query, variant);
                }
                (response, outcome)
            }
        };
        let elapsed = started.elapsed();
        self.metrics.record(name.as_deref(), outcome, elapsed);
        if elapsed >= self.options.slow_request {
            tracing::warn!(
                operation = name.as_deref().unwrap_or("anonymous"),
                elapsed_ms = elapsed.as_millis() as u64,
                outcome = ?outcome,
                "slow GraphQL request"
            );
        }
        response
    }

    /// Answers `request` with one compiled statement, or `None` when the resolvers must: the
    /// compiler does not know the query, or the statement failed (the resolvers then give
    /// the error its usual shape).
    async fn compiled(
        &self,
        req: &HttpRequest,
        request: &mut Request,
    ) -> Option<(HttpResponse, Outcome)> {
        // A bug in the compiler must not cost the request: the resolvers answer it instead.
        let compiled = std::panic::catch_unwind(AssertUnwindSafe(|| {
            compiled::compile(request, DbBackend::Postgres)
        }));
        let statement = match compiled {
            Ok(statement) => statement?,
            Err(_) => {
                tracing::error!(
                    error.code = "INTERNAL",
                    "the SQL compiler panicked; answering through the resolvers"
                );
                return None;
            }
        };
        let query = self.database.conn.query_one_raw(statement);
        let row = match tokio::time::timeout(self.options.request_timeout, query).await {
            Ok(Ok(Some(row))) => row,
            Ok(Ok(None)) => return None,
            Ok(Err(err)) => {
                let err = crate::error::AppError::from(err);
                if err.code() == "TIMEOUT" {
                    // PostgreSQL's statement_timeout, the request's own limit: the resolvers
                    // would only run out of time again.
                    return Some((self.timed_out(), Outcome::Timeout));
                }
                if err.code() == "SERVICE_UNAVAILABLE" {
                    // The resolvers would only wait for a connection as long again.
                    tracing::error!(error.code = err.code(), error.cause = %crate::error::error_chain(&err), "compiled read failed");
                    let response = failure(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "SERVICE_UNAVAILABLE",
                        "the database is unavailable",
                    );
                    return Some((response, Outcome::Error));
                }
                tracing::warn!(error.cause = %crate::error::error_chain(&err), "compiled read failed; answering through the resolvers");
                return None;
            }
            Err(_) => return Some((self.timed_out(), Outcome::Timeout)),
        };
        let body: String = row.try_get_by_index(0).ok()?;
        self.metrics.compiled();
        let modern = accepts(req, GRAPHQL_RESPONSE_JSON);
        let response = HttpResponse::Ok()
            .content_type(if modern { GRAPHQL_RESPONSE_JSON } else { "application/json" })
            .body(body);
        Some((response, Outcome::Ok))
    }

    /// The answer to a request stopped at `ANNALS_REQUEST_TIMEOUT_MS`.
    fn timed_out(&self) -> HttpResponse {
        let timeout = self.options.request_timeout;
        tracing::warn!(
            error.code = "TIMEOUT",
            timeout_ms = timeout.as_millis() as u64,
            "request stopped"
        );
        let message =
            format!("the request ran longer than {} ms and was stopped", timeout.as_millis());
        self.metrics.reject("TIMEOUT");
        failure(StatusCode::SERVICE_UNAVAILABLE, "TIMEOUT", &message)
    }

    async fn run(&self, req: &HttpRequest, mut request: Request) -> (HttpResponse, Outcome) {
        let options = &self.options;
        // Tells parse errors from validation errors. The parse cache has already given the
        // request its document, so only a document that does not parse is parsed again.
        let parses = request.parsed_query().is_ok();
        // A panic is a bug; the client gets a masked INTERNAL error, the log gets the cause.
        let execution = AssertUnwindSafe(self.schema.execute(request)).catch_unwind();
        let mut response = match tokio::time::timeout(options.request_timeout, execution).await {
            Ok(Ok(response)) => response,
            Ok(Err(_)) => {
                tracing::error!(error.code = "INTERNAL", "a resolver panicked");
                let response =
                    failure(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "internal error");
                return (response, Outcome::Panic);
            }
            Err(_) => {
                // Dropping the execution cancels its futures; on PostgreSQL statement_timeout
                // stops whatever SQL was still running.
                return (self.timed_out(), Outcome::Timeout);
            }
        };
        // A request error (syntax, validation) stops before execution: no result, no error
        // paths.
        let request_error = !response.errors.is_empty()
            && response.data == async_graphql::Value::Null
            && response.errors.iter().all(|e| e.path.is_empty());
        let fallback_code = if !request_error {
            "BAD_USER_INPUT"
        } else if !parses {
            "GRAPHQL_PARSE_FAILED"
        } else {
            "GRAPHQL_VALIDATION_FAILED"
        };
        add_missing_codes(&mut response, fallback_code);
        let outcome = if request_error {
            for error in &response.errors {
                if let Some(code) = limit_code(&error.message) {
                    self.metrics.reject(code);
                }
            }
            Outcome::Rejected
        } else if response.errors.is_empty() {
            Outcome::Ok
        } else {
            Outcome::Error
        };

        let modern = accepts(req, GRAPHQL_RESPONSE_JSON);
        let status = if modern && request_error { StatusCode::BAD_REQUEST } else { StatusCode::OK };
        let body = if request_error {
            // Per the GraphQL-over-HTTP spec a request error has no `data` entry at all.
            serde_json::to_vec(&json!({ "errors": response.errors }))
        } else {
            serde_json::to_vec(&response)
        };
        let body = body.unwrap_or_else(|_| {
            br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#
                .to_vec()
        });
        let response = HttpResponse::build(status)
            .content_type(if modern { GRAPHQL_RESPONSE_JSON } else { "application/json" })
            .body(body);
        (response, outcome)
    }
}

/// Errors raised by async-graphql itself carry no code; give them one so clients can always
/// match on `extensions.code`.
fn add_missing_codes(response: &mut Response, code: &str) {
    for error in &mut response.errors {
        let code = limit_code(&error.message).unwrap_or(code);
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", code);
        }
    }
}

/// The codes of the query-size limits, which async-graphql reports by message only.
fn limit_code(message: &str) -> Option<&'static str> {
    match message {
        "Query is nested too deep." => Some("QUERY_TOO_DEEP"),
        "Query is too complex." => Some("QUERY_TOO_COMPLEX"),
        _ => None,
    }
}

fn accepts(req: &HttpRequest, media_type: &str) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            item.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case(media_type))
        })
}

/// An error response for requests that never reach the executor.
fn failure(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json")
        .body(json!({"errors": [{"message": message, "extensions": {"code": code}}]}).to_string())
}
