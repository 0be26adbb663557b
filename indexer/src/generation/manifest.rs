use crate::{Error, HnswParams, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Version of the generation layout (files and their formats).
pub(crate) const LAYOUT_VERSION: u32 = 1;

/// What a generation is and how it was built. Written last, so a generation
/// directory without one is not complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub layout_version: u32,
    pub schema_version: u32,
    pub generation: u64,
    /// The generation this one was updated from, for an incremental build.
    pub parent: Option<u64>,
    /// RFC 3339.
    pub built_at: String,
    pub model_id: String,
    pub dims: usize,
    pub passage_chars: usize,
    pub hnsw: HnswParams,
    /// sha256 of the user dictionary, when one was used.
    pub user_dict_sha256: Option<String>,
    /// Listings in the generation.
    pub listings: usize,
    /// Rows in the vector index; rows of changed or removed listings stay
    /// until the next full build, and are never returned.
    pub vector_rows: usize,
    /// Listings changed or removed by updates since the last full build.
    /// tantivy keeps a replaced document's tokens in a merged segment's
    /// length total, so BM25 drifts with this count until a full build.
    #[serde(default)]
    pub replaced_since_full: usize,
}

impl Manifest {
    pub(crate) const FILE: &'static str = "manifest.json";

    pub(crate) fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(Self::FILE);
        let text = std::fs::read_to_string(&path).map_err(Error::io(&path))?;
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|err| Error::Incompatible {
                path: path.clone(),
                reason: format!("unreadable manifest: {err}"),
            })?;
        if manifest.layout_version != LAYOUT_VERSION {
            return Err(Error::Incompatible {
                path,
                reason: format!(
                    "layout version {} (this build reads {LAYOUT_VERSION}); rebuild with `patmatch index --full`",
                    manifest.layout_version
                ),
            });
        }
        Ok(manifest)
    }

    pub(crate) fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join(Self::FILE);
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(&path, text).map_err(Error::io(&path))
    }
}
