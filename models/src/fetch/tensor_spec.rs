use super::q4_header::Q4Header;

/// How a tensor is stored in `e5-small-q4.bin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Q4Dtype {
    /// Little-endian f32, 4 bytes per element (dtype byte 0).
    F32,
    /// ggml Q4_0 blocks, 18 bytes per 32 elements (dtype byte 1).
    Q4_0,
}

impl Q4Dtype {
    pub(crate) fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0 => Some(Q4Dtype::F32),
            1 => Some(Q4Dtype::Q4_0),
            _ => None,
        }
    }

    /// Bytes that `elements` values take, or None when Q4_0 elements do not
    /// fill whole blocks.
    pub(crate) fn byte_len(self, elements: u64) -> Option<u64> {
        match self {
            Q4Dtype::F32 => elements.checked_mul(4),
            Q4Dtype::Q4_0 if elements.is_multiple_of(32) => Some(elements / 32 * 18),
            Q4Dtype::Q4_0 => None,
        }
    }
}

/// What one tensor of the file must be: its name there, its name for
/// candle's `BertModel`, how it is stored, and its logical shape (`[out, in]`
/// for matrices). The file stores only element counts, so shapes come from
/// this table and the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TensorSpec {
    pub(crate) file_name: String,
    pub(crate) bert_name: String,
    pub(crate) dtype: Q4Dtype,
    pub(crate) shape: Vec<usize>,
}

impl TensorSpec {
    fn new(file_name: String, bert_name: String, dtype: Q4Dtype, shape: Vec<usize>) -> Self {
        Self {
            file_name,
            bert_name,
            dtype,
            shape,
        }
    }

    pub(crate) fn elements(&self) -> u64 {
        self.shape.iter().map(|&d| d as u64).product()
    }

    /// Every tensor the file must hold, in the file's order: the embeddings,
    /// then 16 per layer (6 Q4_0 matrices, their biases, two layer norms).
    pub(crate) fn expected(header: &Q4Header) -> Vec<TensorSpec> {
        let (h, ff) = (header.hidden, header.intermediate);
        let mut specs = vec![
            Self::new(
                "emb.word".into(),
                "embeddings.word_embeddings.weight".into(),
                Q4Dtype::Q4_0,
                vec![header.vocab, h],
            ),
            Self::new(
                "emb.pos".into(),
                "embeddings.position_embeddings.weight".into(),
                Q4Dtype::F32,
                vec![header.max_positions, h],
            ),
            Self::new(
                "emb.type".into(),
                "embeddings.token_type_embeddings.weight".into(),
                Q4Dtype::F32,
                vec![header.type_vocab, h],
            ),
            Self::new(
                "emb.ln.w".into(),
                "embeddings.LayerNorm.weight".into(),
                Q4Dtype::F32,
                vec![h],
            ),
            Self::new(
                "emb.ln.b".into(),
                "embeddings.LayerNorm.bias".into(),
                Q4Dtype::F32,
                vec![h],
            ),
        ];
        // (file stem, BertModel module, [out, in]); a None shape marks a layer norm.
        let modules: [(&str, &str, Option<[usize; 2]>); 8] = [
            ("q", "attention.self.query", Some([h, h])),
            ("k", "attention.self.key", Some([h, h])),
            ("v", "attention.self.value", Some([h, h])),
            ("ao", "attention.output.dense", Some([h, h])),
            ("aln", "attention.output.LayerNorm", None),
            ("fi", "intermediate.dense", Some([ff, h])),
            ("fo", "output.dense", Some([h, ff])),
            ("oln", "output.LayerNorm", None),
        ];
        for layer in 0..header.layers {
            for (stem, module, matrix) in modules {
                let file = |suffix: &str| format!("l{layer}.{stem}.{suffix}");
                let bert = |param: &str| format!("encoder.layer.{layer}.{module}.{param}");
                match matrix {
                    Some([out, inp]) => {
                        specs.push(Self::new(
                            file("w"),
                            bert("weight"),
                            Q4Dtype::Q4_0,
                            vec![out, inp],
                        ));
                        specs.push(Self::new(file("b"), bert("bias"), Q4Dtype::F32, vec![out]));
                    }
                    None => {
                        specs.push(Self::new(file("w"), bert("weight"), Q4Dtype::F32, vec![h]));
                        specs.push(Self::new(file("b"), bert("bias"), Q4Dtype::F32, vec![h]));
                    }
                }
            }
        }
        specs
    }
}
