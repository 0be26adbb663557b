//! Benchmarks: speed and robustness measured against baselines run in the
//! same process, never asserted in timed tests.
//!
//! Owns: benchmark drivers and synthetic scale data (always labelled
//! synthetic). Does not own any production code path.
