//! What the server measures about itself, exposed at `/metrics` in the Prometheus text format.
//!
//! SQL statements per request is the ratio of two counters,
//! `rate(annals_sql_statements_total[1m]) / rate(annals_graphql_requests_total[1m])`: the
//! DataLoaders batch the keys of concurrent requests into one statement, so a statement belongs
//! to no single request.

use crate::db::Database;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use std::collections::HashSet;
use std::sync::RwLock;
use std::time::Duration;

/// Distinct operation names given a label of their own; later names share `other`, so a
/// client inventing names cannot grow the metrics without bound.
const MAX_OPERATION_LABELS: usize = 200;

/// How a GraphQL request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answered without errors.
    Ok,
    /// Executed, with errors in the response (bad input, not found, …).
    Error,
    /// Refused before execution: syntax, validation or a limit.
    Rejected,
    /// Stopped by the request time limit.
    Timeout,
    /// A resolver panicked (a bug).
    Panic,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Rejected => "rejected",
            Outcome::Timeout => "timeout",
            Outcome::Panic => "panic",
        }
    }
}

/// The server's metrics, shared by every worker.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    rejections: IntCounterVec,
    compiled: IntCounter,
    pool: IntGaugeVec,
    memory: IntGaugeVec,
    websockets: IntGaugeVec,
    operations: RwLock<HashSet<String>>,
}

impl Metrics {
    /// Metrics for a server reading `database` and `replicas`, whose statement counters and
    /// health they include.
    pub fn new(database: &Database, replicas: &crate::replicas::Replicas) -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "annals_graphql_requests_total",
                "GraphQL requests, by operation and outcome.",
            ),
            &["operation", "outcome"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "annals_graphql_request_duration_seconds",
                "Time from a parsed request to its serialized response, by operation.",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ]),
            &["operation"],
        )
        .expect("valid metric");
        let rejections = IntCounterVec::new(
            Opts::new(
                "annals_rejections_total",
                "Requests refused by a limit, by the error code they got.",
            ),
            &["code"],
        )
        .expect("valid metric");
        let compiled = IntCounter::new(
            "annals_graphql_compiled_total",
            "GraphQL requests answered by one compiled SQL statement instead of the resolvers.",
        )
        .expect("valid metric");
        let pool = IntGaugeVec::new(
            Opts::new("annals_db_pool_connections", "Database pool connections, by state."),
            &["state"],
        )
        .expect("valid metric");
        let memory = IntGaugeVec::new(
            Opts::new("annals_process_memory_bytes", "Resident memory now and at its peak."),
            &["kind"],
        )
        .expect("valid metric");
        let websockets = IntGaugeVec::new(
            Opts::new(
                "annals_websocket_open",
                "WebSocket connections open, and operations (subscriptions) running on them.",
            ),
            &["kind"],
        )
        .expect("valid metric");
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(websockets.clone()),
            Box::new(latency.clone()),
            Box::new(rejections.clone()),
            Box::new(compiled.clone()),
            Box::new(pool.clone()),
            Box::new(memory.clone()),
            Box::new(database.statements.clone()),
            Box::new(database.statement_seconds.clone()),
        ]
        .into_iter()
        .chain(replicas.collectors())
        {
            registry.register(collector).expect("metric names are unique");
        }
        Metrics {
            registry,
            requests,
            latency,
            rejections,
            compiled,
            pool,
            memory,
            websockets,
            operations: RwLock::default(),
        }
    }

    /// Records one GraphQL request: its operation name (if any), how it ended and how long
    /// it took.
    pub fn record(&self, operation: Option<&str>, outcome: Outcome, elapsed: Duration) {
        let operation = self.operation_label(operation);
        self.requests.with_label_values(&[operation, outcome.label()]).inc();
        self.latency.with_label_values(&[operation]).observe(elapsed.as_secs_f64());
    }

    /// Records a request refused by a limit, under the code the client got.
    pub fn reject(&self, code: crate::error::ErrorCode) {
        self.rejections.with_label_values(&[code.as_str()]).inc();
    }

    /// The gauges of open WebSocket connections and of the operations running on them.
    pub fn websockets(&self) -> (IntGauge, IntGauge) {
        let gauge = |kind| self.websockets.with_label_values(&[kind]);
        (gauge("connections"), gauge("operations"))
    }

    /// Records a request answered by a compiled statement.
    pub fn compiled(&self) {
        self.compiled.inc();
    }

    /// The label of an operation name: the name itself for the first names seen, so that a
    /// client inventing names cannot grow the metrics without bound.
    fn operation_label<'a>(&self, operation: Option<&'a str>) -> &'a str {
        let Some(name) = operation else { return "anonymous" };
        if self.operations.read().is_ok_and(|names| names.contains(name)) {
            return name;
        }
        match self.operations.write() {
            Ok(mut names) if names.len() < MAX_OPERATION_LABELS => {
                names.insert(name.to_owned());
                name
            }
            _ => "other",
        }
    }

    /// The exposition text, with the pool and memory gauges read now.
    pub fn render(&self, database: &Database) -> String {
        let pool = database.pool_status();
        self.pool.with_label_values(&["open"]).set(i64::from(pool.open));
        self.pool.with_label_values(&["idle"]).set(pool.idle as i64);
        self.pool.with_label_values(&["max"]).set(i64::from(pool.max));
        if let Some((rss, peak)) = memory() {
            self.memory.with_label_values(&["resident"]).set(rss as i64);
            self.memory.with_label_values(&["peak_resident"]).set(peak as i64);
        }
        let mut text = Vec::new();
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut text) {
            tracing::error!(error = %err, "metrics could not be encoded");
        }
        String::from_utf8(text).unwrap_or_default()
    }
}

/// Current and peak resident memory, from /proc on Linux.
fn memory() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib = |field: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse::<u64>()
            .ok()
            .map(|v| v * 1024)
    };
    Some((kib("VmRSS:")?, kib("VmHWM:")?))
}
