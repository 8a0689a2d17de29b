//! Spawning the real application on a fresh database per test, and talking to it over HTTP.

use annals::config::{LogFormat, Settings};
use annals::db::Database;
use annals::startup::Application;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use std::sync::{Arc, Once};

/// Which database a test runs against.
#[derive(Clone, Debug)]
pub enum Backend {
    /// A fresh SQLite file in a temporary directory.
    Sqlite,
    /// A fresh database on the PostgreSQL server of `TEST_DATABASE_URL`.
    Postgres(String),
}

impl Backend {
    /// PostgreSQL when `TEST_DATABASE_URL` is set; the README's test command runs the
    /// PostgreSQL half of every test only then, and CI always sets it.
    pub fn postgres() -> Option<Backend> {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
            _ => None,
        }
    }
}

/// Runs each listed `async fn name(backend: Backend)` as two tests, `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }

                #[tokio::test]
                async fn postgres() {
                    match $crate::helpers::Backend::postgres() {
                        Some(backend) => super::$name(backend).await,
                        None => eprintln!("TEST_DATABASE_URL is not set: PostgreSQL half skipped"),
                    }
                }
            }
        )+
    };
}

static TRACING: Once = Once::new();

/// A running application on its own database, dropped with the test.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The application's database pool, for reading back what the API wrote.
    pub database: Database,
    /// The database URL, for running the CLI against the same database.
    pub database_url: String,
    /// A client without proxies or cookies.
    pub client: reqwest::Client,
    /// The settings the application was built with.
    pub settings: Settings,
    /// Shared with every [`TestApp::twin`]: the database goes when the last of them does.
    guard: Arc<DatabaseGuard>,
}

/// Starts the application on a fresh database holding the bundled dataset.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn(backend, true, |_| {}).await
}

/// Like [`spawn_app`], with settings changed by `configure`.
pub async fn spawn_app_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> TestApp {
    spawn(backend, true, configure).await
}

/// Starts the application on a fresh, migrated, empty database.
pub async fn spawn_empty_app(backend: Backend) -> TestApp {
    spawn(backend, false, |_| {}).await
}

/// Like [`spawn_empty_app`], with settings changed by `configure`.
pub async fn spawn_empty_app_with(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    spawn(backend, false, configure).await
}

async fn spawn(
    backend: Backend,
    load_bundled: bool,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    TRACING.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            annals::telemetry::init(
                &std::env::var("TEST_LOG").unwrap_or_default(),
                LogFormat::Text,
            );
        }
    });
    let template = if load_bundled { Template::Bundled } else { Template::Migrated };
    let guard = DatabaseGuard::from_template(&backend, template).await;
    let mut settings = settings(&guard.url, load_bundled);
    configure(&mut settings);
    start(settings, Arc::new(guard)).await
}

/// Builds and runs the application with `settings` on the database of `guard`.
async fn start(settings: Settings, guard: Arc<DatabaseGuard>) -> TestApp {
    let app = Application::build(&settings).await.expect("the application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let database = app.database().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        database,
        database_url: guard.url.clone(),
        // Idle connections are dropped before the server's keep-alive (5 s) closes them: a
        // request sent on a connection the server is closing fails with `IncompleteMessage`.
        client: reqwest::Client::builder()
            .no_proxy()
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .build()
            .expect("a client"),
        settings,
        guard,
    }
}

/// Settings for an application on `database_url`, on a free port, with one worker thread
/// (tests start many applications at once): the real defaults, parsed as the binary parses a
/// command line without arguments, with only that changed.
pub fn settings(database_url: &str, load_bundled: bool) -> Settings {
    use clap::Parser;
    let mut settings = annals::config::Cli::try_parse_from(["annals"]).expect("defaults").settings;
    settings.database_url = database_url.to_owned();
    settings.bind = "127.0.0.1:0".to_owned();
    settings.workers = Some(1);
    settings.load_bundled = load_bundled;
    settings
}

/// Sends GraphQL documents and reads the answers: over HTTP ([`TestApp`]) or in-process
/// ([`TestSchema`]), with the same helpers on top.
pub trait Client {
    /// Runs a query and returns the whole JSON response (over HTTP, asserting status 200).
    async fn graphql(&self, query: &str, variables: Value) -> Value;

    /// Runs a query that must succeed, and returns its `data`.
    async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Runs a query that must fail, and returns the first error's `extensions.code`.
    async fn error_code(&self, query: &str, variables: Value) -> String {
        let body = self.graphql(query, variables).await;
        let code = body["errors"][0]["extensions"]["code"].as_str();
        code.unwrap_or_else(|| panic!("expected an error with a code, got {body:#}")).to_owned()
    }

    /// The global ID of the node in `list` whose key is `key`, looked up through the API.
    async fn id_of(&self, list: &str, key: &str) -> String {
        let query = format!("{{ {list}(first: 100) {{ edges {{ node {{ id key }} }} }} }}");
        let data = self.data(&query, json!({})).await;
        data[list]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .find(|edge| edge["node"]["key"] == key)
            .unwrap_or_else(|| panic!("no {list} with key {key}"))["node"]["id"]
            .as_str()
            .expect("an id")
            .to_owned()
    }
}

impl Client for TestApp {
    async fn graphql(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("the request is sent");
        assert_eq!(response.status(), 200, "unexpected status for {query}");
        response.json().await.expect("a JSON body")
    }
}

/// The fast tier: the GraphQL schema on a database of its own holding the bundled dataset,
/// run in-process without HTTP, for tests of what the API answers rather than how it is
/// carried. The request is anonymous; errors get their codes as the HTTP layer gives them.
pub struct TestSchema {
    api: annals::graphql::Api,
    conn: sea_orm::DatabaseConnection,
    _database: DatabaseGuard,
}

impl TestSchema {
    /// The schema over a fresh database on `backend` holding the bundled dataset.
    pub async fn new(backend: Backend) -> TestSchema {
        let guard = DatabaseGuard::from_template(&backend, Template::Bundled).await;
        let database = Database::connect(&guard.url).await.expect("the database opens");
        database.migrate().await.expect("migrations run");
        annals::dataset::import_bundled_if_empty(&database.conn).await.expect("the dataset loads");
        let limits = annals::graphql::Limits {
            max_depth: 15,
            max_complexity: 50_000,
            introspection: true,
            suggestions: true,
            stats_rollup: true,
            search_ranked: 1_000,
        };
        let conn = database.conn.clone();
        TestSchema {
            api: annals::graphql::Api::new(database.conn, Vec::new(), limits),
            conn,
            _database: guard,
        }
    }

    /// Counts the rows of `table`, straight from the database.
    pub async fn count_rows(&self, table: &str) -> i64 {
        count_rows(&self.conn, table).await
    }
}

impl Client for TestSchema {
    async fn graphql(&self, query: &str, variables: Value) -> Value {
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables))
            .data(annals::service::keys::Viewer::anonymous());
        let mut response = self.api.execute(request, None, annals::replicas::Target::Primary).await;
        let fallback = if response.data == async_graphql::Value::Null {
            annals::error::ErrorCode::GraphqlValidationFailed
        } else {
            annals::error::ErrorCode::BadUserInput
        };
        annals::graphql::errors::complete(&mut response, fallback);
        serde_json::to_value(&response).expect("a JSON response")
    }
}

impl TestApp {
    /// Runs the `annals` binary with `args` against this application's database.
    pub async fn cli(&self, args: &[&str]) -> std::process::Output {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_annals"))
            .args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("ANNALS_LOG", "warn")
            .output()
            .await
            .expect("the annals binary runs")
    }

    /// Runs `annals import` on `file`, which must be refused, and checks that the report
    /// names each of `expected` and that nothing was written; returns the report.
    pub async fn refused_import(&self, file: &str, expected: &[&str]) -> String {
        let events = self.count_rows("events").await;
        let revisions = self.count_rows("revisions").await;
        let output = self.cli(&["import", file]).await;
        assert!(!output.status.success(), "{file} was imported");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        for expected in expected {
            assert!(stderr.contains(expected), "{expected} missing from {stderr}");
        }
        assert_eq!(self.count_rows("events").await, events, "{file} wrote events");
        assert_eq!(self.count_rows("revisions").await, revisions, "{file} wrote revisions");
        stderr
    }

    /// A second application on this one's database, with this one's settings changed by
    /// `configure`: its own server, pool, statement counter and rate limiter, the same rows.
    /// It never loads the bundled dataset, and the database stays until both are dropped.
    pub async fn twin(&self, configure: impl FnOnce(&mut Settings)) -> TestApp {
        let mut settings = self.settings.clone();
        settings.load_bundled = false;
        configure(&mut settings);
        start(settings, Arc::clone(&self.guard)).await
    }

    /// POSTs a query with `Authorization: Bearer key` (none when `key` is `None`) and returns
    /// the whole JSON response, asserting HTTP 200.
    pub async fn graphql_as(&self, key: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.expect("the request is sent");
        assert_eq!(response.status(), 200, "unexpected status for {query}");
        response.json().await.expect("a JSON body")
    }

    /// A new API key with `role`, named `name`.
    pub async fn key(&self, name: &str, role: annals::domain::Role) -> String {
        annals::service::keys::create(&self.database.conn, name, role).await.expect("a key").0
    }

    /// Every row of every table, read straight from the database: equal before and after a
    /// refused write when it changed nothing.
    pub async fn state(&self) -> Value {
        use entity::*;
        use sea_orm::{EntityTrait, QueryOrder};
        let db = &self.database.conn;
        macro_rules! rows {
            ($($table:ident),+) => {
                json!({ $(stringify!($table): $table::Entity::find()
                    .order_by_asc($table::Column::Id)
                    .into_json()
                    .all(db)
                    .await
                    .expect("rows")),+ })
            };
        }
        let figures = event_figure::Entity::find()
            .order_by_asc(event_figure::Column::EventId)
            .order_by_asc(event_figure::Column::Position)
            .into_json()
            .all(db)
            .await
            .expect("rows");
        let mut state = rows!(
            source,
            actor,
            actor_alias,
            affiliation,
            event,
            event_participant,
            statement,
            statement_mention,
            casualty_report,
            citation,
            revision,
            api_key
        );
        state["event_figure"] = json!(figures);
        let episodes = sea_orm::ConnectionTrait::query_all_raw(
            db,
            sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT event_id FROM episodes ORDER BY event_id",
            ),
        )
        .await
        .expect("episodes");
        let episodes: Vec<i32> =
            episodes.iter().map(|row| row.try_get("", "event_id").expect("an id")).collect();
        state["episode"] = json!(episodes);
        // The statistics' rollups, by month and by day, in a stable order.
        for grain in ["month", "day"] {
            for (kind, last) in [("events", "date_precision"), ("figures", "category")] {
                let table = format!("stats_{grain}_{kind}");
                let order = format!("{grain}, country_code, disorder_type, event_type, {last}");
                state[&table] = self.rows(&format!("SELECT * FROM {table} ORDER BY {order}")).await;
            }
        }
        state["casualty_report_counts"] = self
            .rows("SELECT * FROM casualty_report_counts WHERE n <> 0 ORDER BY category, status")
            .await;
        state
    }

    /// The rows `sql` reads, as JSON objects.
    pub async fn rows(&self, sql: &str) -> Value {
        use sea_orm::FromQueryResult;
        let db = &self.database.conn;
        let statement = sea_orm::Statement::from_string(db.get_database_backend(), sql);
        json!(sea_orm::JsonValue::find_by_statement(statement).all(db).await.expect("rows"))
    }

    /// The integer column `n` of the one row `sql` reads.
    pub async fn number(&self, sql: &str) -> i64 {
        let db = &self.database.conn;
        let statement = sea_orm::Statement::from_string(db.get_database_backend(), sql);
        let row = sea_orm::ConnectionTrait::query_one_raw(db, statement).await.expect("a row");
        row.expect("a row").try_get("", "n").expect("a number n")
    }

    /// Runs `sql` straight on the database, around the application.
    pub async fn execute(&self, sql: &str) {
        sea_orm::ConnectionTrait::execute_unprepared(&self.database.conn, sql)
            .await
            .expect("the statement runs");
    }

    /// How many SQL statements the application has run so far.
    pub fn statements(&self) -> u64 {
        self.database.statements_executed()
    }

    /// Counts the rows of `table`, straight from the database.
    pub async fn count_rows(&self, table: &str) -> i64 {
        count_rows(&self.database.conn, table).await
    }
}

/// A database that exists for one test: a temporary SQLite file, or a PostgreSQL database
/// dropped when the test ends.
pub struct DatabaseGuard {
    /// Where the database is.
    pub url: String,
    postgres: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl DatabaseGuard {
    /// A new, empty database on `backend`.
    pub async fn create(backend: &Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("annals.db").display());
                DatabaseGuard { url, postgres: None, _dir: Some(dir) }
            }
            Backend::Postgres(admin_url) => {
                let name = format!("annals_test_{}", uuid::Uuid::new_v4().simple());
                let admin =
                    sea_orm::Database::connect(admin_url.as_str()).await.unwrap_or_else(|err| {
                        panic!("PostgreSQL at TEST_DATABASE_URL is unreachable: {err}")
                    });
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("CREATE DATABASE");
                admin.close().await.ok();
                DatabaseGuard::postgres(admin_url, name)
            }
        }
    }
}

/// Counts the rows of `table` on `db`.
async fn count_rows(db: &sea_orm::DatabaseConnection, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("count query")
        .expect("a row");
    row.try_get("", "n").expect("a count")
}

/// What a new test database starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    /// Every migration applied, no rows.
    Migrated,
    /// Migrated, holding the bundled dataset.
    Bundled,
}

impl Template {
    fn name(self) -> &'static str {
        match self {
            Template::Migrated => "migrated",
            Template::Bundled => "bundled",
        }
    }
}

/// The PostgreSQL template databases of this test process, made once each: migrating and
/// importing for every test cost most of the PostgreSQL half's time, a copy costs a fraction.
static TEMPLATES: [std::sync::OnceLock<String>; 2] =
    [std::sync::OnceLock::new(), std::sync::OnceLock::new()];

impl DatabaseGuard {
    /// A new database on `backend` that starts as `template`: on PostgreSQL a copy of a
    /// template database made once per test process (`CREATE DATABASE … TEMPLATE`); on SQLite
    /// a new file, which the application migrates and seeds as it starts.
    pub async fn from_template(backend: &Backend, template: Template) -> Self {
        let Backend::Postgres(admin_url) = backend else { return Self::create(backend).await };
        let source = TEMPLATES[template as usize].get_or_init(|| {
            let admin_url = admin_url.clone();
            // Made on a thread of its own: each test runs on a runtime of its own.
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime");
                runtime.block_on(make_template(&admin_url, template))
            })
            .join()
            .expect("the template is made")
        });
        let name = format!("annals_test_{}", uuid::Uuid::new_v4().simple());
        let admin = sea_orm::Database::connect(admin_url.as_str()).await.expect("PostgreSQL");
        let create = format!("CREATE DATABASE {name} TEMPLATE {source}");
        // Two copies of one template at the same instant can collide; the next try succeeds.
        let mut tries = 0;
        while let Err(err) = admin.execute_unprepared(&create).await {
            tries += 1;
            assert!(tries < 50, "CREATE DATABASE … TEMPLATE: {err}");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        admin.close().await.ok();
        DatabaseGuard::postgres(admin_url, name)
    }

    /// The guard of the database `name`, just created on the server of `admin_url`.
    fn postgres(admin_url: &str, name: String) -> Self {
        let mut url = url::Url::parse(admin_url).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&name);
        DatabaseGuard {
            url: url.to_string(),
            postgres: Some((admin_url.to_owned(), name)),
            _dir: None,
        }
    }
}

/// Makes the template database `template` of this process, after dropping those left by test
/// processes that are gone; returns its name.
async fn make_template(admin_url: &str, template: Template) -> String {
    let admin = sea_orm::Database::connect(admin_url).await.expect("PostgreSQL");
    let prefix = "annals_template_";
    let rows = admin
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT datname FROM pg_database WHERE datname LIKE '{prefix}%'"),
        ))
        .await
        .expect("the databases are listed");
    for row in rows {
        let name: String = row.try_get("", "datname").expect("a name");
        let pid = name.trim_start_matches(prefix).split('_').next().unwrap_or_default();
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .ok();
        }
    }
    let name = format!("{prefix}{}_{}", std::process::id(), template.name());
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.ok();
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("CREATE DATABASE");
    let mut url = url::Url::parse(admin_url).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&name);
    let database = Database::connect(url.as_str()).await.expect("the template opens");
    database.migrate().await.expect("migrations run");
    if template == Template::Bundled {
        annals::dataset::import_bundled_if_empty(&database.conn).await.expect("the dataset loads");
    }
    // A template is copied only while nobody is connected to it.
    database.conn.close().await.expect("the template's pool closes");
    admin.close().await.ok();
    name
}

impl Drop for DatabaseGuard {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else { return };
        // Drop runs outside async code: use a private runtime on a plain thread.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async {
                let admin = sea_orm::Database::connect(admin_url.as_str()).await?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await?;
                admin.close().await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop a test database");
        }
    }
}

/// The log lines of a running `annals` process, as they arrive.
pub type Log = Arc<std::sync::Mutex<Vec<String>>>;

/// The real `annals` binary, serving on a port of its own.
pub struct Binary {
    /// The process, killed when dropped.
    pub child: tokio::process::Child,
    /// The port it listens on.
    pub port: u16,
    /// Its JSON log lines.
    pub log: Log,
    /// The task reading its log; it ends when the process does.
    pub reader: tokio::task::JoinHandle<()>,
}

impl Binary {
    /// Starts `annals serve` on `database_url` with one worker, JSON logs and `env` on top.
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> Binary {
        use tokio::io::{AsyncBufReadExt, BufReader};
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_annals"));
        command
            .env("DATABASE_URL", database_url)
            .env("ANNALS_BIND", "127.0.0.1:0")
            .env("ANNALS_WORKERS", "1")
            .env("ANNALS_LOG_FORMAT", "json")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("the binary starts");
        let log: Log = Arc::default();
        let (port_tx, port_rx) = tokio::sync::oneshot::channel();
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let reader = {
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let mut port_tx = Some(port_tx);
                while let Ok(Some(line)) = lines.next_line().await {
                    let port =
                        serde_json::from_str::<Value>(&line).ok().and_then(|v| v["port"].as_u64());
                    if let Some(port) = port {
                        if let Some(tx) = port_tx.take() {
                            let _ = tx.send(port);
                        }
                    }
                    log.lock().expect("log").push(line);
                }
            })
        };
        let port = tokio::time::timeout(std::time::Duration::from_secs(60), port_rx)
            .await
            .expect("the server starts listening")
            .unwrap_or_else(|_| panic!("no port logged:\n{}", log.lock().expect("log").join("\n")));
        Binary { child, port: port as u16, log, reader }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}
