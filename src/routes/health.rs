use crate::db::Database;
use crate::replicas::Replicas;
use actix_web::{web, HttpResponse};
use serde_json::json;

/// The process is up and serving HTTP.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// The service can answer queries: the primary is reachable and fully migrated. The read
/// replicas are listed with their state; one out of rotation does not make the instance
/// unready, as the primary answers in its place.
pub async fn readyz(database: web::Data<Database>, replicas: web::Data<Replicas>) -> HttpResponse {
    let replicas: Vec<_> = replicas
        .all()
        .iter()
        .map(|replica| {
            let health = replica.health();
            json!({
                "name": replica.name,
                "inRotation": health.out.is_none(),
                "reason": health.out.map(|out| out.as_str()),
                "replayed": health.replayed.map(|lsn| lsn.to_string()),
                "lagMs": health.lag.map(|lag| lag.as_millis() as u64),
            })
        })
        .collect();
    match database.readiness().await {
        Ok(()) => HttpResponse::Ok().json(json!({ "status": "ready", "replicas": replicas })),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            HttpResponse::ServiceUnavailable()
                .json(json!({ "status": "unavailable", "reason": reason, "replicas": replicas }))
        }
    }
}
