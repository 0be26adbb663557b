//! A closed-loop HTTP load driver: `clients` tasks, each sending its next
//! request as soon as the last is answered, for `duration`, over a mix of
//! searches, similar-listing pages and profile push reads.

use crate::percentile;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What to send, to whom, for how long.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// `http://127.0.0.1:8080`.
    pub base: String,
    /// An admin token (it may read every profile's pushes).
    pub token: String,
    pub clients: usize,
    pub duration: Duration,
    /// Search texts, taken in turn (each client from its own offset).
    pub queries: Vec<String>,
    /// Listing ids for `/similar`.
    pub listings: Vec<String>,
    /// Profile ids for `/pushes`.
    pub profiles: Vec<String>,
    /// Relative weights of search, similar and push reads.
    pub mix: [u32; 3],
}

/// Latency percentiles of one kind of request, in milliseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Latency {
    pub requests: usize,
    pub errors: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LoadReport {
    pub clients: usize,
    pub seconds: f64,
    pub requests: usize,
    /// Transport failures and answers other than 2xx.
    pub errors: usize,
    pub requests_per_second: f64,
    pub all: Latency,
    pub by_kind: BTreeMap<String, Latency>,
    pub statuses: BTreeMap<String, usize>,
}

const KINDS: [&str; 3] = ["search", "similar", "pushes"];

/// Percent-encodes a query value.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn latency(ms: Vec<f64>, errors: usize) -> Latency {
    Latency {
        requests: ms.len(),
        errors,
        p50_ms: percentile(&ms, 50.0),
        p95_ms: percentile(&ms, 95.0),
        p99_ms: percentile(&ms, 99.0),
        max_ms: ms.iter().copied().fold(0.0, f64::max),
    }
}

/// One client's samples: (kind, milliseconds, status or 0 for a transport error).
type Samples = Vec<(usize, f64, u16)>;

async fn client(config: &LoadConfig, http: reqwest::Client, id: usize) -> Samples {
    let total: u32 = config.mix.iter().sum::<u32>().max(1);
    let stop = Instant::now() + config.duration;
    let mut samples = Vec::new();
    let mut n = id * 7919;
    while Instant::now() < stop {
        n += 1;
        let pick = (n as u32).wrapping_mul(2_654_435_761) % total;
        let kind = if pick < config.mix[0] {
            0
        } else if pick < config.mix[0] + config.mix[1] {
            1
        } else {
            2
        };
        let url = match kind {
            0 if !config.queries.is_empty() => format!(
                "{}/v1/search?q={}&limit=10",
                config.base,
                encode(&config.queries[n % config.queries.len()])
            ),
            1 if !config.listings.is_empty() => format!(
                "{}/v1/listings/{}/similar?limit=10",
                config.base,
                config.listings[n % config.listings.len()]
            ),
            2 if !config.profiles.is_empty() => format!(
                "{}/v1/profiles/{}/pushes",
                config.base,
                config.profiles[n % config.profiles.len()]
            ),
            _ => continue,
        };
        let started = Instant::now();
        let status = match http.get(&url).bearer_auth(&config.token).send().await {
            // The body is read: a client is not done until it has it.
            Ok(response) => {
                let status = response.status().as_u16();
                match response.bytes().await {
                    Ok(_) => status,
                    Err(_) => 0,
                }
            }
            Err(_) => 0,
        };
        samples.push((kind, started.elapsed().as_secs_f64() * 1e3, status));
    }
    samples
}

/// Runs the load and reports it.
pub async fn run(config: &LoadConfig) -> LoadReport {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(config.clients)
        .build()
        .unwrap_or_default();
    let started = Instant::now();
    let tasks: Vec<_> = (0..config.clients)
        .map(|id| {
            let config = config.clone();
            let http = http.clone();
            tokio::spawn(async move { client(&config, http, id).await })
        })
        .collect();
    let mut samples = Vec::new();
    for task in tasks {
        if let Ok(mut s) = task.await {
            samples.append(&mut s);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let failed = |status: u16| !(200..300).contains(&status);
    let mut statuses = BTreeMap::new();
    for (_, _, status) in &samples {
        let key = if *status == 0 {
            "transport".to_string()
        } else {
            status.to_string()
        };
        *statuses.entry(key).or_insert(0) += 1;
    }
    let by_kind = KINDS
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let of_kind: Vec<_> = samples.iter().filter(|s| s.0 == k).collect();
            let errors = of_kind.iter().filter(|s| failed(s.2)).count();
            (
                name.to_string(),
                latency(of_kind.iter().map(|s| s.1).collect(), errors),
            )
        })
        .collect();
    let errors = samples.iter().filter(|s| failed(s.2)).count();
    LoadReport {
        clients: config.clients,
        seconds,
        requests: samples.len(),
        errors,
        requests_per_second: samples.len() as f64 / seconds,
        all: latency(samples.iter().map(|s| s.1).collect(), errors),
        by_kind,
        statuses,
    }
}
