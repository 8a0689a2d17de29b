//! HTTP routes: the GraphQL endpoint (with the GraphiQL IDE for browsers) and health checks.

mod graphiql;
mod graphql;
mod health;

use actix_web::web;

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get)),
    )
    .route("/graphiql/{file}", web::get().to(graphiql::asset))
    .route("/healthz", web::get().to(health::healthz));
}
