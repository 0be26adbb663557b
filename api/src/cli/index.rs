use super::args::IndexArgs;
use super::import::open_store;
use super::ipc::IpcSource;
use super::settings::Settings;
use anyhow::{Context, Result};
use corpus::{Listing, Store};
use indexer::{build_index_with, BuildMode, BuildProgress, BuildReport, IndexConfig};
use indicatif::{ProgressBar, ProgressStyle};
use models::Embedder;
use ranker::ListingClassifier;
use serde::Serialize;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

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
    // Holder kinds the records do not state are predicted from the names,
    // IPC subclasses from the titles.
    let source = IpcSource::resolve(settings, &args.ipc);
    let (classifier, ipc) =
        listing_classifier(settings, &source, &store, &embedder, &config, &bars)?;
    let report = build_index_with(&store, &embedder, &config, mode, &bars, &classifier)
        .with_context(|| format!("indexing into {}", config.dir.display()))?;
    if args.json {
        let mut json = serde_json::to_value(&report)?;
        if let Some(object) = json.as_object_mut() {
            object.insert("ipc".into(), serde_json::to_value(&ipc)?);
        }
        say!("{}", serde_json::to_string_pretty(&json)?)?;
    } else {
        print_summary(&report)?;
        print_ipc(&ipc)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What IPC prediction did in a build.
#[derive(Debug, Default, Serialize)]
struct IpcReport {
    /// False when prediction was off or had no classifier.
    predicted: bool,
    /// Listings stating IPC codes of their own, which keep them.
    with_own_codes: usize,
    /// Listings without codes that got predicted subclasses.
    with_predicted_codes: usize,
    /// Listings without codes whose best suggestion was below the
    /// classifier's floor: no IPC facet rather than a likely wrong one.
    abstained: usize,
    /// Listings without codes or a title to read.
    untitled: usize,
    /// Distinct titles classified.
    titles: usize,
    /// Getting the classifier (loading, or embedding titles and training).
    classifier_seconds: f64,
    /// Embedding (or reading from the cache) and classifying the titles.
    titles_seconds: f64,
}

/// The enricher for the build, with IPC prediction unless `source` is off,
/// and what it predicted. Titles are embedded and classified here, before
/// the build, so that enriching during it is a look-up.
fn listing_classifier(
    settings: &Settings,
    source: &IpcSource,
    store: &dyn Store,
    embedder: &Embedder,
    config: &IndexConfig,
    bars: &Bars,
) -> Result<(ListingClassifier, IpcReport)> {
    let started = Instant::now();
    let Some(ipc) = source.classifier(embedder, &config.embedding_cache, bars)? else {
        return Ok((ListingClassifier::default(), IpcReport::default()));
    };
    if matches!(source, IpcSource::Train { .. }) {
        // `serve` and later builds load it instead of training again.
        let saved = settings.saved_ipc_classifier();
        ipc.save(&saved)
            .with_context(|| format!("saving the IPC classifier to {}", saved.display()))?;
    }
    let classifier_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let classifier = patmatch_api::listing_classifier(store, Some(&ipc), embedder, config, bars)
        .context("classifying listing titles")?;
    let listings = store.listings()?;
    let report = IpcReport {
        predicted: true,
        titles: ListingClassifier::titles_to_classify(&listings).len(),
        classifier_seconds,
        titles_seconds: started.elapsed().as_secs_f64(),
        ..count_predictions(&classifier, &listings)
    };
    tracing::info!(?report, "IPC subclasses predicted");
    Ok((classifier, report))
}

fn count_predictions(classifier: &ListingClassifier, listings: &[Listing]) -> IpcReport {
    let mut report = IpcReport::default();
    for listing in listings {
        if !listing.patent.ipc.is_empty() {
            report.with_own_codes += 1;
            continue;
        }
        match classifier.ipc_suggestions(listing) {
            Some(answer) if answer.abstained => report.abstained += 1,
            Some(_) => report.with_predicted_codes += 1,
            None => report.untitled += 1,
        }
    }
    report
}

fn print_ipc(ipc: &IpcReport) -> std::io::Result<()> {
    if !ipc.predicted {
        return say!("IPC: not predicted");
    }
    say!(
        "IPC: {} listings with predicted subclasses, {} abstained, {} with their own codes ({:.1} s classifier, {:.1} s titles)",
        ipc.with_predicted_codes,
        ipc.abstained,
        ipc.with_own_codes,
        ipc.classifier_seconds,
        ipc.titles_seconds
    )
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
pub struct Bars(Mutex<Option<ProgressBar>>);

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
