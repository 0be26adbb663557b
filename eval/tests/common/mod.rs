//! Shared by the eval integration tests: where the shared data, the test
//! model and the test embedding cache live (the same places the indexer's
//! tests use, so the corpus is embedded once per checkout).
#![allow(dead_code, clippy::unwrap_used)]

use corpus::{import_files, ImportOptions, SqliteStore, StoreConfig};
use indexer::{build_index, BuildMode, IndexConfig};
use models::{Embedder, ModelConfig};
use std::path::{Path, PathBuf};

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `$PATMATCH_SHARED_DIR`, else `shared/` beside the workspace.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("PATMATCH_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("..").join("shared"))
}

pub fn data(path: &str) -> PathBuf {
    shared_dir().join("data").join(path)
}

pub fn model_dir() -> PathBuf {
    std::env::var_os("PATMATCH_TEST_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target").join("test-models"))
}

/// Imports the whole shared corpus into `<data_dir>/patmatch.db` and builds
/// the index in `<data_dir>/index`, as `patmatch import` and `patmatch
/// index` lay them out; returns the model used.
pub fn index_corpus(data_dir: &Path) -> Embedder {
    let embedder = Embedder::load_or_fetch(&ModelConfig::new(model_dir())).unwrap();
    let mut store = SqliteStore::open(&StoreConfig::new(data_dir.join("patmatch.db"))).unwrap();
    let files = [data("corpus/patents.jsonl"), data("corpus/offers.jsonl")];
    import_files(&mut store, &files, &ImportOptions::default(), &()).unwrap();
    let cache = workspace().join("target").join("test-embeddings");
    std::fs::create_dir_all(&cache).unwrap();
    let mut config = IndexConfig::new(data_dir.join("index"));
    config.embedding_cache = cache.join("cache.db");
    build_index(&store, &embedder, &config, BuildMode::Full, &()).unwrap();
    embedder
}
