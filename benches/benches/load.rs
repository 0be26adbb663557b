//! Load against `patmatch serve` on loopback with the real corpus: 64
//! closed-loop clients for 60 s on a mix of searches (60 %), similar
//! listings (25 %) and profile push reads (15 %), query embedding included.
//!
//! Two query sets, each its own run:
//! - `repeat`: 300 demand titles, each asked many times, as a search box
//!   sees popular queries; after its first time a title's vector comes from
//!   the ranker's query cache;
//! - `unique`: pairs of demand titles, ~50,000 distinct texts, so nearly
//!   every search embeds its query: the worst case for latency.
//!
//! Setup (not timed): the data dir must hold an indexed store (run
//! `scripts/main-job.sh` once); an admin key is created; a push is run for
//! the first 300 profiles so that push reads have items; 5 s of warm-up.
//!
//! Run: `cargo build --release -p patmatch-api && cargo bench -p patmatch-benches --bench load`
//! Settings (env): PATMATCH_DATA_DIR (./data), PATMATCH_SHARED_DIR
//! (../shared), LOAD_CLIENTS (64), LOAD_SECONDS (60), LOAD_PORT (18090),
//! LOAD_SETS (`repeat,unique`). Report: target/bench/load.json.

use anyhow::{bail, Context, Result};
use patmatch_benches::load::{run, LoadConfig};
use patmatch_benches::{env_or, workspace};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() -> Result<()> {
    let data = PathBuf::from(env_or("PATMATCH_DATA_DIR", "data"));
    let data = if data.is_absolute() {
        data
    } else {
        workspace().join(data)
    };
    let shared = PathBuf::from(env_or("PATMATCH_SHARED_DIR", "../shared"));
    let shared = if shared.is_absolute() {
        shared
    } else {
        workspace().join(shared)
    };
    let clients: usize = env_or("LOAD_CLIENTS", "64").parse()?;
    let seconds: u64 = env_or("LOAD_SECONDS", "60").parse()?;
    let port: u16 = env_or("LOAD_PORT", "18090").parse()?;
    let sets = env_or("LOAD_SETS", "repeat,unique");
    let bin = workspace().join("target/release/patmatch");
    if !bin.is_file() {
        bail!("build the server first: cargo build --release -p patmatch-api");
    }
    let token = Command::new(&bin)
        .arg("--data-dir")
        .arg(&data)
        .args(["keys", "create", "--role", "admin", "--label", "load-bench"])
        .output()?;
    if !token.status.success() {
        bail!("keys create: {}", String::from_utf8_lossy(&token.stderr));
    }
    let token = String::from_utf8_lossy(&token.stdout).trim().to_string();
    let mut server = Command::new(&bin)
        .arg("--data-dir")
        .arg(&data)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stderr(Stdio::null())
        .spawn()?;
    let result = (|| -> Result<Value> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        runtime.block_on(drive(&shared, &token, port, clients, seconds, &sets))
    })();
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
    let report = result?;
    let out = workspace().join("target/bench/load.json");
    std::fs::create_dir_all(out.parent().context("target/bench")?)?;
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    eprintln!("report: {}", out.display());
    Ok(())
}

fn lines(path: &std::path::Path) -> Result<Vec<Value>> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

async fn drive(
    shared: &std::path::Path,
    token: &str,
    port: u16,
    clients: usize,
    seconds: u64,
    sets: &str,
) -> Result<Value> {
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await {
            if r.status() == 200 {
                break;
            }
        }
        if started.elapsed() > Duration::from_secs(300) {
            bail!("the server was not ready in 5 min");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ready_seconds = started.elapsed().as_secs_f64();

    let mut demands = lines(&shared.join("data/demands/demands.jsonl"))?;
    demands.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let titles: Vec<String> = demands
        .iter()
        .filter_map(|d| d["title"].as_str().map(|t| t.trim().to_string()))
        .filter(|t| !t.is_empty())
        .collect();
    let profiles: Vec<String> = demands
        .iter()
        .take(300)
        .filter_map(|d| d["id"].as_str().map(str::to_string))
        .collect();
    let listings: Vec<String> = lines(&shared.join("data/corpus/offers.jsonl"))?
        .iter()
        .chain(lines(&shared.join("data/corpus/patents.jsonl"))?.iter())
        .step_by(15)
        .filter_map(|l| l["id"].as_str().map(str::to_string))
        .collect();

    // Pushes to read: one day for the first 300 profiles.
    let started_run: Value = http
        .post(format!("{base}/v1/push/runs"))
        .bearer_auth(token)
        .json(&json!({"date": "2026-11-26", "profiles": profiles}))
        .send()
        .await?
        .json()
        .await?;
    let id = started_run["id"]
        .as_str()
        .context("push run id")?
        .to_string();
    loop {
        let job: Value = http
            .get(format!("{base}/v1/push/runs/{id}"))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        if job["state"] != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let repeat: Vec<String> = titles.iter().take(300).cloned().collect();
    let unique: Vec<String> = titles
        .iter()
        .enumerate()
        .flat_map(|(i, a)| {
            titles
                .iter()
                .skip(i + 1)
                .take(25)
                .map(move |b| format!("{a} {b}"))
        })
        .collect();
    let config = |queries: Vec<String>, seconds: u64| LoadConfig {
        base: base.clone(),
        token: token.to_string(),
        clients,
        duration: Duration::from_secs(seconds),
        queries,
        listings: listings.clone(),
        profiles: profiles.clone(),
        mix: [60, 25, 15],
    };
    let mut runs = serde_json::Map::new();
    for set in sets.split(',').map(str::trim) {
        let queries = match set {
            "repeat" => repeat.clone(),
            "unique" => unique.clone(),
            other => bail!("LOAD_SETS: unknown set {other}"),
        };
        // Warm-up, not reported: connections, page cache, allocator.
        run(&config(queries.clone(), 5)).await;
        let report = run(&config(queries.clone(), seconds)).await;
        eprintln!(
            "{set}: {:.1} req/s, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, {} errors",
            report.requests_per_second,
            report.all.p50_ms,
            report.all.p95_ms,
            report.all.p99_ms,
            report.errors
        );
        runs.insert(
            set.to_string(),
            json!({"distinct_queries": queries.len(), "report": report}),
        );
    }
    Ok(json!({
        "date": chrono::Local::now().to_rfc3339(),
        "clients": clients,
        "seconds": seconds,
        "mix": {"search": 60, "similar": 25, "pushes": 15},
        "ready_seconds": ready_seconds,
        "load_average": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
        "runs": runs,
    }))
}
