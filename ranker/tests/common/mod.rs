//! Shared by the ranker's and eval's integration tests (eval includes this
//! file by path): where the shared data, the test model and the test
//! embedding cache live — the places the indexer's tests use, so the corpus
//! is embedded once per checkout.
#![allow(dead_code, clippy::unwrap_used)]

use corpus::{import_files, ImportOptions, SqliteStore, StoreConfig};
use indexer::{build_index_with, BuildMode, IndexConfig, Snapshot};
use models::{Embedder, ModelConfig};
use ranker::{ListingClassifier, Ranker, RankerConfig};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

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

/// One embedder per test binary: loading costs ~1 s and ~400 MB.
pub fn embedder() -> Arc<Embedder> {
    static EMBEDDER: OnceLock<Arc<Embedder>> = OnceLock::new();
    EMBEDDER
        .get_or_init(|| Arc::new(Embedder::load_or_fetch(&ModelConfig::new(model_dir())).unwrap()))
        .clone()
}

/// `<data_dir>/patmatch.db` holding the whole shared corpus, laid out as
/// `patmatch import` lays it out.
pub fn corpus_store(data_dir: &Path) -> SqliteStore {
    let mut store = SqliteStore::open(&StoreConfig::new(data_dir.join("patmatch.db"))).unwrap();
    let files = [data("corpus/patents.jsonl"), data("corpus/offers.jsonl")];
    import_files(&mut store, &files, &ImportOptions::default(), &()).unwrap();
    store
}

/// The index config of `<data_dir>/index`, with the shared test cache.
pub fn index_config(data_dir: &Path) -> IndexConfig {
    let cache = workspace().join("target").join("test-embeddings");
    std::fs::create_dir_all(&cache).unwrap();
    let mut config = IndexConfig::new(data_dir.join("index"));
    config.embedding_cache = cache.join("cache.db");
    config
}

/// Builds (or updates) `<data_dir>/index` from `store`, classifying
/// listings as `patmatch index` does, and opens a ranker with default
/// settings on it.
pub fn index(store: &SqliteStore, data_dir: &Path, mode: BuildMode) -> Ranker {
    let config = index_config(data_dir);
    let classifier = ListingClassifier::default();
    build_index_with(store, &embedder(), &config, mode, &(), &classifier).unwrap();
    Ranker::new(
        Arc::new(Snapshot::open(&config).unwrap()),
        embedder(),
        RankerConfig::default(),
    )
}

/// The whole shared corpus imported and indexed under `data_dir`.
pub fn corpus_ranker(data_dir: &Path) -> (SqliteStore, Ranker) {
    let store = corpus_store(data_dir);
    let ranker = index(&store, data_dir, BuildMode::Full);
    (store, ranker)
}

/// The IPC title set, in file order: each title's fold and example.
pub fn ipc_titles() -> Vec<(u64, ranker::IpcExample)> {
    let text = std::fs::read_to_string(data("classification/ipc_titles.jsonl")).unwrap();
    text.lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            let example = ranker::IpcExample {
                text: record["title"].as_str().unwrap().to_string(),
                codes: record["ipc_subclasses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| corpus::IpcCode::parse(c.as_str().unwrap()).unwrap())
                    .collect(),
            };
            (record["fold"].as_u64().unwrap(), example)
        })
        .collect()
}
