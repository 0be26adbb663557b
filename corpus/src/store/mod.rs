//! Where listings, profiles and their history are kept.

mod codec;
mod schema;
mod sqlite_store;
// The trait's file is named for the trait, like every other type's file.
#[allow(clippy::module_inception)]
mod store;

pub use sqlite_store::{SqliteStore, StoreConfig};
pub use store::{Batch, BatchCounts, DeclarationVersion, Store, StoreCounts, UpsertCounts};
