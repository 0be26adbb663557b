use crate::HnswParams;
use std::path::PathBuf;

/// How and where the indexes are built. A library value: the binary fills it
/// from its layered settings; nothing here reads the environment or files.
#[derive(Debug, Clone)]
pub struct IndexConfig {
    /// The index directory (by default `<data dir>/index`). Generations live
    /// under it, with the `CURRENT` pointer and the build lock.
    pub dir: PathBuf,
    /// The embedding cache, an SQLite file. It outlives generations, so a
    /// rebuild embeds only text it has not seen.
    pub embedding_cache: PathBuf,
    /// Characters of each listing's passage that are embedded (see
    /// [`crate::passage_text`]).
    pub passage_chars: usize,
    /// Texts per embedding call; the cache is written after each, so an
    /// interrupted build loses at most one chunk of work.
    pub embed_chunk: usize,
    pub hnsw: HnswParams,
    /// Memory tantivy's writer may buffer before flushing a segment.
    pub writer_heap_bytes: usize,
    /// The user dictionary's text (jieba format: `word [freq] [tag]` per
    /// line), for patent terms the default dictionary cuts apart. It is saved
    /// with each generation, so queries are cut as the documents were.
    pub user_dict: Option<String>,
    /// An incremental update rebuilds the vector graph instead of appending
    /// once dead rows (changed or deleted listings) exceed this share.
    pub max_dead_share: f64,
    /// Generations kept besides the current one, for readers still opening
    /// the previous one while a build switches.
    pub keep_generations: usize,
}

impl IndexConfig {
    /// Defaults for an index in `dir` with the embedding cache beside it.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        let embedding_cache = dir
            .parent()
            .map(|parent| parent.join("embeddings.db"))
            .unwrap_or_else(|| PathBuf::from("embeddings.db"));
        Self {
            dir,
            embedding_cache,
            passage_chars: 400,
            embed_chunk: 64,
            hnsw: HnswParams::default(),
            writer_heap_bytes: 64 << 20,
            user_dict: None,
            max_dead_share: 0.2,
            keep_generations: 1,
        }
    }
}
