use tracing_subscriber::EnvFilter;

/// Logs go to stderr so that stdout stays clean for `--json` output.
/// `filter` (from --log, PATMATCH_LOG or the config file) wins; otherwise
/// -v counts, then RUST_LOG, then `warn`.
pub fn init_logging(filter: Option<&str>, verbose: u8) {
    let filter = match (filter, verbose) {
        (Some(filter), _) => EnvFilter::new(filter),
        (None, 0) => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        (None, 1) => EnvFilter::new("info"),
        (None, 2) => EnvFilter::new("debug"),
        (None, _) => EnvFilter::new("trace"),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
