//! `annals bench`: the benchmark harness.
//!
//! Given a running server (`--url`, its GraphQL endpoint) and its database (`DATABASE_URL`),
//! the harness runs each representative query (see [`queries`]) for `--duration` seconds at
//! `--concurrency` requests in flight, after `--warmup` seconds that are not measured. Every
//! response is checked: one with `errors` (or no `data`, or an HTTP error) counts as failed,
//! not as throughput. Per query it reports requests per second, p50/p95/p99 latency, failures,
//! SQL statements per request (from the server's `/metrics` counters, read before and after)
//! and, at the end, the server's peak RSS.
//!
//! On PostgreSQL, the same run measures the *raw-SQL limit* of each query: one hand-written
//! statement producing the same JSON, prepared once per connection and run over a pool of
//! `--concurrency` connections with the same parameter sets; `API/limit` is the API's
//! throughput divided by that limit's. Before anything is timed, each query is verified once
//! with a few parameter sets: the API's `data` and the statement's JSON must be equal, or the
//! run fails naming the first difference. On SQLite only the API side runs.
//!
//! Parameters are drawn from the database with a seeded generator (`--seed`), so two runs over
//! the same data ask the same questions.

mod live;
mod load;
mod params;
mod queries;
mod server;

use crate::config::{BenchArgs, Settings};
use crate::db::Database;
use anyhow::Context as _;
use params::{Drawn, Params};
use queries::QueryDef;
use sea_orm::sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sea_orm::sqlx::PgPool;
use serde_json::Value as Json;
use server::Server;
use std::fmt::Write as _;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How many distinct parameter sets each query is verified with.
const VERIFIED_SETS: usize = 3;

/// What one side of one query did during its measured period.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// Requests answered without errors.
    pub requests: u64,
    /// Requests that failed: errors in the response, HTTP or database errors.
    pub failed: u64,
    /// The measured period, until the last worker's last request returned.
    pub elapsed: Duration,
    /// Median latency of the successful requests, in milliseconds.
    pub p50_ms: f64,
    /// 95th-percentile latency, in milliseconds.
    pub p95_ms: f64,
    /// 99th-percentile latency, in milliseconds.
    pub p99_ms: f64,
    /// What the first failed request returned, if any failed.
    pub first_error: Option<String>,
}

impl Measurement {
    /// Successful requests per second.
    pub fn per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.requests as f64 / seconds
        } else {
            0.0
        }
    }
}

/// The results of one query.
#[derive(Debug, Clone)]
pub struct QueryReport {
    /// `1` to `6`, or `5p1` for the first page of query 5.
    pub label: &'static str,
    /// What the query asks for.
    pub description: &'static str,
    /// How many parameter sets the workers cycled through.
    pub param_sets: usize,
    /// For query 5: the page reached by cursor (200 unless the dataset is too small).
    pub page: Option<u64>,
    /// How many parameter sets were checked to give the same data on both sides; `None` when
    /// no limit was measured (SQLite).
    pub verified_param_sets: Option<usize>,
    /// The API side.
    pub api: Measurement,
    /// SQL statements the server ran per GraphQL request during the API measurement.
    pub sql_per_request: Option<f64>,
    /// The raw-SQL side; `None` on SQLite.
    pub limit: Option<Measurement>,
    /// The same query through each `--also-url`, in order.
    pub also: Vec<Measurement>,
    /// The server's peak RSS after this query's API measurement, in bytes.
    pub peak_rss_bytes: Option<u64>,
}

impl QueryReport {
    /// The API's throughput as a fraction of the raw-SQL limit's.
    pub fn api_to_limit(&self) -> Option<f64> {
        let limit = self.limit.as_ref()?.per_second();
        (limit > 0.0).then(|| self.api.per_second() / limit)
    }
}

/// The results of a whole run.
#[derive(Debug, Clone)]
pub struct Report {
    /// The GraphQL endpoint measured.
    pub url: String,
    /// The endpoints measured beside it (`--also-url`).
    pub also_urls: Vec<String>,
    /// Whether the raw-SQL limit was measured (PostgreSQL) or not (SQLite).
    pub limit_measured: bool,
    /// Requests in flight at once, on each side.
    pub concurrency: usize,
    /// The measured period of each query, on each side.
    pub duration: Duration,
    /// The unmeasured warm-up before each measurement.
    pub warmup: Duration,
    /// The seed parameters were drawn with.
    pub seed: u64,
    /// One entry per query run, in table order.
    pub queries: Vec<QueryReport>,
    /// The server's peak RSS at the end of the run, in bytes.
    pub peak_rss_bytes: Option<u64>,
}

/// A query with its parameters, ready to run.
struct Plan {
    query: QueryDef,
    drawn: Drawn,
}

/// Runs the benchmark and prints its table.
///
/// # Errors
/// As [`measure`]: setup, verification or measurement failed.
pub async fn run(settings: &Settings, args: &BenchArgs) -> anyhow::Result<()> {
    if args.subscribers > 0 {
        return live::run(settings, args).await;
    }
    let report = measure(settings, args).await?;
    print!("{}", render(&report));
    Ok(())
}

/// Runs the benchmark and returns its results without printing them.
///
/// # Errors
/// When the database URL is neither PostgreSQL nor SQLite, the server or the database cannot
/// be reached, the dataset holds nothing to ask about, or a query returns different data
/// through the API and through SQL (the error names the first difference and holds both).
pub async fn measure(settings: &Settings, args: &BenchArgs) -> anyhow::Result<Report> {
    let url = &settings.database_url;
    let limit_measured = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        true
    } else if url.starts_with("sqlite:") {
        false
    } else {
        anyhow::bail!("bench needs a postgres:// or sqlite: database URL");
    };
    let selected = select(&args.queries)?;
    let load = Load {
        concurrency: args.concurrency.max(1),
        duration: Duration::from_secs(args.duration),
        warmup: Duration::from_secs(args.warmup),
    };
    let server = Arc::new(Server::new(&args.url)?);
    let also = args
        .also_url
        .iter()
        .map(|url| Server::new(url).map(Arc::new))
        .collect::<anyhow::Result<Vec<_>>>()?;

    let database = Database::connect(url)
        .await
        .with_context(|| format!("cannot connect to {}", settings.database_url_masked()))?;
    let mut plans = Vec::with_capacity(selected.len());
    for query in selected {
        let drawn = params::draw(&database.conn, &query, args.seed)
            .await
            .with_context(|| format!("query {}: cannot draw parameters", query.label))?;
        anyhow::ensure!(!drawn.sets.is_empty(), "query {}: no parameters drawn", query.label);
        plans.push(Plan { query, drawn });
    }
    database.conn.close().await.context("cannot close the setup connection")?;

    let pool = if limit_measured {
        // Without JIT compilation, as the server's connections (`db.rs`).
        let options = url
            .parse::<PgConnectOptions>()
            .with_context(|| format!("cannot read {}", settings.database_url_masked()))?
            .options([("jit", "off")]);
        let pool = PgPoolOptions::new()
            .max_connections(u32::try_from(load.concurrency).unwrap_or(u32::MAX))
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .with_context(|| format!("cannot connect to {}", settings.database_url_masked()))?;
        Some(pool)
    } else {
        None
    };

    let mut verified = Vec::with_capacity(plans.len());
    for plan in &plans {
        verified.push(match &pool {
            Some(pool) => Some(verify(&server, pool, plan).await?),
            None => None,
        });
        for other in &also {
            verify_same(&server, other, plan).await?;
        }
    }

    let mut reports = Vec::with_capacity(plans.len());
    for (plan, verified_param_sets) in plans.into_iter().zip(verified) {
        let sets = Arc::new(plan.drawn.sets);
        let api = measure_api(&server, plan.query, &sets, load).await?;
        let mut beside = Vec::with_capacity(also.len());
        for other in &also {
            beside.push(measure_endpoint(other, plan.query, &sets, load).await?);
        }
        let limit = match &pool {
            Some(pool) => Some(measure_limit(pool, plan.query, &sets, load).await?),
            None => None,
        };
        reports.push(QueryReport {
            label: plan.query.label,
            description: plan.query.description,
            param_sets: sets.len(),
            page: plan.drawn.page,
            verified_param_sets,
            api: api.measurement,
            sql_per_request: api.sql_per_request,
            limit,
            also: beside,
            peak_rss_bytes: api.peak_rss_bytes,
        });
    }
    if let Some(pool) = pool {
        pool.close().await;
    }

    let peak_rss_bytes = server.metrics().await?.get(server::PEAK_RSS).map(|bytes| *bytes as u64);
    Ok(Report {
        url: args.url.clone(),
        also_urls: args.also_url.clone(),
        limit_measured,
        concurrency: load.concurrency,
        duration: load.duration,
        warmup: load.warmup,
        seed: args.seed,
        queries: reports,
        peak_rss_bytes,
    })
}

/// How hard and how long each side of each query is driven.
#[derive(Debug, Clone, Copy)]
struct Load {
    concurrency: usize,
    duration: Duration,
    warmup: Duration,
}

impl Load {
    /// Runs `request` for the warm-up period, unmeasured.
    async fn warm_up<F, Fut>(&self, request: F) -> anyhow::Result<()>
    where
        F: Fn(usize) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        if !self.warmup.is_zero() {
            load::run(self.concurrency, self.warmup, request).await?;
        }
        Ok(())
    }

    /// Runs `request` for the measured period.
    async fn measure<F, Fut>(&self, request: F) -> anyhow::Result<Measurement>
    where
        F: Fn(usize) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        load::run(self.concurrency, self.duration, request).await
    }
}

/// The API side of one query, with what the server's counters said about it.
struct ApiResult {
    measurement: Measurement,
    sql_per_request: Option<f64>,
    peak_rss_bytes: Option<u64>,
}

/// Drives the server with `query` over `sets`, reading `/metrics` just before and just after
/// the measured period.
async fn measure_api(
    server: &Arc<Server>,
    query: QueryDef,
    sets: &[Params],
    load: Load,
) -> anyhow::Result<ApiResult> {
    tracing::info!(query = query.label, "measuring the API");
    let request = requests(server, query, sets);
    load.warm_up(request.clone()).await?;
    let before = server.metrics().await?;
    let measurement = load.measure(request).await?;
    let after = server.metrics().await?;

    // A labelled counter has no sample until its first request: absent before means zero.
    let delta = |name: &str| Some(after.get(name)? - before.get(name).copied().unwrap_or(0.0));
    let sql_per_request = match (delta(server::SQL_STATEMENTS), delta(server::GRAPHQL_REQUESTS)) {
        (Some(statements), Some(requests)) if requests > 0.0 => Some(statements / requests),
        _ => None,
    };
    let peak_rss_bytes = after.get(server::PEAK_RSS).map(|bytes| *bytes as u64);
    Ok(ApiResult { measurement, sql_per_request, peak_rss_bytes })
}

/// One request of `query` to `server` per call, cycling through `sets`.
fn requests(
    server: &Arc<Server>,
    query: QueryDef,
    sets: &[Params],
) -> impl Fn(usize) -> std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send>>
       + Clone
       + Send
       + 'static {
    let bodies: Arc<Vec<String>> = Arc::new(
        sets.iter().map(|params| Server::body(query.document, &params.variables())).collect(),
    );
    let server = Arc::clone(server);
    move |index: usize| {
        let server = Arc::clone(&server);
        let body = bodies[index % bodies.len()].clone();
        Box::pin(async move { server.request(body).await })
    }
}

/// Drives another endpoint (`--also-url`) with `query` over `sets`, without its counters.
async fn measure_endpoint(
    server: &Arc<Server>,
    query: QueryDef,
    sets: &[Params],
    load: Load,
) -> anyhow::Result<Measurement> {
    tracing::info!(query = query.label, "measuring another endpoint");
    let request = requests(server, query, sets);
    load.warm_up(request.clone()).await?;
    load.measure(request).await
}

/// Checks that `other` answers `plan`'s first parameter set with the same data as `server`.
async fn verify_same(server: &Server, other: &Server, plan: &Plan) -> anyhow::Result<()> {
    let Some(params) = plan.drawn.sets.first() else { return Ok(()) };
    let body = Server::body(plan.query.document, &params.variables());
    let (ours, theirs) = (server.data(body.clone()).await?, other.data(body).await?);
    anyhow::ensure!(
        ours == theirs,
        "query {}: the endpoints answer differently: {}",
        plan.query.label,
        first_difference(&ours, &theirs, "data").unwrap_or_default()
    );
    Ok(())
}

/// Drives PostgreSQL with the hand-written statement of `query` over the same `sets`. sqlx
/// prepares each statement once per connection and caches it.
async fn measure_limit(
    pool: &PgPool,
    query: QueryDef,
    sets: &Arc<Vec<Params>>,
    load: Load,
) -> anyhow::Result<Measurement> {
    tracing::info!(query = query.label, "measuring the raw-SQL limit");
    let request = {
        let pool = pool.clone();
        let sets = Arc::clone(sets);
        move |index: usize| {
            let pool = pool.clone();
            let sets = Arc::clone(&sets);
            async move {
                let params = &sets[index % sets.len()];
                queries::bind(sea_orm::sqlx::query_scalar(query.statement(params)), params)
                    .fetch_one(&pool)
                    .await
                    .map(drop)
                    .map_err(|err| err.to_string())
            }
        }
    };
    load.warm_up(request.clone()).await?;
    load.measure(request).await
}

/// The queries `--queries` selects, in table order; all of them when it is empty.
fn select(numbers: &[u8]) -> anyhow::Result<Vec<QueryDef>> {
    let last = queries::ALL.iter().map(|query| query.number).max().unwrap_or(0);
    if let Some(bad) = numbers.iter().find(|n| !(1..=last).contains(*n)) {
        anyhow::bail!("--queries takes numbers from 1 to {last}, not {bad}");
    }
    Ok(queries::ALL
        .into_iter()
        .filter(|query| numbers.is_empty() || numbers.contains(&query.number))
        .collect())
}

/// Checks that the API and the raw SQL return the same data for the first few distinct
/// parameter sets of `plan`, and returns how many were checked.
async fn verify(server: &Server, pool: &PgPool, plan: &Plan) -> anyhow::Result<usize> {
    let label = plan.query.label;
    tracing::info!(query = label, "verifying that the API and the SQL agree");
    let mut distinct: Vec<&Params> = Vec::with_capacity(VERIFIED_SETS);
    for params in &plan.drawn.sets {
        if distinct.len() == VERIFIED_SETS {
            break;
        }
        if !distinct.contains(&params) {
            distinct.push(params);
        }
    }
    for params in &distinct {
        let variables = params.variables();
        let api = server
            .data(Server::body(plan.query.document, &variables))
            .await
            .with_context(|| format!("query {label} with {variables}: the API failed"))?;
        let text: String =
            queries::bind(sea_orm::sqlx::query_scalar(plan.query.statement(params)), params)
                .fetch_one(pool)
                .await
                .with_context(|| format!("query {label} with {variables}: the SQL failed"))?;
        let sql: Json = serde_json::from_str(&text)
            .with_context(|| format!("query {label}: the SQL returned no JSON: {text}"))?;
        if api != sql {
            let difference =
                first_difference(&api, &sql, "data").unwrap_or_else(|| "somewhere".to_owned());
            anyhow::bail!(
                "verification failed: query {label} with {variables} returns different data \
                 through the API and through SQL, first {difference}\n\
                 API:\n{api:#}\nSQL:\n{sql:#}"
            );
        }
    }
    Ok(distinct.len())
}

/// Where two JSON values first differ, as `at path: API … vs SQL …`.
fn first_difference(api: &Json, sql: &Json, path: &str) -> Option<String> {
    match (api, sql) {
        (Json::Object(a), Json::Object(b)) => {
            for key in a.keys().chain(b.keys()) {
                let inner = format!("{path}.{key}");
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => {
                        if let Some(found) = first_difference(x, y, &inner) {
                            return Some(found);
                        }
                    }
                    (x, y) => return Some(format!("at {inner}: API {x:?} vs SQL {y:?}")),
                }
            }
            None
        }
        (Json::Array(a), Json::Array(b)) => {
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                if let Some(found) = first_difference(x, y, &format!("{path}[{index}]")) {
                    return Some(found);
                }
            }
            (a.len() != b.len()).then(|| {
                format!("at {path}: {} items through the API, {} through SQL", a.len(), b.len())
            })
        }
        _ if api == sql => None,
        _ => Some(format!("at {path}: API {api} vs SQL {sql}")),
    }
}

/// The report as printed by `annals bench`: a Markdown table, then notes.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "annals bench: {}, {} concurrent, {}s per query and side after {}s warm-up, seed {}\n",
        report.url,
        report.concurrency,
        report.duration.as_secs(),
        report.warmup.as_secs(),
        report.seed,
    );
    let _ = writeln!(
        out,
        "| query | API req/s | p50 ms | p95 ms | p99 ms | failed | SQL/req | limit req/s | limit p99 ms | API/limit |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    let na = || "n/a".to_owned();
    for query in &report.queries {
        let api = &query.api;
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {} | {} |",
            query.label,
            api.per_second(),
            api.p50_ms,
            api.p95_ms,
            api.p99_ms,
            api.failed,
            query.sql_per_request.map_or_else(na, |n| format!("{n:.1}")),
            query.limit.as_ref().map_or_else(na, |l| format!("{:.0}", l.per_second())),
            query.limit.as_ref().map_or_else(na, |l| format!("{:.2}", l.p99_ms)),
            query.api_to_limit().map_or_else(na, |r| format!("{r:.2}")),
        );
    }

    if !report.also_urls.is_empty() {
        let _ = writeln!(out, "\nThe same requests beside `{}`:\n", report.url);
        let _ = writeln!(out, "| query | endpoint | req/s | p50 ms | p99 ms | failed | vs first |");
        let _ = writeln!(out, "|---|---|--:|--:|--:|--:|--:|");
        for query in &report.queries {
            let rows = std::iter::once((report.url.as_str(), &query.api))
                .chain(report.also_urls.iter().map(String::as_str).zip(&query.also));
            for (url, side) in rows {
                let _ = writeln!(
                    out,
                    "| {} | {url} | {:.0} | {:.2} | {:.2} | {} | {} |",
                    query.label,
                    side.per_second(),
                    side.p50_ms,
                    side.p99_ms,
                    side.failed,
                    ratio(side.per_second(), query.api.per_second())
                        .map_or_else(na, |r| format!("{r:.2}")),
                );
            }
        }
    }

    let _ = writeln!(out);
    for query in &report.queries {
        let _ = write!(out, "- {}: {}", query.label, query.description);
        if let Some(page) = query.page.filter(|page| *page != params::DEEP_PAGE) {
            let _ = write!(out, " (page {page} here: the dataset is too small for page 200)");
        }
        let plural = if query.param_sets == 1 { "" } else { "s" };
        let _ = writeln!(out, "; {} parameter set{plural}", query.param_sets);
    }
    if report.limit_measured {
        let _ = writeln!(
            out,
            "- limit: one hand-written, prepared PostgreSQL statement returning the same JSON, \
             verified equal; API/limit = API req/s ÷ limit req/s"
        );
    } else {
        let _ = writeln!(out, "- limit: not measured on SQLite");
    }

    let find = |label: &str| report.queries.iter().find(|query| query.label == label);
    if let (Some(deep), Some(first)) = (find("5"), find("5p1")) {
        let page = deep.page.unwrap_or(params::DEEP_PAGE);
        let latency = ratio(deep.api.p50_ms, first.api.p50_ms);
        let _ = writeln!(
            out,
            "- page {page} vs page 1 (API): p50 {:.2} ms vs {:.2} ms = {}×, {:.0} vs {:.0} req/s \
             (target: within 1.5×)",
            deep.api.p50_ms,
            first.api.p50_ms,
            latency.map_or_else(na, |r| format!("{r:.2}")),
            deep.api.per_second(),
            first.api.per_second(),
        );
    }
    for query in &report.queries {
        let sides = [Some(("API", &query.api)), query.limit.as_ref().map(|l| ("limit", l))];
        for (side, measurement) in sides.into_iter().flatten() {
            if let Some(error) = &measurement.first_error {
                let _ = writeln!(
                    out,
                    "- {} {side}: {} failed; the first: {error}",
                    query.label, measurement.failed
                );
            }
        }
    }
    match report.peak_rss_bytes {
        Some(bytes) => {
            let _ = writeln!(out, "- server peak RSS: {:.1} MiB", bytes as f64 / 1048576.0);
        }
        None => {
            let _ = writeln!(out, "- server peak RSS: not reported");
        }
    }
    out
}

/// `a / b`, when `b` is positive.
fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differences_are_located() {
        let api = json!({ "node": { "list": [{ "a": 1 }, { "a": 2 }] } });
        assert_eq!(first_difference(&api, &api.clone(), "data"), None);
        let sql = json!({ "node": { "list": [{ "a": 1 }, { "a": 3 }] } });
        assert_eq!(
            first_difference(&api, &sql, "data").as_deref(),
            Some("at data.node.list[1].a: API 2 vs SQL 3")
        );
        let short = json!({ "node": { "list": [{ "a": 1 }] } });
        assert!(first_difference(&api, &short, "data").unwrap().contains("2 items"));
    }

    #[test]
    fn queries_are_selected_by_number() {
        let labels =
            |numbers: &[u8]| select(numbers).unwrap().iter().map(|q| q.label).collect::<Vec<_>>();
        assert_eq!(labels(&[]), ["1", "2", "3", "4", "5", "5p1", "6", "7", "8", "9", "10"]);
        assert_eq!(labels(&[6, 5]), ["5", "5p1", "6"]);
        assert!(select(&[11]).is_err());
        assert!(select(&[0]).is_err());
    }
}
