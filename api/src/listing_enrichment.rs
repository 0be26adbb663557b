use crate::Result;
use corpus::Store;
use indexer::{BuildProgress, EmbeddingCache, IndexConfig};
use models::Embedder;
use ranker::{embed_titles_cached, IpcClassifier, ListingClassifier, TitleEmbedding};
use tracing::info;

/// Titles per call into the cache and the model: small enough for a bar
/// to move, large enough for the model's length-sorted batches.
const EMBED_CHUNK: usize = 512;

/// The classes indexing stores for listings that state none: holder kinds
/// always, IPC subclasses when `ipc` is given. The titles are embedded
/// through the index's embedding cache, so after the first build this is
/// a look-up. `patmatch index` and the service's index updates both use
/// it, so that an update predicts exactly what a full build would.
pub fn listing_classifier(
    store: &dyn Store,
    ipc: Option<&IpcClassifier>,
    embedder: &Embedder,
    index: &IndexConfig,
    progress: &dyn BuildProgress,
) -> Result<ListingClassifier> {
    let Some(ipc) = ipc else {
        return Ok(ListingClassifier::default());
    };
    let listings = store.listings()?;
    let titles = ListingClassifier::titles_to_classify(&listings);
    if let Some(dir) = index.embedding_cache.parent() {
        std::fs::create_dir_all(dir).map_err(|source| crate::Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let mut cache = EmbeddingCache::open(&index.embedding_cache)?;
    let vectors = embed_titles(
        embedder,
        &mut cache,
        &titles,
        ipc.config().embedding,
        "listing titles",
        progress,
    )?;
    Ok(ListingClassifier::default().with_ipc(ipc, &titles, &vectors)?)
}

/// The vectors of `titles` under the e5 prefix `embedding` names, from
/// `cache` where it has them, with progress per chunk under `stage`.
pub fn embed_titles(
    embedder: &Embedder,
    cache: &mut EmbeddingCache,
    titles: &[String],
    embedding: TitleEmbedding,
    stage: &str,
    progress: &dyn BuildProgress,
) -> Result<Vec<Vec<f32>>> {
    let started = std::time::Instant::now();
    progress.stage(stage, titles.len() as u64);
    let mut vectors = Vec::with_capacity(titles.len());
    for chunk in titles.chunks(EMBED_CHUNK) {
        vectors.extend(embed_titles_cached(embedder, cache, chunk, embedding)?);
        progress.progress(vectors.len() as u64);
    }
    progress.finish_stage();
    info!(
        titles = titles.len(),
        seconds = started.elapsed().as_secs_f64(),
        "{stage} embedded or read from the cache"
    );
    Ok(vectors)
}
