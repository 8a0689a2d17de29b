//! Counters the server keeps about itself, exposed at `/metrics` in the Prometheus text format.

use crate::db::Database;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Request counters shared by every worker.
#[derive(Debug, Default)]
pub struct Metrics {
    graphql_requests: AtomicU64,
    graphql_failures: AtomicU64,
}

impl Metrics {
    /// Records one executed GraphQL request and whether its response held errors.
    pub fn record(&self, failed: bool) {
        self.graphql_requests.fetch_add(1, Ordering::Relaxed);
        if failed {
            self.graphql_failures.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The exposition text.
    pub fn render(&self, database: &Database) -> String {
        let mut text = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: u64| {
            let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
        };
        metric(
            "annals_graphql_requests_total",
            "counter",
            "GraphQL requests executed.",
            self.graphql_requests.load(Ordering::Relaxed),
        );
        metric(
            "annals_graphql_failed_requests_total",
            "counter",
            "GraphQL requests whose response held errors.",
            self.graphql_failures.load(Ordering::Relaxed),
        );
        metric(
            "annals_sql_statements_total",
            "counter",
            "SQL statements sent to the database.",
            database.statements_executed(),
        );
        if let Some((rss, peak)) = memory() {
            metric("process_resident_memory_bytes", "gauge", "Resident set size.", rss);
            metric(
                "annals_process_peak_rss_bytes",
                "gauge",
                "Peak resident set size (VmHWM).",
                peak,
            );
        }
        text
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
