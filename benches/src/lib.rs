//! Benchmarks: speed and robustness measured against baselines run in the
//! same process, never asserted in timed tests.
//!
//! Owns: benchmark drivers and synthetic scale data (always labelled
//! synthetic). Does not own any production code path.

use std::path::{Path, PathBuf};

/// Sets RAYON_NUM_THREADS once, before any thread exists, as the patmatch
/// binary does: candle otherwise counts the CPUs on every matmul, which
/// would be measured as search time.
pub fn pin_thread_count() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        std::env::set_var("RAYON_NUM_THREADS", threads.to_string());
    }
}

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
