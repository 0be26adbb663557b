//! A served patmatch on a real store and a real index of a slice of the
//! shared corpus, with the real model, and keys for every role.
//!
//! The slice is imported and indexed once per test binary (a template);
//! each test gets its own copy, so tests that write cannot disturb others.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use corpus::{
    import_files, DemandProfile, ImportOptions, KeyRole, SqliteStore, Store, StoreConfig,
};
use indexer::{build_index_with, BuildMode, IndexConfig};
use patmatch_api::{listing_classifier, AppState, Backend, ServerConfig};
use ranker::{IpcClassifier, IpcClassifierConfig, IpcExample, PushConfig, RankerConfig};
use serde_json::Value;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tempfile::TempDir;
use tower::ServiceExt;

// Where the shared data, the test model and the test embedding cache live:
// the same places as the ranker's tests, so the corpus is embedded once.
#[path = "../../../ranker/tests/common/mod.rs"]
mod workspace;

pub use workspace::{data, embedder, index_config, ipc_titles};

/// The first `n` lines of `src`, as a file in `dir`.
fn head(src: &Path, n: usize, dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    let mut file = std::fs::File::create(&out).unwrap();
    let reader = std::io::BufReader::new(std::fs::File::open(src).unwrap());
    for line in reader.lines().take(n) {
        writeln!(file, "{}", line.unwrap()).unwrap();
    }
    out
}

/// A classifier of 300 labelled titles, one training run: enough to put a
/// battery title under H01M, and seconds to train.
fn ipc_classifier(config: &IndexConfig) -> IpcClassifier {
    let examples: Vec<IpcExample> = ipc_titles()
        .into_iter()
        .take(300)
        .map(|(_, example)| example)
        .collect();
    let mut ipc_config = IpcClassifierConfig::default();
    ipc_config.linear.runs = 1;
    let titles: Vec<String> = examples.iter().map(|e| e.text.clone()).collect();
    let mut cache = indexer::EmbeddingCache::open(&config.embedding_cache).unwrap();
    let vectors = patmatch_api::embed_titles(
        &embedder(),
        &mut cache,
        &titles,
        ipc_config.embedding,
        "titles",
        &(),
    )
    .unwrap();
    IpcClassifier::train(&examples, &vectors, ipc_config).unwrap()
}

struct Template {
    dir: TempDir,
    ipc: Arc<IpcClassifier>,
}

/// 300 patents, 150 offers and 40 demands, imported and indexed once.
fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        std::fs::create_dir_all(&data_dir).unwrap();
        let files = [
            head(
                &data("corpus/patents.jsonl"),
                300,
                dir.path(),
                "patents.jsonl",
            ),
            head(
                &data("corpus/offers.jsonl"),
                150,
                dir.path(),
                "offers.jsonl",
            ),
            head(
                &data("demands/demands.jsonl"),
                40,
                dir.path(),
                "demands.jsonl",
            ),
        ];
        let mut store = SqliteStore::open(&StoreConfig::new(data_dir.join("patmatch.db"))).unwrap();
        import_files(&mut store, &files, &ImportOptions::default(), &()).unwrap();
        let config = index_config(&data_dir);
        let ipc = ipc_classifier(&config);
        let classifier = listing_classifier(&store, Some(&ipc), &embedder(), &config, &()).unwrap();
        build_index_with(
            &store,
            &embedder(),
            &config,
            BuildMode::Full,
            &(),
            &classifier,
        )
        .unwrap();
        Template {
            dir,
            ipc: Arc::new(ipc),
        }
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Tokens of every role, for two tenants each.
#[derive(Debug, Clone)]
pub struct Keys {
    pub admin: String,
    pub broker_a: String,
    pub broker_b: String,
    pub enterprise_a: String,
    pub enterprise_b: String,
    /// A key that was revoked.
    pub revoked: String,
}

pub struct Server {
    pub dir: TempDir,
    pub state: AppState,
    pub app: Router,
    pub keys: Keys,
    /// A profile of enterprise A and one of enterprise B.
    pub profile_a: DemandProfile,
    pub profile_b: DemandProfile,
    /// The first indexed listing's id.
    pub listing: String,
}

pub const BROKER_A: &str = "broker-a";
pub const BROKER_B: &str = "broker-b";

/// A ready server over its own copy of the template.
pub fn server(config: ServerConfig) -> Server {
    let template = template();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    copy_dir(&template.dir.path().join("data"), &data_dir);
    let store_config = StoreConfig::new(data_dir.join("patmatch.db"));
    let mut store = SqliteStore::open(&store_config).unwrap();
    let profiles = store.profiles().unwrap();
    let profile_a = profiles[0].clone();
    let profile_b = profiles
        .iter()
        .find(|p| p.enterprise_id != profile_a.enterprise_id)
        .unwrap()
        .clone();
    let mut key = |role, subject: Option<&str>| {
        let (key, token) = patmatch_api::new_key(role, subject.map(str::to_string), None).unwrap();
        store.save_api_key(&key).unwrap();
        (key.id, token)
    };
    let (_, admin) = key(KeyRole::Admin, None);
    let (_, broker_a) = key(KeyRole::Broker, Some(BROKER_A));
    let (_, broker_b) = key(KeyRole::Broker, Some(BROKER_B));
    let (_, enterprise_a) = key(KeyRole::Enterprise, Some(&profile_a.enterprise_id));
    let (_, enterprise_b) = key(KeyRole::Enterprise, Some(&profile_b.enterprise_id));
    let (revoked_id, revoked) = key(KeyRole::Admin, None);
    store
        .revoke_api_key(&revoked_id, chrono::Utc::now())
        .unwrap();
    let listing = store.listings().unwrap()[0].id.clone();
    let backend = Backend {
        store: store_config,
        index: index_config(&data_dir),
        ranker: RankerConfig::default(),
        push: PushConfig::default(),
    };
    let state = AppState::open(config, backend).unwrap();
    state.install(embedder()).unwrap();
    state.set_ipc(Some(Arc::clone(&template.ipc)));
    let app = patmatch_api::router(state.clone());
    Server {
        dir,
        state,
        app,
        keys: Keys {
            admin,
            broker_a,
            broker_b,
            enterprise_a,
            enterprise_b,
            revoked,
        },
        profile_a,
        profile_b,
        listing,
    }
}

/// An answer: status, and the body as JSON (`Value::Null` when empty or
/// not JSON; then `text` has it).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub json: Value,
    pub text: String,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Answer {
    /// The error code, asserting the body is an error body.
    pub fn code(&self) -> &str {
        assert!(
            self.json["message"].is_string(),
            "not an error body: {}",
            self.text
        );
        self.json["code"].as_str().unwrap_or("")
    }
}

impl Server {
    /// Sends one request through the router (no socket).
    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(key) = key {
            request = request.header("authorization", format!("Bearer {key}"));
        }
        let request = match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_vec(&body).unwrap())),
            None => request.body(Body::empty()),
        }
        .unwrap();
        self.send(request).await
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        let text = String::from_utf8_lossy(&bytes).to_string();
        Answer {
            status,
            json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            text,
            headers,
            bytes,
        }
    }

    pub async fn get(&self, uri: &str, key: &str) -> Answer {
        self.call("GET", uri, Some(key), None).await
    }

    pub async fn post(&self, uri: &str, key: &str, body: Value) -> Answer {
        self.call("POST", uri, Some(key), Some(body)).await
    }
}

/// Percent-encodes a query value (Chinese text in URLs).
pub fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A listing body for upserts: valid unless a test spoils it.
pub fn listing_body(id: &str, title: &str, announced_on: &str) -> Value {
    serde_json::json!({
        "id": id,
        "title": title,
        "application_number": "CN202223220665.2",
        "abstract": format!("{title}，涉及锂离子电池正极材料的制备与改性。"),
        "ipc": ["H01M4/36"],
        "holder": {"name": "浙江大学", "credit_code": "91330100799655058B"},
        "declaration": {
            "modes": ["转让", "普通许可"],
            "fee": {"method": "一次性", "min_yuan": 200000, "max_yuan": 200000},
            "announced_on": announced_on
        }
    })
}
