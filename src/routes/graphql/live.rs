//! GET /graphql upgraded to a WebSocket: subscriptions (and any other operation) over
//! `graphql-transport-ws` or the legacy `graphql-ws`, chosen by `Sec-WebSocket-Protocol`.
//! Each operation passes the same validation and limits as over HTTP. The API key comes from
//! `connection_init`'s payload (`{"Authorization": "Bearer <key>"}`, as browsers cannot set
//! headers on a WebSocket) or else from the upgrade request's `Authorization` header.

use super::Endpoint;
use crate::graphql::Api;
use crate::service::keys::{self, Viewer};
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::{Data, Request, Response};
use async_graphql_actix_web::GraphQLSubscription;
use futures_util::stream::BoxStream;
use std::sync::Arc;

/// The API as a WebSocket session runs it.
#[derive(Clone)]
struct Session(Arc<Api>);

impl async_graphql::Executor for Session {
    async fn execute(&self, request: Request) -> Response {
        self.0.execute(request, None).await
    }

    fn execute_stream(
        &self,
        request: Request,
        session: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        self.0.clone().execute_stream(request, session)
    }
}

/// Whether `req` asks to become a WebSocket.
pub fn is_upgrade(req: &actix_web::guard::GuardContext<'_>) -> bool {
    req.head()
        .headers()
        .get(actix_web::http::header::UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case("websocket"))
}

/// The key a `connection_init` payload carries, if any.
fn bearer(payload: &serde_json::Value) -> Option<&str> {
    let header = payload.get("Authorization").or_else(|| payload.get("authorization"))?;
    header.as_str()?.strip_prefix("Bearer ")
}

/// GET /graphql with `Upgrade: websocket`.
pub async fn subscribe(
    req: HttpRequest,
    payload: web::Payload,
    endpoint: Endpoint,
) -> actix_web::Result<HttpResponse> {
    // The upgrade request is charged to the client's rate limit and may carry the key.
    let upgraded = match endpoint.access.identify_upgrade(&req).await {
        Ok(viewer) => viewer,
        Err(refused) => return Ok(*refused),
    };
    let db = endpoint.database.conn.clone();
    let anonymous_read = endpoint.options.anonymous_read;
    GraphQLSubscription::new(Session(endpoint.api.into_inner()))
        .on_connection_init(move |init| async move {
            let viewer = match bearer(&init) {
                Some(key) => keys::authenticate(&db, key)
                    .await
                    .map_err(|err| async_graphql::Error::new(err.to_string()))?,
                None => upgraded,
            };
            if viewer.key_id.is_none() && !anonymous_read {
                return Err(async_graphql::Error::new(
                    "this service needs an API key: send {\"Authorization\": \"Bearer <key>\"} \
                     in connection_init",
                ));
            }
            let mut data = Data::default();
            data.insert::<Viewer>(viewer);
            Ok(data)
        })
        .start(&req, payload)
}
