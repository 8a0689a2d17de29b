//! HTTP routes: the GraphQL endpoint (with the GraphiQL IDE for browsers), the explorer page,
//! the exports, health and metrics.

mod access;
mod explorer;
mod export;
mod graphiql;
mod graphql;
mod health;
mod metrics;
mod rate_limit;

pub use explorer::Explorer;
pub use graphql::Sockets;
pub use rate_limit::{credentials, Credentials, RateLimits};

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::web;

/// Switches that change what the routes serve.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Whether browsers get the GraphiQL IDE on GET /graphql.
    pub graphiql: bool,
    /// How long a GraphQL request may run.
    pub request_timeout: std::time::Duration,
    /// Requests at least this slow are logged.
    pub slow_request: std::time::Duration,
    /// Whether requests without an API key may read.
    pub anonymous_read: bool,
    /// Whether read queries the SQL compiler knows are answered by one compiled statement.
    pub compiled_reads: bool,
}

/// Returns the request id of the request's log span in the `x-request-id` header, so a
/// client's report can be matched with the server's logs.
pub fn echo_request_id<S>(
    req: actix_web::dev::ServiceRequest,
    service: &S,
) -> impl std::future::Future<Output = Result<actix_web::dev::ServiceResponse, actix_web::Error>>
where
    S: actix_web::dev::Service<
        actix_web::dev::ServiceRequest,
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
    >,
{
    use actix_web::HttpMessage;
    let id = req.extensions().get::<tracing_actix_web::RequestId>().copied();
    let response = service.call(req);
    async move {
        let mut response = response.await?;
        if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id.to_string()).ok()) {
            response.headers_mut().insert(HeaderName::from_static("x-request-id"), value);
        }
        Ok(response)
    }
}

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql::post))
            .route(
                web::get()
                    .guard(actix_web::guard::fn_guard(graphql::is_upgrade))
                    .to(graphql::subscribe),
            )
            .route(web::get().to(graphql::get))
            .default_service(web::to(graphql::other_method)),
    )
    .route("/", web::get().to(explorer::page))
    .route("/explorer/{version}/{file:.*}", web::get().to(explorer::asset))
    .route("/export/events.{format}", web::get().to(export::events))
    .route("/graphiql/{file}", web::get().to(graphiql::asset))
    .route("/healthz", web::get().to(health::healthz))
    .route("/readyz", web::get().to(health::readyz))
    .route("/metrics", web::get().to(metrics::metrics));
}
