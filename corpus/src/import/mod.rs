//! Reading source files into listings and demand profiles, and writing them.

mod importer;
mod rejection;
mod source_kind;

pub use importer::{import_files, ImportOptions, ImportProgress, ImportReport};
pub use rejection::Rejection;
pub use source_kind::SourceKind;
