//! The GraphQL endpoint, following the GraphQL-over-HTTP specification: POST with a JSON body
//! for everything, GET with URL parameters for queries only, `application/graphql-response+json`
//! answered when the client accepts it, and every error carrying `extensions.code`.

mod engine;
mod live;

pub use live::{is_upgrade, subscribe, Sockets};

use super::access::{app_data, failure, Access};
use super::{graphiql, Options};
use crate::db::Database;
use crate::error::ErrorCode;
use crate::graphql::compiled::{self, Gate};
use crate::graphql::{Api, LimitExceeded, ParseCache};
use crate::metrics::{Metrics, Outcome};
use crate::replicas::{Lsn, Replicas, Target};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Request, Variables};
use futures_util::FutureExt;
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::json;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

/// What every GraphQL request needs from the application.
pub struct Endpoint {
    api: web::Data<Api>,
    metrics: web::Data<Metrics>,
    cache: web::Data<ParseCache>,
    options: web::Data<Options>,
    database: web::Data<Database>,
    replicas: web::Data<Replicas>,
    gate: web::Data<Gate>,
    sockets: web::Data<Sockets>,
    rate_limits: web::Data<super::RateLimits>,
    access: Access,
}

impl actix_web::FromRequest for Endpoint {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let access =
            match <Access as actix_web::FromRequest>::from_request(req, payload).into_inner() {
                Ok(access) => access,
                Err(err) => return std::future::ready(Err(err)),
            };
        std::future::ready((|| {
            Ok(Endpoint {
                api: app_data(req)?,
                metrics: app_data(req)?,
                cache: app_data(req)?,
                options: app_data(req)?,
                database: app_data(req)?,
                replicas: app_data(req)?,
                gate: app_data(req)?,
                sockets: app_data(req)?,
                rate_limits: app_data(req)?,
                access,
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

/// Any other method on /graphql: 405 with the methods that work, as a GraphQL error.
pub async fn other_method() -> HttpResponse {
    let mut response = failure(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "send GraphQL requests with POST, or queries with GET",
    );
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    response
}

/// POST /graphql: a JSON-encoded GraphQL request.
pub async fn post(
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
    endpoint: Endpoint,
) -> HttpResponse {
    let viewer = match endpoint.access.identify(&req).await {
        Ok(viewer) => viewer,
        Err(refused) => return *refused,
    };
    if !declares_json(&req) {
        return endpoint.refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send GraphQL requests as a JSON body with Content-Type: application/json",
        );
    }
    let body = match body {
        Ok(body) => body,
        Err(err) if err.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE => {
            return endpoint.refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "the request body is larger than the server accepts",
            )
        }
        Err(_) => {
            return failure(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                "the request body could not be read",
            )
        }
    };
    let request = match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(serde_json::Value::Array(_)) => {
            return endpoint.refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::BatchNotSupported,
                "batched requests (JSON arrays) are not supported; send one request per POST",
            )
        }
        Ok(value) => serde_json::from_value::<Request>(value),
        Err(err) => Err(err),
    };
    match request {
        Ok(request) => endpoint.execute(&req, Method::Post, request, viewer).await,
        Err(err) => failure(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            &format!("the body is not a GraphQL request: {err}"),
        ),
    }
}

/// GET /graphql: the GraphiQL IDE for browsers, or a query in URL parameters.
pub async fn get(req: HttpRequest, endpoint: Endpoint) -> HttpResponse {
    let Ok(web::Query(params)) =
        web::Query::<HashMap<String, String>>::from_query(req.query_string())
    else {
        return failure(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "the query string is malformed",
        );
    };
    let Some(query) = params.get("query") else {
        if endpoint.options.graphiql && accepts(&req, "text/html") {
            return graphiql::page();
        }
        return failure(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "pass the GraphQL document in the `query` parameter",
        );
    };
    let viewer = match endpoint.access.identify(&req).await {
        Ok(viewer) => viewer,
        Err(refused) => return *refused,
    };
    if !get_content_type_allowed(&req) {
        return endpoint.refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
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
                    ErrorCode::BadRequest,
                    "`variables` must be a JSON object",
                )
            }
        }
    }
    endpoint.execute(&req, Method::Get, request, viewer).await
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

impl Endpoint {
    /// A refusal before execution, counted under its code.
    fn refuse(&self, status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
        self.access.refuse(status, code, message)
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
