//! Where `index` and `classify` get their IPC subclass classifier from, and
//! training one from labelled titles.

use super::args::IpcArgs;
use super::settings::Settings;
use anyhow::{Context, Result};
use corpus::IpcCode;
use indexer::{BuildProgress, EmbeddingCache};
use indicatif::ProgressBar;
use models::Embedder;
use ranker::{IpcClassifier, IpcClassifierConfig, IpcExample};
use serde::Deserialize;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tracing::{info, warn};

/// Where the IPC classifier comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum IpcSource {
    /// IPC subclasses are not predicted.
    Off,
    /// A classifier saved by `patmatch classify train`.
    Load(PathBuf),
    /// Trained now from labelled titles. `required` is false only for the
    /// default path: without shared data, indexing goes on without
    /// predicting, with a warning, instead of failing.
    Train { titles: PathBuf, required: bool },
}

impl IpcSource {
    /// Flags and environment first, then the config file, then the shared
    /// data's titles.
    pub fn resolve(settings: &Settings, args: &IpcArgs) -> Self {
        if args.no_ipc {
            return Self::Off;
        }
        if let Some(path) = &args.ipc_classifier {
            return Self::Load(path.clone());
        }
        if let Some(titles) = &args.ipc_titles {
            return Self::train(titles);
        }
        if let Some(path) = &settings.ipc_classifier {
            return Self::Load(path.clone());
        }
        if let Some(titles) = &settings.ipc_titles {
            return Self::train(titles);
        }
        // What an earlier `index` trained: training again would give the
        // same classifier from the same titles, 50 s later.
        let saved = settings.saved_ipc_classifier();
        if saved.is_file() {
            return Self::Load(saved);
        }
        Self::Train {
            titles: settings.shared_ipc_titles(),
            required: false,
        }
    }

    fn train(titles: &Path) -> Self {
        Self::Train {
            titles: titles.to_path_buf(),
            required: true,
        }
    }

    /// The classifier, or `None` when prediction is off or the default
    /// titles are missing (then with a warning naming the way out).
    /// Training embeds the titles through `cache`.
    pub fn classifier(
        &self,
        embedder: &Embedder,
        cache: &Path,
        progress: &dyn BuildProgress,
    ) -> Result<Option<IpcClassifier>> {
        match self {
            Self::Off => Ok(None),
            Self::Load(path) => {
                let started = Instant::now();
                let classifier = IpcClassifier::load(path)
                    .with_context(|| format!("loading the IPC classifier {}", path.display()))?;
                info!(path = %path.display(), seconds = started.elapsed().as_secs_f64(),
                    subclasses = classifier.subclasses().len(), "IPC classifier loaded");
                Ok(Some(classifier))
            }
            Self::Train { titles, required } => {
                if !required && !titles.is_file() {
                    warn!(
                        "{} not found, so IPC subclasses are not predicted; give \
                         --ipc-titles FILE, --ipc-classifier FILE or --shared-dir DIR, \
                         or --no-ipc to silence this",
                        titles.display()
                    );
                    return Ok(None);
                }
                let examples = read_titles(titles)?;
                let mut cache = open_cache(cache)?;
                let classifier = train(
                    &examples,
                    IpcClassifierConfig::default(),
                    embedder,
                    &mut cache,
                    progress,
                )?;
                Ok(Some(classifier))
            }
        }
    }
}

pub fn open_cache(path: &Path) -> Result<EmbeddingCache> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the directory of {}", path.display()))?;
    }
    EmbeddingCache::open(path)
        .with_context(|| format!("opening the embedding cache {}", path.display()))
}

/// Trains a classifier on labelled titles, embedding them through `cache`.
pub fn train(
    examples: &[IpcExample],
    config: IpcClassifierConfig,
    embedder: &Embedder,
    cache: &mut EmbeddingCache,
    progress: &dyn BuildProgress,
) -> Result<IpcClassifier> {
    let texts: Vec<String> = examples.iter().map(|e| e.text.clone()).collect();
    let vectors = patmatch_api::embed_titles(
        embedder,
        cache,
        &texts,
        config.embedding,
        "IPC training titles",
        progress,
    )?;
    let started = Instant::now();
    let spinner = spinner("training the IPC classifier");
    let classifier =
        IpcClassifier::train(examples, &vectors, config).context("training the IPC classifier")?;
    spinner.finish_and_clear();
    info!(
        titles = examples.len(),
        subclasses = classifier.subclasses().len(),
        seconds = started.elapsed().as_secs_f64(),
        "IPC classifier trained"
    );
    Ok(classifier)
}

/// One line of a labelled title file; other fields (`fold`, predictions)
/// are ignored.
#[derive(Deserialize)]
struct TitleRecord {
    title: String,
    ipc_subclasses: Vec<String>,
}

/// The labelled titles of a JSONL file, `file:line` named on a bad record.
pub fn read_titles(path: &Path) -> Result<Vec<IpcExample>> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("reading IPC titles {}", path.display()))?;
    let mut examples = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let at = || format!("{}:{}", path.display(), n + 1);
        let line = line.with_context(at)?;
        if line.trim().is_empty() {
            continue;
        }
        let record: TitleRecord = serde_json::from_str(&line).with_context(at)?;
        let codes = record
            .ipc_subclasses
            .iter()
            .map(|code| IpcCode::parse(code))
            .collect::<corpus::Result<Vec<_>>>()
            .with_context(|| format!("{}: ipc_subclasses", at()))?;
        examples.push(IpcExample {
            text: record.title.trim().to_string(),
            codes,
        });
    }
    Ok(examples)
}

/// A spinner on stderr for a step without a count (hidden when stderr is
/// not a terminal).
fn spinner(message: &str) -> ProgressBar {
    let spinner = ProgressBar::new_spinner();
    spinner.set_message(message.to_string());
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner
}
