//! e5-small-q4.bin → safetensors under candle `BertModel` names.

use super::q4_file::Q4File;
use super::tensor_spec::Q4Dtype;
use super::{Q4_0_BLOCK_BYTES, Q4_0_BLOCK_WEIGHTS};
use crate::{Error, Result};
use safetensors::tensor::TensorView;
use safetensors::Dtype;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Suffix of the U8 tensors that hold raw Q4_0 blocks.
pub(crate) const Q4_0_SUFFIX: &str = ".q4_0";

/// Serialises every tensor of `file` as safetensors bytes, losslessly: f32
/// tensors as F32 with their shapes, Q4_0 matrices as their raw blocks in
/// a U8 tensor `<name>.q4_0` of shape `[rows, cols / 32 * 18]` (one row of
/// blocks per output feature). `out` only names the file in errors.
pub(crate) fn to_safetensors(file: &Q4File, out: &Path) -> Result<Vec<u8>> {
    let bad = |reason: String| Error::BadFile {
        path: out.to_path_buf(),
        reason,
    };
    let mut views = Vec::with_capacity(file.tensors().len());
    for tensor in file.tensors() {
        let bytes = file.tensor_bytes(tensor).ok_or_else(|| Error::BadFile {
            path: file.path().to_path_buf(),
            reason: format!("tensor `{}` lies outside the file", tensor.name),
        })?;
        let (name, dtype, shape) = match tensor.dtype {
            // The file's f32 are little-endian, as safetensors stores them.
            Q4Dtype::F32 => (tensor.bert_name.clone(), Dtype::F32, tensor.shape.clone()),
            Q4Dtype::Q4_0 => {
                let (&rows, &cols) = match tensor.shape.as_slice() {
                    [rows, cols] => (rows, cols),
                    other => {
                        return Err(bad(format!(
                            "Q4_0 tensor `{}` has shape {other:?}, not 2-D",
                            tensor.name
                        )))
                    }
                };
                let row_bytes = cols / Q4_0_BLOCK_WEIGHTS * Q4_0_BLOCK_BYTES;
                (
                    format!("{}{Q4_0_SUFFIX}", tensor.bert_name),
                    Dtype::U8,
                    vec![rows, row_bytes],
                )
            }
        };
        let view = TensorView::new(dtype, shape, bytes)
            .map_err(|e| bad(format!("tensor `{name}`: {e}")))?;
        views.push((name, view));
    }
    let bytes = safetensors::serialize(views, Some(metadata(file)))
        .map_err(|e| bad(format!("cannot serialise: {e}")))?;
    canonical_header(bytes).map_err(|e| bad(format!("cannot rewrite the safetensors header: {e}")))
}

/// safetensors writes `__metadata__` from a `HashMap`, so its key order and
/// the file's hash change from run to run. Re-emitting the header through
/// `BTreeMap`s (sorted whatever serde_json's features) makes the file a
/// function of its input: converting the same wheels again reproduces the
/// manifest's hash. Tensor data and its offsets (relative to the end of the
/// header) are untouched.
fn canonical_header(mut bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    const LEN: usize = 8;
    let mut len_bytes = [0u8; LEN];
    len_bytes.copy_from_slice(bytes.get(..LEN).ok_or("shorter than its length prefix")?);
    let header_end = usize::try_from(u64::from_le_bytes(len_bytes))
        .ok()
        .and_then(|n| n.checked_add(LEN))
        .filter(|&end| end <= bytes.len())
        .ok_or("header length runs past the end")?;
    let mut header: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&bytes[LEN..header_end]).map_err(|e| e.to_string())?;
    if let Some(meta) = header.get_mut("__metadata__") {
        let sorted: BTreeMap<String, String> =
            serde_json::from_value(meta.take()).map_err(|e| e.to_string())?;
        *meta = serde_json::to_value(sorted).map_err(|e| e.to_string())?;
    }
    let mut json = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
    // safetensors pads the header with spaces so the data starts 8-aligned.
    json.resize(json.len().next_multiple_of(8), b' ');
    let mut prefix = (json.len() as u64).to_le_bytes().to_vec();
    prefix.extend_from_slice(&json);
    bytes.splice(..header_end, prefix);
    Ok(bytes)
}

/// The BERT config, so the embedder needs nothing besides this file and
/// the tokenizer. safetensors metadata values are strings.
fn metadata(file: &Q4File) -> HashMap<String, String> {
    let h = file.header();
    [
        ("hidden", h.hidden.to_string()),
        ("layers", h.layers.to_string()),
        ("heads", h.heads.to_string()),
        ("intermediate", h.intermediate.to_string()),
        ("vocab", h.vocab.to_string()),
        ("max_positions", h.max_positions.to_string()),
        ("type_vocab", h.type_vocab.to_string()),
        // `{:e}` keeps 1e-12 short and round-trips through str::parse.
        ("eps", format!("{:e}", h.eps)),
        ("block", h.block.to_string()),
        ("model_id", super::MODEL_ID.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}
