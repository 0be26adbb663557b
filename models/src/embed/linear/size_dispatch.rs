//! Chooses between the 4-bit kernel and the f32 matmul by batch size.

use super::q4_linear::{Q4Linear, MAX_TOKENS};
use super::{DenseF32, LinearKernel};
use candle_core::Tensor;

/// Up to this many tokens per call the 4-bit kernel is faster. Measured on
/// the model's 48 matrices, 2 threads (`q4_kernel_speed`): 16 tokens 4.9 vs
/// 13.7 ms, 32: 9.2 vs 18.5, 64: 16.9 vs 25.4. Its cost grows ~linearly in
/// tokens while f32 gemm's is mostly reading weights, so they meet near
/// 128; 64 (the kernel's accumulator limit) keeps a margin.
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

#[cfg(test)]
mod tests {
    use super::super::q4_linear::tests::{random_q4, Rng};
    use super::super::Q4Matrix;
    use super::*;
    use crate::fetch::dequantize_q4_0;
    use candle_core::Device;

    #[test]
    fn short_inputs_take_q4_long_ones_f32() {
        let (rows, cols) = (8, 64);
        let mut rng = Rng::new(11);
        let bytes = random_q4(&mut rng, rows, cols);
        let mut w = vec![0f32; rows * cols];
        dequantize_q4_0(&bytes, &mut w).expect("dequantise");
        let w = Tensor::from_vec(w, (rows, cols), &Device::Cpu).expect("tensor");
        let bias = Tensor::zeros(rows, candle_core::DType::F32, &Device::Cpu).expect("bias");
        let dense = || DenseF32::new(&w, bias.clone()).expect("dense");
        let matrix = Q4Matrix::from_q4_0(&bytes, rows, cols, |_| 1.0).expect("matrix");
        let q4 = Q4Linear::new(matrix, vec![0.0; rows]).expect("q4");
        let has_q4 = q4.is_some();

        let both = SizeDispatch::new(q4, dense());
        let small = if has_q4 { Path::Q4 } else { Path::DenseF32 };
        assert_eq!(both.path(1), small);
        assert_eq!(both.path(Q4_MAX_TOKENS), small);
        assert_eq!(both.path(Q4_MAX_TOKENS + 1), Path::DenseF32);
        assert_eq!(both.path(2048), Path::DenseF32);

        let f32_only = SizeDispatch::new(None, dense());
        assert_eq!(f32_only.path(16), Path::DenseF32);

        // Both paths give the same shape and nearly the same numbers.
        for tokens in [4, Q4_MAX_TOKENS + 3] {
            let x = Tensor::from_vec(
                (0..tokens * cols).map(|_| rng.unit()).collect::<Vec<f32>>(),
                (tokens, cols),
                &Device::Cpu,
            )
            .expect("x");
            let got = both.forward(&x).expect("forward");
            let want = f32_only.forward(&x).expect("forward");
            assert_eq!(got.dims(), &[tokens, rows]);
            let diff = (got - want)
                .expect("diff")
                .abs()
                .expect("abs")
                .max_all()
                .expect("max")
                .to_scalar::<f32>()
                .expect("scalar");
            assert!(diff < 0.05, "{tokens} tokens: max diff {diff}");
        }
    }

    /// The reference tests embed texts in batches, which are past
    /// [`Q4_MAX_TOKENS`] and so run in f32; here each text goes alone, as
    /// a query does in use, so every text of ≤ 64 tokens takes the Q4 path.
    /// Skipped (with a note) when the model or reference files are absent.
    #[test]
    fn single_texts_on_q4_reach_cosine_0_999() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("workspace")
            .to_path_buf();
        let dir = std::env::var_os("PATMATCH_TEST_MODEL_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| root.join("target").join("test-models"));
        let refs = std::env::var_os("PATMATCH_SHARED_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| root.join("..").join("shared"))
            .join("models")
            .join("reference_vectors.jsonl");
        let (Ok(embedder), Ok(refs)) = (
            crate::Embedder::load(&crate::ModelConfig::new(dir)),
            std::fs::read_to_string(&refs),
        ) else {
            eprintln!("model or reference vectors missing: skipped");
            return;
        };
        let mut worst = (f32::MAX, String::new());
        for line in refs.lines().filter(|l| !l.trim().is_empty()) {
            let r: serde_json::Value = serde_json::from_str(line).expect("reference line");
            let (kind, text) = (
                r["kind"].as_str().expect("kind"),
                r["text"].as_str().expect("text"),
            );
            let want: Vec<f32> = r["vector"]
                .as_array()
                .expect("vector")
                .iter()
                .map(|v| v.as_f64().expect("number") as f32)
                .collect();
            let got = if kind == "query" {
                embedder.embed_queries(&[text])
            } else {
                embedder.embed_passages(&[text])
            }
            .expect("embed")
            .remove(0);
            let c: f32 = got.iter().zip(&want).map(|(a, b)| a * b).sum::<f32>()
                / want.iter().map(|v| v * v).sum::<f32>().sqrt();
            if c < worst.0 {
                worst = (c, text.chars().take(30).collect());
            }
        }
        eprintln!(
            "min cosine, texts one at a time: {:.6} ({}…)",
            worst.0, worst.1
        );
        assert!(worst.0 >= 0.999, "min cosine {} for {:?}", worst.0, worst.1);
    }
}
