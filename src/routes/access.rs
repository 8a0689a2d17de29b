//! Who a request comes from: its API key or its address, charged to that client's rate
//! limit before anything else runs. Every route that reads records (`/graphql`, the exports)
//! lets a request in through [`Access`], so they share keys, anonymous reading and limits.

use super::rate_limit::{credentials, Credentials, RateLimits};
use super::Options;
use crate::db::Database;
use crate::error::ErrorCode;
use crate::metrics::Metrics;
use crate::service::keys::{self, Viewer};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

/// What letting a request in needs from the application.
pub struct Access {
    metrics: web::Data<Metrics>,
    options: web::Data<Options>,
    rate_limits: web::Data<RateLimits>,
    database: web::Data<Database>,
}

impl actix_web::FromRequest for Access {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready((|| {
            Ok(Access {
                metrics: app_data(req)?,
                options: app_data(req)?,
                rate_limits: app_data(req)?,
                database: app_data(req)?,
            })
        })())
    }
}

/// Shared application data the routes are built with.
pub(crate) fn app_data<T: 'static>(req: &HttpRequest) -> Result<web::Data<T>, actix_web::Error> {
    req.app_data::<web::Data<T>>().cloned().ok_or_else(|| {
        actix_web::error::ErrorInternalServerError("the application is misconfigured")
    })
}

impl Access {
    /// Who the request comes from, charged to that client's rate limit: a valid API key's
    /// own bucket, or otherwise the bucket of the address it came from, so that guessing keys
    /// is rate-limited too. Refused with 401 for a bad key (or none, when anonymous reading is
    /// off) and with 429 and `Retry-After` when the bucket is empty.
    pub async fn identify(&self, req: &HttpRequest) -> Result<Viewer, Box<HttpResponse>> {
        self.identify_unless(req, !self.options.anonymous_read).await
    }

    /// [`Access::identify`] for a WebSocket upgrade, which a browser cannot send a key with:
    /// an anonymous upgrade is let through, and the key is asked for in `connection_init`.
    pub async fn identify_upgrade(&self, req: &HttpRequest) -> Result<Viewer, Box<HttpResponse>> {
        self.identify_unless(req, false).await
    }

    async fn identify_unless(
        &self,
        req: &HttpRequest,
        key_required: bool,
    ) -> Result<Viewer, Box<HttpResponse>> {
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
                ErrorCode::RateLimited,
                &format!("too many requests; retry in {seconds} s"),
            );
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            return Err(Box::new(response));
        }
        match viewer {
            Ok(viewer) if viewer.key_id.is_none() && key_required => {
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
                tracing::error!(error.code = code.as_str(), error.cause = %crate::error::error_chain(&err), "authentication failed");
                let (status, message) = if code == ErrorCode::ServiceUnavailable {
                    (StatusCode::SERVICE_UNAVAILABLE, "the database is unavailable")
                } else {
                    (StatusCode::INTERNAL_SERVER_ERROR, "internal error")
                };
                Err(Box::new(failure(status, code, message)))
            }
        }
    }

    /// A refusal before the request runs, counted under its code.
    pub fn refuse(&self, status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
        self.metrics.reject(code);
        failure(status, code, message)
    }

    fn unauthenticated(&self, message: &str) -> HttpResponse {
        let mut response =
            self.refuse(StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated, message);
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        response
    }
}

/// An error response for requests that never run: the shape of a GraphQL error, with its
/// code.
pub fn failure(status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).content_type("application/json").body(
        json!({"errors": [{"message": message, "extensions": {"code": code.as_str()}}]})
            .to_string(),
    )
}
