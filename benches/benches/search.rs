//! Hybrid search latency over the shared corpus, query embedding included.
//!
//! Setup (not timed): the shared corpus is imported into a temporary
//! SQLite store and indexed in a temporary directory with the tests'
//! embedding cache (`target/test-embeddings/cache.db`, so a rebuild embeds
//! nothing once warm), and the model is loaded.
//!
//! Two query sets, from `demands/demands.jsonl` ordered by id (the ids are
//! hashes, so this is a fixed pseudo-random sample):
//! - search-box queries: demand titles, what an enterprise types
//!   (`Operators` syntax, as a search box sends). The targets,
//!   p50 ≤ 15 ms and p99 ≤ 40 ms for hybrid search, apply to these;
//! - full demand statements: title and problem text of `techmarket-demand`
//!   records (`Plain` syntax, as prose is searched), reported separately
//!   because a long text costs more to embed.
//!
//! Cases, run interleaved (each round, each query, every case once, the
//! order rotated per query) so machine load falls on all of them alike:
//! - `hybrid`: `Ranker::search` with the configured default fusion,
//!   limit 10, no filter, query embedding included (the headline);
//! - `hybrid_filtered`: the same with `searchable_on` = today and a budget;
//! - `hybrid_explain`: the same as `hybrid` with `explain: true`;
//! - `bm25`: `Ranker::search` with `Retrieval::Lexical` (baseline);
//! - `embed`: `Embedder::embed_queries(&[text])` alone (baseline);
//! - the parts of a hybrid search, for the breakdown: `bm25_index`
//!   (`Snapshot::text_search_with` at the ranker's candidate depth),
//!   `vector_index` (`Snapshot::vector_search` with the query's vector
//!   computed in setup) and `cards` (`Snapshot::cards` of the fused
//!   candidates). What a hybrid search spends beyond these (fusion,
//!   folding, facets, paging) is its mean minus their means.
//!
//! Nothing is asserted: this is a measurement, not a test.
//!
//! Run: `cargo bench -p patmatch-benches --bench search`
//! Settings (env): PATMATCH_SHARED_DIR (default ../shared),
//! PATMATCH_MODEL_DIR (default target/test-models, relative to the
//! workspace), BENCH_ROUNDS (3), BENCH_QUERIES (300), BENCH_STATEMENTS
//! (100), BENCH_WARMUP (20), BENCH_MAX_FEE (500000 yuan, the filtered
//! case's budget). The report goes to `target/bench/search.json`.

use anyhow::{bail, Context, Result};
use corpus::{import_files, ImportOptions, SqliteStore, StoreConfig};
use indexer::{build_index, BuildMode, Filter, IndexConfig, QuerySyntax, Snapshot};
use models::{Embedder, ModelConfig};
use ranker::{Ranker, RankerConfig, Retrieval, SearchRequest};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The targets for hybrid search on search-box queries.
const TARGET_P50_MS: f64 = 15.0;
const TARGET_P99_MS: f64 = 40.0;
const LIMIT: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Case {
    Hybrid,
    HybridFiltered,
    HybridExplain,
    Bm25,
    Embed,
    Bm25Index,
    VectorIndex,
    Cards,
}

const CASES: [Case; 8] = [
    Case::Hybrid,
    Case::HybridFiltered,
    Case::HybridExplain,
    Case::Bm25,
    Case::Embed,
    Case::Bm25Index,
    Case::VectorIndex,
    Case::Cards,
];

impl Case {
    fn name(self) -> &'static str {
        match self {
            Case::Hybrid => "hybrid",
            Case::HybridFiltered => "hybrid_filtered",
            Case::HybridExplain => "hybrid_explain",
            Case::Bm25 => "bm25",
            Case::Embed => "embed",
            Case::Bm25Index => "bm25_index",
            Case::VectorIndex => "vector_index",
            Case::Cards => "cards",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Case::Hybrid => "(a) hybrid search, default filter, embedding included",
            Case::HybridFiltered => "(a') hybrid, searchable today + budget",
            Case::HybridExplain => "(d) hybrid with explain",
            Case::Bm25 => "(b) BM25-only search (baseline)",
            Case::Embed => "(c) query embedding alone (baseline)",
            Case::Bm25Index => "part: BM25 index, top candidates",
            Case::VectorIndex => "part: vector index, top candidates",
            Case::Cards => "part: cards of fused candidates",
        }
    }
}

/// One query with what its part-cases need, computed in setup.
struct Query {
    text: String,
    syntax: QuerySyntax,
    tokens: usize,
    vector: Vec<f32>,
    /// Ids of the fused candidates of its hybrid search.
    candidates: Vec<String>,
}

struct Bench {
    ranker: Ranker,
    snapshot: Arc<Snapshot>,
    embedder: Arc<Embedder>,
    filtered: Filter,
    depth: usize,
}

impl Bench {
    fn request(&self, query: &Query) -> SearchRequest {
        SearchRequest {
            syntax: query.syntax,
            retrieval: Some(Retrieval::Hybrid(self.ranker.config().fusion)),
            limit: LIMIT,
            ..SearchRequest::new(query.text.clone())
        }
    }

    /// Runs one case once; returns how many results it produced.
    fn run(&self, case: Case, query: &Query) -> Result<usize> {
        Ok(match case {
            Case::Hybrid => self.ranker.search(&self.request(query))?.hits.len(),
            Case::HybridFiltered => self
                .ranker
                .search(&SearchRequest {
                    filter: self.filtered.clone(),
                    ..self.request(query)
                })?
                .hits
                .len(),
            Case::HybridExplain => self
                .ranker
                .search(&SearchRequest {
                    explain: true,
                    ..self.request(query)
                })?
                .hits
                .len(),
            Case::Bm25 => self
                .ranker
                .search(&SearchRequest {
                    retrieval: Some(Retrieval::Lexical),
                    ..self.request(query)
                })?
                .hits
                .len(),
            Case::Embed => self.embedder.embed_queries(&[&query.text])?.len(),
            Case::Bm25Index => match self.snapshot.text_search_with(
                &query.text,
                query.syntax,
                &Filter::default(),
                self.depth,
            ) {
                Ok(results) => results.hits.len(),
                // Hybrid search goes on without BM25 for such a query too.
                Err(indexer::Error::Query(_)) => 0,
                Err(e) => return Err(e.into()),
            },
            Case::VectorIndex => self
                .snapshot
                .vector_search(&query.vector, &Filter::default(), self.depth)?
                .len(),
            Case::Cards => {
                let ids: Vec<&str> = query.candidates.iter().map(String::as_str).collect();
                self.snapshot.cards(&ids)?.len()
            }
        })
    }

    /// The query's vector and fused candidates, as a hybrid search makes
    /// them.
    fn prepare(&self, text: String, syntax: QuerySyntax) -> Result<Query> {
        let tokens = self.embedder.tokenizer().content_ids(&text)?.len();
        let vector = self
            .embedder
            .embed_queries(&[&text])?
            .pop()
            .context("no vector")?;
        let lexical =
            match self
                .snapshot
                .text_search_with(&text, syntax, &Filter::default(), self.depth)
            {
                Ok(results) => results.hits,
                Err(indexer::Error::Query(_)) => Vec::new(),
                Err(e) => return Err(e.into()),
            };
        let semantic = self
            .snapshot
            .vector_search(&vector, &Filter::default(), self.depth)?;
        let candidates = self
            .ranker
            .config()
            .fusion
            .fuse(&lexical, &semantic)
            .into_iter()
            .map(|hit| hit.id)
            .collect();
        Ok(Query {
            text,
            syntax,
            tokens,
            vector,
            candidates,
        })
    }
}

use patmatch_benches::{env_or, workspace};

fn main() -> Result<()> {
    patmatch_benches::pin_thread_count();
    let shared = std::env::var_os("PATMATCH_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared"));
    // cargo runs benches from the package directory; a relative path is
    // meant from the workspace.
    let model_dir = workspace().join(env_or("PATMATCH_MODEL_DIR", "target/test-models"));
    let rounds: usize = env_or("BENCH_ROUNDS", "3").parse()?;
    let n_queries: usize = env_or("BENCH_QUERIES", "300").parse()?;
    let n_statements: usize = env_or("BENCH_STATEMENTS", "100").parse()?;
    let warmup: usize = env_or("BENCH_WARMUP", "20").parse()?;
    let max_fee: u64 = env_or("BENCH_MAX_FEE", "500000").parse()?;

    // ---- setup, not timed ----
    let setup = Instant::now();
    let tmp = tempfile::tempdir()?;
    let mut store = SqliteStore::open(&StoreConfig::new(tmp.path().join("patmatch.db")))?;
    let files = [
        shared.join("data/corpus/patents.jsonl"),
        shared.join("data/corpus/offers.jsonl"),
    ];
    import_files(&mut store, &files, &ImportOptions::default(), &())?;
    let embedder = Arc::new(Embedder::load_or_fetch(&ModelConfig::new(&model_dir))?);
    let cache = workspace().join("target/test-embeddings");
    std::fs::create_dir_all(&cache)?;
    let mut config = IndexConfig::new(tmp.path().join("index"));
    config.embedding_cache = cache.join("cache.db");
    let build = build_index(&store, &embedder, &config, BuildMode::Full, &())?;
    let snapshot = Arc::new(Snapshot::open(&config)?);
    let ranker = Ranker::new(snapshot.clone(), embedder.clone(), RankerConfig::default());
    let today = chrono::Local::now().date_naive();
    let filtered = Filter {
        searchable_on: Some(today),
        max_fee: Some(max_fee),
        ..Filter::default()
    };
    let listings = snapshot.len();
    let passing_filter = snapshot.count(&filtered)?;
    let bench = Bench {
        depth: ranker.config().candidates.max(2 * LIMIT),
        ranker,
        snapshot,
        embedder,
        filtered,
    };

    let (titles, statements) = demand_texts(&shared.join("data/demands/demands.jsonl"))?;
    let mut sets = Vec::new();
    for (name, texts, wanted, syntax) in [
        ("search_box", titles, n_queries, QuerySyntax::Operators),
        ("statements", statements, n_statements, QuerySyntax::Plain),
    ] {
        let mut queries = Vec::new();
        let mut dropped = 0;
        for text in texts {
            if queries.len() == wanted {
                break;
            }
            let query = bench.prepare(text, syntax)?;
            // A query some case refuses (nothing to search for) is left
            // out of every case, so all cases time the same queries.
            if CASES.iter().all(|&case| bench.run(case, &query).is_ok()) {
                queries.push(query);
            } else {
                dropped += 1;
            }
        }
        if queries.is_empty() {
            bail!("no usable {name} queries");
        }
        sets.push((name, queries, dropped));
    }
    let setup_s = setup.elapsed().as_secs_f64();
    eprintln!(
        "setup {setup_s:.1} s: {listings} listings ({} embedded, {} from cache), build {:.1} s",
        build.embedding.embedded, build.embedding.hits, build.total_seconds
    );

    // ---- measurement ----
    let machine_start = MachineSample::now();
    let started_at = chrono::Local::now();
    let mut samples: BTreeMap<(&str, Case), Vec<f64>> = BTreeMap::new();
    let mut empty: BTreeMap<(&str, Case), usize> = BTreeMap::new();
    let mut round_log = Vec::new();
    for (_, queries, _) in &sets {
        for query in queries.iter().take(warmup) {
            for &case in &CASES {
                bench.run(case, query)?;
            }
        }
    }
    for round in 0..rounds {
        let round_start = MachineSample::now();
        let mut round_hybrid: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for (name, queries, _) in &sets {
            for (i, query) in queries.iter().enumerate() {
                for k in 0..CASES.len() {
                    let case = CASES[(i + round + k) % CASES.len()];
                    let t = Instant::now();
                    let produced = bench.run(case, query)?;
                    let elapsed = t.elapsed().as_secs_f64();
                    samples.entry((*name, case)).or_default().push(elapsed);
                    if case == Case::Hybrid {
                        round_hybrid.entry(*name).or_default().push(elapsed);
                    }
                    if produced == 0 {
                        *empty.entry((*name, case)).or_default() += 1;
                    }
                }
            }
        }
        let round_end = MachineSample::now();
        let others = round_end.other_cores_since(&round_start);
        let medians: BTreeMap<&str, f64> = round_hybrid
            .iter()
            .map(|(name, s)| (*name, percentile(s, 0.5) * 1e3))
            .collect();
        eprintln!(
            "round {}/{rounds}: hybrid p50 {medians:?} ms; load {}; other processes used {others:.2} cores",
            round + 1,
            round_end.loadavg
        );
        round_log.push(json!({
            "round": round + 1,
            "hybrid_p50_ms": medians,
            "loadavg_end": round_end.loadavg,
            "other_cores_busy": others,
        }));
    }
    let machine_end = MachineSample::now();
    let other_cores = machine_end.other_cores_since(&machine_start);

    // ---- report ----
    let nproc = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cpu = cpu_model();
    let fusion = Retrieval::Hybrid(bench.ranker.config().fusion).to_string();
    println!(
        "\nsearch: hybrid latency over the shared corpus ({listings} listings), {}",
        started_at.format("%Y-%m-%d %H:%M")
    );
    println!(
        "machine: {nproc} CPUs, {cpu}, RAYON_NUM_THREADS={}",
        env_or("RAYON_NUM_THREADS", "?")
    );
    println!(
        "load average: start {}, end {}; other processes used {other_cores:.2} of {nproc} cores during the measurement; rustc/cargo processes besides this run: {} at start, {} at end",
        machine_start.loadavg, machine_end.loadavg, machine_start.builds, machine_end.builds
    );
    println!(
        "settings: {rounds} rounds, warm-up {warmup} queries per set, fusion {fusion}, limit {LIMIT}, candidate depth {}, filtered case: searchable on {today}, max fee {max_fee} yuan ({passing_filter} of {listings} listings pass)",
        bench.depth
    );

    let mut report_sets = serde_json::Map::new();
    let mut verdict = None;
    for (name, queries, dropped) in &sets {
        let mean_tokens =
            queries.iter().map(|q| q.tokens).sum::<usize>() as f64 / queries.len() as f64;
        let max_tokens = queries.iter().map(|q| q.tokens).max().unwrap_or(0);
        let title = if *name == "search_box" {
            "search-box queries (demand titles)"
        } else {
            "full demand statements (title + text)"
        };
        println!(
            "\n### {title}: {} queries × {rounds} rounds, {mean_tokens:.1} tokens on average (max {max_tokens}){}",
            queries.len(),
            if *dropped > 0 {
                format!(", {dropped} left out (nothing to search for)")
            } else {
                String::new()
            }
        );
        println!("\n| case | p50 | p90 | p99 | mean | n |");
        println!("|---|---|---|---|---|---|");
        let mut cases = serde_json::Map::new();
        let mut stats: BTreeMap<Case, Stats> = BTreeMap::new();
        for &case in &CASES {
            let s = Stats::of(&samples[&(*name, case)]);
            println!(
                "| `{}` {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {} |",
                case.name(),
                case.what(),
                s.p50 * 1e3,
                s.p90 * 1e3,
                s.p99 * 1e3,
                s.mean * 1e3,
                s.n
            );
            cases.insert(
                case.name().into(),
                json!({
                    "what": case.what(),
                    "p50_ms": s.p50 * 1e3, "p90_ms": s.p90 * 1e3,
                    "p99_ms": s.p99 * 1e3, "mean_ms": s.mean * 1e3,
                    "max_ms": s.max * 1e3, "n": s.n,
                    "empty_results": empty.get(&(*name, case)).copied().unwrap_or(0),
                }),
            );
            stats.insert(case, s);
        }
        let hybrid = &stats[&Case::Hybrid];
        let over_bm25 = hybrid.p50 / stats[&Case::Bm25].p50;
        let over_embed = hybrid.p50 / stats[&Case::Embed].p50;
        println!(
            "\nmedians: hybrid / BM25 = {over_bm25:.2}×, hybrid / embedding = {over_embed:.2}×; filtered / hybrid = {:.2}×, explain / hybrid = {:.2}×",
            stats[&Case::HybridFiltered].p50 / hybrid.p50,
            stats[&Case::HybridExplain].p50 / hybrid.p50
        );
        // Means add up where medians do not: the breakdown uses means.
        let parts = [Case::Embed, Case::Bm25Index, Case::VectorIndex, Case::Cards];
        let parts_sum: f64 = parts.iter().map(|c| stats[c].mean).sum();
        let rest = hybrid.mean - parts_sum;
        let share = |t: f64| 100.0 * t / hybrid.mean;
        println!(
            "breakdown of a hybrid search's mean {:.2} ms: embedding {:.2} ms ({:.0} %), BM25 index {:.2} ms ({:.0} %), vector index {:.2} ms ({:.0} %), cards {:.2} ms ({:.0} %), the rest (fusion, folding, facets, paging) {:.2} ms ({:.0} %)",
            hybrid.mean * 1e3,
            stats[&Case::Embed].mean * 1e3,
            share(stats[&Case::Embed].mean),
            stats[&Case::Bm25Index].mean * 1e3,
            share(stats[&Case::Bm25Index].mean),
            stats[&Case::VectorIndex].mean * 1e3,
            share(stats[&Case::VectorIndex].mean),
            stats[&Case::Cards].mean * 1e3,
            share(stats[&Case::Cards].mean),
            rest * 1e3,
            share(rest),
        );
        let p50_ok = hybrid.p50 * 1e3 <= TARGET_P50_MS;
        let p99_ok = hybrid.p99 * 1e3 <= TARGET_P99_MS;
        let judge = |ok: bool| if ok { "met" } else { "MISSED" };
        if *name == "search_box" {
            println!(
                "targets (hybrid, search-box queries): p50 {:.2} ms ≤ {TARGET_P50_MS} ms: {}; p99 {:.2} ms ≤ {TARGET_P99_MS} ms: {}",
                hybrid.p50 * 1e3,
                judge(p50_ok),
                hybrid.p99 * 1e3,
                judge(p99_ok)
            );
            verdict = Some(json!({
                "applies_to": "hybrid, search-box queries",
                "p50_target_ms": TARGET_P50_MS, "p50_ms": hybrid.p50 * 1e3, "p50_met": p50_ok,
                "p99_target_ms": TARGET_P99_MS, "p99_ms": hybrid.p99 * 1e3, "p99_met": p99_ok,
            }));
        } else {
            println!(
                "(the targets apply to search-box queries; against them these would be: p50 {}, p99 {})",
                judge(p50_ok),
                judge(p99_ok)
            );
        }
        report_sets.insert(
            (*name).into(),
            json!({
                "queries": queries.len(),
                "left_out": dropped,
                "syntax": format!("{:?}", queries[0].syntax),
                "mean_tokens": mean_tokens,
                "max_tokens": max_tokens,
                "cases": cases,
                "ratios_of_medians": {
                    "hybrid_over_bm25": over_bm25,
                    "hybrid_over_embed": over_embed,
                    "filtered_over_hybrid": stats[&Case::HybridFiltered].p50 / hybrid.p50,
                    "explain_over_hybrid": stats[&Case::HybridExplain].p50 / hybrid.p50,
                },
                "breakdown_of_hybrid_mean_ms": {
                    "total": hybrid.mean * 1e3,
                    "embed": stats[&Case::Embed].mean * 1e3,
                    "bm25_index": stats[&Case::Bm25Index].mean * 1e3,
                    "vector_index": stats[&Case::VectorIndex].mean * 1e3,
                    "cards": stats[&Case::Cards].mean * 1e3,
                    "rest": rest * 1e3,
                },
            }),
        );
    }

    let report = json!({
        "date": started_at.to_rfc3339(),
        "machine": {
            "nproc": nproc,
            "cpu": cpu,
            "rayon_num_threads": env_or("RAYON_NUM_THREADS", "?"),
            "loadavg_start": machine_start.loadavg,
            "loadavg_end": machine_end.loadavg,
            "other_cores_busy": other_cores,
            "build_processes_start": machine_start.builds,
            "build_processes_end": machine_end.builds,
        },
        "settings": {
            "rounds": rounds,
            "warmup": warmup,
            "limit": LIMIT,
            "fusion": fusion,
            "candidate_depth": bench.depth,
            "listings": listings,
            "filtered": { "searchable_on": today.to_string(), "max_fee": max_fee,
                          "listings_passing": passing_filter },
            "setup_seconds": setup_s,
            "index_build_seconds": build.total_seconds,
            "passages_embedded_in_setup": build.embedding.embedded,
        },
        "targets": verdict,
        "sets": report_sets,
        "rounds": round_log,
    });
    let out = workspace().join("target/bench");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("search.json"), serde_json::to_vec_pretty(&report)?)?;
    println!("\nreport: target/bench/search.json");
    Ok(())
}

/// Search-box texts (unique demand titles) and full statements (title and
/// problem text of `techmarket-demand` records), both in id order.
fn demand_texts(path: &Path) -> Result<(Vec<String>, Vec<String>)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut demands: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<serde_json::Result<_>>()?;
    demands.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let field = |d: &Value, name: &str| d[name].as_str().unwrap_or("").trim().to_string();
    let mut seen = HashSet::new();
    let titles = demands
        .iter()
        .map(|d| field(d, "title"))
        .filter(|t| !t.is_empty() && seen.insert(t.clone()))
        .collect();
    let statements = demands
        .iter()
        .filter(|d| d["source"] == "techmarket-demand")
        .map(|d| (field(d, "title"), field(d, "text")))
        .filter(|(title, text)| !title.is_empty() && !text.is_empty())
        .map(|(title, text)| format!("{title}\n{text}"))
        .collect();
    Ok((titles, statements))
}

struct Stats {
    p50: f64,
    p90: f64,
    p99: f64,
    mean: f64,
    max: f64,
    n: usize,
}

impl Stats {
    fn of(samples: &[f64]) -> Self {
        Self {
            p50: percentile(samples, 0.50),
            p90: percentile(samples, 0.90),
            p99: percentile(samples, 0.99),
            mean: samples.iter().sum::<f64>() / samples.len().max(1) as f64,
            max: samples.iter().copied().fold(f64::NAN, f64::max),
            n: samples.len(),
        }
    }
}

/// Nearest-rank percentile: the smallest sample with at least `p` of the
/// samples at or below it.
fn percentile(samples: &[f64], p: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// What the machine was doing at one moment.
struct MachineSample {
    loadavg: String,
    /// Busy and total jiffies of all CPUs (/proc/stat).
    busy: u64,
    total: u64,
    /// This process's own jiffies.
    own: u64,
    /// rustc and cargo processes other than this run's own cargo.
    builds: usize,
}

impl MachineSample {
    fn now() -> Self {
        let loadavg = std::fs::read_to_string("/proc/loadavg")
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|_| "?".into());
        let (busy, total) = std::fs::read_to_string("/proc/stat")
            .ok()
            .and_then(|stat| {
                let line = stat.lines().next()?.to_string();
                let v: Vec<u64> = line
                    .split_whitespace()
                    .skip(1)
                    .filter_map(|x| x.parse().ok())
                    .collect();
                // user nice system idle iowait irq softirq steal (guest is
                // counted in user already).
                let get = |i: usize| v.get(i).copied().unwrap_or(0);
                let busy = get(0) + get(1) + get(2) + get(5) + get(6) + get(7);
                Some((busy, busy + get(3) + get(4)))
            })
            .unwrap_or((0, 0));
        let own = stat_fields(std::process::id())
            .map(|f| {
                f.get(11).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0)
                    + f.get(12).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0)
            })
            .unwrap_or(0);
        Self {
            loadavg,
            busy,
            total,
            own,
            builds: build_processes(),
        }
    }

    /// Cores' worth of CPU that other processes used since `start`.
    fn other_cores_since(&self, start: &MachineSample) -> f64 {
        let total = self.total.saturating_sub(start.total) as f64;
        if total == 0.0 {
            return f64::NAN;
        }
        let nproc = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        let others = self
            .busy
            .saturating_sub(start.busy)
            .saturating_sub(self.own.saturating_sub(start.own)) as f64;
        nproc * others / total
    }
}

/// The fields of /proc/<pid>/stat after the command name (state first).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// rustc and cargo processes running now, except this process's ancestors
/// (the `cargo bench` that started it).
fn build_processes() -> usize {
    let mut ancestors = HashSet::new();
    let mut pid = std::process::id();
    while pid > 1 && ancestors.insert(pid) {
        pid = stat_fields(pid)
            .and_then(|f| f.get(1).and_then(|p| p.parse().ok()))
            .unwrap_or(0);
    }
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| !ancestors.contains(pid))
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .map(|c| matches!(c.trim(), "rustc" | "cargo"))
                .unwrap_or(false)
        })
        .count()
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}
