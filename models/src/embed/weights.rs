//! Reads `weights.safetensors` into the encoder's weights.

use super::linear::{DenseF32, LinearKernel, Q4Linear, Q4Matrix, SizeDispatch};
use super::text_tokenizer::PAD_ID;
use super::word_table::Q4WordTable;
use crate::fetch::{dequantize_q4_0, Q4_0_BLOCK_BYTES, Q4_0_BLOCK_WEIGHTS};
use crate::{Error, Result};
use candle_core::{Device, Tensor};
use candle_transformers::models::bert::{Config, HiddenAct, PositionEmbeddingType};
use safetensors::{Dtype, SafeTensors};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Builds the BERT config from the safetensors metadata, so the model's shape
/// lives with its weights (head count is not recoverable from tensor shapes).
fn config_from_metadata(
    metadata: Option<&HashMap<String, String>>,
) -> std::result::Result<Config, String> {
    let metadata = metadata.ok_or("no __metadata__ with the BERT config")?;
    let get = |key: &str| -> std::result::Result<&str, String> {
        metadata
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| format!("metadata has no `{key}`"))
    };
    let int = |key: &str| -> std::result::Result<usize, String> {
        let v = get(key)?;
        v.parse()
            .map_err(|_| format!("metadata `{key}` = {v:?} is not a count"))
    };
    let eps: f64 = get("eps")?
        .parse()
        .map_err(|_| "metadata `eps` is not a number".to_string())?;
    Ok(Config {
        vocab_size: int("vocab")?,
        hidden_size: int("hidden")?,
        num_hidden_layers: int("layers")?,
        num_attention_heads: int("heads")?,
        intermediate_size: int("intermediate")?,
        // e5 uses the exact erf GELU; the file does not record it.
        hidden_act: HiddenAct::Gelu,
        hidden_dropout_prob: 0.0,
        max_position_embeddings: int("max_positions")?,
        type_vocab_size: int("type_vocab")?,
        initializer_range: 0.02,
        layer_norm_eps: eps,
        pad_token_id: PAD_ID as usize,
        position_embedding_type: PositionEmbeddingType::Absolute,
        use_cache: false,
        classifier_dropout: None,
        model_type: Some("bert".into()),
    })
}

/// A LayerNorm's scale and shift, both `[hidden]`.
#[derive(Debug)]
pub(crate) struct LayerNormWeights {
    pub(crate) weight: Tensor,
    pub(crate) bias: Tensor,
}

/// One transformer layer.
#[derive(Debug)]
pub(crate) struct LayerWeights {
    /// Query, key and value stacked into one `[3·hidden, hidden]` linear:
    /// one matmul instead of three, since per-call overhead is a visible share
    /// of a 16-token query. The attention scale 1/√head_dim is folded into
    /// the query rows and bias.
    pub(crate) qkv: Box<dyn LinearKernel>,
    pub(crate) attention_out: Box<dyn LinearKernel>,
    pub(crate) attention_norm: LayerNormWeights,
    pub(crate) intermediate: Box<dyn LinearKernel>,
    pub(crate) output: Box<dyn LinearKernel>,
    pub(crate) output_norm: LayerNormWeights,
}

/// Everything the encoder needs, in memory.
#[derive(Debug)]
pub(crate) struct EncoderWeights {
    pub(crate) config: Config,
    pub(crate) word: Q4WordTable,
    /// `[max_positions, hidden]`.
    pub(crate) position: Tensor,
    /// Row 0 of the token-type table, `[hidden]`: e5 feeds type 0 only.
    pub(crate) token_type0: Tensor,
    pub(crate) embedding_norm: LayerNormWeights,
    pub(crate) layers: Vec<LayerWeights>,
}

impl EncoderWeights {
    /// Reads the safetensors file described in the crate's model-directory
    /// contract: f32 tensors under BertModel names, and each 4-bit matrix as
    /// `<name>.q4_0` U8 bytes `[rows, cols/32*18]`, and the BERT config in
    /// the metadata. Every tensor's shape is checked against that config.
    pub(crate) fn load(path: &Path) -> Result<Self> {
        // No mmap: that needs `unsafe`. The file is ~67 MB and dropped once
        // converted.
        let buffer = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let not_safetensors = |e: safetensors::SafeTensorError| Error::BadFile {
            path: path.to_path_buf(),
            reason: format!("not a safetensors file: {e}"),
        };
        let (_, header) = SafeTensors::read_metadata(&buffer).map_err(not_safetensors)?;
        let reader = Reader {
            path: path.to_path_buf(),
            file: SafeTensors::deserialize(&buffer).map_err(not_safetensors)?,
        };
        let config = config_from_metadata(header.metadata().as_ref())
            .map_err(|reason| reader.bad(reason))?;
        let config = &config;
        let h = config.hidden_size;
        let ff = config.intermediate_size;
        let heads = config.num_attention_heads;
        if heads == 0 || h % heads != 0 {
            return Err(reader.bad(format!(
                "hidden size {h} does not split into {heads} attention heads"
            )));
        }
        let head_dim = h / heads;

        let word = reader.q4_bytes("embeddings.word_embeddings.weight", config.vocab_size, h)?;
        let word = Q4WordTable::new(word, config.vocab_size, h)?;
        let position = reader.f32(
            "embeddings.position_embeddings.weight",
            &[config.max_position_embeddings, h],
        )?;
        let token_type0 = reader
            .f32(
                "embeddings.token_type_embeddings.weight",
                &[config.type_vocab_size, h],
            )?
            .get(0)?;
        let embedding_norm = reader.layer_norm("embeddings.LayerNorm", h)?;

        let layers = (0..config.num_hidden_layers)
            .map(|n| {
                let p = format!("encoder.layer.{n}");
                Ok(LayerWeights {
                    qkv: reader.qkv(&format!("{p}.attention.self"), h, head_dim)?,
                    attention_out: reader.linear(&format!("{p}.attention.output.dense"), h, h)?,
                    attention_norm: reader
                        .layer_norm(&format!("{p}.attention.output.LayerNorm"), h)?,
                    intermediate: reader.linear(&format!("{p}.intermediate.dense"), ff, h)?,
                    output: reader.linear(&format!("{p}.output.dense"), h, ff)?,
                    output_norm: reader.layer_norm(&format!("{p}.output.LayerNorm"), h)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;

        Ok(Self {
            config: config.clone(),
            word,
            position,
            token_type0,
            embedding_norm,
            layers,
        })
    }
}

/// Typed, shape-checked access to the tensors of one file.
struct Reader<'a> {
    path: PathBuf,
    file: SafeTensors<'a>,
}

impl Reader<'_> {
    fn bad(&self, reason: String) -> Error {
        Error::BadFile {
            path: self.path.clone(),
            reason,
        }
    }

    fn view(&self, name: &str, dtype: Dtype, shape: &[usize]) -> Result<&[u8]> {
        let view = self
            .file
            .tensor(name)
            .map_err(|_| self.bad(format!("tensor {name} is missing")))?;
        if view.dtype() != dtype || view.shape() != shape {
            return Err(self.bad(format!(
                "tensor {name} is {:?} {:?}, expected {dtype:?} {shape:?}",
                view.dtype(),
                view.shape()
            )));
        }
        Ok(view.data())
    }

    fn f32(&self, name: &str, shape: &[usize]) -> Result<Tensor> {
        let data = self.view(name, Dtype::F32, shape)?;
        let values: Vec<f32> = data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Ok(Tensor::from_vec(values, shape, &Device::Cpu)?)
    }

    /// The raw Q4_0 bytes of a `[rows, cols]` matrix.
    fn q4_bytes(&self, name: &str, rows: usize, cols: usize) -> Result<Vec<u8>> {
        let shape = [rows, cols / Q4_0_BLOCK_WEIGHTS * Q4_0_BLOCK_BYTES];
        Ok(self
            .view(&format!("{name}.q4_0"), Dtype::U8, &shape)?
            .to_vec())
    }

    /// A `[rows, cols]` Q4_0 matrix dequantised to f32.
    fn q4_matrix(&self, name: &str, rows: usize, cols: usize) -> Result<Tensor> {
        let shape = [rows, cols / Q4_0_BLOCK_WEIGHTS * Q4_0_BLOCK_BYTES];
        let data = self.view(&format!("{name}.q4_0"), Dtype::U8, &shape)?;
        let mut values = vec![0f32; rows * cols];
        dequantize_q4_0(data, &mut values)?;
        Ok(Tensor::from_vec(values, (rows, cols), &Device::Cpu)?)
    }

    /// A linear layer kept both as f32 (for big batches) and as its Q4_0
    /// blocks (for few tokens, where the f32 weights' bytes dominate).
    fn linear(&self, name: &str, out: usize, inp: usize) -> Result<Box<dyn LinearKernel>> {
        let weight = self.q4_matrix(&format!("{name}.weight"), out, inp)?;
        let bias = self.f32(&format!("{name}.bias"), &[out])?;
        let blocks = self.q4_bytes(&format!("{name}.weight"), out, inp)?;
        let q4 = Q4Linear::new(
            Q4Matrix::from_q4_0(&blocks, out, inp, |_| 1.0)?,
            bias.to_vec1()?,
        )?;
        Ok(Box::new(SizeDispatch::new(
            q4,
            DenseF32::new(&weight, bias)?,
        )))
    }

    /// `<prefix>.query/.key/.value` as one linear, query pre-scaled.
    fn qkv(&self, prefix: &str, hidden: usize, head_dim: usize) -> Result<Box<dyn LinearKernel>> {
        let scale = 1.0 / (head_dim as f64).sqrt();
        let part = |name: &str| -> Result<(Tensor, Tensor, Vec<u8>)> {
            let weight = format!("{prefix}.{name}.weight");
            let w = self.q4_matrix(&weight, hidden, hidden)?;
            let b = self.f32(&format!("{prefix}.{name}.bias"), &[hidden])?;
            Ok((w, b, self.q4_bytes(&weight, hidden, hidden)?))
        };
        let (qw, qb, qq) = part("query")?;
        let (kw, kb, kq) = part("key")?;
        let (vw, vb, vq) = part("value")?;
        let weight = Tensor::cat(&[&(qw * scale)?, &kw, &vw], 0)?;
        let bias = Tensor::cat(&[&(qb * scale)?, &kb, &vb], 0)?;
        // Q4_0 rows are independent, so stacking q, k, v is concatenating
        // their bytes; the query's scale goes on its blocks' scales.
        let blocks = [qq, kq, vq].concat();
        let matrix = Q4Matrix::from_q4_0(&blocks, 3 * hidden, hidden, |r| {
            if r < hidden {
                scale as f32
            } else {
                1.0
            }
        })?;
        let q4 = Q4Linear::new(matrix, bias.to_vec1()?)?;
        Ok(Box::new(SizeDispatch::new(
            q4,
            DenseF32::new(&weight, bias)?,
        )))
    }

    fn layer_norm(&self, name: &str, hidden: usize) -> Result<LayerNormWeights> {
        Ok(LayerNormWeights {
            weight: self.f32(&format!("{name}.weight"), &[hidden])?,
            bias: self.f32(&format!("{name}.bias"), &[hidden])?,
        })
    }
}
