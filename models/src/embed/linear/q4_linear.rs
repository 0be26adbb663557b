//! A linear layer on the checkpoint's own 4-bit weights, for few tokens.
//!
//! At 16 tokens the f32 matmul is memory-bound: 85 MB of f32 weights per
//! forward. Reading the Q4_0 nibbles instead (~12 MB) and multiplying them
//! with int8-quantised activations (`maddubs`, u8 × i8) moves 7× fewer bytes.
//! Every weight byte is loaded once and used for all tokens of the call.
//!
//! Layout: a row's blocks are grouped four at a time (128 weights, 64 nibble
//! bytes = one 512-bit register). Byte `j` of a block holds weight `j` in its
//! low nibble and `j + 16` in its high one, so the activations are laid out
//! to match: `lo` holds elements 0..16 of each of the four blocks, `hi`
//! elements 16..32. Nibbles stay unsigned (0..15) as `maddubs`'s u8 operand;
//! the `- 8` of Q4_0 is applied as `8 · Σq` per block, subtracted once.

use crate::fetch::{Q4_0_BLOCK_BYTES, Q4_0_BLOCK_WEIGHTS};
use candle_core::{Device, Tensor};
use rayon::prelude::*;

/// Weights per group: four Q4_0 blocks, one 512-bit register of nibbles.
const GROUP_WEIGHTS: usize = 4 * Q4_0_BLOCK_WEIGHTS;

/// Most tokens one call takes; the accumulators live in a fixed array.
pub(crate) const MAX_TOKENS: usize = 64;

/// A `[rows, cols]` Q4_0 matrix regrouped for the kernel.
#[derive(Debug, Clone)]
pub(crate) struct Q4Matrix {
    rows: usize,
    cols: usize,
    /// Groups per row: `cols` rounded up to 128, so a tail group is padded
    /// with zero-scale blocks.
    groups: usize,
    /// `[rows][groups]`, the four blocks' 16 nibble bytes back to back.
    nibbles: Vec<[u8; 64]>,
    /// `[rows][groups]`, the four blocks' scales `d` (0 for padding).
    scales: Vec<[f32; 4]>,
}

impl Q4Matrix {
    /// `bytes` are Q4_0 blocks of a row-major `[rows, cols]` matrix
    /// (`cols / 32 * 18` bytes per row); row `r`'s scales are multiplied
    /// by `row_scale(r)` (to fold the attention's 1/√head_dim into the
    /// query rows of a fused q/k/v).
    pub(crate) fn from_q4_0(
        bytes: &[u8],
        rows: usize,
        cols: usize,
        row_scale: impl Fn(usize) -> f32,
    ) -> candle_core::Result<Self> {
        let row_bytes = cols / Q4_0_BLOCK_WEIGHTS * Q4_0_BLOCK_BYTES;
        if cols == 0 || cols % Q4_0_BLOCK_WEIGHTS != 0 || bytes.len() != rows * row_bytes {
            candle_core::bail!(
                "{} Q4_0 bytes do not make a [{rows}, {cols}] matrix",
                bytes.len()
            );
        }
        let groups = cols.div_ceil(GROUP_WEIGHTS);
        // Padding nibbles are 8 (weight 0) as well as scale 0, so a padded
        // block contributes nothing whatever the activation.
        let mut nibbles = vec![[0x88u8; 64]; rows * groups];
        let mut scales = vec![[0f32; 4]; rows * groups];
        for (r, row) in bytes.chunks_exact(row_bytes).enumerate() {
            let scale = row_scale(r);
            for (b, block) in row.chunks_exact(Q4_0_BLOCK_BYTES).enumerate() {
                let (d, qs) = block.split_at(2);
                let d = half::f16::from_le_bytes([d[0], d[1]]).to_f32();
                let (g, k) = (r * groups + b / 4, b % 4);
                nibbles[g][k * 16..k * 16 + 16].copy_from_slice(qs);
                scales[g][k] = d * scale;
            }
        }
        Ok(Self {
            rows,
            cols,
            groups,
            nibbles,
            scales,
        })
    }

    pub(crate) fn rows(&self) -> usize {
        self.rows
    }
}

/// `y = x·Wᵀ + b` with 4-bit weights and int8 activations, on AVX-512BW.
#[derive(Debug)]
pub(crate) struct Q4Linear {
    weight: Q4Matrix,
    bias: Vec<f32>,
    simd: simd::Token,
}

impl Q4Linear {
    /// `None` when the CPU lacks AVX-512BW: callers keep the f32 path.
    pub(crate) fn new(weight: Q4Matrix, bias: Vec<f32>) -> candle_core::Result<Option<Self>> {
        if bias.len() != weight.rows {
            candle_core::bail!(
                "bias has {} entries for a {}-row weight",
                bias.len(),
                weight.rows
            );
        }
        Ok(simd::Token::detect().map(|simd| Self { weight, bias, simd }))
    }

    /// The product on plain slices: `x` is `[tokens, cols]` row-major,
    /// the result `[tokens, rows]`.
    pub(crate) fn forward_slice(&self, x: &[f32], tokens: usize) -> candle_core::Result<Vec<f32>> {
        let (rows, cols) = (self.weight.rows, self.weight.cols);
        if tokens == 0 || tokens > MAX_TOKENS || x.len() != tokens * cols {
            candle_core::bail!(
                "Q4 linear takes 1..={MAX_TOKENS} rows of {cols}, got {} values for {tokens}",
                x.len()
            );
        }
        let act = quantise_activations(x, tokens, cols, self.weight.groups);
        // [rows][tokens], each task writing its own rows. Two tasks per
        // thread so a briefly busy core does not hold the whole call.
        let mut by_row = vec![0f32; rows * tokens];
        let tasks = 2 * rayon::current_num_threads().max(1);
        let chunk_rows = rows.div_ceil(tasks).max(1);
        let weight = &self.weight;
        let simd = self.simd;
        by_row
            .par_chunks_mut(chunk_rows * tokens)
            .enumerate()
            .for_each(|(c, out)| simd.dot_rows(weight, &act, tokens, c * chunk_rows, out));
        let mut y = vec![0f32; tokens * rows];
        for (r, (row, b)) in by_row.chunks_exact(tokens).zip(&self.bias).enumerate() {
            for (t, v) in row.iter().enumerate() {
                y[t * rows + r] = v + b;
            }
        }
        Ok(y)
    }
}

impl super::LinearKernel for Q4Linear {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let (tokens, _) = x.dims2()?;
        let values = x.flatten_all()?.to_vec1::<f32>()?;
        let y = self.forward_slice(&values, tokens)?;
        Tensor::from_vec(y, (tokens, self.weight.rows), &Device::Cpu)
    }
}

/// One token's share of one weight group, ready for the kernel.
#[derive(Debug, Clone, Copy)]
struct ActGroup {
    /// Elements 0..16 of each of the four blocks, int8.
    lo: [i8; 64],
    /// Elements 16..32 of each block.
    hi: [i8; 64],
    /// Each block's activation scale, repeated over the block's 4 i32 lanes.
    scale: [f32; 16],
    /// `8 · Σq` of each block in the block's first lane: the nibbles' offset.
    offset: [i32; 16],
}

/// Quantises each 32-block of each row to int8 with its own scale
/// (ggml's Q8_0), laid out `[groups][tokens]` so the kernel's token loop
/// reads contiguously.
fn quantise_activations(x: &[f32], tokens: usize, cols: usize, groups: usize) -> Vec<ActGroup> {
    let zero = ActGroup {
        lo: [0; 64],
        hi: [0; 64],
        scale: [0.0; 16],
        offset: [0; 16],
    };
    let mut act = vec![zero; groups * tokens];
    for (t, row) in x.chunks_exact(cols).enumerate() {
        for (b, block) in row.chunks_exact(Q4_0_BLOCK_WEIGHTS).enumerate() {
            let a = &mut act[(b / 4) * tokens + t];
            let k = b % 4;
            let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
            let d = amax / 127.0;
            let inv = if d > 0.0 { 1.0 / d } else { 0.0 };
            let mut sum = 0i32;
            for (j, v) in block.iter().enumerate() {
                // |v·inv| ≤ 127 by construction; the cast saturates anyway.
                let q = (v * inv).round() as i8;
                sum += i32::from(q);
                if j < 16 {
                    a.lo[k * 16 + j] = q;
                } else {
                    a.hi[k * 16 + j - 16] = q;
                }
            }
            a.scale[k * 4..k * 4 + 4].fill(d);
            a.offset[k * 4] = 8 * sum;
        }
    }
    act
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use super::{ActGroup, Q4Matrix, MAX_TOKENS};
    use bytemuck::cast;
    use core::arch::x86_64::{__m512, __m512i};
    use pulp::x86::V4;

    /// Proof that AVX-512 (F/BW) is present, so the kernel may run.
    #[derive(Debug, Clone, Copy)]
    pub(super) struct Token(V4);

    impl Token {
        pub(super) fn detect() -> Option<Self> {
            V4::try_new().map(Self)
        }

        /// Dot products of rows `row0..` of `w` with every token, into
        /// `out` `[rows][tokens]`. `vectorize` compiles the body with
        /// AVX-512 enabled, so the intrinsics below inline to instructions.
        pub(super) fn dot_rows(
            self,
            w: &Q4Matrix,
            act: &[ActGroup],
            tokens: usize,
            row0: usize,
            out: &mut [f32],
        ) {
            let simd = self.0;
            simd.vectorize(
                #[inline(always)]
                || dot_rows(simd, w, act, tokens, row0, out),
            );
        }
    }

    #[inline(always)]
    fn dot_rows(
        simd: V4,
        w: &Q4Matrix,
        act: &[ActGroup],
        tokens: usize,
        row0: usize,
        out: &mut [f32],
    ) {
        let (f, bw) = (simd.avx512f, simd.avx512bw);
        let low_nibbles = f._mm512_set1_epi8(0x0F);
        let ones = f._mm512_set1_epi16(1);
        // Activations as registers, once per call rather than per row.
        let act: Vec<ActRegs> = act
            .iter()
            .map(|a| ActRegs {
                lo: cast(a.lo),
                hi: cast(a.hi),
                offset: cast(a.offset),
                scale: cast(a.scale),
            })
            .collect();
        let mut acc = [f._mm512_setzero_ps(); MAX_TOKENS];
        let g_n = w.groups;
        for (i, out_row) in out.chunks_exact_mut(tokens).enumerate() {
            let r = row0 + i;
            let acc = &mut acc[..tokens];
            acc.fill(f._mm512_setzero_ps());
            let nib = &w.nibbles[r * g_n..(r + 1) * g_n];
            let sc = &w.scales[r * g_n..(r + 1) * g_n];
            for ((n, s), a_g) in nib.iter().zip(sc).zip(act.chunks_exact(tokens)) {
                let packed: __m512i = cast(*n);
                let lo = f._mm512_and_si512(packed, low_nibbles);
                let hi = f._mm512_and_si512(bw._mm512_srli_epi16::<4>(packed), low_nibbles);
                let ws: __m512 = cast([
                    s[0], s[0], s[0], s[0], s[1], s[1], s[1], s[1], s[2], s[2], s[2], s[2], s[3],
                    s[3], s[3], s[3],
                ]);
                for (acc_t, a) in acc.iter_mut().zip(a_g) {
                    let pairs = bw._mm512_add_epi16(
                        bw._mm512_maddubs_epi16(lo, a.lo),
                        bw._mm512_maddubs_epi16(hi, a.hi),
                    );
                    let sums = f._mm512_sub_epi32(bw._mm512_madd_epi16(pairs, ones), a.offset);
                    let scale = f._mm512_mul_ps(ws, a.scale);
                    *acc_t = f._mm512_fmadd_ps(f._mm512_cvtepi32_ps(sums), scale, *acc_t);
                }
            }
            for (o, a) in out_row.iter_mut().zip(acc.iter()) {
                *o = f._mm512_reduce_add_ps(*a);
            }
        }
    }

    /// One [`ActGroup`] in registers.
    #[derive(Clone, Copy)]
    struct ActRegs {
        lo: __m512i,
        hi: __m512i,
        offset: __m512i,
        scale: __m512,
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod simd {
    use super::{ActGroup, Q4Matrix};

    /// Never constructed off x86-64: the f32 path is used instead.
    #[derive(Debug, Clone, Copy)]
    pub(super) enum Token {}

    impl Token {
        pub(super) fn detect() -> Option<Self> {
            None
        }

        pub(super) fn dot_rows(
            self,
            _: &Q4Matrix,
            _: &[ActGroup],
            _: usize,
            _: usize,
            _: &mut [f32],
        ) {
            match self {}
        }
    }
}
