//! Chooses between the 4-bit kernel and the f32 matmul by batch size.

use super::q4_linear::{Q4Linear, MAX_TOKENS};
use super::{DenseF32, LinearKernel};
use candle_core::Tensor;

/// Up to this many tokens per call the 4-bit kernel is faster: it is bound
/// by weight bytes, which it reads 7× fewer of; beyond it candle's f32 gemm,
/// which reuses each weight across many more tokens, wins on arithmetic.
pub(crate) const Q4_MAX_TOKENS: usize = MAX_TOKENS;

/// Which kernel a call runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Path {
    Q4,
    DenseF32,
}

/// One linear layer held twice: as Q4_0 blocks for short inputs (queries)
/// and as f32 for long batches (passages). The Q4 copy is ~1/7 of the f32
/// one, so keeping both costs ~12 MB for the whole model.
#[derive(Debug)]
pub(crate) struct SizeDispatch {
    /// `None` when the CPU lacks AVX-512BW.
    q4: Option<Q4Linear>,
    dense: DenseF32,
}

impl SizeDispatch {
    pub(crate) fn new(q4: Option<Q4Linear>, dense: DenseF32) -> Self {
        Self { q4, dense }
    }

    pub(crate) fn path(&self, tokens: usize) -> Path {
        match self.q4 {
            Some(_) if (1..=Q4_MAX_TOKENS).contains(&tokens) => Path::Q4,
            _ => Path::DenseF32,
        }
    }
}

impl LinearKernel for SizeDispatch {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let (tokens, _) = x.dims2()?;
        match (self.path(tokens), &self.q4) {
            (Path::Q4, Some(q4)) => q4.forward(x),
            _ => self.dense.forward(x),
        }
    }
}
