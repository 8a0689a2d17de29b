//! The GraphiQL IDE page.

use actix_web::HttpResponse;

/// The IDE, pointed at this server's `/graphql`.
pub fn page() -> HttpResponse {
    let html = async_graphql::http::GraphiQLSource::build().endpoint("/graphql").finish();
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html)
}
