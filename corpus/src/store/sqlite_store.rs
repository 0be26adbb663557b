use crate::{Batch, BatchCounts, DeclarationVersion, DemandProfile, Lifecycle, LifecycleEvent, Listing, Store, StoreCounts};
use std::path::PathBuf;
use std::time::Duration;

/// How to open the SQLite store.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// The database file, conventionally `<data_dir>/patmatch.db`.
    pub path: PathBuf,
    /// How long a writer waits for another writer's lock before failing.
    pub busy_timeout: Duration,
}

impl StoreConfig {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// The embedded store: one SQLite file in WAL mode, schema created and
/// migrated on open.
#[derive(Debug)]
pub struct SqliteStore {
    conn: rusqlite::Connection,
}

impl SqliteStore {
    pub fn open(config: &StoreConfig) -> crate::Result<Self> {
        todo!("H3 {config:?}")
    }
}

impl Store for SqliteStore {
    fn write_batch(&mut self, batch: &Batch) -> crate::Result<BatchCounts> {
        todo!("{batch:?}")
    }
    fn listing(&self, id: &str) -> crate::Result<Option<Listing>> {
        todo!("{id}")
    }
    fn profile(&self, id: &str) -> crate::Result<Option<DemandProfile>> {
        todo!("{id}")
    }
    fn listings(&self) -> crate::Result<Vec<Listing>> {
        todo!()
    }
    fn profiles(&self) -> crate::Result<Vec<DemandProfile>> {
        todo!()
    }
    fn lifecycle(&self, listing_id: &str) -> crate::Result<Lifecycle> {
        todo!("{listing_id}")
    }
    fn append_event(&mut self, listing_id: &str, event: &LifecycleEvent) -> crate::Result<()> {
        todo!("{listing_id} {event:?}")
    }
    fn declaration_history(&self, listing_id: &str) -> crate::Result<Vec<DeclarationVersion>> {
        todo!("{listing_id}")
    }
    fn counts(&self) -> crate::Result<StoreCounts> {
        todo!("{:?}", self.conn)
    }
}
