//! The daily precision push at scale: 100,000 demand profiles × 1,000
//! listings new that day, on the real corpus index.
//!
//! **The profiles are synthetic.** The shared data holds ~2,300 real
//! demands; profile `k` recombines two of them (`a`, `b`, chosen by fixed
//! strides): `a`'s title, modes, budget and IPC preferences, the first
//! sentence of `b`'s statement, and the keywords of both. Its query vector
//! is the normalised mix `0.6·v(a) + 0.4·v(b)` of the real demands' query
//! embeddings, since embedding 100,000 texts would take hours on this
//! machine; its BM25 terms and its baseline (the full-corpus search a
//! first push makes) are computed for real, from that text and vector.
//! Every synthetic profile's `source` is `synthetic-recombined`.
//!
//! The 1,000 new listings are real listings of the corpus (every k-th by
//! id) whose declaration is re-announced on the benchmark day, so they are
//! not searchable the day before.
//!
//! Setup (not timed, kept under `target/bench/push/` and reused while its
//! parameters match, since it takes minutes): import the corpus and the
//! demands, announce the new listings on day 2, index with the tests'
//! embedding cache, embed the real demands (cached), synthesise the
//! profiles, compute their baselines on day 1 and record an empty day-1
//! push for each, as if yesterday's run had happened.
//!
//! Timed:
//! - `plan`: `Pusher::plan_many` for all profiles on day 2 (read history
//!   and baselines, find the new listings, score them against every
//!   profile on all cores, choose and explain), `BENCH_ROUNDS` times;
//! - `run`: `Pusher::run_for`, which also records every push (one
//!   transaction), once, on a copy of the store;
//! - baseline, same run: the per-profile path the batch replaces — a
//!   `Ranker::search` with the profile as query (model embedding
//!   included) for `BENCH_SAMPLE` profiles; its median × profiles is what
//!   pushing them one search at a time would cost.
//!
//! Nothing is asserted: this is a measurement. The target is
//! 100,000 × 1,000 in ≤ 60 s on this 2-core machine.
//!
//! Run: `cargo bench -p patmatch-benches --bench push`
//! Settings (env): PATMATCH_SHARED_DIR (default ../shared),
//! PATMATCH_MODEL_DIR (target/test-models), BENCH_PROFILES (100000),
//! BENCH_NEW (1000), BENCH_ROUNDS (3), BENCH_SAMPLE (100). The report goes
//! to `target/bench/push.json`.

use anyhow::{bail, Context, Result};
use chrono::{NaiveDate, Utc};
use corpus::{import_files, Batch, DemandProfile, ImportOptions, SqliteStore, Store, StoreConfig};
use indexer::{build_index, BuildMode, EmbeddingCache, IndexConfig, QuerySyntax, Snapshot};
use models::{Embedder, ModelConfig};
use patmatch_benches::{env_or, median, pin_thread_count, workspace};
use ranker::{
    embed_titles_cached, PushConfig, Pusher, Ranker, RankerConfig, SearchRequest, TitleEmbedding,
};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Bumped whenever the fixture's recipe changes, so a stale one is rebuilt.
const FIXTURE_VERSION: u32 = 1;
const SOURCE: &str = "synthetic-recombined";

fn day1() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date")
}

fn day2() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date")
}

struct Params {
    profiles: usize,
    new: usize,
}

impl Params {
    fn key(&self) -> String {
        format!(
            "v{FIXTURE_VERSION} profiles={} new={}",
            self.profiles, self.new
        )
    }
}

fn main() -> Result<()> {
    pin_thread_count();
    tracing_init();
    let shared = PathBuf::from(env_or("PATMATCH_SHARED_DIR", "../shared"));
    let shared = if shared.is_absolute() {
        shared
    } else {
        workspace().join(shared)
    };
    let model_dir = workspace().join(env_or("PATMATCH_MODEL_DIR", "target/test-models"));
    let params = Params {
        profiles: env_or("BENCH_PROFILES", "100000").parse()?,
        new: env_or("BENCH_NEW", "1000").parse()?,
    };
    let rounds: usize = env_or("BENCH_ROUNDS", "3").parse()?;
    let sample: usize = env_or("BENCH_SAMPLE", "100").parse()?;
    let root = workspace().join("target/bench/push");
    let embedder = Arc::new(Embedder::load_or_fetch(&ModelConfig::new(&model_dir))?);

    let setup = Instant::now();
    let fresh = ensure_fixture(&root, &shared, &embedder, &params)?;
    let setup_seconds = setup.elapsed().as_secs_f64();

    let store = SqliteStore::open(&StoreConfig::new(root.join("patmatch.db")))?;
    let snapshot = Arc::new(Snapshot::open(&index_config(&root))?);
    let ranker = Ranker::new(snapshot, embedder.clone(), RankerConfig::default());
    let pusher = Pusher::new(&ranker, PushConfig::default());
    let started = Instant::now();
    let profiles: Vec<DemandProfile> = store
        .profiles()?
        .into_iter()
        .filter(|p| p.source == SOURCE)
        .collect();
    let load_seconds = started.elapsed().as_secs_f64();
    if profiles.len() != params.profiles {
        bail!(
            "the fixture holds {} synthetic profiles, not {}; delete {}",
            profiles.len(),
            params.profiles,
            root.display()
        );
    }

    // ---- timed: the batch ----
    let mut plan_seconds = Vec::new();
    let mut served = 0;
    let mut items = 0;
    for round in 0..rounds {
        let started = Instant::now();
        let pushes = pusher.plan_many(&store, &profiles, day2(), &|_| {})?;
        plan_seconds.push(started.elapsed().as_secs_f64());
        served = pushes.iter().filter(|p| !p.items.is_empty()).count();
        items = pushes.iter().map(|p| p.items.len()).sum();
        eprintln!(
            "round {round}: plan {:.2} s, {served} profiles served, {items} items",
            plan_seconds[round]
        );
    }

    // ---- timed once: the batch with recording, on a copy ----
    let copy = tempfile::tempdir()?;
    let copy_db = copy.path().join("patmatch.db");
    drop(store);
    std::fs::copy(root.join("patmatch.db"), &copy_db)?;
    let mut copied = SqliteStore::open(&StoreConfig::new(&copy_db))?;
    let started = Instant::now();
    let report = pusher.run_for(&mut copied, &profiles, day2(), &|_| {})?;
    let run_seconds = started.elapsed().as_secs_f64();

    // ---- timed: the per-profile search the batch replaces ----
    let mut search_ms = Vec::new();
    for profile in profiles
        .iter()
        .step_by((profiles.len() / sample.max(1)).max(1))
    {
        let request = SearchRequest {
            profile: Some(profile.clone()),
            syntax: QuerySyntax::Plain,
            limit: PushConfig::default().depth,
            ..SearchRequest::new("")
        };
        let started = Instant::now();
        ranker.search(&request)?;
        search_ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let search_median = median(&search_ms);
    let per_profile_total = search_median / 1e3 * profiles.len() as f64;
    let plan_median = median(&plan_seconds);

    let out = json!({
        "date": Utc::now().to_rfc3339(),
        "synthetic_profiles": profiles.len(),
        "profile_source": SOURCE,
        "new_listings": params.new,
        "listings": ranker.snapshot().len(),
        "threads": rayon_threads(),
        "fixture": {"rebuilt": fresh, "seconds": setup_seconds},
        "load_profiles_seconds": load_seconds,
        "plan_seconds": plan_seconds,
        "plan_median_seconds": plan_median,
        "run_with_recording_seconds": run_seconds,
        "served": served,
        "items": items,
        "report": report,
        "per_profile_search_median_ms": search_median,
        "per_profile_search_samples": search_ms.len(),
        "per_profile_path_estimate_seconds": per_profile_total,
        "speedup_vs_per_profile": per_profile_total / plan_median,
        "target_seconds": 60.0,
    });
    let path = workspace().join("target/bench/push.json");
    std::fs::write(&path, serde_json::to_string_pretty(&out)?)?;
    println!(
        "push: {} synthetic profiles × {} new listings on {} threads\n\
         plan (median of {rounds}): {plan_median:.2} s; with recording: {run_seconds:.2} s \
         (target ≤ 60 s); loading profiles: {load_seconds:.2} s\n\
         served {served} profiles, {items} items\n\
         per-profile search (same run, median of {}): {search_median:.2} ms → \
         {per_profile_total:.0} s for all profiles, {:.0}× the batch\n\
         report: {}",
        profiles.len(),
        params.new,
        rayon_threads(),
        search_ms.len(),
        per_profile_total / plan_median,
        path.display()
    );
    Ok(())
}

fn rayon_threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

fn tracing_init() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
}

fn index_config(root: &Path) -> IndexConfig {
    let mut config = IndexConfig::new(root.join("index"));
    config.embedding_cache = workspace().join("target/test-embeddings/cache.db");
    config
}

/// Builds the fixture unless one with the same parameters exists; true
/// when it was built.
fn ensure_fixture(
    root: &Path,
    shared: &Path,
    embedder: &Arc<Embedder>,
    params: &Params,
) -> Result<bool> {
    let marker = root.join("fixture.txt");
    if std::fs::read_to_string(&marker).is_ok_and(|k| k == params.key()) {
        return Ok(false);
    }
    if root.exists() {
        std::fs::remove_dir_all(root)?;
    }
    std::fs::create_dir_all(root)?;
    std::fs::create_dir_all(workspace().join("target/test-embeddings"))?;
    eprintln!("building the push fixture in {} (minutes)", root.display());
    let mut store = SqliteStore::open(&StoreConfig::new(root.join("patmatch.db")))?;
    let files = [
        shared.join("data/corpus/patents.jsonl"),
        shared.join("data/corpus/offers.jsonl"),
        shared.join("data/demands/demands.jsonl"),
    ];
    import_files(&mut store, &files, &ImportOptions::default(), &())?;

    // The new listings: every k-th by id, re-announced on day 2.
    let mut listings = store.listings()?;
    listings.sort_by(|a, b| a.id.cmp(&b.id));
    let stride = (listings.len() / params.new.max(1)).max(1);
    let new: Vec<_> = listings
        .into_iter()
        .step_by(stride)
        .take(params.new)
        .map(|mut listing| {
            listing.declaration.announced_on = Some(day2());
            listing
        })
        .collect();
    if new.len() != params.new {
        bail!(
            "the corpus has too few listings for {} new ones",
            params.new
        );
    }
    store.write_batch(&Batch {
        listings: new,
        profiles: Vec::new(),
    })?;
    let config = index_config(root);
    build_index(&store, embedder, &config, BuildMode::Full, &())?;
    let ranker = Ranker::new(
        Arc::new(Snapshot::open(&config)?),
        embedder.clone(),
        RankerConfig::default(),
    );
    let pusher = Pusher::new(&ranker, PushConfig::default());

    // The real demands and their query embeddings (cached).
    let demands = store.profiles()?;
    if demands.len() < 2 {
        bail!("no demands to recombine");
    }
    let texts: Vec<String> = demands.iter().map(Pusher::profile_text).collect();
    let mut cache = EmbeddingCache::open(&config.embedding_cache)?;
    let started = Instant::now();
    let vectors = embed_titles_cached(embedder, &mut cache, &texts, TitleEmbedding::Query)?;
    eprintln!(
        "{} real demands embedded in {:.0} s",
        demands.len(),
        started.elapsed().as_secs_f64()
    );

    // Synthetic profiles, written and given baselines in chunks.
    let n = demands.len();
    let chunk = 5_000;
    let started = Instant::now();
    for start in (0..params.profiles).step_by(chunk) {
        let end = (start + chunk).min(params.profiles);
        let mut profiles = Vec::with_capacity(end - start);
        let mut mixed = Vec::with_capacity(end - start);
        for k in start..end {
            let a = (k * 7_919) % n;
            let b = (k * 104_729 + 1 + k / n) % n;
            let b = if a == b { (b + 1) % n } else { b };
            profiles.push(recombine(k, &demands[a], &demands[b]));
            mixed.push(mix(&vectors[a], &vectors[b]));
        }
        store.write_batch(&Batch {
            listings: Vec::new(),
            profiles: profiles.clone(),
        })?;
        let refs: Vec<&DemandProfile> = profiles.iter().collect();
        let baselines = pusher.baselines_from_vectors(&refs, mixed, day1())?;
        store.save_baselines(&baselines)?;
        let empty: Vec<(&str, &[corpus::PushItem])> =
            profiles.iter().map(|p| (p.id.as_str(), &[][..])).collect();
        store.record_pushes(day1(), &empty)?;
        eprintln!(
            "{end}/{} synthetic profiles ready ({:.0} s)",
            params.profiles,
            started.elapsed().as_secs_f64()
        );
    }
    std::fs::write(&marker, params.key()).context("writing the fixture marker")?;
    Ok(true)
}

/// Synthetic profile `k` from real demands `a` and `b`.
fn recombine(k: usize, a: &DemandProfile, b: &DemandProfile) -> DemandProfile {
    let sentence = b
        .text
        .split(['。', '；', '\n'])
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or("")
        .to_string();
    let mut keywords = a.keywords.clone();
    for keyword in &b.keywords {
        if !keywords.contains(keyword) {
            keywords.push(keyword.clone());
        }
    }
    keywords.truncate(8);
    DemandProfile {
        id: format!("syn-{k:06}"),
        source: SOURCE.into(),
        enterprise_id: format!("syn-ent-{k:06}"),
        enterprise_name: None,
        title: a.title.clone(),
        text: sentence,
        keywords,
        ipc_prefixes: a.ipc_prefixes.clone(),
        acceptable_modes: a.acceptable_modes.clone(),
        modes_text: None,
        budget_max_yuan: a.budget_max_yuan,
        budget_min_yuan: None,
        budget_text: None,
        region: a.region.clone(),
        posted_on: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        attributes: Default::default(),
    }
}

/// `0.6·a + 0.4·b`, unit length: the title's demand weighs more.
fn mix(a: &[f32], b: &[f32]) -> Vec<f32> {
    let v: Vec<f32> = a.iter().zip(b).map(|(x, y)| 0.6 * x + 0.4 * y).collect();
    let norm = v
        .iter()
        .map(|x| x * x)
        .sum::<f32>()
        .sqrt()
        .max(f32::EPSILON);
    v.into_iter().map(|x| x / norm).collect()
}
