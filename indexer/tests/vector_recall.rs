//! The vector index's recall budget on the real corpus: every listing's
//! passage embedded with the real model, searched with the dev queries and
//! with demand texts, graph results compared with exact search.
//!
//! The first run embeds the whole corpus (minutes); the vectors land in the
//! shared test embedding cache, so later runs only build the graph.
#![allow(clippy::unwrap_used)]

mod common;

use corpus::Store;
use patmatch_indexer::{
    embed_passages_cached, passage_text, EmbeddingCache, HnswParams, RowSet, TextHash, VectorHit,
    VectorIndex,
};
use serde_json::Value;
use std::cell::Cell;
use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

/// Mean recall@10 of the graph against exact search, unfiltered.
const RECALL_BUDGET: f64 = 0.98;
/// The same with a filter admitting about half the rows: the walk skips
/// rejected nodes, so it is allowed a little less.
const FILTERED_RECALL_BUDGET: f64 = 0.95;
const K: usize = 10;
/// What the index builder embeds per listing.
const PASSAGE_CHARS: usize = 400;
const DEMAND_QUERIES: usize = 300;
const EMBED_CHUNK: usize = 64;

struct Fixture {
    index: VectorIndex,
    queries: Vec<Query>,
}

struct Query {
    label: String,
    vector: Vec<f32>,
}

/// Built once per test binary; the tests below share it.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(build_fixture)
}

fn build_fixture() -> Fixture {
    let scratch = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let store = common::corpus_store(&scratch.path().join("corpus.db"));
    let listings = store.listings().unwrap();
    let texts: Vec<String> = listings
        .iter()
        .map(|listing| passage_text(listing, PASSAGE_CHARS))
        .collect();
    eprintln!(
        "corpus: {} listings imported in {:.1}s",
        listings.len(),
        started.elapsed().as_secs_f64()
    );

    let embedder = common::embedder();
    let mut cache = EmbeddingCache::open(&common::embedding_cache_path()).unwrap();
    let started = Instant::now();
    let reported = Cell::new(0usize);
    let progress = |done: usize| {
        if done >= reported.get() + 500 || done == texts.len() {
            reported.set(done);
            eprintln!(
                "  embedded {done}/{} ({:.0}s)",
                texts.len(),
                started.elapsed().as_secs_f64()
            );
        }
    };
    let (vectors, stats) =
        embed_passages_cached(&embedder, &mut cache, &texts, EMBED_CHUNK, &progress).unwrap();
    eprintln!(
        "passages: {} cache hits, {} embedded in {:.1}s of model time ({:.1}s wall)",
        stats.hits,
        stats.embedded,
        stats.embed_seconds,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(vectors.len(), texts.len());
    let distinct: HashSet<&String> = texts.iter().collect();
    assert!(stats.embedded <= distinct.len());

    let started = Instant::now();
    let index = VectorIndex::build(embedder.dimensions(), &vectors, HnswParams::default()).unwrap();
    eprintln!(
        "graph: {} rows built in {:.1}s with {:?}",
        index.len(),
        started.elapsed().as_secs_f64(),
        index.params()
    );

    let queries = query_texts(&common::shared_dir());
    let started = Instant::now();
    let vectors = embed_queries_cached(&embedder, &mut cache, &queries);
    eprintln!(
        "queries: {} embedded or read in {:.1}s",
        queries.len(),
        started.elapsed().as_secs_f64()
    );
    let queries = queries
        .into_iter()
        .zip(vectors)
        .map(|((label, _), vector)| Query { label, vector })
        .collect();
    Fixture { index, queries }
}

/// The 100 dev queries, then demands the dev set does not use, written the
/// way the dev queries are (title, then text).
fn query_texts(shared: &Path) -> Vec<(String, String)> {
    let data = shared.join("data");
    let dev = read_jsonl(&data.join("eval").join("dev").join("queries.jsonl"));
    assert_eq!(dev.len(), 100);
    let used: HashSet<&str> = dev
        .iter()
        .filter_map(|query| query["demand_id"].as_str())
        .collect();
    let mut queries: Vec<(String, String)> = dev
        .iter()
        .map(|query| {
            (
                query["query_id"].as_str().unwrap().to_string(),
                query["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let demands = read_jsonl(&data.join("demands").join("demands.jsonl"));
    queries.extend(
        demands
            .iter()
            .filter(|demand| !used.contains(demand["id"].as_str().unwrap()))
            .take(DEMAND_QUERIES)
            .map(|demand| {
                let title = demand["title"].as_str().unwrap_or_default().trim();
                let text = demand["text"].as_str().unwrap_or_default().trim();
                (
                    demand["id"].as_str().unwrap().to_string(),
                    format!("{title}。{text}"),
                )
            }),
    );
    assert_eq!(queries.len(), 100 + DEMAND_QUERIES);
    queries
}

/// Query vectors go through the same cache file under their own key (the
/// model id plus a suffix: e5 embeds a query and a passage of the same text
/// differently), so reruns skip the model entirely.
fn embed_queries_cached(
    embedder: &models::Embedder,
    cache: &mut EmbeddingCache,
    queries: &[(String, String)],
) -> Vec<Vec<f32>> {
    let key = format!("{}#query", embedder.model_id());
    let hashes: Vec<_> = queries.iter().map(|(_, text)| TextHash::of(text)).collect();
    let mut vectors = cache.get_many(&key, &hashes).unwrap();
    let missing: Vec<usize> = (0..queries.len())
        .filter(|&i| vectors[i].is_none())
        .collect();
    if !missing.is_empty() {
        let texts: Vec<&str> = missing.iter().map(|&i| queries[i].1.as_str()).collect();
        let fresh = embedder.embed_queries(&texts).unwrap();
        let items: Vec<_> = missing
            .iter()
            .zip(&fresh)
            .map(|(&i, vector)| (hashes[i], vector.as_slice()))
            .collect();
        cache.put_many(&key, &items).unwrap();
        for (i, vector) in missing.into_iter().zip(fresh) {
            vectors[i] = Some(vector);
        }
    }
    vectors.into_iter().map(Option::unwrap).collect()
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Share of the true top-k found by `approx`. Ties count: a hit scoring at
/// least the exact k-th cosine is a true top-k row even when exact search
/// broke the tie in favour of another (the corpus has duplicate passages,
/// whose vectors are identical).
fn recall(approx: &[VectorHit], exact: &[VectorHit]) -> f64 {
    let Some(kth) = exact.last() else {
        return 1.0;
    };
    let found = approx.iter().filter(|hit| hit.cosine >= kth.cosine).count();
    found.min(exact.len()) as f64 / exact.len() as f64
}

struct RecallReport {
    mean: f64,
    worst: f64,
    worst_label: String,
}

impl RecallReport {
    /// Prints the figures (they go into the closing note) and holds the
    /// mean to `budget`.
    fn check(&self, what: &str, queries: usize, budget: f64) {
        eprintln!(
            "recall@{K} {what} over {queries} queries: mean {:.4} (budget {budget}), worst {:.2} ({})",
            self.mean, self.worst, self.worst_label
        );
        assert!(
            self.mean >= budget,
            "recall {what} {:.4} under the budget {budget}",
            self.mean
        );
    }
}

/// Mean and worst recall of `search` against `exact_search` over all
/// queries, checking on the way that every hit is admitted and the lists
/// are ordered and free of duplicates.
fn measure(fixture: &Fixture, allowed: Option<&RowSet>) -> RecallReport {
    let index = &fixture.index;
    let (mut total, mut worst, mut worst_label) = (0.0, f64::INFINITY, String::new());
    let (mut graph_time, mut exact_time) = (0.0, 0.0);
    for query in &fixture.queries {
        let started = Instant::now();
        let approx = index.search(&query.vector, K, allowed);
        graph_time += started.elapsed().as_secs_f64();
        let started = Instant::now();
        let exact = index.exact_search(&query.vector, K, allowed);
        exact_time += started.elapsed().as_secs_f64();

        assert_eq!(exact.len(), K);
        assert!(approx.len() <= K);
        assert!(approx.windows(2).all(|w| w[0].cosine >= w[1].cosine));
        let rows: HashSet<u32> = approx.iter().map(|hit| hit.row).collect();
        assert_eq!(rows.len(), approx.len(), "{}: duplicate rows", query.label);
        if let Some(allowed) = allowed {
            assert!(approx.iter().all(|hit| allowed.contains(hit.row)));
            assert!(exact.iter().all(|hit| allowed.contains(hit.row)));
        }
        let r = recall(&approx, &exact);
        total += r;
        if r < worst {
            (worst, worst_label) = (r, query.label.clone());
        }
    }
    let n = fixture.queries.len() as f64;
    eprintln!(
        "  mean query time: graph {:.2} ms, exact {:.2} ms",
        graph_time / n * 1e3,
        exact_time / n * 1e3
    );
    RecallReport {
        mean: total / n,
        worst,
        worst_label,
    }
}

/// About half the rows, scattered (a multiplicative hash of the row).
fn half_of_rows(len: usize) -> RowSet {
    RowSet::from_rows(
        (0..len as u32).filter(|row| row.wrapping_mul(0x9E37_79B9) >> 31 == 0),
        len,
    )
}

#[test]
fn graph_recall_meets_budget() {
    let fixture = fixture();
    assert!(fixture.index.len() > 7_000);
    assert!(fixture.index.len() >= HnswParams::default().exact_below);
    measure(fixture, None).check("unfiltered", fixture.queries.len(), RECALL_BUDGET);
}

#[test]
fn filter_admitting_few_rows_is_searched_exactly() {
    let fixture = fixture();
    let index = &fixture.index;
    let allowed = RowSet::from_rows((0..index.len() as u32).step_by(15), index.len());
    assert!((400..600).contains(&allowed.len()));
    assert!(allowed.len() < index.params().exact_below);
    for query in &fixture.queries {
        let hits = index.search(&query.vector, K, Some(&allowed));
        assert_eq!(
            hits,
            index.exact_search(&query.vector, K, Some(&allowed)),
            "{}",
            query.label
        );
        assert!(hits.iter().all(|hit| hit.row % 15 == 0));
    }
}

#[test]
fn filter_admitting_half_the_rows_keeps_recall() {
    let fixture = fixture();
    let allowed = half_of_rows(fixture.index.len());
    assert!(allowed.len() >= fixture.index.params().exact_below);
    let what = format!(
        "with {} of {} rows admitted",
        allowed.len(),
        fixture.index.len()
    );
    measure(fixture, Some(&allowed)).check(&what, fixture.queries.len(), FILTERED_RECALL_BUDGET);
}

#[test]
fn saved_and_loaded_index_answers_identically() {
    let fixture = fixture();
    let index = &fixture.index;
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    index.save(dir.path()).unwrap();
    let saved = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let loaded = VectorIndex::load(dir.path()).unwrap();
    eprintln!(
        "save {saved:.2}s, load {:.2}s",
        started.elapsed().as_secs_f64()
    );

    assert_eq!(loaded.len(), index.len());
    assert_eq!(loaded.dims(), index.dims());
    assert_eq!(loaded.params(), index.params());
    let last = index.len() as u32 - 1;
    assert_eq!(loaded.vector(last), index.vector(last));
    let half = half_of_rows(index.len());
    for query in &fixture.queries {
        for allowed in [None, Some(&half)] {
            assert_eq!(
                loaded.search(&query.vector, K, allowed),
                index.search(&query.vector, K, allowed),
                "{} (filtered: {})",
                query.label,
                allowed.is_some()
            );
        }
    }
}
