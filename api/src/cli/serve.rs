use super::args::ServeArgs;
use super::ipc::IpcSource;
use super::settings::Settings;
use anyhow::{Context, Result};
use corpus::StoreConfig;
use models::Embedder;
use patmatch_api::{serve, shutdown_signal, AppState, Backend, ServerConfig};
use ranker::{PushConfig, RankerConfig};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::{error, info, warn};

const DEFAULT_BIND: &str = "127.0.0.1:8080";

pub fn run(settings: &Settings, args: &ServeArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let bind = args
        .bind
        .clone()
        .or_else(|| settings.bind.clone())
        .unwrap_or_else(|| DEFAULT_BIND.to_string());
    let config = ServerConfig {
        public_search: args.public_search || settings.public_search,
        base_url: args
            .base_url
            .clone()
            .or_else(|| settings.base_url.clone())
            .unwrap_or_else(|| format!("http://{bind}")),
        request_timeout: Duration::from_secs(args.timeout.max(1)),
        body_limit_bytes: args.body_limit.max(1) << 20,
        concurrency_limit: args.concurrency.max(1),
        ..ServerConfig::default()
    };
    let mut index = settings.index_config();
    // Updates must cut text as the current generation did, or they would
    // fall back to a full build without the dictionary.
    if let Some(path) = &settings.user_dict {
        index.user_dict = Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("reading user dictionary {}", path.display()))?,
        );
    }
    let backend = Backend {
        store: StoreConfig::new(settings.store_path()),
        index,
        ranker: RankerConfig::default(),
        push: PushConfig::default(),
    };
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating {}", settings.data_dir.display()))?;
    let state = AppState::open(config, backend)
        .with_context(|| format!("opening the store {}", settings.store_path().display()))?;
    if !state.has_keys()? {
        warn!("the store holds no API keys: only /healthz, /readyz, /metrics and /openapi.json answer; create one with `patmatch keys create --role admin`");
    }
    let model = settings.model_config();
    let source = IpcSource::resolve(settings, &args.ipc);
    let cache = settings.index_config().embedding_cache;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&bind)
            .await
            .with_context(|| format!("binding {bind}"))?;
        let addr = listener.local_addr()?;
        eprintln!("patmatch: listening on http://{addr} (ready when /readyz answers 200)");
        let loader = state.clone();
        tokio::task::spawn_blocking(move || {
            let load = || -> Result<()> {
                let embedder = Arc::new(Embedder::load(&model).context(
                    "loading the embedding model (fetch it with `patmatch model fetch`)",
                )?);
                loader
                    .install(Arc::clone(&embedder))
                    .context("opening the index (build it with `patmatch index`)")?;
                info!(seconds = started.elapsed().as_secs_f64(), "ready");
                eprintln!(
                    "patmatch: ready in {:.2} s",
                    started.elapsed().as_secs_f64()
                );
                let ipc = source.classifier(&embedder, &cache, &())?;
                loader.set_ipc(ipc.map(Arc::new));
                Ok(())
            };
            if let Err(e) = load() {
                error!("{e:#}");
                eprintln!("patmatch: not ready: {e:#}");
            }
        });
        serve(listener, state, shutdown_signal()).await?;
        eprintln!("patmatch: stopped; requests in flight were answered");
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
