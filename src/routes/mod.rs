//! HTTP routes: the GraphQL endpoint (with the GraphiQL IDE for browsers), health and metrics.

mod graphiql;
mod graphql;
mod health;
mod metrics;

use actix_web::web;

/// Switches that change what the routes serve.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Whether browsers get the GraphiQL IDE on GET /graphql.
    pub graphiql: bool,
}

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get)),
    )
    .route("/graphiql/{file}", web::get().to(graphiql::asset))
    .route("/healthz", web::get().to(health::healthz))
    .route("/readyz", web::get().to(health::readyz))
    .route("/metrics", web::get().to(metrics::metrics));
}
