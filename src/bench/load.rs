//! Closed-loop load: a fixed number of workers, each sending its next request as soon as the
//! previous one is answered, until a deadline.

use super::Measurement;
use anyhow::Context as _;
use hdrhistogram::Histogram;
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// The slowest latency the histograms hold, in microseconds (ten minutes); slower requests are
/// recorded as this.
const MAX_LATENCY_US: u64 = 600_000_000;

fn histogram() -> anyhow::Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).context("cannot create a latency histogram")
}

/// What one worker saw.
struct WorkerResult {
    latencies: Histogram<u64>,
    failed: u64,
    first_error: Option<String>,
}

/// Runs `concurrency` workers for `duration`. Worker `w` sends request `w`, then
/// `w + concurrency`, and so on: `request(i)` picks its parameters by `i`. A request that
/// returns `Err` counts as failed; only successful ones count as throughput and latency.
///
/// # Errors
/// When a worker panics or a histogram cannot be built.
pub(crate) async fn run<F, Fut>(
    concurrency: usize,
    duration: Duration,
    request: F,
) -> anyhow::Result<Measurement>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let concurrency = concurrency.max(1);
    let started = Instant::now();
    let deadline = started + duration;
    let mut workers = JoinSet::new();
    for worker in 0..concurrency {
        let request = request.clone();
        let mut result = WorkerResult { latencies: histogram()?, failed: 0, first_error: None };
        workers.spawn(async move {
            let mut index = worker;
            while Instant::now() < deadline {
                let sent = Instant::now();
                match request(index).await {
                    Ok(()) => {
                        let micros = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
                        result.latencies.saturating_record(micros.max(1));
                    }
                    Err(error) => {
                        result.failed += 1;
                        result.first_error.get_or_insert(error);
                    }
                }
                index += concurrency;
            }
            result
        });
    }

    let mut latencies = histogram()?;
    let mut failed = 0;
    let mut first_error = None;
    while let Some(joined) = workers.join_next().await {
        let worker = joined.context("a load worker panicked")?;
        latencies.add(&worker.latencies).context("cannot merge latency histograms")?;
        failed += worker.failed;
        if first_error.is_none() {
            first_error = worker.first_error;
        }
    }
    let elapsed = started.elapsed();
    let quantile = |q: f64| {
        if latencies.is_empty() {
            0.0
        } else {
            latencies.value_at_quantile(q) as f64 / 1000.0
        }
    };
    Ok(Measurement {
        requests: latencies.len(),
        failed,
        elapsed,
        p50_ms: quantile(0.50),
        p95_ms: quantile(0.95),
        p99_ms: quantile(0.99),
        first_error,
    })
}
