//! Predicted IPC facets end to end: a small IPC classifier trained on real
//! labelled titles, a real SQLite store holding a slice of the shared
//! corpus (no IPC codes) and the platform-export sample (whose records
//! state theirs), the real model through the shared test cache, and a real
//! index built with the IPC-enabled `ListingClassifier`.
#![allow(clippy::unwrap_used)]

// common/ names the crate as its dependents do.
extern crate patmatch_ranker as ranker;

mod common;

use corpus::{import_files, ImportOptions, IpcCode, Listing, SqliteStore, Store, StoreConfig};
use indexer::{build_index_with, BuildMode, BuildReport, EmbeddingCache, Filter, Snapshot};
use patmatch_ranker::{
    embed_titles_cached, IpcClassifier, IpcClassifierConfig, IpcExample, ListingClassifier, Ranker,
    RankerConfig, SearchRequest,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Training titles: the fold-1 slice `tests/ipc_classifier.rs` trains on,
/// so their vectors are already in the shared test cache.
const TRAIN: usize = 1_500;
const PATENTS: usize = 40;
const OFFERS: usize = 10;

fn test_cache() -> EmbeddingCache {
    let dir = common::workspace().join("target").join("test-embeddings");
    std::fs::create_dir_all(&dir).unwrap();
    EmbeddingCache::open(&dir.join("cache.db")).unwrap()
}

/// Trained once per test binary; one training run instead of four, as
/// this crate builds unoptimised in tests.
fn ipc_classifier() -> &'static IpcClassifier {
    static CLASSIFIER: OnceLock<IpcClassifier> = OnceLock::new();
    CLASSIFIER.get_or_init(|| {
        let examples: Vec<IpcExample> = common::ipc_titles()
            .into_iter()
            .filter(|(fold, _)| *fold == 1)
            .map(|(_, example)| example)
            .take(TRAIN)
            .collect();
        let mut config = IpcClassifierConfig::default();
        config.linear.runs = 1;
        let texts: Vec<String> = examples.iter().map(|e| e.text.clone()).collect();
        let vectors = embed_titles_cached(
            &common::embedder(),
            &mut test_cache(),
            &texts,
            config.embedding,
        )
        .unwrap();
        IpcClassifier::train(&examples, &vectors, config).unwrap()
    })
}

/// The first lines of a shared file, written into `dir`.
fn head(path: &str, lines: usize, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(common::data(path)).unwrap();
    let out = dir.join(Path::new(path).file_name().unwrap());
    let kept: Vec<&str> = text.lines().take(lines).collect();
    std::fs::write(&out, kept.join("\n") + "\n").unwrap();
    out
}

/// A store with the first patents and offers of the shared corpus and the
/// ten platform-export records, which carry 主分类号/分类号.
fn small_store(dir: &Path) -> SqliteStore {
    let files = [
        head("corpus/patents.jsonl", PATENTS, dir),
        head("corpus/offers.jsonl", OFFERS, dir),
        head("samples/cnipa_style_export.jsonl", 10, dir),
    ];
    let mut store = SqliteStore::open(&StoreConfig::new(dir.join("patmatch.db"))).unwrap();
    let report = import_files(&mut store, &files, &ImportOptions::default(), &()).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    store
}

/// The IPC-enabled enricher for `listings`, titles embedded beforehand
/// through the shared test cache, as `patmatch index` does.
fn enricher(listings: &[Listing]) -> ListingClassifier {
    let classifier = ipc_classifier();
    let titles = ListingClassifier::titles_to_classify(listings);
    let vectors = embed_titles_cached(
        &common::embedder(),
        &mut test_cache(),
        &titles,
        classifier.config().embedding,
    )
    .unwrap();
    ListingClassifier::default()
        .with_ipc(classifier, &titles, &vectors)
        .unwrap()
}

fn build(
    store: &SqliteStore,
    dir: &Path,
    mode: BuildMode,
    enricher: &ListingClassifier,
) -> BuildReport {
    let config = common::index_config(dir);
    build_index_with(store, &common::embedder(), &config, mode, &(), enricher).unwrap()
}

fn ranker(dir: &Path) -> Ranker {
    Ranker::new(
        Arc::new(Snapshot::open(&common::index_config(dir)).unwrap()),
        common::embedder(),
        RankerConfig::default(),
    )
}

#[test]
fn listings_without_codes_get_predicted_facets_and_stated_codes_stay() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_store(dir.path());
    let listings = store.listings().unwrap();
    assert_eq!(listings.len(), PATENTS + OFFERS + 10);
    let classifier = enricher(&listings);
    assert!(classifier.predicts_ipc());
    build(&store, dir.path(), BuildMode::Full, &classifier);
    let ranker = ranker(dir.path());

    let ids: Vec<&str> = listings.iter().map(|l| l.id.as_str()).collect();
    let cards = ranker.snapshot().cards(&ids).unwrap();
    let (mut own, mut predicted, mut abstained) = (0, Vec::new(), 0);
    for (listing, card) in listings.iter().zip(cards) {
        let card = card.unwrap();
        if !listing.patent.ipc.is_empty() {
            // The record's own codes, main classification first, unmarked.
            assert_eq!(card.ipc, listing.patent.ipc, "{}", listing.id);
            assert!(!card.ipc_predicted, "{}", listing.id);
            own += 1;
            continue;
        }
        let answer = classifier.ipc_suggestions(listing).unwrap();
        if answer.abstained {
            assert!(card.ipc.is_empty() && !card.ipc_predicted, "{}", listing.id);
            abstained += 1;
        } else {
            assert!(!answer.chosen.is_empty());
            assert_eq!(card.ipc, answer.chosen, "{}", listing.id);
            assert!(card.ipc_predicted, "{}", listing.id);
            // Subclasses only: the classifier never guesses a group.
            assert!(card.ipc.iter().all(|c| c.subclass() == Some(c.as_str())));
            predicted.push((listing, card));
        }
    }
    eprintln!(
        "{own} with codes, {} predicted, {abstained} abstained",
        predicted.len()
    );
    assert_eq!(own, 10);
    // Abstaining is for the uncertain minority (about a quarter of held-out
    // titles with the full training set).
    assert!(
        predicted.len() * 2 > PATENTS + OFFERS,
        "{} predicted, {abstained} abstained",
        predicted.len()
    );

    // A class filter finds predicted listings, and the facets count them.
    let mut classes: BTreeMap<String, usize> = BTreeMap::new();
    for (_, card) in &predicted {
        let mut mine: Vec<&str> = card.ipc.iter().filter_map(|c| c.class()).collect();
        mine.sort_unstable();
        mine.dedup();
        for class in mine {
            *classes.entry(class.to_string()).or_default() += 1;
        }
    }
    let (class, count) = classes
        .iter()
        .max_by_key(|(c, n)| (**n, c.as_str()))
        .unwrap();
    let (target, _) = predicted
        .iter()
        .find(|(_, card)| card.ipc.iter().any(|c| c.class() == Some(class.as_str())))
        .unwrap();
    let prefix = IpcCode::parse(class).unwrap();
    let mut request = SearchRequest::new(target.patent.title.clone());
    request.filter = Filter {
        ipc_prefix: Some(prefix.clone()),
        ..Filter::default()
    };
    request.limit = 100;
    let response = ranker.search(&request).unwrap();
    assert_eq!(response.hits[0].id, target.id, "{:#?}", response.hits);
    assert!(response.hits[0].card.ipc_predicted);
    assert!(response
        .hits
        .iter()
        .all(|h| h.card.ipc.iter().any(|c| c.starts_with(&prefix))));
    assert_eq!(response.facets.ipc_classes[class.as_str()], response.total);
    let section = prefix.section().to_string();
    assert_eq!(response.facets.ipc_sections[&section], response.total);
    // The filter's count is the predicted listings of the class plus any
    // stating codes under it.
    let stated = listings
        .iter()
        .filter(|l| l.patent.ipc.iter().any(|c| c.starts_with(&prefix)))
        .count();
    assert_eq!(
        ranker.snapshot().count(&request.filter).unwrap(),
        count + stated
    );

    // A listing's own codes are filters as before, unmarked.
    let stated = listings.iter().find(|l| !l.patent.ipc.is_empty()).unwrap();
    let own = stated.patent.ipc[0].clone();
    let mut request = SearchRequest::new(stated.patent.title.clone());
    request.filter = Filter {
        ipc_prefix: Some(own.clone()),
        ..Filter::default()
    };
    let response = ranker.search(&request).unwrap();
    let hit = &response.hits[0];
    assert_eq!(hit.id, stated.id);
    assert!(!hit.card.ipc_predicted && hit.card.ipc == stated.patent.ipc);

    // Unfiltered facets count predicted and stated codes alike.
    let mut request = SearchRequest::new(target.patent.title.clone());
    request.limit = 100;
    let response = ranker.search(&request).unwrap();
    let shown: usize = response.facets.ipc_sections.values().sum();
    assert!(shown > 0, "{:?}", response.facets);
}

#[test]
fn enriching_is_deterministic_and_only_predicted_listings_change_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_store(dir.path());
    let listings = store.listings().unwrap();
    let classifier = enricher(&listings);
    build(&store, dir.path(), BuildMode::Full, &classifier);

    // Same inputs, same documents: an update touches nothing.
    let again = enricher(&listings);
    assert_eq!(again, classifier);
    let report = build(&store, dir.path(), BuildMode::Auto, &again);
    assert_eq!(report.parent, Some(1));
    assert_eq!((report.changed, report.unchanged), (0, listings.len()));

    // Without IPC prediction, exactly the listings that had predicted codes
    // are re-indexed.
    let predicted = listings
        .iter()
        .filter(|l| l.patent.ipc.is_empty())
        .filter_map(|l| classifier.ipc_suggestions(l))
        .filter(|s| !s.abstained)
        .count();
    let report = build(
        &store,
        dir.path(),
        BuildMode::Auto,
        &ListingClassifier::default(),
    );
    assert_eq!(report.changed, predicted);
    let ids: Vec<&str> = listings.iter().map(|l| l.id.as_str()).collect();
    let cards = ranker(dir.path()).snapshot().cards(&ids).unwrap();
    assert!(cards.iter().flatten().all(|c| !c.ipc_predicted));
}

#[test]
fn titles_to_classify_and_mismatched_vectors() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_store(dir.path());
    let listings = store.listings().unwrap();
    let titles = ListingClassifier::titles_to_classify(&listings);
    // Only listings without codes, each distinct title once, sorted.
    assert!(titles.windows(2).all(|w| w[0] < w[1]));
    assert!(titles.len() <= PATENTS + OFFERS);
    for listing in listings.iter().filter(|l| !l.patent.ipc.is_empty()) {
        assert!(!titles
            .iter()
            .any(|t| t == ListingClassifier::ipc_text(listing)));
    }

    let classifier = ipc_classifier();
    let one = vec![titles[0].clone()];
    assert!(ListingClassifier::default()
        .with_ipc(classifier, &one, &[])
        .is_err());
    let short = vec![vec![0.0; 3]];
    assert!(ListingClassifier::default()
        .with_ipc(classifier, &one, &short)
        .is_err());

    // A listing whose title was not classified gets no prediction.
    let none = ListingClassifier::default()
        .with_ipc(classifier, &[], &[])
        .unwrap();
    assert!(none.predicts_ipc());
    assert!(none.ipc_suggestions(&listings[0]).is_none());
}
