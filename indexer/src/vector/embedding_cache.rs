use super::TextHash;
use crate::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tracing::{debug, info};

/// Embedding the corpus costs minutes; reading it back costs milliseconds.
/// Writers hold the lock for one chunk's insert (a few milliseconds), so a
/// generous timeout only matters when several builds or test binaries share
/// the file, and then waiting beats failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// Vectors already paid for, keyed by (model id, SHA-256 of the exact text),
/// in an SQLite file.
///
/// Rebuilding an index, re-running a test or re-importing a corpus where
/// few texts changed then embeds only the changed texts. The model id is part
/// of the key so that a model upgrade can never serve stale vectors; the
/// text hash rather than a listing id so that any edit to a text misses.
/// Vectors are little-endian f32 BLOBs, checked for length on the way out.
#[derive(Debug)]
pub struct EmbeddingCache {
    conn: Connection,
    path: PathBuf,
}

/// What [`embed_passages_cached`] did: how many texts came from the cache,
/// how many distinct texts were embedded, and the time spent in the model.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct CacheStats {
    pub hits: usize,
    pub embedded: usize,
    pub embed_seconds: f64,
}

impl EmbeddingCache {
    /// Opens the cache at `path`, creating the file (not its directory) and
    /// the table if missing. WAL mode, so that readers and one writer from
    /// several processes can share it.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Incompatible {
                path: path.to_path_buf(),
                reason: format!("cannot switch the embedding cache to WAL (got {mode:?})"),
            });
        }
        // A lost last chunk after a power cut is re-embedded; corruption
        // cannot happen in WAL with NORMAL.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS embeddings (
                 model_id  TEXT NOT NULL,
                 text_hash BLOB NOT NULL,
                 vector    BLOB NOT NULL,
                 PRIMARY KEY (model_id, text_hash)
             ) WITHOUT ROWID;",
        )?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The cached vector of each hash under `model_id`, `None` where there is
    /// none, in the order of `hashes`.
    pub fn get_many(&self, model_id: &str, hashes: &[TextHash]) -> Result<Vec<Option<Vec<f32>>>> {
        // One read transaction: one snapshot, and no per-row lock traffic.
        let tx = self.conn.unchecked_transaction()?;
        let mut vectors = Vec::with_capacity(hashes.len());
        {
            let mut select = tx.prepare_cached(
                "SELECT vector FROM embeddings WHERE model_id = ?1 AND text_hash = ?2",
            )?;
            for hash in hashes {
                let blob: Option<Vec<u8>> = select
                    .query_row(params![model_id, &hash.0[..]], |row| row.get(0))
                    .optional()?;
                vectors.push(
                    blob.map(|blob| self.decode(model_id, hash, &blob))
                        .transpose()?,
                );
            }
        }
        tx.finish()?;
        Ok(vectors)
    }

    /// Stores `items` under `model_id` in one transaction (replacing any
    /// vector already there for the same text).
    pub fn put_many(&mut self, model_id: &str, items: &[(TextHash, &[f32])]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO embeddings (model_id, text_hash, vector)
                 VALUES (?1, ?2, ?3)",
            )?;
            for (hash, vector) in items {
                let blob: Vec<u8> = vector.iter().flat_map(|v| v.to_le_bytes()).collect();
                insert.execute(params![model_id, &hash.0[..], blob])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Number of vectors cached under `model_id`.
    pub fn len(&self, model_id: &str) -> Result<usize> {
        let count: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM embeddings WHERE model_id = ?1",
            [model_id],
            |row| row.get(0),
        )?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn decode(&self, model_id: &str, hash: &TextHash, blob: &[u8]) -> Result<Vec<f32>> {
        let floats = blob.chunks_exact(4);
        if blob.is_empty() || !floats.remainder().is_empty() {
            return Err(Error::Incompatible {
                path: self.path.clone(),
                reason: format!(
                    "cached vector for model {model_id}, text {hash} is {} bytes, not whole \
                     f32s; delete the cache file to rebuild it",
                    blob.len()
                ),
            });
        }
        Ok(floats
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }
}

/// Embeds passages through the cache: cached vectors are reused; the rest
/// are embedded in chunks of `chunk` texts and written to the cache after
/// each chunk, so an interrupted build keeps what it paid for. Identical
/// texts are embedded once. `progress(done)` is called with the number of
/// texts finished so far (cache hits count immediately). Returns vectors in
/// input order.
///
/// A cached or fresh vector whose length is not the model's dimension count,
/// or a fresh one with non-finite values, is an error rather than something
/// to index.
pub fn embed_passages_cached(
    embedder: &models::Embedder,
    cache: &mut EmbeddingCache,
    texts: &[String],
    chunk: usize,
    progress: &dyn Fn(usize),
) -> Result<(Vec<Vec<f32>>, CacheStats)> {
    let model_id = embedder.model_id().to_string();
    let dims = embedder.dimensions();
    let hashes: Vec<TextHash> = texts.iter().map(|text| TextHash::of(text)).collect();
    let mut vectors = cache.get_many(&model_id, &hashes)?;

    let mut stats = CacheStats::default();
    // Texts still to embed, each once, with every input position it fills.
    let mut missing: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut slot_of: HashMap<TextHash, usize> = HashMap::new();
    for (position, (vector, hash)) in vectors.iter().zip(&hashes).enumerate() {
        match vector {
            Some(vector) if vector.len() != dims => {
                return Err(Error::Incompatible {
                    path: cache.path.clone(),
                    reason: format!(
                        "cached vector for model {model_id}, text {hash} has {} dimensions, \
                         the model {dims}",
                        vector.len()
                    ),
                });
            }
            Some(_) => stats.hits += 1,
            None => match slot_of.get(hash) {
                Some(&slot) => missing[slot].1.push(position),
                None => {
                    slot_of.insert(*hash, missing.len());
                    missing.push((position, vec![position]));
                }
            },
        }
    }
    info!(
        texts = texts.len(),
        hits = stats.hits,
        to_embed = missing.len(),
        "embedding passages through the cache"
    );
    let mut done = stats.hits;
    progress(done);

    for group in missing.chunks(chunk.max(1)) {
        let batch: Vec<&str> = group
            .iter()
            .map(|(first, _)| texts[*first].as_str())
            .collect();
        let started = Instant::now();
        let fresh = embedder.embed_passages(&batch)?;
        stats.embed_seconds += started.elapsed().as_secs_f64();
        if fresh.len() != batch.len() {
            return Err(Error::Vectors(format!(
                "the model returned {} vectors for {} texts",
                fresh.len(),
                batch.len()
            )));
        }
        if let Some((bad, _)) = fresh
            .iter()
            .zip(group)
            .find(|(vector, _)| vector.len() != dims || vector.iter().any(|v| !v.is_finite()))
        {
            return Err(Error::Vectors(format!(
                "the model returned an unusable vector ({} values, finite: {})",
                bad.len(),
                bad.iter().all(|v| v.is_finite())
            )));
        }
        let items: Vec<(TextHash, &[f32])> = group
            .iter()
            .zip(&fresh)
            .map(|((first, _), vector)| (hashes[*first], vector.as_slice()))
            .collect();
        cache.put_many(&model_id, &items)?;
        for ((_, positions), vector) in group.iter().zip(fresh) {
            for &position in positions {
                vectors[position] = Some(vector.clone());
            }
            done += positions.len();
        }
        stats.embedded += group.len();
        debug!(done, total = texts.len(), "embedded a chunk");
        progress(done);
    }

    let vectors = vectors
        .into_iter()
        .enumerate()
        .map(|(position, vector)| {
            vector.ok_or_else(|| Error::Vectors(format!("text {position} was never embedded")))
        })
        .collect::<Result<Vec<_>>>()?;
    info!(
        hits = stats.hits,
        embedded = stats.embedded,
        embed_seconds = stats.embed_seconds,
        "passages embedded"
    );
    Ok((vectors, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> (tempfile::TempDir, EmbeddingCache) {
        let dir = tempfile::tempdir().unwrap();
        let cache = EmbeddingCache::open(&dir.path().join("cache.db")).unwrap();
        (dir, cache)
    }

    #[test]
    fn round_trip_miss_and_model_isolation() {
        let (_dir, mut cache) = cache();
        let a = TextHash::of("一种红外开关手电筒");
        let b = TextHash::of("防起球针织围巾");
        let va = [0.6f32, -0.8, 0.0, f32::MIN_POSITIVE];
        let vb = [1.0f32, 0.0, 0.0, -0.0];
        cache.put_many("m1", &[(a, &va), (b, &vb)]).unwrap();

        let got = cache
            .get_many("m1", &[b, TextHash::of("missing"), a])
            .unwrap();
        assert_eq!(got, vec![Some(vb.to_vec()), None, Some(va.to_vec())]);
        assert_eq!(cache.get_many("m2", &[a, b]).unwrap(), vec![None, None]);
        assert_eq!(cache.len("m1").unwrap(), 2);
        assert_eq!(cache.len("m2").unwrap(), 0);

        // Replacing keeps one row per key.
        cache.put_many("m1", &[(a, &vb)]).unwrap();
        assert_eq!(cache.get_many("m1", &[a]).unwrap(), vec![Some(vb.to_vec())]);
        assert_eq!(cache.len("m1").unwrap(), 2);
    }

    #[test]
    fn survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        let hash = TextHash::of("text");
        EmbeddingCache::open(&path)
            .unwrap()
            .put_many("m", &[(hash, &[0.5, 0.5])])
            .unwrap();
        let cache = EmbeddingCache::open(&path).unwrap();
        assert_eq!(
            cache.get_many("m", &[hash]).unwrap(),
            vec![Some(vec![0.5, 0.5])]
        );
    }

    #[test]
    fn corrupted_blob_is_an_error() {
        let (_dir, cache) = cache();
        let hash = TextHash::of("damaged");
        cache
            .conn
            .execute(
                "INSERT INTO embeddings (model_id, text_hash, vector) VALUES ('m', ?1, ?2)",
                params![&hash.0[..], vec![0u8; 7]],
            )
            .unwrap();
        match cache.get_many("m", &[hash]) {
            Err(Error::Incompatible { reason, .. }) => {
                assert!(reason.contains("7 bytes"), "{reason}")
            }
            other => panic!("expected Incompatible, got {other:?}"),
        }
    }
}
