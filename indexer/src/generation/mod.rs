mod doc_table;
mod generations;
mod manifest;

pub(crate) use doc_table::{DocEntry, DocTable};
pub(crate) use generations::Generations;
pub use manifest::Manifest;
pub(crate) use manifest::LAYOUT_VERSION;
