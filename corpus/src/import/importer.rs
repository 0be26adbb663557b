use super::collector::Collector;
use super::detect::detect;
use super::fields::{Fields, Problem};
use super::line_reader::{io_error, Format, LineReader};
use super::{demand_record, export_record, listing_record};
use crate::{BatchCounts, Rejection, SourceKind, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeSet;
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
    /// Records dropped because a later record of the same import had the
    /// same id (the later one is imported; each is logged as a warning).
    pub duplicates: usize,
}

/// Reads `paths`, then writes every good record in one batch. With
/// `options.strict`, any bad record fails the import with
/// [`crate::Error::StrictAbort`] before anything is written.
///
/// Each file's kind comes from `options.kind`, else from the fields of its
/// first records; a file that fits no kind fails the import with
/// [`crate::Error::UnknownKind`], also before anything is written. When an id
/// occurs twice in one import the later record wins (see
/// [`ImportReport::duplicates`]).
pub fn import_files(
    store: &mut dyn Store,
    paths: &[PathBuf],
    options: &ImportOptions,
    progress: &dyn ImportProgress,
) -> crate::Result<ImportReport> {
    // Every kind is settled first, so a wrong file fails fast rather than
    // after reading all the others.
    let mut plan = Vec::with_capacity(paths.len());
    for path in paths {
        let format = Format::of(path)?;
        let kind = match options.kind {
            Some(kind) => kind,
            None => detect(path, format)?,
        };
        plan.push((path, format, kind));
    }
    let now = Utc::now();
    let mut collector = Collector::default();
    let mut report = ImportReport::default();
    for (path, format, kind) in plan {
        read_file(path, format, kind, now, &mut collector, progress)?;
        report.files.push((path.clone(), kind));
    }
    collector.check_terms(store, Utc::now().date_naive())?;
    if options.strict && !collector.rejected.is_empty() {
        let records: BTreeSet<(&Path, usize)> = collector
            .rejected
            .iter()
            .map(|r| (r.file.as_path(), r.line))
            .collect();
        return Err(crate::Error::StrictAbort {
            rejected: records.len(),
            first: Box::new(collector.rejected.swap_remove(0)),
        });
    }
    let batch = &collector.batch;
    if !batch.listings.is_empty() || !batch.profiles.is_empty() {
        report.counts = store.write_batch(batch)?;
    }
    tracing::info!(
        listings = ?report.counts.listings,
        profiles = ?report.counts.profiles,
        rejected = collector.rejected.len(),
        flagged = collector.flagged,
        duplicates = collector.duplicates,
        "import written"
    );
    report.rejected = collector.rejected;
    report.flagged = collector.flagged;
    report.duplicates = collector.duplicates;
    Ok(report)
}

fn read_file(
    path: &Path,
    format: Format,
    kind: SourceKind,
    now: DateTime<Utc>,
    collector: &mut Collector,
    progress: &dyn ImportProgress,
) -> crate::Result<()> {
    let bytes = std::fs::metadata(path)
        .map_err(|source| io_error(path, source))?
        .len();
    progress.start_file(path, kind, bytes);
    let (mut read, mut advanced) = (0usize, 0u64);
    let rejected_before = collector.rejected.len();
    for record in LineReader::open(path, format)? {
        let record = record?;
        progress.advance(record.bytes);
        advanced += record.bytes;
        read += 1;
        let mut fields = match record.fields {
            Ok(map) => Fields::new(map),
            Err(reason) => {
                let problem = Problem {
                    field: "record".to_string(),
                    reason,
                };
                collector.reject(path, record.line, vec![problem]);
                continue;
            }
        };
        match kind {
            SourceKind::Listings | SourceKind::PlatformExport => {
                let listing = if kind == SourceKind::Listings {
                    listing_record::listing(&mut fields)
                } else {
                    export_record::listing(&mut fields)
                };
                match listing {
                    Some(l) if fields.problems.is_empty() => {
                        collector.listing(l, path, record.line, fields.flagged)
                    }
                    _ => collector.reject(path, record.line, problems(fields)),
                }
            }
            SourceKind::Demands => match demand_record::profile(&mut fields, now) {
                Some(p) if fields.problems.is_empty() => {
                    collector.profile(p, path, record.line, fields.flagged)
                }
                _ => collector.reject(path, record.line, problems(fields)),
            },
        }
    }
    // Trailing blank lines belong to no record; the bar should still end full.
    if bytes > advanced {
        progress.advance(bytes - advanced);
    }
    progress.finish_file();
    tracing::info!(
        file = %path.display(),
        %kind,
        ?format,
        records = read,
        rejected = collector.rejected.len() - rejected_before,
        "file read"
    );
    Ok(())
}

/// A record that mapped to nothing always says why; this guards that no
/// record is ever dropped without a rejection.
fn problems(fields: Fields) -> Vec<Problem> {
    if fields.problems.is_empty() {
        return vec![Problem {
            field: "record".to_string(),
            reason: "could not be mapped".to_string(),
        }];
    }
    fields.problems
}
