use crate::{BatchCounts, Rejection, SourceKind, Store};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// How to import. A library value: the CLI fills it from flags.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Abort the whole import, writing nothing, if any record is bad.
    pub strict: bool,
    /// Skip detection and read every file as this kind.
    pub kind: Option<SourceKind>,
}

/// Receives progress while files are read; the CLI draws a bar with it.
pub trait ImportProgress {
    /// A file starts; `bytes` is its size.
    fn start_file(&self, path: &Path, kind: SourceKind, bytes: u64);
    /// `bytes` more of the current file were read.
    fn advance(&self, bytes: u64);
    /// The file is read.
    fn finish_file(&self);
}

/// No progress reporting.
impl ImportProgress for () {
    fn start_file(&self, _: &Path, _: SourceKind, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish_file(&self) {}
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// Each file and the kind it was read as.
    pub files: Vec<(PathBuf, SourceKind)>,
    pub counts: BatchCounts,
    pub rejected: Vec<Rejection>,
    /// Records imported with free text that could not be fully parsed (kept verbatim).
    pub flagged: usize,
}

/// Reads `paths`, then writes every good record in one batch. With
/// `options.strict`, any bad record fails the import with
/// [`crate::Error::StrictAbort`] before anything is written.
pub fn import_files(
    store: &mut dyn Store,
    paths: &[PathBuf],
    options: &ImportOptions,
    progress: &dyn ImportProgress,
) -> crate::Result<ImportReport> {
    todo!("H4 {store:p} {paths:?} {options:?} {:p}", progress)
}
