//! Embedding titles for the IPC classifier, through the embedding cache.

use super::TitleEmbedding;
use crate::{Error, Result};
use indexer::{embed_passages_cached, EmbeddingCache, TextHash};
use models::Embedder;

/// Texts embedded per model call and per cache write: a crash loses at most
/// one chunk, and the write lock is held only briefly.
const CHUNK: usize = 256;

/// The vectors of `titles` as the classifier expects them (`embedding`
/// says which e5 prefix), reusing and filling `cache`.
///
/// Passage vectors share the cache entries the index writes. Query vectors
/// are kept under the model id with `#query` appended, because the cache
/// is keyed by model and text and the same text embeds differently under
/// the other prefix.
pub fn embed_titles_cached(
    embedder: &Embedder,
    cache: &mut EmbeddingCache,
    titles: &[String],
    embedding: TitleEmbedding,
) -> Result<Vec<Vec<f32>>> {
    match embedding {
        TitleEmbedding::Passage => {
            let (vectors, _) = embed_passages_cached(embedder, cache, titles, CHUNK, &|_| {})?;
            Ok(vectors)
        }
        TitleEmbedding::Query => embed_queries_cached(embedder, cache, titles),
    }
}

fn embed_queries_cached(
    embedder: &Embedder,
    cache: &mut EmbeddingCache,
    titles: &[String],
) -> Result<Vec<Vec<f32>>> {
    let model_id = format!("{}#query", embedder.model_id());
    let dims = embedder.dimensions();
    let hashes: Vec<TextHash> = titles.iter().map(|t| TextHash::of(t)).collect();
    let mut vectors = cache.get_many(&model_id, &hashes)?;
    if let Some(bad) = vectors.iter().flatten().find(|v| v.len() != dims) {
        return Err(Error::Invalid {
            field: "cache",
            message: format!(
                "a cached query vector has {} dimensions, the model {dims}; delete {}",
                bad.len(),
                cache.path().display()
            ),
        });
    }
    let mut missing: Vec<usize> = (0..titles.len())
        .filter(|&i| vectors[i].is_none())
        .collect();
    // Each distinct title once.
    missing.sort_by(|&a, &b| titles[a].cmp(&titles[b]));
    missing.dedup_by(|a, b| titles[*a] == titles[*b]);
    for chunk in missing.chunks(CHUNK) {
        let batch: Vec<&str> = chunk.iter().map(|&i| titles[i].as_str()).collect();
        let fresh = embedder.embed_queries(&batch)?;
        if fresh.len() != batch.len() || fresh.iter().any(|v| v.len() != dims) {
            return Err(Error::Invalid {
                field: "model",
                message: "returned vectors of the wrong number or length".into(),
            });
        }
        let items: Vec<(TextHash, &[f32])> = chunk
            .iter()
            .zip(&fresh)
            .map(|(&i, v)| (hashes[i], v.as_slice()))
            .collect();
        cache.put_many(&model_id, &items)?;
        for (&i, vector) in chunk.iter().zip(fresh) {
            vectors[i] = Some(vector);
        }
    }
    // Duplicates of an embedded title take its vector.
    let by_hash: std::collections::HashMap<TextHash, usize> = hashes
        .iter()
        .enumerate()
        .filter(|(i, _)| vectors[*i].is_some())
        .map(|(i, h)| (*h, i))
        .collect();
    (0..titles.len())
        .map(|i| match &vectors[i] {
            Some(v) => Ok(v.clone()),
            None => by_hash
                .get(&hashes[i])
                .and_then(|&j| vectors[j].clone())
                .ok_or_else(|| Error::Invalid {
                    field: "titles",
                    message: format!("title {i} was never embedded"),
                }),
        })
        .collect()
}
