//! GET /graphql upgraded to a WebSocket: subscriptions (and any other operation) over
//! `graphql-transport-ws` or the legacy `graphql-ws`, chosen by `Sec-WebSocket-Protocol`.
//! Each operation passes the same validation and limits as over HTTP. The API key comes from
//! `connection_init`'s payload (`{"Authorization": "Bearer <key>"}`, as browsers cannot set
//! headers on a WebSocket) or else from the upgrade request's `Authorization` header.

use super::Endpoint;
use crate::error::ErrorCode;
use crate::graphql::Api;
use crate::service::keys::{self, Viewer};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::{Data, ErrorExtensions, Request, Response};
use async_graphql_actix_web::GraphQLSubscription;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use prometheus::IntGauge;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The API as one WebSocket connection runs it, holding the client's slot while it is open.
#[derive(Clone)]
struct Session {
    api: Arc<Api>,
    connection: Arc<Connection>,
    closing: tokio::sync::watch::Receiver<bool>,
}

/// One open connection: the client's slot, and its operations running now (counted in
/// `/metrics` too).
struct Connection {
    _slot: Slot,
    running: AtomicUsize,
    max_running: usize,
    open_gauge: IntGauge,
    running_gauge: IntGauge,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.open_gauge.dec();
    }
}

/// Resolves to `true` once the server stops (`false` if it can no longer tell).
async fn stopping(closing: &mut tokio::sync::watch::Receiver<bool>) -> bool {
    closing.wait_for(|closing| *closing).await.is_ok()
}

/// Counts an operation as running on its connection until dropped.
struct Running(Arc<Connection>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
        self.0.running_gauge.dec();
    }
}

impl async_graphql::Executor for Session {
    async fn execute(&self, request: Request) -> Response {
        self.api.execute(request, None, crate::replicas::Target::Primary).await
    }

    fn execute_stream(
        &self,
        request: Request,
        session: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let connection = &self.connection;
        if connection.running.fetch_add(1, Ordering::SeqCst) >= connection.max_running {
            connection.running.fetch_sub(1, Ordering::SeqCst);
            let error = async_graphql::Error::new(format!(
                "at most {} subscriptions may run at once on one connection; complete one first",
                connection.max_running
            ))
            .extend_with(|_, ext| ext.set("code", ErrorCode::TooManySubscriptions.as_str()));
            let refused = Response::from_errors(vec![error.into_server_error(Default::default())]);
            return Box::pin(futures_util::stream::once(async move { refused }));
        }
        connection.running_gauge.inc();
        let running = Running(Arc::clone(connection));
        let mut responses = self.api.clone().execute_stream(request, session);
        let mut closing = self.closing.clone();
        Box::pin(async_stream::stream! {
            let _running = running;
            loop {
                tokio::select! {
                    response = responses.next() => match response {
                        Some(response) => yield response,
                        None => break,
                    },
                    // The server is stopping: the subscription ends with a code that tells
                    // the client to resubscribe, from its last cursor, to another instance.
                    true = stopping(&mut closing) => {
                        let error = async_graphql::Error::new(
                            "the server is shutting down; subscribe again with the last cursor",
                        )
                        .extend_with(|_, ext| ext.set("code", ErrorCode::ShuttingDown.as_str()));
                        yield Response::from_errors(vec![error.into_server_error(Default::default())]);
                        break;
                    }
                }
            }
        })
    }
}

/// Who holds WebSocket connections: an API key, or an address without one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Holder {
    Key(i32),
    Address(IpAddr),
}

/// The WebSocket connections each client holds, bounded per client. Per process, like the
/// rate limits: behind a load balancer each instance counts its own.
pub struct Sockets {
    held: Mutex<HashMap<Holder, usize>>,
    closing: tokio::sync::watch::Sender<bool>,
    max_per_client: usize,
    max_running: usize,
    idle_timeout: Duration,
}

impl Sockets {
    /// Bounds of `max_per_client` connections per client and `max_running` operations per
    /// connection; a connection with nothing running for `idle_timeout` is closed.
    pub fn new(max_per_client: usize, max_running: usize, idle_timeout: Duration) -> Self {
        let closing = tokio::sync::watch::Sender::new(false);
        Sockets { held: Mutex::default(), closing, max_per_client, max_running, idle_timeout }
    }

    /// Ends every subscription with `SHUTTING_DOWN`, then closes every connection, for a
    /// server that is stopping.
    pub fn close_all(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once [`Sockets::close_all`] was called and the subscriptions' last messages
    /// have had time to leave.
    fn closed(&self) -> impl std::future::Future<Output = ()> + 'static {
        let mut closing = self.closing.subscribe();
        async move {
            if stopping(&mut closing).await {
                tokio::time::sleep(LAST_WORDS).await;
            } else {
                std::future::pending::<()>().await;
            }
        }
    }

    fn open(self: &Arc<Self>, holder: Holder) -> Option<Slot> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let count = held.entry(holder.clone()).or_insert(0);
        if *count >= self.max_per_client {
            return None;
        }
        *count += 1;
        Some(Slot { sockets: Arc::clone(self), holder })
    }
}

/// How long a stopping server lets the subscriptions' last messages leave before it closes
/// their connections.
const LAST_WORDS: Duration = Duration::from_millis(250);

/// One connection's place in its client's count, given back when dropped.
struct Slot {
    sockets: Arc<Sockets>,
    holder: Holder,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.sockets.held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = held.get_mut(&self.holder) {
            *count -= 1;
            if *count == 0 {
                held.remove(&self.holder);
            }
        }
    }
}

/// Resolves once `connection` has had no operation running for `timeout`.
async fn idle(connection: Arc<Connection>, timeout: Duration) {
    let tick = (timeout / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
    let mut since = Instant::now();
    loop {
        tokio::time::sleep(tick).await;
        if connection.running.load(Ordering::SeqCst) > 0 {
            since = Instant::now();
        } else if since.elapsed() >= timeout {
            return;
        }
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
    let holder = match upgraded.key_id {
        Some(id) => Holder::Key(id),
        None => Holder::Address(endpoint.rate_limits.address(&req)),
    };
    let sockets = endpoint.sockets.clone().into_inner();
    let Some(slot) = sockets.open(holder) else {
        return Ok(endpoint.access.refuse(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManySubscriptions,
            &format!(
                "at most {} WebSocket connections per client; close one first",
                sockets.max_per_client
            ),
        ));
    };
    let (open_gauge, running_gauge) = endpoint.metrics.websockets();
    open_gauge.inc();
    let connection = Arc::new(Connection {
        _slot: slot,
        running: AtomicUsize::new(0),
        max_running: sockets.max_running,
        open_gauge,
        running_gauge,
    });
    // The client's messages end, and with them the connection, once nothing has run on it
    // for the idle timeout, or when the server stops.
    let idle = idle(Arc::clone(&connection), sockets.idle_timeout);
    let payload = payload
        .take_until(futures_util::future::select(Box::pin(idle), Box::pin(sockets.closed())));
    let db = endpoint.database.conn.clone();
    let anonymous_read = endpoint.options.anonymous_read;
    let closing = sockets.closing.subscribe();
    GraphQLSubscription::new(Session { api: endpoint.api.into_inner(), connection, closing })
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
