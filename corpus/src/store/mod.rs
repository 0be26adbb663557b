//! Where listings, profiles and their history are kept.

mod sqlite_store;
mod store;

pub use sqlite_store::{SqliteStore, StoreConfig};
pub use store::{Batch, BatchCounts, DeclarationVersion, Store, StoreCounts, UpsertCounts};
