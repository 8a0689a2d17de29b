use crate::db::Database;
use actix_web::{web, HttpResponse};
use serde_json::json;

/// The process is up and serving HTTP.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// The service can answer queries: the database is reachable and fully migrated.
pub async fn readyz(database: web::Data<Database>) -> HttpResponse {
    match database.readiness().await {
        Ok(()) => HttpResponse::Ok().json(json!({ "status": "ready" })),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            HttpResponse::ServiceUnavailable()
                .json(json!({ "status": "unavailable", "reason": reason }))
        }
    }
}
