//! Classification of listings on three axes: holder kind (with region),
//! technical feature (IPC subclass suggestions) and implementation mode.
//! Each answer carries a confidence and may abstain.

mod holder_kind;
mod ipc_classifier;
mod listing_classifier;
mod mode_reading;
mod region;

pub use holder_kind::{classify_holder, HolderClass};
pub use listing_classifier::ListingClassifier;
pub use mode_reading::{read_declared_modes, read_modes, ModeReading};
pub use region::{derive_region, Region};
