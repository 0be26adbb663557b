use super::args::ImportArgs;
use super::settings::Settings;
use anyhow::{Context, Result};
use corpus::{ImportOptions, ImportProgress, ImportReport, SourceKind, SqliteStore, StoreConfig};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// Rejections printed one per line before the rest are summarised, so a
/// badly broken file does not flood the terminal.
const SHOWN_REJECTIONS: usize = 50;

/// Exit status when the import succeeded but some records were rejected.
pub const EXIT_REJECTED: u8 = 2;

pub fn run(settings: &Settings, args: &ImportArgs) -> Result<ExitCode> {
    let options = ImportOptions {
        strict: args.strict,
        kind: args
            .kind
            .as_deref()
            .map(str::parse::<SourceKind>)
            .transpose()?,
    };
    let total_bytes = args
        .files
        .iter()
        .map(|path| {
            std::fs::metadata(path)
                .map(|meta| meta.len())
                .with_context(|| format!("reading {}", path.display()))
        })
        .sum::<Result<u64>>()?;

    let mut store = open_store(settings)?;
    let bar = Bar::new(total_bytes);
    let started = Instant::now();
    let report = corpus::import_files(&mut store, &args.files, &options, &bar)
        .with_context(|| format!("importing into {}", settings.store_path().display()))?;
    bar.0.finish_and_clear();
    let elapsed = started.elapsed();
    tracing::info!(?elapsed, "import finished");

    if args.json {
        say!("{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        print_summary(&report, elapsed.as_secs_f64())?;
    }
    Ok(if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_REJECTED)
    })
}

pub fn open_store(settings: &Settings) -> Result<SqliteStore> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating data dir {}", settings.data_dir.display()))?;
    let path = settings.store_path();
    SqliteStore::open(&StoreConfig::new(&path))
        .with_context(|| format!("opening store {}", path.display()))
}

fn print_summary(report: &ImportReport, seconds: f64) -> std::io::Result<()> {
    for (path, kind) in &report.files {
        say!("read {} as {kind}", path.display())?;
    }
    let listings = report.counts.listings;
    let profiles = report.counts.profiles;
    say!(
        "listings: {} imported, {} updated, {} unchanged",
        listings.inserted,
        listings.updated,
        listings.unchanged
    )?;
    say!(
        "profiles: {} imported, {} updated, {} unchanged",
        profiles.inserted,
        profiles.updated,
        profiles.unchanged
    )?;
    say!("rejected: {}", report.rejected.len())?;
    if report.flagged > 0 {
        say!(
            "flagged:  {} (free text that could not be parsed, kept verbatim)",
            report.flagged
        )?;
    }
    say!("took {seconds:.2} s")?;
    for rejection in report.rejected.iter().take(SHOWN_REJECTIONS) {
        eprintln!("rejected {rejection}");
    }
    if report.rejected.len() > SHOWN_REJECTIONS {
        eprintln!(
            "… and {} more rejections (use --json to see all)",
            report.rejected.len() - SHOWN_REJECTIONS
        );
    }
    Ok(())
}

/// A byte-based bar over all files, so its speed and ETA mean something
/// even when files differ in size.
struct Bar(ProgressBar);

impl Bar {
    fn new(total_bytes: u64) -> Self {
        let bar = ProgressBar::new(total_bytes);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Self(bar)
    }
}

impl ImportProgress for Bar {
    fn start_file(&self, path: &Path, kind: SourceKind, _bytes: u64) {
        let name = path.file_name().unwrap_or(path.as_os_str());
        self.0
            .set_message(format!("{} ({kind})", name.to_string_lossy()));
    }

    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }

    fn finish_file(&self) {}
}
