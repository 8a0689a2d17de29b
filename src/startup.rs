//! Building and running the HTTP server.

use crate::config::{Profile, Settings};
use crate::dataset;
use crate::db::{Database, PoolSettings};
use crate::graphql;
use crate::metrics::Metrics;
use crate::replicas::Replicas;
use crate::routes;
use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tracing_actix_web::TracingLogger;

/// A migrated database and a bound, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
    database: Database,
    sockets: web::Data<routes::Sockets>,
}

impl Application {
    /// Connects, migrates, loads the bundled dataset into an empty database when
    /// `load_bundled` is
    /// on, and binds the listener.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        tracing::info!(
            database_url = %settings.database_url_masked(),
            replicas = ?settings.replica_urls_masked(),
            bind = %settings.bind,
            load_bundled = settings.load_bundled,
            profile = ?settings.profile,
            introspection = settings.introspection_enabled(),
            graphiql = settings.graphiql_enabled(),
            cors_origins = ?settings.cors_origins,
            request_timeout_ms = settings.request_timeout_ms,
            log = %settings.log_filter,
            "starting annals"
        );
        // Migrations and the first load may take longer than any request may: they get a
        // pool of their own without the statement timeout.
        let setup = Database::connect(&settings.database_url).await?;
        setup.migrate().await?;
        if settings.load_bundled && dataset::import_bundled_if_empty(&setup.conn).await? {
            tracing::info!("empty database: loaded the bundled dataset");
        }
        setup.conn.close().await?;
        let pool = PoolSettings {
            statement_timeout: Some(settings.request_timeout()),
            acquire_timeout: Duration::from_millis(settings.db_acquire_timeout_ms),
            generic_plans: settings.db_generic_plans,
        };
        let database = Database::connect_with(&settings.database_url, pool).await?;
        let replicas = Replicas::connect(
            &database,
            &settings.database_replica_urls,
            pool,
            settings.replicas(),
        )
        .await?;
        let replicas = Arc::new(replicas);
        replicas.watch();
        let listener = TcpListener::bind(&settings.bind)?;
        Self::serve(database, replicas, listener, settings)
    }

    fn serve(
        database: Database,
        replicas: Arc<Replicas>,
        listener: TcpListener,
        settings: &Settings,
    ) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        let limits = graphql::Limits {
            max_depth: settings.max_depth,
            max_complexity: settings.max_complexity,
            introspection: settings.introspection_enabled(),
            suggestions: settings.profile == Profile::Development,
            stats_rollup: settings.stats_rollup,
            search_ranked: settings.search_ranked,
        };
        let routes = web::Data::new(routes::Options {
            graphiql: settings.graphiql_enabled(),
            request_timeout: settings.request_timeout(),
            slow_request: Duration::from_millis(settings.slow_request_ms),
            anonymous_read: settings.anonymous_read,
            compiled_reads: settings.compiled_reads,
        });
        let explorer = web::Data::new(match (&settings.explorer_dir, settings.explorer) {
            (_, false) => routes::Explorer::Off,
            (Some(dir), true) => routes::Explorer::Folder(dir.clone()),
            (None, true) => routes::Explorer::Embedded,
        });
        let cors_origins = settings.cors_origins.clone();
        let max_body_bytes = usize::try_from(settings.max_body_bytes).unwrap_or(usize::MAX);
        let replica_pools = replicas.all().iter().map(|r| r.database.conn.clone()).collect();
        let api = web::Data::new(graphql::Api::new(database.conn.clone(), replica_pools, limits));
        let metrics = web::Data::new(Metrics::new(&database, &replicas));
        let gate = web::Data::new(graphql::compiled::Gate::default());
        let parse_cache = web::Data::new(graphql::ParseCache::new(
            graphql::DocumentLimits {
                max_tokens: settings.max_tokens,
                max_aliases: settings.max_aliases,
            },
            graphql::InputTypes::of(api.schema()),
        ));
        let rate_limits = web::Data::new(routes::RateLimits::new(
            settings.rate_limit,
            settings.rate_limit_burst,
            settings.trust_proxy,
        ));
        forget_idle_clients(rate_limits.clone());
        let sockets = web::Data::new(routes::Sockets::new(
            usize::try_from(settings.max_sockets_per_client).unwrap_or(usize::MAX),
            usize::try_from(settings.max_subscriptions_per_socket).unwrap_or(usize::MAX),
            Duration::from_secs(settings.socket_idle_timeout_secs),
        ));
        let db = web::Data::new(database.clone());
        let open_sockets = sockets.clone();
        let replicas = web::Data::from(replicas);
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap_fn(routes::echo_request_id)
                .wrap(cors(&cors_origins))
                .wrap(TracingLogger::default())
                .app_data(routes.clone())
                .app_data(explorer.clone())
                .app_data(api.clone())
                .app_data(metrics.clone())
                .app_data(parse_cache.clone())
                .app_data(gate.clone())
                .app_data(rate_limits.clone())
                .app_data(sockets.clone())
                .app_data(db.clone())
                .app_data(replicas.clone())
                .app_data(web::PayloadConfig::new(max_body_bytes))
                .configure(routes::configure)
        })
        .listen(listener)?
        // Signals are handled in `run_until_stopped`, which closes the WebSockets first.
        .disable_signals();
        if let Some(workers) = settings.workers {
            server = server.workers(workers.max(1));
        }
        let server = server.run();
        tracing::info!(port, "listening; the explorer at /, the API at /graphql");
        Ok(Application { port, server, database, sockets: open_sockets })
    }

    /// The port the server listens on (useful when binding port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The database the server reads.
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Serves until SIGINT or SIGTERM: then stops accepting connections, ends the
    /// subscriptions (`SHUTTING_DOWN`) and closes their WebSockets, finishes the requests in
    /// flight, and closes the database pool.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let sockets = self.sockets.clone();
        tokio::spawn(async move {
            stop_signal().await;
            tracing::info!("stopping: ending subscriptions and finishing requests in flight");
            sockets.close_all();
            handle.stop(true).await;
        });
        self.server.await?;
        tracing::info!("stopped serving; closing the database pool");
        if let Err(err) = self.database.conn.close().await {
            tracing::warn!(error = %err, "the database pool did not close cleanly");
        }
        tracing::info!("shut down");
        Ok(())
    }
}

/// Resolves at SIGINT or SIGTERM.
async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

/// Empties the rate limiter of clients it no longer needs to remember, now and then.
fn forget_idle_clients(rate_limits: web::Data<routes::RateLimits>) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(60));
        loop {
            interval.tick().await;
            rate_limits.forget_idle_clients();
        }
    });
}

/// CORS for browser frontends: only the configured origins, only what the API uses.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST"])
        .allowed_headers(["content-type", "accept", "authorization"])
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" { cors.allow_any_origin() } else { cors.allowed_origin(origin) };
    }
    cors
}
