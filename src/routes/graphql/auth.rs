//! Who a request comes from: its API key or its address, charged to that client's rate
//! limit before anything else runs.

use super::*;

impl Endpoint {
    /// Who the request comes from, charged to that client's rate limit: a valid API key's
    /// own bucket, or otherwise the bucket of the address it came from, so that guessing keys
    /// is rate-limited too. Refused with 401 for a bad key (or none, when anonymous reading is
    /// off) and with 429 and `Retry-After` when the bucket is empty.
    pub(super) async fn identify(&self, req: &HttpRequest) -> Result<Viewer, Box<HttpResponse>> {
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
            Ok(viewer) if viewer.key_id.is_none() && !self.options.anonymous_read => {
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

    fn unauthenticated(&self, message: &str) -> HttpResponse {
        let mut response =
            self.refuse(StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated, message);
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        response
    }
}
