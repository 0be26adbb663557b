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
use std::sync::Mutex;

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
        if cols == 0 || !cols.is_multiple_of(Q4_0_BLOCK_WEIGHTS) || bytes.len() != rows * row_bytes
        {
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
        let act = self.simd.quantise(x, tokens, cols, self.weight.groups);
        // Chunks of rows, each laid out [tokens][rows], that the calling thread and
        // `threads - 1` pool helpers take in turn. The caller works rather
        // than sleeping until pool workers wake (a futex round trip per
        // call, ~20% of the time with `par_chunks_mut` over 48 calls), and a
        // helper that wakes late just finds less left to do.
        let mut by_row = vec![0f32; rows * tokens];
        let threads = rayon::current_num_threads().max(1);
        let chunk_rows = (rows / (8 * threads)).max(32);
        let chunks = Mutex::new(by_row.chunks_mut(chunk_rows * tokens).enumerate());
        let work = || loop {
            let next = chunks.lock().map(|mut c| c.next());
            let Ok(Some((c, out))) = next else { break };
            self.simd
                .dot_rows(&self.weight, &act, tokens, c * chunk_rows, out);
        };
        if threads == 1 || rows <= chunk_rows {
            work();
        } else {
            rayon::in_place_scope(|scope| {
                for _ in 1..threads {
                    scope.spawn(|_| work());
                }
                work();
            });
        }
        // Each chunk is [tokens][its rows]: contiguous runs of `y`'s rows.
        let mut y = vec![0f32; tokens * rows];
        for (c, chunk) in by_row.chunks(chunk_rows * tokens).enumerate() {
            let (r0, n) = (c * chunk_rows, chunk.len() / tokens);
            let bias = &self.bias[r0..r0 + n];
            for (t, part) in chunk.chunks_exact(n).enumerate() {
                let dst = &mut y[t * rows + r0..t * rows + r0 + n];
                for ((d, v), b) in dst.iter_mut().zip(part).zip(bias) {
                    *d = v + b;
                }
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

#[cfg(target_arch = "x86_64")]
mod simd {
    use super::{ActGroup, Q4Matrix, Q4_0_BLOCK_WEIGHTS};
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

        pub(super) fn quantise(
            self,
            x: &[f32],
            tokens: usize,
            cols: usize,
            groups: usize,
        ) -> Vec<ActGroup> {
            let simd = self.0;
            simd.vectorize(Quantise {
                simd,
                x,
                tokens,
                cols,
                groups,
            })
        }

        /// Dot products of rows `row0..` of `w` with every token, into
        /// `out` `[tokens][rows]`. `vectorize` compiles the body with
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
            simd.vectorize(DotRows {
                simd,
                w,
                act,
                tokens,
                row0,
                out,
            });
        }
    }

    /// Activation quantisation, vectorised: the scalar version (saturating
    /// `as i8` casts) was ~1/6 of a query's linear time.
    struct Quantise<'a> {
        simd: V4,
        x: &'a [f32],
        tokens: usize,
        cols: usize,
        groups: usize,
    }

    impl pulp::NullaryFnOnce for Quantise<'_> {
        type Output = Vec<ActGroup>;

        /// Each 32-block of each row to int8 with its own scale (ggml's
        /// Q8_0), laid out `[groups][tokens]` so the kernel's token loop
        /// reads contiguously.
        #[inline(always)]
        fn call(self) -> Vec<ActGroup> {
            let zero = ActGroup {
                lo: [0; 64],
                hi: [0; 64],
                scale: [0.0; 16],
                offset: [0; 16],
            };
            let mut act = vec![zero; self.groups * self.tokens];
            for (t, row) in self.x.chunks_exact(self.cols).enumerate() {
                for (b, block) in row.chunks_exact(Q4_0_BLOCK_WEIGHTS).enumerate() {
                    let a = &mut act[(b / 4) * self.tokens + t];
                    let k = b % 4;
                    let (d, sum) = quantise_block(
                        self.simd,
                        block,
                        &mut a.lo[k * 16..k * 16 + 16],
                        &mut a.hi[k * 16..k * 16 + 16],
                    );
                    a.scale[k * 4..k * 4 + 4].fill(d);
                    a.offset[k * 4] = 8 * sum;
                }
            }
            act
        }
    }

    /// One 32-block: scale `d = max|x|/127`, `lo`/`hi` = round(x/d) of
    /// elements 0..16 / 16..32, and the sum of the 32 int8 values.
    /// (A function, not a closure: closures do not inherit `vectorize`'s
    /// target features, so their intrinsics would not inline.)
    #[inline(always)]
    fn quantise_block(simd: V4, block: &[f32], lo: &mut [i8], hi: &mut [i8]) -> (f32, i32) {
        let f = simd.avx512f;
        let (x0, x1) = block.split_at(16);
        let x0: __m512 = bytemuck::pod_read_unaligned(bytemuck::cast_slice(x0));
        let x1: __m512 = bytemuck::pod_read_unaligned(bytemuck::cast_slice(x1));
        let amax =
            f._mm512_reduce_max_ps(f._mm512_max_ps(f._mm512_abs_ps(x0), f._mm512_abs_ps(x1)));
        let d = amax / 127.0;
        let inv = f._mm512_set1_ps(if d > 0.0 { 1.0 / d } else { 0.0 });
        // Round to nearest even (the default mode); |x·inv| ≤ 127 so the
        // narrowing to i8 is exact.
        let q0 = f._mm512_cvtps_epi32(f._mm512_mul_ps(x0, inv));
        let q1 = f._mm512_cvtps_epi32(f._mm512_mul_ps(x1, inv));
        lo.copy_from_slice(&cast::<_, [i8; 16]>(f._mm512_cvtepi32_epi8(q0)));
        hi.copy_from_slice(&cast::<_, [i8; 16]>(f._mm512_cvtepi32_epi8(q1)));
        (d, f._mm512_reduce_add_epi32(f._mm512_add_epi32(q0, q1)))
    }

    /// The kernel's arguments as a `NullaryFnOnce` whose `call` is
    /// `inline(always)`: a closure's body is not inlined into `vectorize`'s
    /// AVX-512 context, which left every intrinsic an out-of-line call
    /// (measured: 85 ms per query instead of a few).
    struct DotRows<'a> {
        simd: V4,
        w: &'a Q4Matrix,
        act: &'a [ActGroup],
        tokens: usize,
        row0: usize,
        out: &'a mut [f32],
    }

    impl pulp::NullaryFnOnce for DotRows<'_> {
        type Output = ();

        #[inline(always)]
        fn call(self) {
            dot_rows(
                self.simd,
                self.w,
                self.act,
                self.tokens,
                self.row0,
                self.out,
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
        let g_n = w.groups;
        let n_rows = out.len() / tokens;
        for i in 0..n_rows {
            let r = row0 + i;
            let nib = &w.nibbles[r * g_n..(r + 1) * g_n];
            let sc = &w.scales[r * g_n..(r + 1) * g_n];
            // Tiles of 8 tokens keep the accumulators in registers; the
            // remainder goes 4, 2, 1. Re-unpacking a row's nibbles per tile
            // is cheap: they are in L1 after the first tile.
            let mut t0 = 0;
            while tokens - t0 >= 8 {
                dot_tile::<8>(simd, nib, sc, &act, tokens, t0, &mut out[i..], n_rows);
                t0 += 8;
            }
            if tokens - t0 >= 4 {
                dot_tile::<4>(simd, nib, sc, &act, tokens, t0, &mut out[i..], n_rows);
                t0 += 4;
            }
            if tokens - t0 >= 2 {
                dot_tile::<2>(simd, nib, sc, &act, tokens, t0, &mut out[i..], n_rows);
                t0 += 2;
            }
            if tokens - t0 >= 1 {
                dot_tile::<1>(simd, nib, sc, &act, tokens, t0, &mut out[i..], n_rows);
            }
        }
    }

    /// Row · tokens `t0..t0 + N`, over all groups, into `out[t · stride]`
    /// (`out` starts at the row's column of a [tokens][rows] chunk).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn dot_tile<const N: usize>(
        simd: V4,
        nib: &[[u8; 64]],
        sc: &[[f32; 4]],
        act: &[ActRegs],
        tokens: usize,
        t0: usize,
        out: &mut [f32],
        stride: usize,
    ) {
        let (f, bw) = (simd.avx512f, simd.avx512bw);
        let low_nibbles = f._mm512_set1_epi8(0x0F);
        let ones = f._mm512_set1_epi16(1);
        let mut acc = [f._mm512_setzero_ps(); N];
        for (g, (n, s)) in nib.iter().zip(sc).enumerate() {
            let packed: __m512i = cast(*n);
            let lo = f._mm512_and_si512(packed, low_nibbles);
            let hi = f._mm512_and_si512(bw._mm512_srli_epi16::<4>(packed), low_nibbles);
            let ws: __m512 = cast([
                s[0], s[0], s[0], s[0], s[1], s[1], s[1], s[1], s[2], s[2], s[2], s[2], s[3], s[3],
                s[3], s[3],
            ]);
            let a_g = &act[g * tokens + t0..g * tokens + t0 + N];
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
        for (k, a) in acc.into_iter().enumerate() {
            out[(t0 + k) * stride] = f._mm512_reduce_add_ps(a);
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fetch::dequantize_q4_0;
    use candle_core::Device;

    /// xorshift64*: deterministic data without a dev-dependency.
    pub(crate) struct Rng(u64);

    impl Rng {
        pub(crate) fn new(seed: u64) -> Self {
            Self(seed.max(1))
        }
        pub(crate) fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        /// Uniform in [-1, 1).
        pub(crate) fn unit(&mut self) -> f32 {
            (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        }
    }

    /// Random Q4_0 bytes for a `[rows, cols]` matrix.
    pub(crate) fn random_q4(rng: &mut Rng, rows: usize, cols: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        for _ in 0..rows * cols / Q4_0_BLOCK_WEIGHTS {
            let d = half::f16::from_f32(0.01 + 0.05 * rng.unit().abs());
            bytes.extend_from_slice(&d.to_le_bytes());
            bytes.extend((0..16).map(|_| rng.next() as u8));
        }
        bytes
    }

    fn check(rows: usize, cols: usize, tokens: usize, seed: u64) {
        let mut rng = Rng::new(seed);
        let bytes = random_q4(&mut rng, rows, cols);
        let bias: Vec<f32> = (0..rows).map(|_| rng.unit()).collect();
        // Spread magnitudes, as hidden states have outlier channels.
        let x: Vec<f32> = (0..tokens * cols)
            .map(|i| rng.unit() * if i % 37 == 0 { 8.0 } else { 1.0 })
            .collect();
        let row_scale = |r: usize| if r.is_multiple_of(2) { 0.125 } else { 1.0 };
        let matrix = Q4Matrix::from_q4_0(&bytes, rows, cols, row_scale).expect("matrix");
        let Some(kernel) = Q4Linear::new(matrix, bias.clone()).expect("kernel") else {
            eprintln!("no AVX-512BW: Q4 kernel not tested");
            return;
        };
        let y = kernel.forward_slice(&x, tokens).expect("forward");

        let mut w = vec![0f32; rows * cols];
        dequantize_q4_0(&bytes, &mut w).expect("dequantise");
        for t in 0..tokens {
            let xt = &x[t * cols..(t + 1) * cols];
            for r in 0..rows {
                let wr = &w[r * cols..(r + 1) * cols];
                let scale = row_scale(r);
                let exact: f64 = wr
                    .iter()
                    .zip(xt)
                    .map(|(a, b)| f64::from(*a) * f64::from(*b))
                    .sum();
                let exact = exact * f64::from(scale) + f64::from(bias[r]);
                // Rounding x to int8 per 32-block moves each element by at
                // most amax/254, so the dot moves by at most Σ|w|·amax/254;
                // plus f32 accumulation slack.
                let bound: f64 = wr
                    .chunks_exact(Q4_0_BLOCK_WEIGHTS)
                    .zip(xt.chunks_exact(Q4_0_BLOCK_WEIGHTS))
                    .map(|(wb, xb)| {
                        let amax = xb.iter().fold(0f32, |m, v| m.max(v.abs()));
                        let wsum: f32 = wb.iter().map(|v| v.abs()).sum();
                        f64::from(wsum * amax / 254.0)
                    })
                    .sum::<f64>()
                    * f64::from(scale)
                    + 1e-4 * (1.0 + exact.abs());
                let got = f64::from(y[t * rows + r]);
                assert!(
                    (got - exact).abs() <= bound,
                    "[{rows}x{cols}] t{t} r{r}: {got} vs {exact}, bound {bound}"
                );
            }
        }
    }

    #[test]
    fn matches_f32_on_model_shapes() {
        check(96, 384, 16, 1);
        check(40, 1536, 3, 2);
    }

    #[test]
    fn matches_f32_on_tail_shapes() {
        // One block (a group of 1 real + 3 padding blocks), 1 group + 1
        // block, an odd number of rows, one token and the most tokens.
        check(7, 32, 1, 3);
        check(5, 160, 64, 4);
        check(1, 96, 2, 5);
        check(33, 416, 17, 6);
    }

    #[test]
    fn rejects_bad_shapes() {
        let mut rng = Rng::new(7);
        let bytes = random_q4(&mut rng, 2, 64);
        assert!(Q4Matrix::from_q4_0(&bytes, 2, 96, |_| 1.0).is_err());
        assert!(Q4Matrix::from_q4_0(&bytes, 2, 48, |_| 1.0).is_err());
        let matrix = Q4Matrix::from_q4_0(&bytes, 2, 64, |_| 1.0).expect("matrix");
        assert!(Q4Linear::new(matrix.clone(), vec![0.0; 3]).is_err());
        if let Some(k) = Q4Linear::new(matrix, vec![0.0; 2]).expect("kernel") {
            assert!(k.forward_slice(&[0.0; 63], 1).is_err());
            assert!(k.forward_slice(&vec![0.0; 64 * 65], 65).is_err());
        }
    }

    /// Timing of this kernel against the f32 matmul on the model's 48
    /// matrices, to place the dispatch threshold (`Q4_BENCH_TOKENS`,
    /// default 16): `RAYON_NUM_THREADS=2 cargo test --release -p
    /// patmatch-models --lib q4_kernel_speed -- --ignored --nocapture`.
    #[test]
    #[ignore = "timing, not a check"]
    fn q4_kernel_speed() {
        use super::super::{DenseF32, LinearKernel};
        let tokens: usize = std::env::var("Q4_BENCH_TOKENS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(16);
        let mut rng = Rng::new(9);
        let shapes = [(1152, 384), (384, 384), (1536, 384), (384, 1536)];
        let layers: Vec<(Q4Linear, DenseF32, Tensor)> = (0..12)
            .flat_map(|_| shapes)
            .map(|(rows, cols)| {
                let bytes = random_q4(&mut rng, rows, cols);
                let m = Q4Matrix::from_q4_0(&bytes, rows, cols, |_| 1.0).expect("matrix");
                let q4 = Q4Linear::new(m, vec![0.0; rows])
                    .expect("kernel")
                    .expect("avx512");
                let mut w = vec![0f32; rows * cols];
                dequantize_q4_0(&bytes, &mut w).expect("dequantise");
                let w = Tensor::from_vec(w, (rows, cols), &Device::Cpu).expect("w");
                let b = Tensor::zeros(rows, candle_core::DType::F32, &Device::Cpu).expect("b");
                let x: Vec<f32> = (0..tokens * cols).map(|_| rng.unit()).collect();
                let x = Tensor::from_vec(x, (tokens, cols), &Device::Cpu).expect("x");
                (q4, DenseF32::new(&w, b).expect("dense"), x)
            })
            .collect();
        let time = |f: &dyn Fn(&(Q4Linear, DenseF32, Tensor)) -> Tensor| {
            let mut times: Vec<f64> = (0..30)
                .map(|_| {
                    let start = std::time::Instant::now();
                    for layer in &layers {
                        std::hint::black_box(f(layer));
                    }
                    start.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            times.sort_by(f64::total_cmp);
            times[15]
        };
        let q4 = time(&|(k, _, x)| k.forward(x).expect("q4"));
        let f32 = time(&|(_, k, x)| k.forward(x).expect("f32"));
        eprintln!("48 matrices x {tokens} tokens, median: q4 {q4:.2} ms, f32 {f32:.2} ms");
    }
}
