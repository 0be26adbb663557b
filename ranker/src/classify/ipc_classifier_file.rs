//! Saving and loading a trained [`IpcClassifier`].

use super::ipc_linear_head::LinearHead;
use super::ipc_set_selector::SetSelector;
use super::IpcClassifier;
use crate::{Error, Result};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

/// Names the format; the version after it changes with the layout.
const MAGIC: &[u8; 12] = b"PATMATCH-IPC";
/// 2 added the one-vs-rest head and the set selector.
const VERSION: u32 = 2;

/// The largest header or array a file may declare, so that a damaged
/// length cannot make the reader allocate without bound.
const MAX_LEN: u64 = 1 << 31;

impl IpcClassifier {
    /// Writes the classifier to `path`, replacing it: the magic and format
    /// version, a JSON header (settings, subclasses, n-grams, labels, the
    /// selector), then the heads' weights and the training vectors as
    /// little-endian arrays — about 15 MB of vectors and 10 MB of weights
    /// per head for the full title set, where JSON numbers would take
    /// several times that. Written beside `path`
    /// and renamed, so a reader never sees half a file.
    pub fn save(&self, path: &Path) -> Result<()> {
        let fail = |e: std::io::Error| file_error(path, "cannot be written", e);
        let header = serde_json::to_vec(self).map_err(|e| Error::Invalid {
            field: "classifier",
            message: format!("{}: cannot be serialised: {e}", path.display()),
        })?;
        let tmp = path.with_extension("tmp");
        {
            let mut out = BufWriter::new(std::fs::File::create(&tmp).map_err(fail)?);
            out.write_all(MAGIC).map_err(fail)?;
            out.write_all(&VERSION.to_le_bytes()).map_err(fail)?;
            write_bytes(&mut out, &header).map_err(fail)?;
            write_head(&mut out, &self.head).map_err(fail)?;
            if let Some(head) = &self.ovr_head {
                write_head(&mut out, head).map_err(fail)?;
            }
            write_array(&mut out, &self.neighbours.vectors, |v| v.to_le_bytes()).map_err(fail)?;
            out.flush().map_err(fail)?;
        }
        std::fs::rename(&tmp, path).map_err(fail)
    }

    /// Reads a classifier written by [`save`](Self::save), checking that its
    /// parts fit together.
    pub fn load(path: &Path) -> Result<Self> {
        let fail = |e: std::io::Error| file_error(path, "cannot be read", e);
        let invalid = |message: String| Error::Invalid {
            field: "classifier",
            message: format!("{}: {message}", path.display()),
        };
        let mut input = BufReader::new(std::fs::File::open(path).map_err(fail)?);
        let mut magic = [0u8; 12];
        let mut version = [0u8; 4];
        input.read_exact(&mut magic).map_err(fail)?;
        input.read_exact(&mut version).map_err(fail)?;
        if &magic != MAGIC {
            return Err(invalid("not an IPC classifier file".into()));
        }
        let version = u32::from_le_bytes(version);
        if version != VERSION {
            return Err(invalid(format!(
                "format version {version}, this build reads {VERSION}; retrain it"
            )));
        }
        let header = read_bytes(&mut input).map_err(fail)?;
        let mut classifier: IpcClassifier =
            serde_json::from_slice(&header).map_err(|e| invalid(e.to_string()))?;
        read_head(&mut input, &mut classifier.head).map_err(fail)?;
        if let Some(head) = &mut classifier.ovr_head {
            read_head(&mut input, head).map_err(fail)?;
        }
        classifier.neighbours.vectors = read_array(&mut input, f32::from_le_bytes).map_err(fail)?;
        if !classifier.is_consistent() {
            return Err(invalid("its parts do not fit together; retrain it".into()));
        }
        classifier.stats = super::ipc_classifier::label_stats(
            &classifier.subclasses,
            &classifier.neighbours.labels,
        );
        Ok(classifier)
    }

    fn is_consistent(&self) -> bool {
        let classes = self.subclasses.len();
        let neighbours = &self.neighbours;
        let head_fits = |head: &LinearHead| {
            head.is_consistent()
                && head.classes == classes
                && head.offsets.len() == self.lexicon.len() + 1
                && head.dense_mean.len() == neighbours.dims
        };
        head_fits(&self.head)
            && !self.head.one_vs_rest
            && self
                .ovr_head
                .as_ref()
                .is_none_or(|head| head_fits(head) && head.one_vs_rest)
            && self
                .selector
                .as_ref()
                .is_none_or(SetSelector::is_consistent)
            && neighbours.vectors.len() == neighbours.labels.len() * neighbours.dims
            && neighbours
                .labels
                .iter()
                .flatten()
                .all(|&c| (c as usize) < classes)
    }
}

/// A head's arrays, which the JSON header leaves out.
fn write_head(out: &mut impl Write, head: &LinearHead) -> std::io::Result<()> {
    write_array(out, &head.offsets, |v| v.to_le_bytes())?;
    write_array(out, &head.lexical_classes, |v| v.to_le_bytes())?;
    write_array(out, &head.lexical_weights, |v| v.to_le_bytes())?;
    write_array(out, &head.dense, |v| v.to_le_bytes())
}

fn read_head(input: &mut impl Read, head: &mut LinearHead) -> std::io::Result<()> {
    head.offsets = read_array(input, u32::from_le_bytes)?;
    head.lexical_classes = read_array(input, u16::from_le_bytes)?;
    head.lexical_weights = read_array(input, f32::from_le_bytes)?;
    head.dense = read_array(input, f32::from_le_bytes)?;
    Ok(())
}

fn write_bytes(out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    out.write_all(&(bytes.len() as u64).to_le_bytes())?;
    out.write_all(bytes)
}

fn read_bytes(input: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let len = read_len(input)?;
    let mut bytes = vec![0u8; len];
    input.read_exact(&mut bytes)?;
    Ok(bytes)
}

/// A count, then each value's little-endian bytes.
fn write_array<T: Copy, const N: usize>(
    out: &mut impl Write,
    values: &[T],
    bytes: impl Fn(T) -> [u8; N],
) -> std::io::Result<()> {
    out.write_all(&(values.len() as u64).to_le_bytes())?;
    for &v in values {
        out.write_all(&bytes(v))?;
    }
    Ok(())
}

fn read_array<T, const N: usize>(
    input: &mut impl Read,
    value: impl Fn([u8; N]) -> T,
) -> std::io::Result<Vec<T>> {
    let len = read_len(input)?;
    let mut bytes = vec![0u8; len.saturating_mul(N)];
    input.read_exact(&mut bytes)?;
    Ok(bytes
        .chunks_exact(N)
        .map(|chunk| {
            let mut b = [0u8; N];
            b.copy_from_slice(chunk);
            value(b)
        })
        .collect())
}

fn read_len(input: &mut impl Read) -> std::io::Result<usize> {
    let mut len = [0u8; 8];
    input.read_exact(&mut len)?;
    let len = u64::from_le_bytes(len);
    if len > MAX_LEN {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("declares a section of {len} items"),
        ));
    }
    usize::try_from(len).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

fn file_error(path: &Path, what: &str, e: std::io::Error) -> Error {
    Error::Invalid {
        field: "classifier",
        message: format!("{} {what}: {e}", path.display()),
    }
}
