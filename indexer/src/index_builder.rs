use crate::generation::{DocEntry, DocTable, Generations, Manifest, LAYOUT_VERSION};
use crate::indexed_listing::{hex_sha256, IndexedListing};
use crate::snapshot::USER_DICT_FILE;
use crate::text::{Segmenter, TextIndex, SCHEMA_VERSION};
use crate::{
    embed_passages_cached, BuildProgress, CacheStats, EmbeddingCache, Enricher, Error, IndexConfig,
    Result, VectorIndex,
};
use corpus::Store;
use models::Embedder;
use serde::Serialize;
use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::time::Instant;
use tantivy::{IndexWriter, TantivyDocument, Term};
use tracing::info;

/// Whether a build may start from the current generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BuildMode {
    /// Update the current generation when it is compatible (same model,
    /// schema, passage length, graph parameters and dictionary); otherwise
    /// build from scratch.
    #[default]
    Auto,
    /// Build from scratch. Cached embeddings are still reused.
    Full,
}

/// What a build did, and how long it took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuildReport {
    pub generation: u64,
    /// The generation updated, for an incremental build.
    pub parent: Option<u64>,
    pub listings: usize,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Passages embedded or taken from the cache in this build.
    pub embedding: CacheStats,
    /// Whether the vector graph was rebuilt (every full build, and updates
    /// whose dead rows passed the limit).
    pub vectors_rebuilt: bool,
    pub total_seconds: f64,
    /// Listings in the generation per second of the whole build.
    pub docs_per_second: f64,
    /// Leftovers of interrupted builds and old generations removed.
    pub cleaned: usize,
}

/// Builds a new generation of both indexes from `store` and publishes it.
///
/// An update re-indexes only listings whose indexed values changed (a new
/// declaration, a withdrawal announced …), embeds only passages the cache
/// has not seen, appends their vectors to the graph, and merges the text
/// index so that deleted documents leave BM25's document frequencies; once
/// too much was replaced since the last full build it rebuilds instead (see
/// [`Manifest::replaced_since_full`]). Nothing the current
/// generation uses is modified: text segments are shared by hard links
/// (tantivy never rewrites a segment file), everything else is copied.
pub fn build_index(
    store: &dyn Store,
    embedder: &Embedder,
    config: &IndexConfig,
    mode: BuildMode,
    progress: &dyn BuildProgress,
) -> Result<BuildReport> {
    build_index_with(store, embedder, config, mode, progress, &())
}

/// As [`build_index`], with classes predicted by `enricher` stored where a
/// record states none (holder kind, IPC codes).
pub fn build_index_with(
    store: &dyn Store,
    embedder: &Embedder,
    config: &IndexConfig,
    mode: BuildMode,
    progress: &dyn BuildProgress,
    enricher: &dyn Enricher,
) -> Result<BuildReport> {
    let started = Instant::now();
    let generations = Generations::new(&config.dir);
    let lock = generations.lock()?;
    // Numbered before the debris of a killed build is removed, so a number
    // is never reused and logs never mix two builds.
    let generation = generations.next_number()?;
    let cleaned = generations.clean(config.keep_generations, &lock)?;
    let segmenter = match &config.user_dict {
        Some(dict) => Segmenter::with_user_dict(dict.as_bytes())?,
        None => Segmenter::new(),
    };
    let user_dict_sha256 = config.user_dict.as_deref().map(hex_sha256);

    let listings = read_store(store, config, progress, enricher)?;
    let parent = match (mode, generations.current()?) {
        (BuildMode::Auto, Some(current)) => {
            let dir = generations.path(current);
            let manifest = Manifest::load(&dir)?;
            let compatible = manifest.schema_version == SCHEMA_VERSION
                && manifest.layout_version == LAYOUT_VERSION
                && manifest.model_id == embedder.model_id()
                && manifest.passage_chars == config.passage_chars
                && manifest.hnsw == config.hnsw
                && manifest.user_dict_sha256 == user_dict_sha256;
            if !compatible {
                info!(
                    current,
                    "current generation differs in model or settings; full build"
                );
            }
            compatible.then_some((current, dir, manifest))
        }
        _ => None,
    };

    let dir = generations.begin(generation, &lock)?;
    if let Some(dict) = &config.user_dict {
        let path = dir.join(USER_DICT_FILE);
        fs::write(&path, dict).map_err(Error::io(&path))?;
    }
    let mut cache = EmbeddingCache::open(&config.embedding_cache)?;
    let build = Build {
        config,
        embedder,
        segmenter: &segmenter,
        progress,
        dir: &dir,
    };
    let (outcome, vector_rows) = match &parent {
        Some((_, parent_dir, manifest)) => build.update(
            &listings,
            parent_dir,
            manifest.replaced_since_full,
            &mut cache,
        )?,
        None => build.full(&listings, &mut cache)?,
    };

    let manifest = Manifest {
        layout_version: LAYOUT_VERSION,
        schema_version: SCHEMA_VERSION,
        generation,
        parent: parent.as_ref().map(|(number, _, _)| *number),
        built_at: chrono::Utc::now().to_rfc3339(),
        model_id: embedder.model_id().to_string(),
        dims: embedder.dimensions(),
        passage_chars: config.passage_chars,
        hnsw: config.hnsw,
        user_dict_sha256,
        listings: listings.len(),
        vector_rows,
        replaced_since_full: outcome.replaced_since_full,
    };
    manifest.save(&dir)?;
    generations.publish(generation, &lock)?;
    let removed_old = generations.clean(config.keep_generations, &lock)?;
    let total_seconds = started.elapsed().as_secs_f64();
    let report = BuildReport {
        generation,
        parent: manifest.parent,
        listings: listings.len(),
        added: outcome.added,
        changed: outcome.changed,
        removed: outcome.removed,
        unchanged: outcome.unchanged,
        embedding: outcome.embedding,
        vectors_rebuilt: outcome.vectors_rebuilt,
        total_seconds,
        docs_per_second: listings.len() as f64 / total_seconds.max(1e-9),
        cleaned: cleaned + removed_old,
    };
    info!(?report, "index built");
    Ok(report)
}

fn read_store(
    store: &dyn Store,
    config: &IndexConfig,
    progress: &dyn BuildProgress,
    enricher: &dyn Enricher,
) -> Result<Vec<IndexedListing>> {
    let listings = store.listings()?;
    progress.stage("read store", listings.len() as u64);
    let mut indexed = Vec::with_capacity(listings.len());
    for (i, listing) in listings.iter().enumerate() {
        let lifecycle = store.lifecycle(&listing.id)?;
        let enrichment = enricher.enrich(listing);
        indexed.push(IndexedListing::new(
            listing,
            &lifecycle,
            &enrichment,
            config.passage_chars,
        ));
        if i % 256 == 0 {
            progress.progress(i as u64);
        }
    }
    progress.progress(listings.len() as u64);
    progress.finish_stage();
    Ok(indexed)
}

#[derive(Debug, Default)]
struct Outcome {
    added: usize,
    changed: usize,
    removed: usize,
    unchanged: usize,
    embedding: CacheStats,
    vectors_rebuilt: bool,
    replaced_since_full: usize,
}

struct Build<'a> {
    config: &'a IndexConfig,
    embedder: &'a Embedder,
    segmenter: &'a Segmenter,
    progress: &'a dyn BuildProgress,
    dir: &'a Path,
}

impl Build<'_> {
    fn full(
        &self,
        listings: &[IndexedListing],
        cache: &mut EmbeddingCache,
    ) -> Result<(Outcome, usize)> {
        let all: Vec<&IndexedListing> = listings.iter().collect();
        let (vectors, embedding) = self.embed(&all, cache)?;
        let index = self.build_vectors(&vectors)?;
        let rows: Vec<u32> = (0..listings.len() as u32).collect();
        let text = TextIndex::create(&self.text_dir()?, self.segmenter)?;
        let docs: Vec<(&IndexedListing, u32)> = listings.iter().zip(rows.iter().copied()).collect();
        self.write_text(&text, &[], &docs)?;
        self.save_docs(listings, &rows)?;
        index.save(&self.vectors_dir()?)?;
        let outcome = Outcome {
            added: listings.len(),
            embedding,
            vectors_rebuilt: true,
            ..Outcome::default()
        };
        Ok((outcome, index.len()))
    }

    fn update(
        &self,
        listings: &[IndexedListing],
        parent: &Path,
        replaced_before: usize,
        cache: &mut EmbeddingCache,
    ) -> Result<(Outcome, usize)> {
        let previous = DocTable::load(parent)?;
        let mut outcome = Outcome::default();
        let mut stale_ids: Vec<&str> = Vec::new();
        let mut touched: Vec<&IndexedListing> = Vec::new();
        let mut needs_vector: Vec<&IndexedListing> = Vec::new();
        let mut rows: HashMap<&str, u32> = HashMap::new();
        for listing in listings {
            match previous.get(&listing.id) {
                None => {
                    outcome.added += 1;
                    touched.push(listing);
                    needs_vector.push(listing);
                }
                Some(entry) if entry.doc_hash == listing.doc_hash => {
                    outcome.unchanged += 1;
                    rows.insert(&listing.id, entry.row);
                }
                Some(entry) => {
                    outcome.changed += 1;
                    stale_ids.push(&entry.id);
                    touched.push(listing);
                    if entry.passage_hash == listing.passage_hash {
                        rows.insert(&listing.id, entry.row);
                    } else {
                        needs_vector.push(listing);
                    }
                }
            }
        }
        let current: std::collections::HashSet<&str> =
            listings.iter().map(|listing| listing.id.as_str()).collect();
        for entry in previous.entries() {
            if !current.contains(entry.id.as_str()) {
                outcome.removed += 1;
                stale_ids.push(&entry.id);
            }
        }
        info!(
            added = outcome.added,
            changed = outcome.changed,
            removed = outcome.removed,
            unchanged = outcome.unchanged,
            "incremental update"
        );

        let mut vectors = VectorIndex::load(&parent.join("vectors"))?;
        let rows_after = vectors.len() + needs_vector.len();
        let dead_after = rows_after - listings.len();
        let replaced = replaced_before + outcome.changed + outcome.removed;
        let limit = self.config.max_dead_share;
        if dead_after as f64 > limit * rows_after as f64
            || replaced as f64 > limit * listings.len() as f64
        {
            // Past the limit, a fresh build is smaller (no dead vector rows
            // to skip) and resets BM25's length statistics; embeddings come
            // from the cache, so it costs little more than the update.
            info!(
                dead_after,
                replaced, "too much replaced since the last full build; rebuilding"
            );
            drop(vectors);
            self.reset_dir()?;
            let (full, rows) = self.full(listings, cache)?;
            let outcome = Outcome {
                embedding: full.embedding,
                vectors_rebuilt: true,
                ..outcome
            };
            return Ok((outcome, rows));
        }
        outcome.replaced_since_full = replaced;
        let (new_vectors, embedding) = self.embed(&needs_vector, cache)?;
        outcome.embedding = embedding;
        let appended = vectors.append(&new_vectors)?;
        for (listing, row) in needs_vector.iter().zip(appended) {
            rows.insert(&listing.id, row);
        }

        let text_dir = self.text_dir()?;
        link_tree(&parent.join("text"), &text_dir)?;
        // The segmenter is the parent's: a differing dictionary would have
        // made the generations incompatible.
        let text = TextIndex::open(&text_dir, self.segmenter)?;
        let docs: Vec<(&IndexedListing, u32)> = touched
            .iter()
            .map(|&listing| (listing, rows[listing.id.as_str()]))
            .collect();
        self.write_text(&text, &stale_ids, &docs)?;

        let ordered: Vec<u32> = listings.iter().map(|l| rows[l.id.as_str()]).collect();
        self.save_docs(listings, &ordered)?;
        vectors.save(&self.vectors_dir()?)?;
        Ok((outcome, vectors.len()))
    }

    /// Deletes `stale` ids, adds `docs` with their vector rows, commits and
    /// merges into one segment.
    fn write_text(
        &self,
        text: &TextIndex,
        stale: &[&str],
        docs: &[(&IndexedListing, u32)],
    ) -> Result<()> {
        let mut writer = text.writer(self.config.writer_heap_bytes)?;
        for id in stale {
            writer.delete_term(Term::from_field_text(text.fields().id, id));
        }
        self.progress.stage("index text", docs.len() as u64);
        for (i, (listing, row)) in docs.iter().enumerate() {
            let mut doc = listing.to_document(text.fields())?;
            doc.add_u64(text.fields().row, u64::from(*row));
            writer
                .add_document(doc)
                .map_err(Error::tantivy("add document"))?;
            if i % 256 == 0 {
                self.progress.progress(i as u64);
            }
        }
        writer.commit().map_err(Error::tantivy("commit"))?;
        text.reload()?;
        merge_all(text, writer)?;
        self.progress.progress(docs.len() as u64);
        self.progress.finish_stage();
        Ok(())
    }

    fn embed(
        &self,
        listings: &[&IndexedListing],
        cache: &mut EmbeddingCache,
    ) -> Result<(Vec<Vec<f32>>, CacheStats)> {
        let texts: Vec<String> = listings.iter().map(|l| l.passage.clone()).collect();
        self.progress.stage("embed", texts.len() as u64);
        let progress = |done: usize| self.progress.progress(done as u64);
        let result = embed_passages_cached(
            self.embedder,
            cache,
            &texts,
            self.config.embed_chunk,
            &progress,
        )?;
        self.progress.finish_stage();
        Ok(result)
    }

    fn build_vectors(&self, vectors: &[Vec<f32>]) -> Result<VectorIndex> {
        self.progress.stage("build graph", 1);
        let index = VectorIndex::build(self.embedder.dimensions(), vectors, self.config.hnsw)?;
        self.progress.progress(1);
        self.progress.finish_stage();
        Ok(index)
    }

    fn save_docs(&self, listings: &[IndexedListing], rows: &[u32]) -> Result<()> {
        let entries = listings
            .iter()
            .zip(rows)
            .map(|(listing, &row)| DocEntry {
                id: listing.id.clone(),
                doc_hash: listing.doc_hash.clone(),
                passage_hash: listing.passage_hash.clone(),
                row,
            })
            .collect();
        DocTable::new(entries).save(self.dir)
    }

    fn text_dir(&self) -> Result<std::path::PathBuf> {
        make_dir(&self.dir.join("text"))
    }

    fn vectors_dir(&self) -> Result<std::path::PathBuf> {
        make_dir(&self.dir.join("vectors"))
    }

    /// Empties the generation directory, keeping the user dictionary.
    fn reset_dir(&self) -> Result<()> {
        for part in ["text", "vectors"] {
            let path = self.dir.join(part);
            if path.exists() {
                fs::remove_dir_all(&path).map_err(Error::io(&path))?;
            }
        }
        Ok(())
    }
}

/// Merges every segment into one and waits for it: deleted documents leave
/// the document frequencies (so BM25 matches a rebuild's but for the length
/// drift [`Manifest::replaced_since_full`] bounds), and a query visits one
/// segment instead of one per update.
fn merge_all(text: &TextIndex, mut writer: IndexWriter<TantivyDocument>) -> Result<()> {
    let segments = text.segment_ids();
    if !segments.is_empty() {
        writer
            .merge(&segments)
            .wait()
            .map_err(Error::tantivy("merge segments"))?;
    }
    writer
        .wait_merging_threads()
        .map_err(Error::tantivy("finish merges"))
}

fn make_dir(path: &Path) -> Result<std::path::PathBuf> {
    fs::create_dir_all(path).map_err(Error::io(path))?;
    Ok(path.to_path_buf())
}

/// Shares a tantivy directory's files into `to`: segment files are written
/// once and never changed, so hard links are safe and cost no copying; the
/// files tantivy rewrites in place (`meta.json`, `.managed.json`) are copied.
fn link_tree(from: &Path, to: &Path) -> Result<()> {
    for entry in fs::read_dir(from).map_err(Error::io(from))? {
        let entry = entry.map_err(Error::io(from))?;
        let name = entry.file_name();
        let name_str = name.to_string_lossy();
        if name_str.ends_with(".lock") {
            continue;
        }
        let target = to.join(&name);
        let source = entry.path();
        let mutable = name_str == "meta.json" || name_str == ".managed.json";
        if mutable || fs::hard_link(&source, &target).is_err() {
            fs::copy(&source, &target).map_err(Error::io(&target))?;
        }
    }
    Ok(())
}
