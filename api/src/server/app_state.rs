use super::api_error::{ApiError, ApiResult, ErrorKind};
use super::push_jobs::PushJobs;
use super::server_config::ServerConfig;
use crate::{listing_classifier, Error, Result};
use arc_swap::ArcSwapOption;
use corpus::{SqliteStore, Store, StoreConfig};
use indexer::{build_index_with, BuildMode, IndexConfig, Snapshot};
use models::Embedder;
use ranker::{IpcClassifier, PushConfig, Ranker, RankerConfig};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{watch, Notify};
use tracing::{error, info};

/// Where the service's data lives and how it ranks and pushes. The binary
/// fills it from its settings.
#[derive(Debug, Clone)]
pub struct Backend {
    pub store: StoreConfig,
    pub index: IndexConfig,
    pub ranker: RankerConfig,
    pub push: PushConfig,
}

/// What the handlers share. Cheap to clone.
///
/// Readers take the current [`Ranker`] from an `ArcSwap`: a request keeps
/// the generation it started with, and a new generation replaces the old
/// one in one pointer swap, so no reader ever sees half of an update.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    config: ServerConfig,
    backend: Backend,
    /// Writes and object reads. SQLite serialises writers anyway.
    store: Mutex<SqliteStore>,
    /// Key look-ups, on their own connection so that authentication never
    /// waits behind a bulk upsert.
    keys: Mutex<SqliteStore>,
    ranker: ArcSwapOption<Ranker>,
    ipc: ArcSwapOption<IpcClassifier>,
    /// Bumped by every write that changes what is indexed.
    written: AtomicU64,
    /// The last write the published generation includes.
    indexed: watch::Sender<u64>,
    reindex: Notify,
    pushes: PushJobs,
}

impl AppState {
    /// A state whose store is open but whose index is not loaded yet:
    /// `/readyz` says 503 until [`install`](Self::install).
    pub fn open(config: ServerConfig, backend: Backend) -> Result<Self> {
        let store = SqliteStore::open(&backend.store)?;
        let keys = SqliteStore::open(&backend.store)?;
        let (indexed, _) = watch::channel(0);
        Ok(Self(Arc::new(Inner {
            config,
            backend,
            store: Mutex::new(store),
            keys: Mutex::new(keys),
            ranker: ArcSwapOption::empty(),
            ipc: ArcSwapOption::empty(),
            written: AtomicU64::new(0),
            indexed,
            reindex: Notify::new(),
            pushes: PushJobs::default(),
        })))
    }

    /// Loads the current index generation with `embedder`; from then on the
    /// service is ready.
    pub fn install(&self, embedder: Arc<Embedder>) -> Result<()> {
        let snapshot = Snapshot::open(&self.0.backend.index)?;
        info!(
            generation = snapshot.generation(),
            listings = snapshot.len(),
            "index loaded"
        );
        self.publish(Ranker::new(
            Arc::new(snapshot),
            embedder,
            self.0.backend.ranker.clone(),
        ));
        Ok(())
    }

    fn publish(&self, ranker: Ranker) {
        metrics::gauge!("patmatch_index_generation").set(ranker.snapshot().generation() as f64);
        metrics::gauge!("patmatch_listings").set(ranker.snapshot().len() as f64);
        self.0.ranker.store(Some(Arc::new(ranker)));
    }

    pub fn config(&self) -> &ServerConfig {
        &self.0.config
    }

    pub fn backend(&self) -> &Backend {
        &self.0.backend
    }

    /// The ranker of the current generation, or `index_not_ready`.
    pub fn ranker(&self) -> ApiResult<Arc<Ranker>> {
        self.0.ranker.load_full().ok_or_else(|| {
            ApiError::new(
                ErrorKind::IndexNotReady,
                "the index is still loading; retry when /readyz answers 200",
            )
        })
    }

    pub fn is_ready(&self) -> bool {
        self.0.ranker.load().is_some()
    }

    /// The IPC classifier that answers `/v1/classify` and predicts IPC
    /// codes for listings when the index follows writes. Set it before
    /// writes arrive: an update without it stores no predicted codes.
    pub fn set_ipc(&self, ipc: Option<Arc<IpcClassifier>>) {
        self.0.ipc.store(ipc);
    }

    pub fn ipc(&self) -> Option<Arc<IpcClassifier>> {
        self.0.ipc.load_full()
    }

    pub fn store(&self) -> MutexGuard<'_, SqliteStore> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (transactions roll back), so the poisoned store is still sound.
        self.0.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn keys(&self) -> MutexGuard<'_, SqliteStore> {
        self.0.keys.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn pushes(&self) -> &PushJobs {
        &self.0.pushes
    }

    /// Runs `work` on the blocking pool: the store, the model and the
    /// indexes all block.
    pub async fn blocking<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&AppState) -> ApiResult<T> + Send + 'static,
    {
        let state = self.clone();
        tokio::task::spawn_blocking(move || work(&state))
            .await
            .map_err(ApiError::internal)?
    }

    /// Notes a write that the index must follow, and returns its number.
    pub fn wrote(&self) -> u64 {
        let n = self.0.written.fetch_add(1, Ordering::SeqCst) + 1;
        self.0.reindex.notify_one();
        n
    }

    /// The number of the last write so far.
    pub fn last_write(&self) -> u64 {
        self.0.written.load(Ordering::SeqCst)
    }

    /// The last write the published generation includes.
    pub fn indexed(&self) -> u64 {
        *self.0.indexed.borrow()
    }

    /// Waits until the published generation includes write `n`.
    pub async fn wait_indexed(&self, n: u64) {
        let mut seen = self.0.indexed.subscribe();
        // The sender lives as long as the state, so this ends only when the
        // write is indexed.
        let _ = seen.wait_for(|indexed| *indexed >= n).await;
    }

    /// Follows writes for as long as the state lives: after each burst of
    /// writes, updates the index incrementally and publishes the new
    /// generation. Spawned once by `serve` (and by tests that write).
    pub async fn follow_writes(self) {
        loop {
            self.0.reindex.notified().await;
            tokio::time::sleep(self.0.config.reindex_debounce).await;
            let upto = self.0.written.load(Ordering::SeqCst);
            let state = self.clone();
            let built = tokio::task::spawn_blocking(move || state.rebuild()).await;
            match built {
                Ok(Ok(())) => {
                    metrics::counter!("patmatch_reindex_total", "outcome" => "ok").increment(1);
                }
                Ok(Err(e)) => {
                    metrics::counter!("patmatch_reindex_total", "outcome" => "error").increment(1);
                    error!(error = %e, "index update failed; the previous generation keeps serving");
                }
                Err(e) => error!(error = %e, "index update panicked"),
            }
            // Even a failed build releases waiters: they then see the old
            // generation rather than hang; the failure is in the log and
            // the metrics.
            self.0.indexed.send_replace(upto);
        }
    }

    /// One incremental build from the store, then the swap.
    fn rebuild(&self) -> Result<()> {
        let Some(current) = self.0.ranker.load_full() else {
            return Err(Error::NotReady);
        };
        let store = SqliteStore::open(&self.0.backend.store)?;
        let embedder = current.embedder();
        let ipc = self.ipc();
        let classifier = listing_classifier(
            &store,
            ipc.as_deref(),
            &embedder,
            &self.0.backend.index,
            &(),
        )?;
        let report = build_index_with(
            &store,
            &embedder,
            &self.0.backend.index,
            BuildMode::Auto,
            &(),
            &classifier,
        )?;
        info!(
            generation = report.generation,
            added = report.added,
            changed = report.changed,
            removed = report.removed,
            seconds = report.total_seconds,
            "index updated"
        );
        let snapshot = Snapshot::open(&self.0.backend.index)?;
        self.publish(current.with_snapshot(Arc::new(snapshot)));
        Ok(())
    }

    /// Listing count and generation, for `/readyz` and metrics.
    pub fn index_status(&self) -> Option<(u64, usize)> {
        self.0
            .ranker
            .load()
            .as_ref()
            .map(|r| (r.snapshot().generation(), r.snapshot().len()))
    }

    /// Opens another connection to the store, for long jobs (a push run)
    /// that should not hold the shared one.
    pub fn open_store(&self) -> Result<SqliteStore> {
        Ok(SqliteStore::open(&self.0.backend.store)?)
    }

    /// Whether the store has any key; the server warns when it has none.
    pub fn has_keys(&self) -> Result<bool> {
        Ok(!self.keys().api_keys()?.is_empty())
    }
}
