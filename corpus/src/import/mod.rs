//! Reading source files into listings and demand profiles, and writing them.

mod collector;
mod demand_record;
mod detect;
mod export_record;
mod fields;
mod importer;
mod line_reader;
mod listing_record;
mod rejection;
mod source_kind;

pub use importer::{import_files, ImportOptions, ImportProgress, ImportReport};
pub use rejection::Rejection;
pub use source_kind::SourceKind;
