//! Classification of listings on three axes: holder kind (with region),
//! technical feature (IPC subclass suggestions) and implementation mode.
//! Each answer carries a confidence and may abstain.

mod holder_kind;
mod ipc_classifier;
