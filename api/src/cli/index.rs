use super::args::IndexArgs;
use super::import::open_store;
use super::settings::Settings;
use anyhow::{Context, Result};
use corpus::Store;
use indexer::{build_index_with, BuildMode, BuildProgress, BuildReport};
use indicatif::{ProgressBar, ProgressStyle};
use models::Embedder;
use std::process::ExitCode;
use std::sync::Mutex;

pub fn run(settings: &Settings, args: &IndexArgs) -> Result<ExitCode> {
    let mut config = settings.index_config();
    if let Some(path) = args.user_dict.as_ref().or(settings.user_dict.as_ref()) {
        let dict = std::fs::read_to_string(path)
            .with_context(|| format!("reading user dictionary {}", path.display()))?;
        config.user_dict = Some(dict);
    }
    let store = open_store(settings)?;
    if store.counts()?.listings == 0 {
        anyhow::bail!(
            "the store {} holds no listings yet; run `patmatch import` first",
            settings.store_path().display()
        );
    }
    let embedder = Embedder::load(&settings.model_config())
        .context("loading the embedding model (fetch it with `patmatch model fetch`)")?;
    let mode = if args.full {
        BuildMode::Full
    } else {
        BuildMode::Auto
    };
    let bars = Bars::default();
    // Holder kinds the records do not state are predicted from the names.
    let classifier = ranker::ListingClassifier::default();
    let report = build_index_with(&store, &embedder, &config, mode, &bars, &classifier)
        .with_context(|| format!("indexing into {}", config.dir.display()))?;
    if args.json {
        say!("{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        print_summary(&report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(report: &BuildReport) -> std::io::Result<()> {
    let kind = match report.parent {
        Some(parent) => format!("updated from generation {parent}"),
        None => "full build".to_string(),
    };
    say!("generation {} ({kind})", report.generation)?;
    say!(
        "listings: {} ({} added, {} changed, {} removed, {} unchanged)",
        report.listings,
        report.added,
        report.changed,
        report.removed,
        report.unchanged
    )?;
    let embedding = &report.embedding;
    say!(
        "embedding: {} embedded in {:.1} s, {} from the cache",
        embedding.embedded,
        embedding.embed_seconds,
        embedding.hits
    )?;
    say!(
        "took {:.1} s: {:.1} docs/s",
        report.total_seconds,
        report.docs_per_second
    )
}

/// One bar per build stage.
#[derive(Default)]
struct Bars(Mutex<Option<ProgressBar>>);

impl BuildProgress for Bars {
    fn stage(&self, name: &str, total: u64) {
        let bar = ProgressBar::new(total);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {msg:12} [{bar:30}] {pos}/{len} ({per_sec}, {eta})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(name.to_string());
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(bar);
        }
    }

    fn progress(&self, done: u64) {
        if let Ok(slot) = self.0.lock() {
            if let Some(bar) = slot.as_ref() {
                bar.set_position(done);
            }
        }
    }

    fn finish_stage(&self) {
        if let Ok(mut slot) = self.0.lock() {
            if let Some(bar) = slot.take() {
                bar.finish_and_clear();
            }
        }
    }
}
