use crate::{Error, Result};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use tracing::{debug, info, warn};

const POINTER: &str = "CURRENT";
const LOCK: &str = "LOCK";
const GENERATIONS: &str = "generations";
const PARTIAL: &str = ".partial";

/// The generation directories under an index directory, and the `CURRENT`
/// pointer that says which one serves.
///
/// A build writes `generations/gen-N.partial/`, syncs it, renames it to
/// `gen-N/` and only then replaces `CURRENT` by renaming a synced temporary
/// file over it. A crash at any point leaves `CURRENT` naming a complete
/// generation; the debris (a `.partial` directory, a stray temporary
/// pointer) is removed by the next build.
#[derive(Debug, Clone)]
pub(crate) struct Generations {
    dir: PathBuf,
}

/// Held for the whole of a build. The OS releases the lock when the process
/// dies, so a killed build never blocks the next one.
#[derive(Debug)]
pub(crate) struct BuildLock {
    _file: File,
}

impl Generations {
    pub(crate) fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub(crate) fn path(&self, generation: u64) -> PathBuf {
        self.dir.join(GENERATIONS).join(name(generation))
    }

    /// The generation `CURRENT` names, if any build has finished.
    pub(crate) fn current(&self) -> Result<Option<u64>> {
        let pointer = self.dir.join(POINTER);
        let text = match fs::read_to_string(&pointer) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(Error::io(&pointer)(err)),
        };
        parse_name(text.trim())
            .map(Some)
            .ok_or_else(|| Error::Incompatible {
                path: pointer,
                reason: format!("expected a generation name like gen-000001, found {text:?}"),
            })
    }

    /// Takes the build lock, failing at once if another build holds it.
    pub(crate) fn lock(&self) -> Result<BuildLock> {
        fs::create_dir_all(self.dir.join(GENERATIONS)).map_err(Error::io(&self.dir))?;
        let path = self.dir.join(LOCK);
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(Error::io(&path))?;
        if let Err(err) = file.try_lock() {
            let holder = fs::read_to_string(&path).unwrap_or_default();
            return Err(match err {
                fs::TryLockError::WouldBlock => Error::Locked {
                    dir: self.dir.clone(),
                    holder: holder.trim().to_string(),
                },
                fs::TryLockError::Error(err) => Error::io(&path)(err),
            });
        }
        // Who holds it, for the message another build prints.
        file.set_len(0).map_err(Error::io(&path))?;
        writeln!(file, "pid {}", std::process::id()).map_err(Error::io(&path))?;
        Ok(BuildLock { _file: file })
    }

    /// The number the next build takes: above every directory present,
    /// partial ones included, so a new build never reuses a crashed one's.
    pub(crate) fn next_number(&self) -> Result<u64> {
        Ok(self.list()?.into_iter().map(|(n, _)| n).max().unwrap_or(0) + 1)
    }

    /// A fresh directory to build generation `generation` in.
    pub(crate) fn begin(&self, generation: u64, _lock: &BuildLock) -> Result<PathBuf> {
        let path = self.partial_path(generation);
        if path.exists() {
            fs::remove_dir_all(&path).map_err(Error::io(&path))?;
        }
        fs::create_dir_all(&path).map_err(Error::io(&path))?;
        Ok(path)
    }

    /// Makes a finished build the serving generation.
    pub(crate) fn publish(&self, generation: u64, _lock: &BuildLock) -> Result<()> {
        let partial = self.partial_path(generation);
        sync_tree(&partial)?;
        let done = self.path(generation);
        fs::rename(&partial, &done).map_err(Error::io(&done))?;
        sync_dir(&self.dir.join(GENERATIONS))?;
        let temp = self.dir.join(format!("{POINTER}.tmp"));
        {
            let mut file = File::create(&temp).map_err(Error::io(&temp))?;
            writeln!(file, "{}", name(generation)).map_err(Error::io(&temp))?;
            file.sync_all().map_err(Error::io(&temp))?;
        }
        let pointer = self.dir.join(POINTER);
        fs::rename(&temp, &pointer).map_err(Error::io(&pointer))?;
        sync_dir(&self.dir)?;
        info!(generation, dir = %done.display(), "generation published");
        Ok(())
    }

    /// Removes debris of interrupted builds and generations older than the
    /// current one beyond `keep`. Readers that already opened an old
    /// generation keep working: its files stay readable while open.
    pub(crate) fn clean(&self, keep: usize, _lock: &BuildLock) -> Result<usize> {
        let current = self.current()?;
        let mut removed = 0;
        let mut complete: Vec<u64> = Vec::new();
        for (number, partial) in self.list()? {
            if partial {
                let path = self.partial_path(number);
                warn!(path = %path.display(), "removing an interrupted build");
                fs::remove_dir_all(&path).map_err(Error::io(&path))?;
                removed += 1;
            } else if Some(number) != current {
                complete.push(number);
            }
        }
        // Newer than current can only be a build that crashed between
        // rename and pointer switch: it never served, so it goes too.
        complete.sort_unstable();
        let below: Vec<u64> = complete
            .iter()
            .copied()
            .filter(|&n| current.is_some_and(|c| n < c))
            .collect();
        let stale = below.len().saturating_sub(keep);
        let doomed = below[..stale]
            .iter()
            .chain(complete.iter().filter(|&&n| current.is_none_or(|c| n > c)));
        for &number in doomed {
            let path = self.path(number);
            debug!(path = %path.display(), "removing an old generation");
            fs::remove_dir_all(&path).map_err(Error::io(&path))?;
            removed += 1;
        }
        let temp = self.dir.join(format!("{POINTER}.tmp"));
        if temp.exists() {
            fs::remove_file(&temp).map_err(Error::io(&temp))?;
        }
        Ok(removed)
    }

    /// Every generation directory: (number, is partial).
    fn list(&self) -> Result<Vec<(u64, bool)>> {
        let root = self.dir.join(GENERATIONS);
        let entries = match fs::read_dir(&root) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(Error::io(&root)(err)),
        };
        let mut found = Vec::new();
        for entry in entries {
            let entry = entry.map_err(Error::io(&root))?;
            let file_name = entry.file_name();
            let Some(file_name) = file_name.to_str() else {
                continue;
            };
            match file_name.strip_suffix(PARTIAL) {
                Some(stem) => found.extend(parse_name(stem).map(|n| (n, true))),
                None => found.extend(parse_name(file_name).map(|n| (n, false))),
            }
        }
        Ok(found)
    }

    fn partial_path(&self, generation: u64) -> PathBuf {
        self.dir
            .join(GENERATIONS)
            .join(format!("{}{PARTIAL}", name(generation)))
    }
}

fn name(generation: u64) -> String {
    format!("gen-{generation:06}")
}

fn parse_name(text: &str) -> Option<u64> {
    text.strip_prefix("gen-")?.parse().ok()
}

/// fsyncs every file and directory under `dir`, so the rename that
/// publishes it cannot reach the disk before its contents.
fn sync_tree(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(Error::io(dir))? {
        let path = entry.map_err(Error::io(dir))?.path();
        if path.is_dir() {
            sync_tree(&path)?;
        } else {
            File::open(&path)
                .and_then(|file| file.sync_all())
                .map_err(Error::io(&path))?;
        }
    }
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|file| file.sync_all())
        .map_err(Error::io(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_switches_the_pointer_and_clean_removes_debris() {
        let dir = tempfile::tempdir().unwrap();
        let generations = Generations::new(dir.path());
        assert_eq!(generations.current().unwrap(), None);
        let lock = generations.lock().unwrap();
        assert!(matches!(generations.lock(), Err(Error::Locked { .. })));

        for expected in 1..=3 {
            let number = generations.next_number().unwrap();
            assert_eq!(number, expected);
            let path = generations.begin(number, &lock).unwrap();
            fs::write(path.join("data"), b"x").unwrap();
            generations.publish(number, &lock).unwrap();
            assert_eq!(generations.current().unwrap(), Some(number));
        }
        // A crashed build: a partial directory never published.
        let crashed = generations.begin(4, &lock).unwrap();
        assert!(crashed.exists());
        assert_eq!(generations.next_number().unwrap(), 5);

        let removed = generations.clean(1, &lock).unwrap();
        assert_eq!(removed, 2, "the partial build and generation 1");
        assert!(!crashed.exists());
        assert!(!generations.path(1).exists());
        assert!(generations.path(2).exists(), "one older generation is kept");
        assert!(generations.path(3).exists());
        assert_eq!(generations.current().unwrap(), Some(3));
    }

    #[test]
    fn the_lock_is_released_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let generations = Generations::new(dir.path());
        drop(generations.lock().unwrap());
        assert!(generations.lock().is_ok());
    }

    #[test]
    fn a_damaged_pointer_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(POINTER), "nonsense").unwrap();
        let err = Generations::new(dir.path()).current().unwrap_err();
        assert!(err.to_string().contains("CURRENT"), "{err}");
    }
}
