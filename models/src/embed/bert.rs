//! The BERT encoder forward pass, written out with candle ops.
//!
//! Not candle-transformers' `BertModel`: it takes a dense word-embedding
//! table and fixed `Linear`s, and we want the 4-bit word table and the
//! [`LinearKernel`](super::linear::LinearKernel) seam. The arithmetic is the
//! standard post-LN BERT layer.

use super::gelu::gelu_erf;
use super::text_tokenizer::PAD_ID;
use super::weights::{EncoderWeights, LayerNormWeights, LayerWeights};
use crate::{Error, Result};
use candle_core::{Device, Tensor};

/// A batch of windows, each padded with `<pad>` to the longest.
#[derive(Debug)]
pub(crate) struct PaddedBatch<'a> {
    /// `rows × len` token ids, row-major; row `i` is real up to `lens[i]`.
    pub(crate) ids: &'a [u32],
    pub(crate) lens: &'a [usize],
    pub(crate) len: usize,
}

#[derive(Debug)]
pub(crate) struct BertEncoder {
    weights: EncoderWeights,
    /// Position rows plus the type-0 row: both are added to every token, so
    /// summing them once at load saves an op per batch.
    position_and_type: Tensor,
    hidden: usize,
    heads: usize,
    head_dim: usize,
    max_positions: usize,
    eps: f32,
}

impl BertEncoder {
    pub(crate) fn new(weights: EncoderWeights) -> Result<Self> {
        let config = &weights.config;
        let hidden = config.hidden_size;
        let heads = config.num_attention_heads;
        if config.max_position_embeddings < 3 {
            return Err(Error::Model(format!(
                "{} positions leave no room for text between <s> and </s>",
                config.max_position_embeddings
            )));
        }
        let position_and_type = weights.position.broadcast_add(&weights.token_type0)?;
        Ok(Self {
            head_dim: hidden / heads,
            max_positions: config.max_position_embeddings,
            eps: config.layer_norm_eps as f32,
            hidden,
            heads,
            position_and_type,
            weights,
        })
    }

    pub(crate) fn max_positions(&self) -> usize {
        self.max_positions
    }

    pub(crate) fn hidden(&self) -> usize {
        self.hidden
    }

    pub(crate) fn vocab_rows(&self) -> usize {
        self.weights.word.rows()
    }

    /// Runs the batch and returns, per row, the mean of the final hidden
    /// states over its real tokens (`<s>` and `</s>` included), not
    /// normalised: windows of one long text are averaged before normalising.
    pub(crate) fn forward_mean_pooled(&self, batch: &PaddedBatch<'_>) -> Result<Vec<Vec<f32>>> {
        let rows = batch.lens.len();
        let len = batch.len;
        if batch.ids.len() != rows * len {
            return Err(Error::Model(format!(
                "batch of {rows}×{len} holds {} ids",
                batch.ids.len()
            )));
        }
        if len > self.max_positions {
            return Err(Error::Model(format!(
                "a window of {len} tokens exceeds the model's {} positions",
                self.max_positions
            )));
        }
        if rows == 0 {
            return Ok(Vec::new());
        }

        let x = self.embed(batch)?;
        let mask = self.attention_bias(batch)?;
        let x = self
            .weights
            .layers
            .iter()
            .try_fold(x, |x, layer| self.layer(layer, &x, &mask, rows, len))?;
        self.mean_pool(&x, batch)
    }

    /// Word rows (dequantised on lookup) + position + type, then LayerNorm.
    /// Returns `[rows * len, hidden]`.
    fn embed(&self, batch: &PaddedBatch<'_>) -> Result<Tensor> {
        let h = self.hidden;
        let mut values = vec![0f32; batch.ids.len() * h];
        for (&id, out) in batch.ids.iter().zip(values.chunks_exact_mut(h)) {
            self.weights.word.dequantize_row(id, out)?;
        }
        let rows = batch.lens.len();
        let x = Tensor::from_vec(values, (rows, batch.len, h), &Device::Cpu)?
            .broadcast_add(&self.position_and_type.narrow(0, 0, batch.len)?)?
            .reshape((rows * batch.len, h))?;
        Ok(layer_norm(&x, &self.weights.embedding_norm, self.eps)?)
    }

    /// `[rows, 1, 1, len]`: 0 for real keys, −∞ for padding, so padding gets
    /// exactly zero attention (as if the window ran alone).
    fn attention_bias(&self, batch: &PaddedBatch<'_>) -> Result<Tensor> {
        let bias: Vec<f32> = batch
            .lens
            .iter()
            .flat_map(|&real| {
                (0..batch.len).map(move |j| if j < real { 0.0 } else { f32::NEG_INFINITY })
            })
            .collect();
        Ok(Tensor::from_vec(
            bias,
            (batch.lens.len(), 1, 1, batch.len),
            &Device::Cpu,
        )?)
    }

    /// One post-LN layer on `x` `[rows * len, hidden]`.
    fn layer(
        &self,
        w: &LayerWeights,
        x: &Tensor,
        mask: &Tensor,
        rows: usize,
        len: usize,
    ) -> candle_core::Result<Tensor> {
        let (nh, hd) = (self.heads, self.head_dim);
        // One matmul for q, k and v (1/√head_dim is already in q's rows),
        // then one copy into [3, rows, heads, len, head_dim].
        let qkv = w
            .qkv
            .forward(x)?
            .reshape((rows, len, 3, nh, hd))?
            .permute((2, 0, 3, 1, 4))?
            .contiguous()?;
        let (q, k, v) = (qkv.get(0)?, qkv.get(1)?, qkv.get(2)?);

        let scores = q.matmul(&k.t()?)?.broadcast_add(mask)?;
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = probs
            .matmul(&v)?
            .transpose(1, 2)?
            .reshape((rows * len, self.hidden))?;

        let attended = layer_norm(
            &(x + w.attention_out.forward(&context)?)?,
            &w.attention_norm,
            self.eps,
        )?;
        let mid = gelu_erf(&w.intermediate.forward(&attended)?)?;
        layer_norm(
            &(&attended + w.output.forward(&mid)?)?,
            &w.output_norm,
            self.eps,
        )
    }

    fn mean_pool(&self, x: &Tensor, batch: &PaddedBatch<'_>) -> Result<Vec<Vec<f32>>> {
        let h = self.hidden;
        let states = x.flatten_all()?.to_vec1::<f32>()?;
        let pooled = batch
            .lens
            .iter()
            .zip(states.chunks_exact(batch.len * h))
            .map(|(&real, row)| {
                let mut sum = vec![0f32; h];
                for token in row.chunks_exact(h).take(real) {
                    for (s, v) in sum.iter_mut().zip(token) {
                        *s += v;
                    }
                }
                let inv = 1.0 / real.max(1) as f32;
                sum.iter_mut().for_each(|s| *s *= inv);
                sum
            })
            .collect();
        Ok(pooled)
    }
}

fn layer_norm(x: &Tensor, w: &LayerNormWeights, eps: f32) -> candle_core::Result<Tensor> {
    candle_nn::ops::layer_norm(x, &w.weight, &w.bias, eps)
}

/// Pads `windows` (each already `<s> … </s>`) into one row-major id buffer.
pub(crate) fn pad_windows(windows: &[&[u32]]) -> (Vec<u32>, Vec<usize>, usize) {
    let len = windows.iter().map(|w| w.len()).max().unwrap_or(0);
    let mut ids = Vec::with_capacity(windows.len() * len);
    let mut lens = Vec::with_capacity(windows.len());
    for w in windows {
        ids.extend_from_slice(w);
        ids.extend(std::iter::repeat_n(PAD_ID, len - w.len()));
        lens.push(w.len());
    }
    (ids, lens, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_to_the_longest_window() {
        let (ids, lens, len) = pad_windows(&[&[0, 5, 2], &[0, 2]]);
        assert_eq!(len, 3);
        assert_eq!(lens, vec![3, 2]);
        assert_eq!(ids, vec![0, 5, 2, 0, 2, PAD_ID]);
    }
}
