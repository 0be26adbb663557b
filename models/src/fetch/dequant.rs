use crate::{Error, Result};
use half::f16;

/// Weights in one Q4_0 block.
pub const Q4_0_BLOCK_WEIGHTS: usize = 32;
/// Bytes in one Q4_0 block: an f16 scale, then 16 bytes of nibbles.
pub const Q4_0_BLOCK_BYTES: usize = 18;

/// Dequantises ggml Q4_0 blocks into f32, e.g. one row of a `.q4_0` tensor
/// (`cols / 32 * 18` bytes into `cols` floats).
///
/// Each 18-byte block is a little-endian f16 scale `d` and 16 bytes; byte
/// `j` holds weight `j` in its low nibble and weight `j + 16` in its high
/// nibble, and a weight is `d * (nibble - 8)`. `out.len()` must be a
/// multiple of 32 and `blocks.len()` exactly `out.len() / 32 * 18`,
/// otherwise [`Error::Q4Length`].
pub fn dequantize_q4_0(blocks: &[u8], out: &mut [f32]) -> Result<()> {
    if !out.len().is_multiple_of(Q4_0_BLOCK_WEIGHTS)
        || blocks.len() != out.len() / Q4_0_BLOCK_WEIGHTS * Q4_0_BLOCK_BYTES
    {
        return Err(Error::Q4Length {
            bytes: blocks.len(),
            weights: out.len(),
        });
    }
    for (block, weights) in blocks
        .chunks_exact(Q4_0_BLOCK_BYTES)
        .zip(out.chunks_exact_mut(Q4_0_BLOCK_WEIGHTS))
    {
        let (scale, nibbles) = block.split_at(2);
        let d = f16::from_le_bytes([scale[0], scale[1]]).to_f32();
        let (low, high) = weights.split_at_mut(Q4_0_BLOCK_WEIGHTS / 2);
        for ((&byte, lo), hi) in nibbles.iter().zip(low).zip(high) {
            *lo = d * (f32::from(byte & 0x0f) - 8.0);
            *hi = d * (f32::from(byte >> 4) - 8.0);
        }
    }
    Ok(())
}
