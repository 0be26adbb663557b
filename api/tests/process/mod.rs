//! Running the `patmatch` binary as a user runs it, for the tests that
//! drive it as a process (`cli.rs`, `faults.rs`).
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn shared() -> PathBuf {
    std::env::var_os("PATMATCH_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

pub fn corpus_file(name: &str) -> PathBuf {
    shared().join("data/corpus").join(name)
}

/// The model the tests share: `PATMATCH_TEST_MODEL_DIR`, else
/// `<workspace>/target/test-models` (fetched by the models tests' first run).
pub fn test_model_dir() -> PathBuf {
    std::env::var_os("PATMATCH_TEST_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-models"))
}

/// A command isolated from the caller's environment and working directory,
/// so a developer's own PATMATCH_* settings cannot change the outcome.
pub fn patmatch(cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_patmatch"));
    cmd.current_dir(cwd)
        .env_remove("PATMATCH_DATA_DIR")
        .env_remove("PATMATCH_CONFIG")
        .env_remove("PATMATCH_MODEL_DIR")
        .env_remove("PATMATCH_LOG")
        .env_remove("RUST_LOG")
        .env_remove("PATMATCH_SHARED_DIR")
        .env_remove("PATMATCH_IPC_TITLES")
        .env_remove("PATMATCH_IPC_CLASSIFIER");
    cmd
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the patmatch binary runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The first `n` lines of a shared file, written into `dir`.
pub fn head(src: &Path, n: usize, dir: &Path, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(src).unwrap();
    let lines: Vec<&str> = text.lines().take(n).collect();
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}
