//! Where listings, profiles and their history are kept.

mod codec;
mod schema;
mod sqlite_store;
// The trait's file is named for the trait, like every other type's file.
#[allow(clippy::module_inception)]
mod store;

// The same hex SHA-256 the store hashes content with hashes key secrets.
pub(crate) use codec::content_hash;
pub use sqlite_store::{SqliteStore, StoreConfig};
pub use store::{Batch, BatchCounts, DeclarationVersion, Store, StoreCounts, UpsertCounts};
