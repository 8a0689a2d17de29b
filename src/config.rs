//! Configuration, read once at start from flags and environment variables.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The default database: a SQLite file in the working directory, created on first start, so
/// that `cargo run` works with nothing but Rust installed.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://annals.db?mode=rwc";

/// Annals: a provenance-first GraphQL API over events, actors, statements and casualty figures.
#[derive(Debug, Parser)]
#[command(name = "annals", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

/// The commands of the `annals` binary.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the GraphQL server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Import data files, each in one transaction: an invalid file writes nothing. A dataset
    /// file is loaded whole; an ACLED export is merged row by row (rows seen before and
    /// unchanged are skipped).
    Import {
        /// The files: Annals dataset JSON (see data/README.md), ACLED or UCDP GED CSV, GDELT 2.0
        /// events or mentions.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The files' format; detected from each file's contents when left out.
        #[arg(long, value_enum)]
        format: Option<crate::dataset::Format>,
        /// Write the valid rows of an export that has invalid ones, and the invalid ones with
        /// their problems to FILE.rejected.csv beside it.
        #[arg(long)]
        skip_invalid: bool,
        /// Archive the records of rows that earlier imports of the dataset had, within the
        /// countries and dates an export covers, and the export no longer has (they are
        /// always reported).
        #[arg(long)]
        archive_missing: bool,
        /// Rows read and written at a time: memory grows with it, and the number of
        /// statements an import sends shrinks.
        #[arg(long, default_value_t = crate::dataset::external::ROWS_PER_CHUNK,
              value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        chunk_rows: u32,
    },
    /// Write the database's contents as a dataset file, or the events matching a filter as
    /// CSV, GeoJSON or NDJSON, to a file or standard output.
    Export {
        /// Where to write; standard output when omitted.
        file: Option<PathBuf>,
        /// What to write: the whole database as a dataset file, or events in a flat format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Dataset)]
        format: ExportFormat,
        /// The columns of a CSV export: Annals' own, or ACLED's current export's.
        #[arg(long, value_enum)]
        flavor: Option<crate::dataset::CsvFlavor>,
        /// Which events, as the JSON of the GraphQL `events(filter:)` argument, such as
        /// `{"countryCodes":["KZ"],"from":"2022-01-01","types":["RIOTS"]}`; every event when
        /// omitted.
        #[arg(long)]
        filter: Option<String>,
    },
    /// Print the GraphQL schema (SDL) that the server serves.
    Schema {
        /// Write it to this file instead (`schema.graphql`). Unlike a shell redirection, this
        /// leaves the file whole while cargo builds, and the explorer's build reads it.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Fill an empty database with a deterministic, realistic synthetic dataset.
    #[cfg(feature = "tools")]
    Generate {
        /// How many events to generate; every other table grows in proportion.
        #[arg(long)]
        events: u64,
        /// Seed of the generator: the same seed and size give the same dataset.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Measure a running server against the raw-SQL limit of its database (PostgreSQL).
    #[cfg(feature = "tools")]
    Bench(BenchArgs),
    /// Manage API keys.
    Keys {
        /// What to do with keys.
        #[command(subcommand)]
        action: KeysCommand,
    },
}

/// What `annals export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// The whole database as an Annals dataset file (JSON), which `annals import` reads.
    Dataset,
    /// Events as CSV, in the columns `--flavor` names.
    Csv,
    /// Events as an RFC 7946 GeoJSON FeatureCollection.
    Geojson,
    /// Events as GeoJSON Features, one per line.
    Ndjson,
}

/// `annals keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it; it is shown this once, only its hash is stored.
    Create {
        /// A unique name, recorded as the author of every change made with the key.
        #[arg(long)]
        name: String,
        /// What the key may do.
        #[arg(long, value_enum)]
        role: KeyRole,
    },
    /// List the keys (never the keys themselves).
    List,
    /// Revoke a key; requests with it are refused from then on.
    Revoke {
        /// The key's name.
        name: String,
    },
}

/// The roles a key can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyRole {
    /// Reads everything (useful where anonymous reading is off).
    Reader,
    /// Also writes.
    Editor,
    /// Also manages keys and purges.
    Admin,
}

impl From<KeyRole> for crate::domain::Role {
    fn from(role: KeyRole) -> Self {
        match role {
            KeyRole::Reader => crate::domain::Role::Reader,
            KeyRole::Editor => crate::domain::Role::Editor,
            KeyRole::Admin => crate::domain::Role::Admin,
        }
    }
}

/// Options of `annals bench`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// The GraphQL endpoint of the running server.
    #[arg(long, default_value = "http://127.0.0.1:8000/graphql")]
    pub url: String,
    /// Another GraphQL endpoint serving the same database (another instance, or a load
    /// balancer in front of several), run with the same queries and parameters right after
    /// `--url` and shown beside it; repeatable. Its `/metrics` are not read.
    #[arg(long)]
    pub also_url: Vec<String>,
    /// Seconds each query is run for, on each side.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Seconds of unmeasured warm-up before each measurement.
    #[arg(long, default_value_t = 2)]
    pub warmup: u64,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Which queries to run (1-10); all when omitted.
    #[arg(long, value_delimiter = ',')]
    pub queries: Vec<u8>,
    /// Seed for drawing query parameters.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Instead of the queries: this many WebSocket subscribers of one event's changes, and
    /// the delay from each write's commit to the last of them receiving it.
    #[arg(long, default_value_t = 0)]
    pub subscribers: usize,
    /// Writes made in the subscriber benchmark, one after another.
    #[arg(long, default_value_t = 100)]
    pub writes: usize,
}

/// Settings shared by every command.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database URL: `postgres://…` or `sqlite://path?mode=rwc`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,
    /// A PostgreSQL streaming replica that queries read from (repeat the flag for several;
    /// comma-separated in the environment variable). Mutations, subscriptions and API keys
    /// use `DATABASE_URL`, the primary.
    #[arg(
        long = "database-replica-url",
        env = "ANNALS_DATABASE_REPLICA_URLS",
        value_delimiter = ',',
        global = true
    )]
    pub database_replica_urls: Vec<String>,
    /// Milliseconds a replica may be behind the primary before it is taken out of rotation.
    #[arg(long, env = "ANNALS_REPLICA_MAX_LAG_MS", default_value_t = 2_000, global = true)]
    pub replica_max_lag_ms: u64,
    /// Milliseconds a query carrying a consistency token waits for a replica to replay that
    /// far before the primary answers it.
    #[arg(long, env = "ANNALS_REPLICA_WAIT_MS", default_value_t = 100, global = true)]
    pub replica_wait_ms: u64,
    /// Milliseconds between two checks of the replicas' positions.
    #[arg(long, env = "ANNALS_REPLICA_CHECK_MS", default_value_t = 250,
          value_parser = clap::value_parser!(u64).range(10..), global = true)]
    pub replica_check_ms: u64,
    /// Address the server listens on.
    #[arg(long, env = "ANNALS_BIND", default_value = "127.0.0.1:8000", global = true)]
    pub bind: String,
    /// HTTP worker threads; each runs its own event loop. Defaults to the number of CPUs.
    #[arg(long, env = "ANNALS_WORKERS", global = true)]
    pub workers: Option<usize>,
    /// The deployment posture: `production` turns off introspection, GraphiQL and field
    /// suggestions unless they are switched on one by one.
    #[arg(long, env = "ANNALS_PROFILE", value_enum, default_value_t = Profile::Development, global = true)]
    pub profile: Profile,
    /// Answer introspection queries (default: on in development, off in production).
    #[arg(long, env = "ANNALS_INTROSPECTION", action = clap::ArgAction::Set, global = true)]
    pub introspection: Option<bool>,
    /// Serve the GraphiQL IDE to browsers (default: on in development, off in production).
    #[arg(long, env = "ANNALS_GRAPHIQL", action = clap::ArgAction::Set, global = true)]
    pub graphiql: Option<bool>,
    /// Serve the explorer, the read-only web page over the API, at `/`.
    #[arg(long, env = "ANNALS_EXPLORER", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub explorer: bool,
    /// Serve the explorer from this folder (`web/dist`, as `node build.mjs dist` writes it),
    /// read at every request, instead of the page built into the binary: for working on the
    /// page without rebuilding the server.
    #[arg(long, env = "ANNALS_EXPLORER_DIR", global = true)]
    pub explorer_dir: Option<std::path::PathBuf>,
    /// Browser origins allowed to call the API (CORS), comma-separated, or `*` for any.
    /// None by default: browsers may then only call it from its own origin.
    #[arg(long, env = "ANNALS_CORS_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_origins: Vec<String>,
    /// Milliseconds a GraphQL request may run before it is stopped with `TIMEOUT`; on
    /// PostgreSQL also each SQL statement's `statement_timeout`.
    #[arg(long, env = "ANNALS_REQUEST_TIMEOUT_MS", default_value_t = 30_000,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub request_timeout_ms: u64,
    /// Deepest selection nesting a query may have.
    #[arg(long, env = "ANNALS_MAX_DEPTH", default_value_t = 15, global = true)]
    pub max_depth: usize,
    /// Largest complexity a query may have: each field costs one, and a connection multiplies
    /// what it selects by its page size, so `first: 100` three levels deep costs what it
    /// really costs.
    #[arg(long, env = "ANNALS_MAX_COMPLEXITY", default_value_t = 50_000, global = true)]
    pub max_complexity: usize,
    /// Let requests without an API key read; off for private deployments, where every
    /// request needs a key.
    #[arg(long, env = "ANNALS_ANONYMOUS_READ", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub anonymous_read: bool,
    /// Largest request body accepted, in bytes; a larger one is refused before it is read
    /// whole or parsed.
    #[arg(long, env = "ANNALS_MAX_BODY_BYTES", default_value_t = 256 * 1024,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub max_body_bytes: u64,
    /// Most lexical tokens a GraphQL document may have; checked before parsing.
    #[arg(long, env = "ANNALS_MAX_TOKENS", default_value_t = 5_000, global = true)]
    pub max_tokens: usize,
    /// Most aliased fields a query may select, a fragment counting once per spread.
    #[arg(long, env = "ANNALS_MAX_ALIASES", default_value_t = 50, global = true)]
    pub max_aliases: usize,
    /// GraphQL requests per second each client may make on average: each API key, or each
    /// address for requests without one. 0 turns rate limiting off.
    #[arg(long, env = "ANNALS_RATE_LIMIT", default_value_t = 50, global = true)]
    pub rate_limit: u32,
    /// How many requests a client may make at once before the average applies.
    #[arg(long, env = "ANNALS_RATE_LIMIT_BURST", default_value_t = 200,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub rate_limit_burst: u32,
    /// WebSocket connections each client may hold open at once (each API key, or each
    /// address without one).
    #[arg(long, env = "ANNALS_MAX_SOCKETS_PER_CLIENT", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub max_sockets_per_client: u32,
    /// Subscriptions (and other operations) running at once on one WebSocket connection.
    #[arg(long, env = "ANNALS_MAX_SUBSCRIPTIONS_PER_SOCKET", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub max_subscriptions_per_socket: u32,
    /// Seconds a WebSocket connection may stay open with no subscription running before it
    /// is closed.
    #[arg(long, env = "ANNALS_SOCKET_IDLE_TIMEOUT_SECS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub socket_idle_timeout_secs: u64,
    /// Take the client's address from `Forwarded` / `X-Forwarded-For`; only behind a reverse
    /// proxy that sets them, since clients can forge them otherwise.
    #[arg(long, env = "ANNALS_TRUST_PROXY", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub trust_proxy: bool,
    /// Requests slower than this many milliseconds are logged with their operation name.
    #[arg(long, env = "ANNALS_SLOW_REQUEST_MS", default_value_t = 1_000, global = true)]
    pub slow_request_ms: u64,
    /// Milliseconds to wait for a database connection before answering
    /// `SERVICE_UNAVAILABLE`.
    #[arg(long, env = "ANNALS_DB_ACQUIRE_TIMEOUT_MS", default_value_t = 3_000,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub db_acquire_timeout_ms: u64,
    /// Plan each prepared SQL statement once for all its parameter values (PostgreSQL's
    /// `plan_cache_mode = force_generic_plan`) instead of re-planning it at every execution
    /// when PostgreSQL guesses that pays; turn off if a query with skewed filter values needs
    /// plans made for its values.
    #[arg(long, env = "ANNALS_DB_GENERIC_PLANS", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub db_generic_plans: bool,
    /// Answer read queries whose every field the SQL compiler knows with one SQL statement
    /// built for the whole request (PostgreSQL only); off runs every request through the
    /// resolvers. Both give the same answers; the switch exists to prove it and to rule the
    /// compiler out when chasing a problem.
    #[arg(long, env = "ANNALS_COMPILED_READS", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub compiled_reads: bool,
    /// Answer statistics from the rollup kept by the writes when it holds the answer; off
    /// counts the events every time. Both give the same answers; the switch exists to prove
    /// it and to rule the rollup out when chasing a problem.
    #[arg(long, env = "ANNALS_STATS_ROLLUP", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub stats_rollup: bool,
    /// How many of the events' matches, and of the statements', a full-text search ranks: the
    /// most recently recorded ones. Ranking reads every record it ranks, so a word found in tens of thousands of
    /// records would otherwise take hundreds of milliseconds; a search that asks
    /// `exhaustive: true` ranks every match. The answer says when matches were left unranked.
    /// At most 1,000,000.
    #[arg(long, env = "ANNALS_SEARCH_RANKED", default_value_t = 1_000,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000), global = true)]
    pub search_ranked: u64,
    /// Log filter, in `tracing` env-filter syntax (`info`, `annals=debug,sea_orm=warn`).
    #[arg(long = "log", env = "ANNALS_LOG", default_value = "info", global = true)]
    pub log_filter: String,
    /// Log output format.
    #[arg(long, env = "ANNALS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// Load the bundled dataset when the database is empty on start.
    #[arg(long, env = "ANNALS_LOAD_BUNDLED", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub load_bundled: bool,
}

/// A deployment posture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    /// Exploration: introspection, GraphiQL and field suggestions on.
    Development,
    /// A public deployment: introspection, GraphiQL and field suggestions off.
    Production,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl Settings {
    /// How long a request may run.
    pub fn request_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.request_timeout_ms)
    }

    /// Whether introspection queries are answered.
    pub fn introspection_enabled(&self) -> bool {
        self.introspection.unwrap_or(self.profile == Profile::Development)
    }

    /// Whether browsers get the GraphiQL IDE.
    pub fn graphiql_enabled(&self) -> bool {
        self.graphiql.unwrap_or(self.profile == Profile::Development)
    }

    /// The database URL with any password replaced, for logs.
    pub fn database_url_masked(&self) -> String {
        mask_password(&self.database_url)
    }

    /// The replicas' URLs with their passwords masked, for logs.
    pub fn replica_urls_masked(&self) -> Vec<String> {
        self.database_replica_urls.iter().map(|url| mask_password(url)).collect()
    }

    /// How the replicas are watched and used.
    pub fn replicas(&self) -> crate::replicas::Settings {
        crate::replicas::Settings {
            max_lag: std::time::Duration::from_millis(self.replica_max_lag_ms),
            wait: std::time::Duration::from_millis(self.replica_wait_ms),
            check_every: std::time::Duration::from_millis(self.replica_check_ms),
        }
    }
}

fn mask_password(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // set_password only fails for URLs that cannot have one, which we checked.
            let _ = parsed.set_password(Some("****"));
            parsed.to_string()
        }
        Ok(_) => raw.to_owned(),
        Err(_) => "<unparseable database URL>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_in_logged_urls() {
        assert_eq!(
            mask_password("postgres://annals:s3cret@db:5432/annals"),
            "postgres://annals:****@db:5432/annals"
        );
        assert_eq!(mask_password(DEFAULT_DATABASE_URL), DEFAULT_DATABASE_URL);
    }
}
