//! `annals bench`: the benchmark harness.

use crate::config::{BenchArgs, Settings};

/// Runs the benchmark and prints its table.
pub async fn run(_settings: &Settings, _args: &BenchArgs) -> anyhow::Result<()> {
    anyhow::bail!("bench: not written yet")
}
