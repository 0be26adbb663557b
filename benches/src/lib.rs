//! Benchmarks: speed and robustness measured against baselines run in the
//! same process, never asserted in timed tests.
//!
//! Owns: benchmark drivers and synthetic scale data (always labelled
//! synthetic). Does not own any production code path.

use std::path::{Path, PathBuf};

pub mod load;
pub mod synthetic;

/// As the binaries do: see [`models::pin_thread_count`].
pub use models::pin_thread_count;

/// The workspace root (cargo runs benches from the package directory).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The environment variable `name`, else `default`.
pub fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// The median of `samples` (mean of the middle two for an even count); 0
/// for none.
pub fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Nearest-rank percentile, `p` in 0–100: the smallest sample with at
/// least `p` % of the samples at or below it; 0 for none, as [`median`].
pub fn percentile(samples: &[f64], p: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
