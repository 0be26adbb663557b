//! The linear layers of the encoder: the one seam for faster kernels.

use candle_core::Tensor;

mod q4_linear;
mod size_dispatch;

pub(crate) use q4_linear::{Q4Linear, Q4Matrix};
pub(crate) use size_dispatch::SizeDispatch;

/// `y = x·Wᵀ + b` for a `[tokens, in]` activation matrix, giving
/// `[tokens, out]`.
///
/// The six matrices per layer are ~90% of the encoder's arithmetic, so this is
/// where a faster kernel (int8 × int4 with AVX-512 VNNI, say) plugs in: implement
/// this trait and choose it in `EncoderWeights::load`. Nothing else in the forward
/// knows how weights are stored.
pub(crate) trait LinearKernel: Send + Sync + std::fmt::Debug {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor>;
}

/// Weights dequantised to f32 at load, run through candle's gemm.
#[derive(Debug)]
pub(crate) struct DenseF32 {
    /// Stored transposed, `[in, out]` contiguous, so the matmul reads it
    /// row-major without a per-call transpose.
    weight_t: Tensor,
    bias: Tensor,
}

impl DenseF32 {
    /// `weight` is `[out, in]` (the checkpoint layout), `bias` `[out]`.
    pub(crate) fn new(weight: &Tensor, bias: Tensor) -> candle_core::Result<Self> {
        let (out, _) = weight.dims2()?;
        if bias.dims1()? != out {
            candle_core::bail!("bias has {} entries for a {out}-row weight", bias.dims1()?);
        }
        Ok(Self {
            weight_t: weight.t()?.contiguous()?,
            bias,
        })
    }
}

impl LinearKernel for DenseF32 {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.matmul(&self.weight_t)?.broadcast_add(&self.bias)
    }
}
