use crate::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// A uniquely named hidden directory inside the model cache, removed on
/// drop unless it was renamed into place. It lives next to the final
/// directory so that the rename is atomic (same file system), and a crash
/// leaves only a dot-directory behind, never a half-written model.
#[derive(Debug)]
pub(crate) struct ScratchDir {
    path: PathBuf,
    keep: bool,
}

impl ScratchDir {
    /// Creates `<parent>/.<stem>-<pid>-<nanos>[-n]`, first removing any such
    /// directory that a crashed run of this kind left behind.
    pub(crate) fn new(parent: &Path, stem: &str) -> Result<Self> {
        sweep_abandoned(parent, stem);
        let path = unique_sibling(parent, stem);
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        std::fs::create_dir(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Self { path, keep: false })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the directory to `target`. On failure it is still removed on drop.
    pub(crate) fn rename_to(&mut self, target: &Path) -> std::io::Result<()> {
        std::fs::rename(&self.path, target)?;
        self.keep = true;
        Ok(())
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if !self.keep {
            if let Err(e) = std::fs::remove_dir_all(&self.path) {
                tracing::warn!(path = %self.path.display(), error = %e, "cannot remove scratch directory");
            }
        }
    }
}

/// Removes `<parent>/.<stem>-<pid>-…` directories whose process is gone. A
/// live process's directory is left alone: it may be mid-download. Where
/// processes cannot be looked up (no /proc), a day-old directory counts as
/// abandoned.
fn sweep_abandoned(parent: &Path, stem: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefix = format!(".{stem}-");
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let proc_root = Path::new("/proc");
        let abandoned = if proc_root.join("self").exists() {
            !proc_root.join(pid.to_string()).exists()
        } else {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 24 * 3600)
        };
        if abandoned && pid != std::process::id() {
            let path = entry.path();
            match std::fs::remove_dir_all(&path) {
                Ok(()) => {
                    tracing::info!(path = %path.display(), "removed a crashed run's scratch directory")
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "cannot remove abandoned scratch directory")
                }
            }
        }
    }
}

/// A name in `parent` that no other process or call uses: pid plus the
/// current time plus a per-process counter.
pub(crate) fn unique_sibling(parent: &Path, stem: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    parent.join(format!(".{stem}-{}-{nanos}-{n}", std::process::id()))
}

/// Writes a file and flushes it to disk, so that the directory renamed into
/// place never holds a file whose content is still only in the page cache.
pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))?;
    file.sync_all().map_err(|e| Error::io(path, e))
}
