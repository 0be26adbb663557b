//! Search at 7.6k (real), 100k and 1M listings (synthetic, see
//! `patmatch_benches::synthetic`): index build time and size, BM25-only
//! latency, HNSW recall@10 and queries/s against exact search, hybrid
//! latency without query embedding, and the server's memory.
//!
//! Setup, per scale (not timed): a data dir under `target/bench/scale/<N>`
//! laid out as `patmatch` lays one out (`patmatch.db`, `embeddings.db`,
//! `index/`). The real one imports the shared corpus and reuses the tests'
//! embedding cache; synthetic ones are generated from the real one once and
//! kept (delete the directory to regenerate).
//!
//! Measured, per scale:
//! - `build`: a full index build from the store with every vector cached
//!   (tokenising, BM25 index, HNSW graph; no model calls), and the
//!   generation's size on disk;
//! - `bm25_index`: `Snapshot::text_search_with`, top 10 (the index alone);
//! - `bm25_search`: `Ranker::search` with `Retrieval::Lexical`, limit 10
//!   (the API's BM25-only path: candidates, cards, facets);
//! - `hnsw`: `Snapshot::vector_search` k = 10, single thread, with recall@10
//!   against `exact_vector_search` over the same query vectors;
//! - `hybrid_cached`: `Ranker::search` hybrid, limit 10, with the query's
//!   vector already in the ranker's query cache: everything but embedding;
//! - `rss`: `patmatch serve` on the data dir (release binary, if built),
//!   VmRSS and VmHWM after 200 searches over HTTP.
//!
//! Queries: demand titles (search-box queries), `BENCH_QUERIES` of them,
//! embedded once with the real model. Latencies are per query, reported as
//! p50/p99 over `BENCH_ROUNDS` rounds; cases run interleaved per query.
//!
//! Run: `cargo bench -p patmatch-benches --bench scale`
//! Settings (env): BENCH_SCALES (`real,100000,1000000`), BENCH_QUERIES
//! (200), BENCH_ROUNDS (3), BENCH_SEED (20261125), BENCH_REBUILD (0: a
//! scale's index and build figures are reused from `build.json` when its
//! store is unchanged; 1: build again), BENCH_EXPORT_VECTORS,
//! PATMATCH_SHARED_DIR, PATMATCH_MODEL_DIR (target/test-models).
//! Report: target/bench/scale.json.

use anyhow::{bail, Context, Result};
use corpus::{import_files, ImportOptions, SqliteStore, Store, StoreConfig};
use indexer::{build_index, BuildMode, EmbeddingCache, Filter, IndexConfig, QuerySyntax, Snapshot};
use models::{Embedder, ModelConfig};
use patmatch_benches::load::encode;
use patmatch_benches::synthetic::{Destination, Seed};
use patmatch_benches::{env_or, median, percentile, pin_thread_count, workspace};
use ranker::{Ranker, RankerConfig, Retrieval, SearchRequest};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

const K: usize = 10;

fn main() -> Result<()> {
    pin_thread_count();
    let shared = PathBuf::from(env_or("PATMATCH_SHARED_DIR", "../shared"));
    let shared = if shared.is_absolute() {
        shared
    } else {
        workspace().join(shared)
    };
    let model_dir = workspace().join(env_or("PATMATCH_MODEL_DIR", "target/test-models"));
    let rounds: usize = env_or("BENCH_ROUNDS", "3").parse()?;
    let n_queries: usize = env_or("BENCH_QUERIES", "200").parse()?;
    let seed: u64 = env_or("BENCH_SEED", "20261125").parse()?;
    let scales = env_or("BENCH_SCALES", "real,100000,1000000");
    let root = workspace().join("target").join("bench").join("scale");
    std::fs::create_dir_all(&root)?;

    let embedder = Arc::new(Embedder::load_or_fetch(&ModelConfig::new(&model_dir))?);
    let queries = queries(&shared, n_queries)?;
    let texts: Vec<&str> = queries.iter().map(String::as_str).collect();
    let vectors = embedder.embed_queries(&texts)?;
    eprintln!("{} queries embedded", queries.len());

    let real = root.join("real");
    let real_store = real_fixture(&real, &shared)?;
    let mut results = Vec::new();
    for scale in scales.split(',').map(str::trim) {
        let dir = match scale {
            "real" => real.clone(),
            n => {
                let n: usize = n.parse().with_context(|| format!("BENCH_SCALES: {n}"))?;
                let dir = root.join(n.to_string());
                synthetic_fixture(&dir, n, seed, &real, &real_store, &embedder)?;
                dir
            }
        };
        let result = measure(&dir, &embedder, &queries, &vectors, rounds)?;
        eprintln!("{}", serde_json::to_string_pretty(&result)?);
        results.push(json!({"scale": scale, "result": result}));
    }
    let report = json!({
        "date": chrono::Local::now().to_rfc3339(),
        "queries": queries.len(),
        "rounds": rounds,
        "load_before": load_average(),
        "results": results,
    });
    let out = workspace().join("target").join("bench").join("scale.json");
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    eprintln!("report: {}", out.display());
    Ok(())
}

/// Demand titles in id order (ids are hashes: a fixed pseudo-random sample).
fn queries(shared: &Path, n: usize) -> Result<Vec<String>> {
    let path = shared.join("data/demands/demands.jsonl");
    let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
    let mut demands: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| {
            Some((
                v["id"].as_str()?.to_string(),
                v["title"].as_str()?.trim().to_string(),
            ))
        })
        .filter(|(_, t)| !t.is_empty())
        .collect();
    demands.sort();
    Ok(demands.into_iter().take(n).map(|(_, t)| t).collect())
}

fn index_config(dir: &Path) -> IndexConfig {
    let mut config = IndexConfig::new(dir.join("index"));
    config.embedding_cache = dir.join("embeddings.db");
    config
}

fn open_store(dir: &Path) -> Result<SqliteStore> {
    std::fs::create_dir_all(dir)?;
    Ok(SqliteStore::open(&StoreConfig::new(
        dir.join("patmatch.db"),
    ))?)
}

/// The shared corpus, imported; the tests' embedding cache seeds this
/// one, so building embeds only what the tests never saw.
fn real_fixture(dir: &Path, shared: &Path) -> Result<SqliteStore> {
    let mut store = open_store(dir)?;
    if store.counts()?.listings == 0 {
        let files = [
            shared.join("data/corpus/patents.jsonl"),
            shared.join("data/corpus/offers.jsonl"),
        ];
        import_files(&mut store, &files, &ImportOptions::default(), &())?;
        let tests_cache = workspace().join("target/test-embeddings/cache.db");
        if tests_cache.is_file() && !dir.join("embeddings.db").exists() {
            std::fs::copy(&tests_cache, dir.join("embeddings.db"))?;
        }
    }
    Ok(store)
}

/// `n` synthetic listings made from the real corpus and its vectors, once.
fn synthetic_fixture(
    dir: &Path,
    n: usize,
    seed: u64,
    real: &Path,
    real_store: &SqliteStore,
    embedder: &Embedder,
) -> Result<()> {
    let mut store = open_store(dir)?;
    let have = store.counts()?.listings;
    if have == n {
        return Ok(());
    }
    if have != 0 {
        bail!(
            "{} holds {have} listings, not {n}: delete it",
            dir.display()
        );
    }
    // The real vectors come from the real index, built if need be.
    let real_index = index_config(real);
    if indexer::current_generation(&real_index)?.is_none() {
        build_index(real_store, embedder, &real_index, BuildMode::Full, &())?;
    }
    let snapshot = Snapshot::open(&real_index)?;
    let seed_corpus = Seed::new(real_store.listings()?, |id| {
        snapshot.vector(id).map(<[f32]>::to_vec)
    });
    let mut cache = EmbeddingCache::open(&dir.join("embeddings.db"))?;
    let started = Instant::now();
    seed_corpus.write(
        seed,
        n,
        Destination {
            store: &mut store,
            cache: &mut cache,
            model_id: embedder.model_id(),
            passage_chars: index_config(dir).passage_chars,
        },
        &|done| {
            eprint!(
                "\rsynthetic {}: {done}/{n} ({:.0} s)",
                dir.display(),
                started.elapsed().as_secs_f64()
            )
        },
    )?;
    eprintln!();
    Ok(())
}

fn summary(ms: &[f64]) -> Value {
    json!({"p50_ms": median(ms), "p99_ms": percentile(ms, 99.0), "mean_ms": ms.iter().sum::<f64>() / ms.len().max(1) as f64, "n": ms.len()})
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => dir_bytes(&e.path()),
                    _ => e.metadata().map_or(0, |m| m.len()),
                })
                .sum()
        })
        .unwrap_or(0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A full build of `dir`'s index from its store, timed, and its size on
/// disk; kept in `build.json` beside the index. A later run reuses the
/// index and the figures unless `BENCH_REBUILD=1` or the store changed:
/// the 1M graph takes most of an hour on 2 cores.
fn build_once(
    dir: &Path,
    store: &SqliteStore,
    embedder: &Embedder,
    config: &IndexConfig,
) -> Result<Value> {
    let listings = store.counts()?.listings;
    let record = dir.join("build.json");
    let kept: Option<Value> = std::fs::read_to_string(&record)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    if let Some(kept) = kept {
        let same = kept["listings"].as_u64() == Some(listings as u64);
        if same
            && env_or("BENCH_REBUILD", "0") != "1"
            && indexer::current_generation(config)?.is_some()
        {
            eprintln!(
                "{}: reusing the index built {}",
                dir.display(),
                kept["date"]
            );
            return Ok(kept);
        }
    }
    // From scratch, so the timing is a full build and the size is one
    // generation's.
    let _ = std::fs::remove_dir_all(&config.dir);
    let load_before = load_average();
    let started = Instant::now();
    let report = build_index(store, embedder, config, BuildMode::Full, &())?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "{}: built {listings} in {seconds:.1} s ({} embedded)",
        dir.display(),
        report.embedding.embedded
    );
    let build = json!({
        "listings": listings,
        "seconds": seconds,
        "index_bytes": dir_bytes(&config.dir),
        "load_before": load_before,
        "date": chrono::Local::now().to_rfc3339(),
    });
    std::fs::write(&record, serde_json::to_string_pretty(&build)?)?;
    Ok(build)
}

fn measure(
    dir: &Path,
    embedder: &Arc<Embedder>,
    queries: &[String],
    vectors: &[Vec<f32>],
    rounds: usize,
) -> Result<Value> {
    let store = open_store(dir)?;
    let listings = store.counts()?.listings;
    let config = index_config(dir);
    let build = build_once(dir, &store, embedder, &config)?;
    drop(store);

    let snapshot = Arc::new(Snapshot::open(&config)?);
    let ranker = Ranker::new(
        Arc::clone(&snapshot),
        Arc::clone(embedder),
        RankerConfig::default(),
    );
    let none = Filter::default();

    // Recall first (not timed): HNSW against exact, per query.
    let mut recall = Vec::new();
    for vector in vectors {
        let exact: Vec<String> = snapshot
            .exact_vector_search(vector, &none, K)?
            .into_iter()
            .map(|h| h.id)
            .collect();
        let approx = snapshot.vector_search(vector, &none, K)?;
        let found = approx.iter().filter(|h| exact.contains(&h.id)).count();
        recall.push(found as f64 / exact.len().max(1) as f64);
    }
    // Warm the query cache: hybrid_cached then skips the model.
    for text in queries {
        ranker.search(&SearchRequest {
            limit: K,
            ..SearchRequest::new(text.clone())
        })?;
    }

    let (mut bm25_index, mut bm25_search, mut hnsw, mut hybrid) = (vec![], vec![], vec![], vec![]);
    let mut hnsw_total = 0.0;
    for round in 0..rounds {
        for (i, (text, vector)) in queries.iter().zip(vectors).enumerate() {
            for case in 0..4 {
                // Rotate the order so load falls on every case alike.
                let case = (case + i + round) % 4;
                let started = Instant::now();
                match case {
                    0 => {
                        let _ = snapshot.text_search_with(text, QuerySyntax::Operators, &none, K);
                    }
                    1 => {
                        let request = SearchRequest {
                            retrieval: Some(Retrieval::Lexical),
                            limit: K,
                            ..SearchRequest::new(text.clone())
                        };
                        let _ = ranker.search(&request);
                    }
                    2 => {
                        snapshot.vector_search(vector, &none, K)?;
                    }
                    _ => {
                        ranker.search(&SearchRequest {
                            limit: K,
                            ..SearchRequest::new(text.clone())
                        })?;
                    }
                }
                let ms = started.elapsed().as_secs_f64() * 1e3;
                match case {
                    0 => bm25_index.push(ms),
                    1 => bm25_search.push(ms),
                    2 => {
                        hnsw.push(ms);
                        hnsw_total += ms;
                    }
                    _ => hybrid.push(ms),
                }
            }
        }
    }
    let exact_ms = {
        let started = Instant::now();
        for vector in vectors.iter().take(20) {
            snapshot.exact_vector_search(vector, &none, K)?;
        }
        started.elapsed().as_secs_f64() * 1e3 / vectors.len().min(20) as f64
    };
    let rss = serve_rss(dir, queries)?;
    let recall_at_10 = recall.iter().sum::<f64>() / recall.len().max(1) as f64;
    let qps = hnsw.len() as f64 / (hnsw_total / 1e3);
    let export = env_or("BENCH_EXPORT_VECTORS", "");
    if export == "1" || (export.is_empty() && listings >= 1_000_000) {
        export_vectors(dir, &snapshot, vectors, &config, recall_at_10, qps)?;
    }
    Ok(json!({
        "listings": listings,
        "synthetic": !dir.ends_with("real"),
        "build_seconds": build["seconds"],
        "build_docs_per_second": listings as f64 / build["seconds"].as_f64().unwrap_or(f64::NAN),
        "build_load_before": build["load_before"],
        "build_measured": build["date"],
        "index_bytes": build["index_bytes"],
        "bm25_index": summary(&bm25_index),
        "bm25_search": summary(&bm25_search),
        "hnsw": summary(&hnsw),
        "hnsw_qps_single_thread": qps,
        "hnsw_recall_at_10": recall_at_10,
        "exact_ms_per_query": exact_ms,
        "hybrid_cached": summary(&hybrid),
        "serve": rss,
    }))
}

/// The index's vectors and the query vectors as raw float32 rows, with
/// the HNSW parameters and this run's figures, for
/// `benches/scripts/hnswlib_compare.py` to run hnswlib on the same input.
fn export_vectors(
    dir: &Path,
    snapshot: &Snapshot,
    queries: &[Vec<f32>],
    config: &IndexConfig,
    recall_at_10: f64,
    qps: f64,
) -> Result<()> {
    use std::io::Write;
    let rows = |path: PathBuf, vectors: &mut dyn Iterator<Item = &[f32]>| -> Result<usize> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        let mut n = 0;
        for vector in vectors {
            for x in vector {
                out.write_all(&x.to_le_bytes())?;
            }
            n += 1;
        }
        out.flush()?;
        Ok(n)
    };
    let n = rows(
        dir.join("vectors.f32"),
        &mut snapshot.ids().filter_map(|id| snapshot.vector(id)),
    )?;
    rows(
        dir.join("queries.f32"),
        &mut queries.iter().map(Vec::as_slice),
    )?;
    let meta = json!({
        "rows": n,
        "dimensions": queries.first().map_or(0, Vec::len),
        "hnsw": {
            "max_connections": config.hnsw.max_connections,
            "ef_construction": config.hnsw.ef_construction,
            "ef_search": config.hnsw.ef_search,
        },
        "patmatch_recall_at_10": recall_at_10,
        "patmatch_qps_single_thread": qps,
        "synthetic": true,
    });
    std::fs::write(
        dir.join("vectors.json"),
        serde_json::to_string_pretty(&meta)?,
    )?;
    Ok(())
}

/// `patmatch serve` on `dir`: memory after 200 searches, if the release
/// binary is built.
fn serve_rss(dir: &Path, queries: &[String]) -> Result<Value> {
    let bin = workspace().join("target/release/patmatch");
    if !bin.is_file() {
        return Ok(json!({"skipped": "target/release/patmatch not built"}));
    }
    let token = std::process::Command::new(&bin)
        .args(["--data-dir"])
        .arg(dir)
        .args(["keys", "create", "--role", "admin", "--label", "bench"])
        .output()?;
    let token = String::from_utf8_lossy(&token.stdout).trim().to_string();
    let port = 18_000 + (std::process::id() % 1_000) as u16;
    let mut child = std::process::Command::new(&bin)
        .args(["--data-dir"])
        .arg(dir)
        .args(["--model-dir"])
        .arg(workspace().join(env_or("PATMATCH_MODEL_DIR", "target/test-models")))
        .args(["serve", "--no-ipc", "--bind", &format!("127.0.0.1:{port}")])
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let addr = format!("127.0.0.1:{port}");
    let started = Instant::now();
    let ready = loop {
        if http_status(&addr, "/readyz", None) == Some(200) {
            break started.elapsed().as_secs_f64();
        }
        if started.elapsed().as_secs() > 300 {
            let _ = child.kill();
            bail!("serve on {} not ready in 5 min", dir.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    for text in queries.iter().cycle().take(200) {
        let q = encode(text);
        http_status(&addr, &format!("/v1/search?q={q}&limit=10"), Some(&token));
    }
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()))?;
    let kb = |field: &str| -> Option<u64> {
        status
            .lines()
            .find(|l| l.starts_with(field))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    let result = json!({"ready_seconds": ready, "rss_mb": kb("VmRSS:").map(|k| k as f64 / 1024.0), "peak_rss_mb": kb("VmHWM:").map(|k| k as f64 / 1024.0)});
    let _ = child.kill();
    let _ = child.wait();
    Ok(result)
}

fn http_status(addr: &str, path: &str, token: Option<&str>) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split_whitespace().nth(1)?.parse().ok()
}
