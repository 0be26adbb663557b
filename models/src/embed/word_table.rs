//! The word-embedding table, kept 4-bit.

use crate::fetch::{dequantize_q4_0, Q4_0_BLOCK_BYTES, Q4_0_BLOCK_WEIGHTS};
use crate::{Error, Result};

/// The 250,037 × 384 word-embedding table in its Q4_0 bytes.
///
/// Dequantised to f32 it would be 384 MB, more than the whole model may use;
/// a batch only touches a few hundred rows, so rows are dequantised as they
/// are looked up (54 MB resident instead).
#[derive(Debug)]
pub(crate) struct Q4WordTable {
    bytes: Vec<u8>,
    rows: usize,
    dims: usize,
}

impl Q4WordTable {
    /// `bytes` holds `rows` rows of `dims` weights each, row-major.
    pub(crate) fn new(bytes: Vec<u8>, rows: usize, dims: usize) -> Result<Self> {
        if !dims.is_multiple_of(Q4_0_BLOCK_WEIGHTS) {
            return Err(Error::Model(format!(
                "word embeddings have {dims} dimensions, not a multiple of the Q4_0 block of {Q4_0_BLOCK_WEIGHTS}"
            )));
        }
        let expected = rows * dims / Q4_0_BLOCK_WEIGHTS * Q4_0_BLOCK_BYTES;
        if bytes.len() != expected {
            return Err(Error::Model(format!(
                "word embeddings hold {} bytes, expected {expected} for {rows}×{dims} Q4_0",
                bytes.len()
            )));
        }
        Ok(Self { bytes, rows, dims })
    }

    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Writes the f32 row for `id` into `out` (`dims` long).
    pub(crate) fn dequantize_row(&self, id: u32, out: &mut [f32]) -> Result<()> {
        let row = id as usize;
        if row >= self.rows {
            return Err(Error::Model(format!(
                "token id {id} is outside the {}-row embedding table",
                self.rows
            )));
        }
        let row_bytes = self.dims / Q4_0_BLOCK_WEIGHTS * Q4_0_BLOCK_BYTES;
        dequantize_q4_0(&self.bytes[row * row_bytes..(row + 1) * row_bytes], out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_ids_past_the_table() {
        let table = Q4WordTable::new(vec![0; 2 * 18], 2, 32).unwrap();
        let mut out = [0f32; 32];
        assert!(table.dequantize_row(1, &mut out).is_ok());
        assert!(table.dequantize_row(2, &mut out).is_err());
    }
}
