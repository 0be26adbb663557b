use super::args::GlobalArgs;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The file name of the store inside the data dir.
pub const STORE_FILE: &str = "patmatch.db";
const DEFAULT_CONFIG: &str = "patmatch.toml";

/// Settings after layering defaults < config file < environment < flags.
///
/// clap already merges environment and flags (a flag wins over its
/// variable), so here only the config file and the defaults remain to be
/// placed beneath them.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub model_dir: PathBuf,
    pub log: Option<String>,
    /// Patent terms for the segmenter (jieba dictionary format), from the
    /// config file; `patmatch index --user-dict` overrides it.
    pub user_dict: Option<PathBuf>,
    /// The shared data checkout (`../shared` unless set).
    pub shared_dir: PathBuf,
    /// Labelled titles to train the IPC classifier from, from the config
    /// file; flags and environment override it.
    pub ipc_titles: Option<PathBuf>,
    /// A saved IPC classifier, from the config file; flags and environment
    /// override it.
    pub ipc_classifier: Option<PathBuf>,
    /// `serve`'s address, public search and link base, from the config
    /// file; flags and environment override them.
    pub bind: Option<String>,
    pub public_search: bool,
    pub base_url: Option<String>,
    /// The config file that was read, if any.
    pub config_file: Option<PathBuf>,
}

/// What a config file may set. Unknown keys are an error, so a typo does not
/// silently fall back to a default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    data_dir: Option<PathBuf>,
    model_dir: Option<PathBuf>,
    log: Option<String>,
    user_dict: Option<PathBuf>,
    shared_dir: Option<PathBuf>,
    ipc_titles: Option<PathBuf>,
    ipc_classifier: Option<PathBuf>,
    bind: Option<String>,
    public_search: Option<bool>,
    base_url: Option<String>,
}

impl Settings {
    pub fn resolve(global: &GlobalArgs) -> Result<Self> {
        let (file, config_file) = match &global.config {
            Some(path) => (read_config(path)?, Some(path.clone())),
            None if Path::new(DEFAULT_CONFIG).is_file() => (
                read_config(Path::new(DEFAULT_CONFIG))?,
                Some(PathBuf::from(DEFAULT_CONFIG)),
            ),
            None => (FileSettings::default(), None),
        };
        let data_dir = global
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let model_dir = match global.model_dir.clone().or(file.model_dir) {
            Some(dir) => dir,
            None => default_model_dir()?,
        };
        Ok(Self {
            data_dir,
            model_dir,
            log: global.log.clone().or(file.log),
            user_dict: file.user_dict,
            shared_dir: global
                .shared_dir
                .clone()
                .or(file.shared_dir)
                .unwrap_or_else(|| PathBuf::from("../shared")),
            ipc_titles: file.ipc_titles,
            ipc_classifier: file.ipc_classifier,
            bind: file.bind,
            public_search: file.public_search.unwrap_or(false),
            base_url: file.base_url,
            config_file,
        })
    }

    /// The model settings; `python` is only needed to fetch.
    pub fn model_config(&self) -> models::ModelConfig {
        models::ModelConfig::new(&self.model_dir)
    }

    pub fn store_path(&self) -> PathBuf {
        self.data_dir.join(STORE_FILE)
    }

    /// The index settings: generations under `<data dir>/index`, the
    /// embedding cache in `<data dir>/embeddings.db`.
    pub fn index_config(&self) -> indexer::IndexConfig {
        let mut config = indexer::IndexConfig::new(self.data_dir.join("index"));
        config.embedding_cache = self.data_dir.join("embeddings.db");
        config
    }

    /// Where `index` saves the IPC classifier it trains, and where `index`
    /// and `serve` load it from unless told otherwise.
    pub fn saved_ipc_classifier(&self) -> PathBuf {
        self.data_dir.join("ipc-classifier.bin")
    }

    /// The shared data's labelled IPC titles.
    pub fn shared_ipc_titles(&self) -> PathBuf {
        self.shared_dir
            .join("data")
            .join("classification")
            .join("ipc_titles.jsonl")
    }
}

fn read_config(path: &Path) -> Result<FileSettings> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("config file {}", path.display()))
}

/// The model is shared by every data dir, so it lives in the user's cache.
fn default_model_dir() -> Result<PathBuf> {
    let cache = dirs::cache_dir()
        .context("no user cache directory is known here; set --model-dir or PATMATCH_MODEL_DIR")?;
    Ok(cache.join("patmatch").join("models"))
}
