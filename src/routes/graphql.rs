//! The GraphQL endpoint, following the GraphQL-over-HTTP specification: POST with a JSON body
//! for everything, GET with URL parameters for queries only, `application/graphql-response+json`
//! answered when the client accepts it, and every error carrying `extensions.code`.

use super::{graphiql, Options};
use crate::graphql::{AnnalsSchema, ParseCache};
use crate::metrics::Metrics;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{Request, Response, Variables};
use futures_util::FutureExt;
use serde_json::json;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// POST /graphql: a JSON-encoded GraphQL request.
pub async fn post(
    req: HttpRequest,
    body: web::Bytes,
    schema: web::Data<AnnalsSchema>,
    metrics: web::Data<Metrics>,
    cache: web::Data<ParseCache>,
    options: web::Data<Options>,
) -> HttpResponse {
    let media_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if media_type.as_deref() != Some("application/json") {
        return failure(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send GraphQL requests as a JSON body with Content-Type: application/json",
        );
    }
    let request = match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(serde_json::Value::Array(_)) => {
            return failure(
                StatusCode::BAD_REQUEST,
                "BATCH_NOT_SUPPORTED",
                "batched requests (JSON arrays) are not supported; send one request per POST",
            )
        }
        Ok(value) => serde_json::from_value::<Request>(value),
        Err(err) => Err(err),
    };
    match request {
        Ok(request) => execute(&req, &schema, &metrics, &cache, &options, request).await,
        Err(err) => failure(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            &format!("the body is not a GraphQL request: {err}"),
        ),
    }
}

/// GET /graphql: the GraphiQL IDE for browsers, or a query in URL parameters.
pub async fn get(
    req: HttpRequest,
    schema: web::Data<AnnalsSchema>,
    metrics: web::Data<Metrics>,
    cache: web::Data<ParseCache>,
    options: web::Data<Options>,
) -> HttpResponse {
    let Ok(web::Query(params)) =
        web::Query::<HashMap<String, String>>::from_query(req.query_string())
    else {
        return failure(StatusCode::BAD_REQUEST, "BAD_REQUEST", "the query string is malformed");
    };
    let Some(query) = params.get("query") else {
        if options.graphiql && accepts(&req, "text/html") {
            return graphiql::page();
        }
        return failure(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "pass the GraphQL document in the `query` parameter",
        );
    };
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
    if is_mutation(query, params.get("operationName").map(String::as_str)) {
        let mut response = failure(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "mutations must be sent with POST",
        );
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(&req, &schema, &metrics, &cache, &options, request).await
}

/// Whether the operation a GET would run is a mutation. Unparseable documents are left to the
/// executor, which reports the syntax error.
fn is_mutation(query: &str, operation_name: Option<&str>) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(query) else { return false };
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        _ => None,
    };
    operation.is_some_and(|op| op.node.ty == OperationType::Mutation)
}

async fn execute(
    req: &HttpRequest,
    schema: &AnnalsSchema,
    metrics: &Metrics,
    cache: &ParseCache,
    options: &Options,
    mut request: Request,
) -> HttpResponse {
    cache.prepare(&mut request);
    // Kept only to tell parse errors from validation errors; parsing again costs nothing on
    // the happy path, where it never happens.
    let query = request.query.clone();
    // A panic is a bug; the client gets a masked INTERNAL error, the log gets the cause.
    let execution = AssertUnwindSafe(schema.execute(request)).catch_unwind();
    let mut response = match tokio::time::timeout(options.request_timeout, execution).await {
        Ok(Ok(response)) => response,
        Ok(Err(_)) => {
            tracing::error!(error.code = "INTERNAL", "a resolver panicked");
            return failure(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "internal error");
        }
        Err(_) => {
            // Dropping the execution cancels its futures; on PostgreSQL statement_timeout
            // stops whatever SQL was still running.
            tracing::warn!(
                error.code = "TIMEOUT",
                timeout_ms = options.request_timeout.as_millis() as u64,
                "request stopped"
            );
            metrics.record(true);
            let message = format!(
                "the request ran longer than {} ms and was stopped",
                options.request_timeout.as_millis()
            );
            return failure(StatusCode::SERVICE_UNAVAILABLE, "TIMEOUT", &message);
        }
    };
    // A request error (syntax, validation) stops before execution: no result, no error paths.
    let request_error = !response.errors.is_empty()
        && response.data == async_graphql::Value::Null
        && response.errors.iter().all(|e| e.path.is_empty());
    let fallback_code = if !request_error {
        "BAD_USER_INPUT"
    } else if async_graphql::parser::parse_query(&query).is_err() {
        "GRAPHQL_PARSE_FAILED"
    } else {
        "GRAPHQL_VALIDATION_FAILED"
    };
    add_missing_codes(&mut response, fallback_code);
    metrics.record(!response.errors.is_empty());

    let modern = accepts(req, GRAPHQL_RESPONSE_JSON);
    let status = if modern && request_error { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let body = if request_error {
        // Per the GraphQL-over-HTTP spec a request error has no `data` entry at all.
        serde_json::to_vec(&json!({ "errors": response.errors }))
    } else {
        serde_json::to_vec(&response)
    };
    let body = body.unwrap_or_else(|_| {
        br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#.to_vec()
    });
    HttpResponse::build(status)
        .content_type(if modern { GRAPHQL_RESPONSE_JSON } else { "application/json" })
        .body(body)
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
