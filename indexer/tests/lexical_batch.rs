//! Batch BM25 (`Snapshot::lexical_batch`) against the index's own search:
//! the whole shared corpus indexed with the real segmenter (vectors from
//! the shared test embedding cache), scored with real demand texts, and
//! compared score for score with `text_search_with(…, Plain, …)`.
#![allow(clippy::unwrap_used)]

mod common;

use corpus::{Batch, Listing, SqliteStore, Store, StoreConfig};
use patmatch_indexer::{
    build_index, BuildMode, Filter, LexicalBatch, QuerySyntax, QueryTerms, Snapshot,
};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Relative difference allowed between a batch score and the search's:
/// the same arithmetic, summed in possibly another order.
const TOLERANCE: f32 = 1e-4;
/// Dev queries compared.
const QUERIES: usize = 40;
const TOP: usize = 50;

struct Fixture {
    _dir: tempfile::TempDir,
    snapshot: Snapshot,
    listings: Vec<Listing>,
}

/// The whole corpus, indexed once per test binary.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = common::corpus_store(&dir.path().join("patmatch.db"));
        let config = common::index_config(&dir.path().join("index"));
        build_index(&store, &common::embedder(), &config, BuildMode::Auto, &()).unwrap();
        let snapshot = Snapshot::open(&config).unwrap();
        let listings = store.listings().unwrap();
        Fixture {
            _dir: dir,
            snapshot,
            listings,
        }
    })
}

/// Every listing `text` matches, with the search's score.
fn all_matches(snapshot: &Snapshot, text: &str) -> HashMap<String, f32> {
    snapshot
        .text_search_with(text, QuerySyntax::Plain, &Filter::default(), snapshot.len())
        .unwrap()
        .hits
        .into_iter()
        .map(|hit| (hit.id, hit.score))
        .collect()
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= TOLERANCE * b.abs().max(f32::MIN_POSITIVE)
}

/// Checks `batch` against the search for each of `texts`: every batch
/// listing the search finds has its score and only those are scored, in
/// the search's order; and the search's top hits in the batch are all
/// there. Returns the largest relative difference seen, and how many
/// (query, batch listing) pairs did not match.
fn assert_batch_matches_search(
    snapshot: &Snapshot,
    batch: &LexicalBatch,
    texts: &[String],
) -> (f32, usize) {
    let mut worst = 0.0f32;
    let mut unscored = 0;
    for text in texts {
        let query = snapshot.query_terms(text);
        let searched = all_matches(snapshot, text);
        let scored = batch.score(&query);

        let in_batch: HashSet<&str> = batch.ids().iter().map(String::as_str).collect();
        let expected: HashSet<&str> = searched
            .keys()
            .map(String::as_str)
            .filter(|id| in_batch.contains(id))
            .collect();
        let got: HashSet<&str> = scored
            .iter()
            .map(|&(doc, _)| batch.ids()[doc].as_str())
            .collect();
        assert_eq!(got, expected, "listings scored for {text}");
        unscored += batch.len() - got.len();

        for &(doc, score) in &scored {
            let id = &batch.ids()[doc];
            let want = searched[id];
            assert!(
                close(score, want),
                "{id}: batch {score} vs search {want} for {text}"
            );
            worst = worst.max((score - want).abs() / want);
        }
        // Best first, as the search ranks them (up to near-ties the two
        // sums may round apart), and ties by id.
        for pair in scored.windows(2) {
            let (a, b) = (&batch.ids()[pair[0].0], &batch.ids()[pair[1].0]);
            assert!(
                pair[0].1 > pair[1].1 || (pair[0].1 == pair[1].1 && a < b),
                "{pair:?} out of order for {text}"
            );
            assert!(
                searched[a] >= searched[b] * (1.0 - TOLERANCE),
                "{a} ranked above {b} for {text}, the search ranks them {} < {}",
                searched[a],
                searched[b]
            );
        }
        let top = snapshot
            .text_search_with(text, QuerySyntax::Plain, &Filter::default(), TOP)
            .unwrap();
        assert_eq!(
            query
                .terms
                .iter()
                .map(|(t, _)| t.clone())
                .collect::<Vec<_>>(),
            top.terms,
            "the batch scores the terms the search searched"
        );
        for hit in top
            .hits
            .iter()
            .filter(|hit| in_batch.contains(hit.id.as_str()))
        {
            let (_, score) = scored
                .iter()
                .find(|&&(doc, _)| batch.ids()[doc] == hit.id)
                .unwrap_or_else(|| panic!("top hit {} not scored for {text}", hit.id));
            assert!(
                close(*score, hit.score),
                "{}: {score} vs {}",
                hit.id,
                hit.score
            );
        }
    }
    (worst, unscored)
}

#[test]
fn batch_scores_are_the_searchs_scores() {
    let f = fixture();
    let texts = common::dev_queries(QUERIES);
    // Each query's top hits, then listings that match few of them.
    let mut ids: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for text in &texts {
        let top = f
            .snapshot
            .text_search_with(text, QuerySyntax::Plain, &Filter::default(), TOP)
            .unwrap();
        for hit in top.hits {
            if seen.insert(hit.id.clone()) {
                ids.push(hit.id);
            }
        }
    }
    let top_hits = ids.len();
    for listing in f.listings.iter().step_by(29) {
        if seen.insert(listing.id.clone()) {
            ids.push(listing.id.clone());
        }
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let batch = f.snapshot.lexical_batch(&refs).unwrap();
    assert_eq!(
        batch.ids(),
        &ids[..],
        "every id is in the generation, in order"
    );

    let (worst, unscored) = assert_batch_matches_search(&f.snapshot, &batch, &texts);
    eprintln!(
        "{} queries over {} listings ({top_hits} top hits): worst relative difference {worst:e}, \
         {unscored} (query, listing) pairs rightly unscored",
        texts.len(),
        batch.len()
    );

    assert!(
        unscored > 0,
        "some batch listings must match some queries not"
    );
}

#[test]
fn a_small_batch_ranks_as_the_search() {
    // The push's shape: a handful of listings, some of them unmatched.
    let f = fixture();
    for text in common::dev_queries(QUERIES).iter().skip(5).step_by(7) {
        let top = f
            .snapshot
            .text_search_with(text, QuerySyntax::Plain, &Filter::default(), 10)
            .unwrap();
        let matched = all_matches(&f.snapshot, text);
        let unmatched = f
            .listings
            .iter()
            .map(|l| l.id.as_str())
            .filter(|id| !matched.contains_key(*id))
            .take(5);
        // Reversed, so batch order is not the answer's order.
        let ids: Vec<&str> = top
            .hits
            .iter()
            .rev()
            .map(|h| h.id.as_str())
            .chain(unmatched)
            .collect();
        let batch = f.snapshot.lexical_batch(&ids).unwrap();
        let ranked: Vec<&str> = batch
            .score(&f.snapshot.query_terms(text))
            .iter()
            .map(|&(doc, _)| batch.ids()[doc].as_str())
            .collect();
        let expected: Vec<&str> = top.hits.iter().map(|h| h.id.as_str()).collect();
        let distinct_scores = top
            .hits
            .windows(2)
            .all(|w| w[0].score > w[1].score * (1.0 + TOLERANCE));
        if distinct_scores {
            assert_eq!(ranked, expected, "{text}");
        } else {
            let ranked: HashSet<&str> = ranked.into_iter().collect();
            assert_eq!(ranked, expected.into_iter().collect(), "{text}");
        }
    }
}

#[test]
fn matched_terms_are_the_explainers() {
    let f = fixture();
    for text in common::dev_queries(QUERIES).iter().step_by(4) {
        let top = f
            .snapshot
            .text_search_with(text, QuerySyntax::Plain, &Filter::default(), 5)
            .unwrap();
        let ids: Vec<&str> = top.hits.iter().map(|h| h.id.as_str()).collect();
        let batch = f.snapshot.lexical_batch(&ids).unwrap();
        let query = f.snapshot.query_terms(text);
        let explained = f
            .snapshot
            .explain_many(&ids, text, QuerySyntax::Plain)
            .unwrap();
        for (doc, explanation) in explained.into_iter().enumerate() {
            let explanation = explanation.unwrap();
            assert!(!explanation.matched.is_empty());
            assert_eq!(
                batch.matched(&query, doc),
                explanation.matched,
                "{} for {text}",
                ids[doc]
            );
        }
        assert!(batch.matched(&query, ids.len()).is_empty(), "out of range");
    }
}

#[test]
fn boilerplate_queries_are_empty_and_unknown_ids_skipped() {
    let f = fixture();
    for text in ["本发明公开了一种", "", "  ", "“，”的 了"] {
        let query = f.snapshot.query_terms(text);
        assert!(query.is_empty(), "{text:?}: {query:?}");
        assert!(f
            .snapshot
            .text_search_with(text, QuerySyntax::Plain, &Filter::default(), 10)
            .is_err());
    }
    let known: Vec<&str> = f.listings.iter().take(3).map(|l| l.id.as_str()).collect();
    let ids = [
        "no-such-listing",
        known[0],
        known[1],
        "",
        known[0],
        known[2],
    ];
    let batch = f.snapshot.lexical_batch(&ids).unwrap();
    assert_eq!(
        batch.ids(),
        &known[..],
        "unknown ids skipped, repeats kept once"
    );
    assert!(batch.score(&QueryTerms::default()).is_empty());
    assert!(batch
        .score(&f.snapshot.query_terms("本发明公开了一种"))
        .is_empty());

    let none = f.snapshot.lexical_batch(&["no-such-listing"]).unwrap();
    assert!(none.is_empty());
    assert!(none.score(&f.snapshot.query_terms("电池回收")).is_empty());

    // A caller may cache a profile's terms as JSON.
    let query = f.snapshot.query_terms("电池回收。电池梯次利用，回收电池");
    assert!(query.terms.contains(&("电池".to_string(), 3)), "{query:?}");
    let json = serde_json::to_string(&query).unwrap();
    assert_eq!(serde_json::from_str::<QueryTerms>(&json).unwrap(), query);
}

#[test]
fn statistics_include_what_an_update_left_behind() {
    // After an incremental update tantivy's token totals still hold some
    // of the replaced documents' tokens (the length drift the builder
    // bounds): the batch must take the totals the search takes, not sum
    // the live listings' lengths.
    let all = &fixture().listings;
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&StoreConfig::new(dir.path().join("patmatch.db"))).unwrap();
    let write = |store: &mut SqliteStore, listings: Vec<Listing>| {
        store
            .write_batch(&Batch {
                listings,
                profiles: Vec::new(),
            })
            .unwrap();
    };
    write(&mut store, all[..300].to_vec());
    let config = common::index_config(&dir.path().join("index"));
    build_index(&store, &common::embedder(), &config, BuildMode::Auto, &()).unwrap();
    let rewritten: Vec<Listing> = all[..20]
        .iter()
        .map(|listing| {
            let mut listing = listing.clone();
            listing.patent.title = format!("{}（改进型电池回收装置）", listing.patent.title);
            listing
        })
        .collect();
    write(&mut store, rewritten);
    let report = build_index(&store, &common::embedder(), &config, BuildMode::Auto, &()).unwrap();
    assert_eq!(report.changed, 20, "{report:?}");
    let snapshot = Snapshot::open(&config).unwrap();

    let ids: Vec<&str> = snapshot.ids().collect();
    let batch = snapshot.lexical_batch(&ids).unwrap();
    let mut texts = common::dev_queries(10);
    texts.push("改进型电池回收装置".to_string());
    assert_batch_matches_search(&snapshot, &batch, &texts);
}
