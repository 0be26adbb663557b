use crate::Fusion;

/// How the ranker searches. Every field has a measured or documented
/// default; libraries never read the environment, so binaries fill this in.
#[derive(Debug, Clone, PartialEq)]
pub struct RankerConfig {
    /// How BM25 and vector candidates are fused when a request does not
    /// say: convex with vector weight 0.3, measured through this ranker
    /// with `patmatch-eval` (eval/README.md). Dev nDCG@10: BM25 0.497,
    /// vectors 0.420, RRF k = 60 0.450, RRF k = 20 0.509, convex W = 0.2
    /// 0.558, 0.25 0.565, 0.3 0.562, 0.35 0.558, 0.4 0.558, 0.5 0.540.
    /// Known-item MRR@10: convex 0.3 0.811 (best), 0.4 0.808, BM25 0.784,
    /// RRF k = 60 0.727. The plateau 0.25–0.4 is within noise on 60
    /// queries; 0.3 is best on the known-item set and within 0.003 of the
    /// best on dev.
    pub fusion: Fusion,
    /// Candidates drawn from each signal, at least; a deep page draws
    /// twice its end so that folding duplicates cannot empty it.
    pub candidates: usize,
    /// The largest page a request may ask for.
    pub max_limit: usize,
    /// Multiplier of a hit's fused score when its IPC codes fall under one
    /// of the demand profile's preferred prefixes.
    pub ipc_preference_boost: f32,
    /// Query vectors kept by text (least recently used go first); 0 turns
    /// the cache off. Embedding is most of a hybrid search's time (about
    /// 10 of 11 ms on 2 cores), and search boxes repeat popular queries.
    /// A vector is ~1.5 KB, so the default costs ~6 MB.
    pub query_cache: usize,
}

impl Default for RankerConfig {
    fn default() -> Self {
        Self {
            fusion: Fusion::default(),
            candidates: 100,
            max_limit: 100,
            ipc_preference_boost: 1.1,
            query_cache: 4_096,
        }
    }
}
