use std::time::Duration;

/// How the HTTP service behaves. A library value: `patmatch serve` fills it
/// from its layered settings; nothing here reads the environment or files.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Search, listing pages and similar listings answer without a key.
    /// Everything else still needs one.
    pub public_search: bool,
    /// Largest request body, in bytes. Bulk upserts are the big ones.
    pub body_limit_bytes: usize,
    /// A request that takes longer gets `408 request_timeout`.
    pub request_timeout: Duration,
    /// Requests handled at once; more wait for a slot (then time out).
    pub concurrency_limit: usize,
    /// Longest query text, in characters.
    pub max_query_chars: usize,
    /// Largest page.
    pub max_limit: usize,
    /// After a write, how long to wait for more writes before re-indexing,
    /// so that a burst of writes costs one index update.
    pub reindex_debounce: Duration,
    /// Where listing links in exports point: `{base_url}/listings/{id}`.
    pub base_url: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            public_search: false,
            body_limit_bytes: 8 << 20,
            request_timeout: Duration::from_secs(30),
            concurrency_limit: 256,
            max_query_chars: 2_000,
            max_limit: 100,
            reindex_debounce: Duration::from_millis(200),
            base_url: "http://127.0.0.1:8080".into(),
        }
    }
}
