//! Faults, with the `patmatch` binary as a user runs it (issue 9): a
//! process killed with SIGKILL in the middle of an import or an index build,
//! a full disk and a read-only data directory. Each test says what it
//! proves; timings are in `benches/README.md` under "Faults".
//!
//! The disk tests need a small file system of their own. They try, in this
//! order: (a) a tmpfs of a few MiB (`mount -t tmpfs -o size=…`), remounted
//! read-only with `mount -o remount,ro`; (b) a loop-mounted ext4 image
//! (`mkfs.ext4` + `mount -o loop`). (c) `unshare -m` is not used: a mount in
//! a private namespace lives only as long as the process that made it, and
//! these tests run the binary several times against the same mount. If
//! neither (a) nor (b) works, the disk tests print SKIPPED with both errors
//! and return without checking anything: such a sandbox cannot make the
//! fault, and failing there would only report the sandbox.

#![allow(clippy::unwrap_used)] // test helpers panic on broken fixtures by design

mod process;

use process::*;

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `patmatch --data-dir <data> --model-dir <test models> <args…>`.
fn patmatch_in(cwd: &Path, data: &Path, args: &[&str]) -> Command {
    let mut cmd = patmatch(cwd);
    cmd.arg("--data-dir")
        .arg(data)
        .arg("--model-dir")
        .arg(test_model_dir())
        .args(args);
    cmd
}

fn ok(cmd: &mut Command) -> Output {
    let out = run(cmd);
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

/// `n` lines of a shared file after the first `skip`, written into `dir`.
fn lines(src: &Path, skip: usize, n: usize, dir: &Path, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(src).unwrap();
    let lines: Vec<&str> = text.lines().skip(skip).take(n).collect();
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// A record of a JSON-lines file: (id, title).
fn record(path: &Path, index: usize) -> (String, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let line = text.lines().nth(index).unwrap();
    let record: serde_json::Value = serde_json::from_str(line).unwrap();
    (
        record["id"].as_str().unwrap().to_string(),
        record["title"].as_str().unwrap().to_string(),
    )
}

fn ids(path: &Path) -> Vec<String> {
    let count = std::fs::read_to_string(path).unwrap().lines().count();
    (0..count).map(|i| record(path, i).0).collect()
}

/// The model as a user gets it; on a fresh checkout these tests may run
/// before the models tests have fetched it.
fn fetch_model(dir: &Path) {
    ok(patmatch(dir)
        .arg("--model-dir")
        .arg(test_model_dir())
        .args(["model", "fetch"]));
}

/// Opens the store in `data` as the program does (which also recovers its
/// write-ahead log) and returns its listing count and SQLite's
/// `PRAGMA integrity_check`.
fn store_state(data: &Path) -> (usize, String) {
    use corpus::Store as _;
    let path = data.join("patmatch.db");
    let store = corpus::SqliteStore::open(&corpus::StoreConfig::new(&path))
        .unwrap_or_else(|e| panic!("the store {} does not open: {e}", path.display()));
    let listings = store.counts().unwrap().listings;
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    (listings, check)
}

/// What `CURRENT` names in `<data>/index`.
fn current(data: &Path) -> String {
    std::fs::read_to_string(data.join("index/CURRENT"))
        .unwrap()
        .trim()
        .to_string()
}

/// Generation directories of an interrupted build.
fn partials(data: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(data.join("index/generations")) else {
        return Vec::new();
    };
    entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".partial"))
        .collect()
}

/// `patmatch search <title> --json --limit 100`: the hit ids, best first.
fn search_ids(dir: &Path, data: &Path, title: &str) -> Vec<String> {
    let out = ok(&mut patmatch_in(
        dir,
        data,
        &["search", title, "--json", "--limit", "100"],
    ));
    let response: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    response["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_str().unwrap().to_string())
        .collect()
}

/// Sends SIGKILL and reaps the child: true when the signal ended it, false
/// when it had already exited on its own.
fn kill_9(child: &mut Child) -> bool {
    child.kill().unwrap(); // SIGKILL; a zombie is still there to signal.
    let status = child.wait().unwrap();
    status.signal() == Some(9)
}

fn assert_no_panic(out: &Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
}

/// Writes `copies` copies of every record of `sources` into `dir/name`, each
/// copy's ids suffixed `-copyN` so that no two records share an id.
fn copies(sources: &[PathBuf], copies: usize, dir: &Path, name: &str) -> (PathBuf, usize) {
    let path = dir.join(name);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut count = 0;
    for copy in 0..copies {
        for source in sources {
            for line in std::fs::read_to_string(source).unwrap().lines() {
                let mut record: serde_json::Value = serde_json::from_str(line).unwrap();
                let id = format!("{}-copy{copy}", record["id"].as_str().unwrap());
                record["id"] = serde_json::Value::String(id);
                writeln!(out, "{record}").unwrap();
                count += 1;
            }
        }
    }
    out.flush().unwrap();
    (path, count)
}

/// When to kill an import.
#[derive(Debug, Clone, Copy)]
enum ImportKill {
    /// This long after the start.
    After(Duration),
    /// Once the store's write-ahead log holds this many bytes: the batch's
    /// one transaction is open and part written.
    WalBytes(u64),
}

/// SIGKILL at several points of one big import (reading the files, the
/// single write transaction at several fill levels, the checkpoint after it)
/// must leave a store that opens, passes `integrity_check` and holds either
/// the count before the import or the count after a complete one — never a
/// part of the batch. An import re-run after the kill completes the batch.
#[test]
fn kill_9_during_import_leaves_the_whole_batch_or_none_of_it() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let base = head(&corpus_file("patents.jsonl"), 50, dir.path(), "base.jsonl");
    // Two copies of the corpus: 15 250 listings, a few seconds to import.
    let (batch, batch_records) = copies(
        &[corpus_file("patents.jsonl"), corpus_file("offers.jsonl")],
        2,
        dir.path(),
        "batch.jsonl",
    );
    let import = |data: &Path, file: &Path| {
        let mut cmd = patmatch(dir.path());
        cmd.arg("--data-dir").arg(data).arg("import").arg(file);
        cmd
    };
    let fresh_store = |name: &str| {
        let data = dir.path().join(name);
        ok(&mut import(&data, &base));
        data
    };
    let wal_bytes =
        |data: &Path| std::fs::metadata(data.join("patmatch.db-wal")).map_or(0, |meta| meta.len());

    // A complete import: the count after, its duration and how big the
    // write-ahead log grows, to place the kills.
    let data = fresh_store("complete");
    let before = store_state(&data).0;
    assert_eq!(before, 50);
    let clock = Instant::now();
    let mut child = import(&data, &batch)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut wal_max = 0;
    while child.try_wait().unwrap().is_none() {
        wal_max = wal_max.max(wal_bytes(&data));
        std::thread::sleep(Duration::from_millis(2));
    }
    let duration = clock.elapsed();
    assert!(child.wait().unwrap().success());
    let after = store_state(&data).0;
    assert_eq!(after, before + batch_records);
    assert!(wal_max > 0, "the write-ahead log was never seen growing");
    eprintln!("complete import: {duration:?}, write-ahead log up to {wal_max} bytes");

    let kills = [
        ImportKill::After(Duration::from_millis(50)),
        ImportKill::After(Duration::from_millis(200)),
        ImportKill::After(Duration::from_millis(500)),
        ImportKill::WalBytes(wal_max / 10),
        ImportKill::WalBytes(wal_max / 2),
        ImportKill::WalBytes(wal_max * 9 / 10),
        // The log at its full size: the commit being written, or done and
        // being checkpointed into the database file as the program exits.
        ImportKill::WalBytes(wal_max),
    ];
    let (mut landed, mut mid_transaction) = (0, 0);
    for (round, kill) in kills.into_iter().enumerate() {
        let data = fresh_store(&format!("kill-{round}"));
        let clock = Instant::now();
        let mut child = import(&data, &batch)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let wal_at_kill = loop {
            let wal = wal_bytes(&data);
            let due = match kill {
                ImportKill::After(delay) => clock.elapsed() >= delay,
                ImportKill::WalBytes(bytes) => wal >= bytes.max(1),
            };
            // An import that ends before its point is killed at once (the
            // signal then finds a finished process).
            if due || child.try_wait().unwrap().is_some() {
                break wal;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        let killed = kill_9(&mut child);
        let at = clock.elapsed();
        let (count, check) = store_state(&data);
        eprintln!(
            "{kill:?}: killed at {at:?} (running: {killed}), log {wal_at_kill} bytes, {count} listings after"
        );
        assert_eq!(check, "ok", "{kill:?}");
        assert!(
            count == before || count == after,
            "{kill:?}: {count} listings, neither {before} (none of the batch) nor {after} (all of it)"
        );
        landed += usize::from(killed);
        let in_transaction = killed && wal_at_kill > 0 && count == before;
        mid_transaction += usize::from(in_transaction);
        if in_transaction && mid_transaction == 1 {
            // Nothing was lost for good: the same import, run again, completes.
            ok(import(&data, &batch).stdout(Stdio::null()));
            assert_eq!(store_state(&data), (after, "ok".to_string()));
        }
    }
    assert!(landed >= 1, "no kill landed while the import ran");
    assert!(
        mid_transaction >= 1,
        "no kill landed inside the write transaction"
    );
    eprintln!("kill -9 during import: {:?}", started.elapsed());
}

/// When to kill an index build.
#[derive(Debug, Clone, Copy)]
enum IndexKill {
    /// This long after the start (loading the model, reading the store).
    After(Duration),
    /// This long after the build's `gen-N.partial` directory appeared.
    AfterPartial(Duration),
}

/// SIGKILL in the middle of `patmatch index` (several points, at least one
/// while the new generation is being written) must leave generation 1
/// serving searches, and the next `patmatch index` must clean up, succeed
/// and serve a newer generation holding the new listings.
#[test]
fn kill_9_during_index_leaves_the_old_generation_serving() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    fetch_model(dir.path());
    // Small, because the model embeds a few listings a second on a busy
    // 2-core machine; 30 new listings still take long enough to be killed
    // in the middle of, several times.
    let first = head(&corpus_file("patents.jsonl"), 10, dir.path(), "first.jsonl");
    let more = lines(
        &corpus_file("patents.jsonl"),
        10,
        30,
        dir.path(),
        "more.jsonl",
    );
    let (old_id, old_title) = record(&first, 0);
    let (new_id, new_title) = record(&more, 0);
    let old_ids = ids(&first);

    ok(&mut patmatch_in(
        dir.path(),
        &data,
        &["import", first.to_str().unwrap()],
    ));
    let out = ok(&mut patmatch_in(dir.path(), &data, &["index", "--no-ipc"]));
    assert!(
        stdout(&out).contains("generation 1 (full build)"),
        "{}",
        stdout(&out)
    );
    ok(&mut patmatch_in(
        dir.path(),
        &data,
        &["import", more.to_str().unwrap()],
    ));
    eprintln!("setup: {:?}", started.elapsed());

    let kills = [
        IndexKill::After(Duration::from_millis(300)),
        IndexKill::AfterPartial(Duration::ZERO),
        IndexKill::AfterPartial(Duration::from_millis(1000)),
        IndexKill::AfterPartial(Duration::from_millis(3000)),
    ];
    let mut mid_build = 0;
    for kill in kills {
        // A killed build's directory stays until the next build removes it:
        // only a new one is this build's.
        let debris = partials(&data);
        let clock = Instant::now();
        let mut child = patmatch_in(dir.path(), &data, &["index", "--no-ipc"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut partial_since: Option<Instant> = None;
        let partial_at_kill = loop {
            if partial_since.is_none() && partials(&data).iter().any(|p| !debris.contains(p)) {
                partial_since = Some(Instant::now());
            }
            let due = match kill {
                IndexKill::After(delay) => clock.elapsed() >= delay,
                IndexKill::AfterPartial(delay) => {
                    partial_since.is_some_and(|t| t.elapsed() >= delay)
                }
            };
            if due || child.try_wait().unwrap().is_some() {
                break partial_since.is_some();
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let killed = kill_9(&mut child);
        eprintln!(
            "{kill:?}: killed at {:?} (running: {killed}, generation directory begun: {partial_at_kill})",
            clock.elapsed()
        );
        mid_build += usize::from(killed && partial_at_kill);
        if !killed {
            break; // it finished: nothing more to interrupt
        }
        // Generation 1 still serves, and only its listings: in a corpus
        // this small every listing is a vector candidate, so the hits are
        // the whole generation.
        assert_eq!(current(&data), "gen-000001", "{kill:?}");
        let hits = search_ids(dir.path(), &data, &old_title);
        assert_eq!(hits.first(), Some(&old_id), "{kill:?}: {hits:?}");
        assert_eq!(hits.len(), old_ids.len(), "{kill:?}: {hits:?}");
        assert!(
            hits.iter().all(|id| old_ids.contains(id)),
            "{kill:?}: a listing of the killed build is served: {hits:?}"
        );
    }
    assert!(
        mid_build >= 1,
        "no kill landed while a generation was being written"
    );

    let out = ok(&mut patmatch_in(
        dir.path(),
        &data,
        &["index", "--no-ipc", "--json"],
    ));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let generation = report["generation"].as_u64().unwrap();
    assert!(generation > 1, "{report:#}");
    assert_eq!(report["listings"], 40, "{report:#}");
    assert_eq!(current(&data), format!("gen-{generation:06}"));
    assert!(
        partials(&data).is_empty(),
        "debris left: {:?}",
        partials(&data)
    );
    let hits = search_ids(dir.path(), &data, &new_title);
    assert_eq!(hits.first(), Some(&new_id), "{hits:?}");
    eprintln!("kill -9 during index: {:?}", started.elapsed());
}

/// A small file system mounted for one test, unmounted when dropped.
struct Mount {
    dir: PathBuf,
    /// The image file of a loop mount.
    image: Option<PathBuf>,
}

impl Mount {
    /// A file system of `bytes` at `dir` (created), as the module comment
    /// says: a tmpfs, else a loop-mounted ext4 image. `None`, said loudly on
    /// stderr, where neither can be mounted (no CAP_SYS_ADMIN): the fault
    /// cannot be made there, and failing would only report the sandbox.
    fn small(dir: &Path, bytes: u64) -> Option<Mount> {
        std::fs::create_dir_all(dir).unwrap();
        let mount = |args: &[&str]| {
            Command::new("mount")
                .args(args)
                .arg(dir)
                .output()
                .map_err(|e| e.to_string())
                .and_then(|out| match out.status.success() {
                    true => Ok(()),
                    false => Err(stderr(&out)),
                })
        };
        let tmpfs = mount(&["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"]);
        let Err(tmpfs) = tmpfs else {
            return Some(Mount {
                dir: dir.to_path_buf(),
                image: None,
            });
        };
        let image = dir.with_extension("img");
        std::fs::File::create(&image)
            .unwrap()
            .set_len(bytes)
            .unwrap();
        let loop_ext4 = Command::new("mkfs.ext4")
            .args(["-q", "-F", "-m", "0"])
            .arg(&image)
            .output()
            .map_err(|e| e.to_string())
            .and_then(|out| match out.status.success() {
                true => Ok(()),
                false => Err(stderr(&out)),
            })
            .and_then(|()| mount(&["-o", "loop", image.to_str().unwrap()]));
        match loop_ext4 {
            Ok(()) => Some(Mount {
                dir: dir.to_path_buf(),
                image: Some(image),
            }),
            Err(loop_ext4) => {
                let _ = std::fs::remove_file(&image);
                eprintln!(
                    "SKIPPED: cannot mount a small file system at {} (needs root with \
                     CAP_SYS_ADMIN): tmpfs: {tmpfs}; loop-mounted ext4: {loop_ext4}",
                    dir.display()
                );
                None
            }
        }
    }

    fn remount(&self, how: &str) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,{how}")])
            .arg(&self.dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "remount,{how}: {}", stderr(&out));
    }

    fn filler(&self) -> PathBuf {
        self.dir.join("filler")
    }

    /// Fills the file system, then frees `leave` bytes of it.
    fn fill(&self, leave: u64) {
        let mut file = std::fs::File::create(self.filler()).unwrap();
        for chunk in [1 << 20, 4096] {
            let zeros = vec![0u8; chunk];
            loop {
                match file.write_all(&zeros) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
                    Err(e) => panic!("filling {}: {e}", self.dir.display()),
                }
            }
        }
        let _ = file.sync_all();
        let len = file.metadata().unwrap().len();
        file.set_len(len.saturating_sub(leave)).unwrap();
    }

    /// Frees what [`Mount::fill`] took.
    fn free(&self) {
        std::fs::remove_file(self.filler()).unwrap();
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let unmounted = Command::new("umount")
            .arg(&self.dir)
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        }
        if let Some(image) = &self.image {
            let _ = std::fs::remove_file(image);
        }
    }
}

/// An import into a store on a full (or nearly full) disk fails with exit
/// code 1 and a message naming the store and the cause, without a panic;
/// once space is freed the store opens, passes `integrity_check`, holds
/// exactly what it held before and takes the next import.
#[test]
fn a_full_disk_fails_an_import_clearly_and_leaves_the_store_whole() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let Some(mount) = Mount::small(&data, 8 << 20) else {
        return;
    };
    let base = head(&corpus_file("patents.jsonl"), 50, dir.path(), "base.jsonl");
    let later = head(&corpus_file("offers.jsonl"), 100, dir.path(), "later.jsonl");
    let store = data.join("patmatch.db");
    ok(&mut patmatch_in(
        dir.path(),
        &data,
        &["import", base.to_str().unwrap()],
    ));
    let before = store_state(&data);
    assert_eq!(before, (50, "ok".to_string()));

    // No room at all (SQLite cannot even make its -shm file), a little, and
    // enough to begin the batch's transaction but not to finish it: the
    // corpus needs ~22 MB on an 8 MiB file system.
    for leave in [0, 16 << 10, 1 << 20] {
        mount.fill(leave);
        let out = run(&mut patmatch_in(
            dir.path(),
            &data,
            &[
                "import",
                corpus_file("patents.jsonl").to_str().unwrap(),
                corpus_file("offers.jsonl").to_str().unwrap(),
            ],
        ));
        assert_no_panic(&out);
        let err = stderr(&out);
        eprintln!("{leave} bytes free: {}", err.trim());
        assert!(err.contains(&store.display().to_string()), "{err}");
        assert!(
            err.contains("No space left on device") || err.contains("disk is full"),
            "{err}"
        );
        mount.free();
        assert_eq!(store_state(&data), before, "{leave} bytes free");
    }
    ok(&mut patmatch_in(
        dir.path(),
        &data,
        &["import", later.to_str().unwrap()],
    ));
    assert_eq!(store_state(&data), (150, "ok".to_string()));
    eprintln!("full disk, import: {:?}", started.elapsed());
}

/// `patmatch index` into an index directory on a full disk fails with exit
/// code 1, naming the index directory and "No space left on device", and
/// the previous generation keeps serving; once space is freed the next
/// build succeeds and serves.
#[test]
fn a_full_disk_fails_an_index_build_clearly_and_the_previous_generation_serves() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Only the index is on the small file system: the store and the
    // embedding cache stay writable, so it is the build that meets the
    // full disk.
    let Some(mount) = Mount::small(&data.join("index"), 16 << 20) else {
        return;
    };
    fetch_model(dir.path());
    let first = head(&corpus_file("patents.jsonl"), 10, dir.path(), "first.jsonl");
    let (id, title) = record(&first, 0);
    ok(&mut patmatch_in(
        dir.path(),
        &data,
        &["import", first.to_str().unwrap()],
    ));
    ok(&mut patmatch_in(dir.path(), &data, &["index", "--no-ipc"]));
    assert_eq!(current(&data), "gen-000001");

    // A generation of 10 listings takes ~100 KB: these run out at different
    // steps (creating the text index, committing it, writing the vectors,
    // the graph). With room enough a build may succeed; then it serves.
    let mut failed = 0;
    for leave in [0, 24 << 10, 72 << 10] {
        let serving = current(&data);
        mount.fill(leave);
        let out = run(&mut patmatch_in(
            dir.path(),
            &data,
            &["index", "--no-ipc", "--full"],
        ));
        mount.free();
        assert!(
            leave > 0 || !out.status.success(),
            "a build on a full disk succeeded"
        );
        if out.status.success() {
            eprintln!("{leave} bytes free: built {}", current(&data));
            assert_ne!(current(&data), serving);
        } else {
            failed += 1;
            assert_no_panic(&out);
            let err = stderr(&out);
            let last = err.lines().last().unwrap_or_default();
            eprintln!("{leave} bytes free: {last}");
            assert!(
                err.contains(&data.join("index").display().to_string()),
                "{err}"
            );
            assert!(err.contains("No space left on device"), "{err}");
            assert_eq!(current(&data), serving, "{leave} bytes free");
        }
        let hits = search_ids(dir.path(), &data, &title);
        assert_eq!(hits.first(), Some(&id), "{leave} bytes free: {hits:?}");
    }
    let out = ok(&mut patmatch_in(
        dir.path(),
        &data,
        &["index", "--no-ipc", "--full", "--json"],
    ));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["listings"], 10);
    assert_eq!(
        current(&data),
        format!("gen-{:06}", report["generation"].as_u64().unwrap())
    );
    assert!(
        partials(&data).is_empty(),
        "debris left: {:?}",
        partials(&data)
    );
    let hits = search_ids(dir.path(), &data, &title);
    assert_eq!(hits.first(), Some(&id), "{hits:?}");
    drop(mount);
    eprintln!(
        "full disk, index: {:?} ({failed} builds failed)",
        started.elapsed()
    );
}

/// On a data directory mounted read-only, `import` and `index` fail with
/// exit code 1 naming the store and "Read-only file system", without a
/// panic, and `search` still answers from the index built before. Mounted
/// writable again, the store is whole and takes imports.
#[test]
fn a_read_only_data_dir_refuses_writes_clearly_and_still_serves_searches() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let Some(mount) = Mount::small(&data, 32 << 20) else {
        return;
    };
    fetch_model(dir.path());
    let first = head(&corpus_file("patents.jsonl"), 10, dir.path(), "first.jsonl");
    let later = head(&corpus_file("offers.jsonl"), 5, dir.path(), "later.jsonl");
    let (id, title) = record(&first, 0);
    ok(&mut patmatch_in(
        dir.path(),
        &data,
        &["import", first.to_str().unwrap()],
    ));
    ok(&mut patmatch_in(dir.path(), &data, &["index", "--no-ipc"]));

    mount.remount("ro");
    let store = data.join("patmatch.db").display().to_string();
    for args in [
        vec!["import", later.to_str().unwrap()],
        vec!["index", "--no-ipc"],
    ] {
        let out = run(&mut patmatch_in(dir.path(), &data, &args));
        assert_no_panic(&out);
        let err = stderr(&out);
        eprintln!("{}: {}", args[0], err.trim());
        assert!(err.contains(&store), "{err}");
        assert!(err.contains("Read-only file system"), "{err}");
    }
    // Searching needs no write: the index opens read-only.
    let hits = search_ids(dir.path(), &data, &title);
    assert_eq!(hits.first(), Some(&id), "{hits:?}");
    // Reading the store itself is not supported read-only (SQLite in WAL
    // mode must create its -shm file): it must at least say why.
    let out = run(&mut patmatch_in(
        dir.path(),
        &data,
        &["listings", "show", &id],
    ));
    if !out.status.success() {
        assert_no_panic(&out);
        let err = stderr(&out);
        assert!(
            err.contains(&store) && err.contains("Read-only file system"),
            "{err}"
        );
    }

    mount.remount("rw");
    assert_eq!(store_state(&data), (10, "ok".to_string()));
    ok(&mut patmatch_in(
        dir.path(),
        &data,
        &["import", later.to_str().unwrap()],
    ));
    assert_eq!(store_state(&data).0, 15);
    eprintln!("read-only data dir: {:?}", started.elapsed());
}
