use crate::db::Database;
use crate::metrics::Metrics;
use actix_web::{web, HttpResponse};

/// Prometheus exposition of the server's counters.
pub async fn metrics(metrics: web::Data<Metrics>, database: web::Data<Database>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(metrics.render(&database))
}
