//! The discriminative half of the IPC classifier: one linear scorer per
//! subclass over the lexical features and the title embedding.

use serde::{Deserialize, Serialize};

/// How the classifier's linear head is trained. The defaults were chosen
/// by inner cross-validation on folds 1–4 of the IPC title set (train on
/// three, score the fourth, pool the four; micro-F1 of the fused
/// classifier with its decision settings tuned each time): see each field.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IpcLinearTraining {
    /// Passes over the training titles. Few passes are the regulariser:
    /// with ~20 titles per subclass, a converged model memorises them. One
    /// run at embedding scale 1: 5 epochs 0.440, 10 0.438, 20 0.436; with
    /// the defaults: 2 epochs 0.459, 4 epochs 0.458.
    pub epochs: usize,
    /// Independent runs (seeds `seed`, `seed + 1`, …) whose weights are
    /// averaged: 4 runs 0.440 against 1 run 0.437 (2 epochs, scale 1).
    pub runs: usize,
    /// Adagrad's base step: 0.1 scores 0.459, 0.3 0.450.
    pub learning_rate: f32,
    /// Adagrad's starting sum of squared gradients. Near zero, every
    /// weight's first step is a full `learning_rate` however small its
    /// gradient, so every subclass moves for every n-gram seen; a larger
    /// start keeps the tiny gradients of unrelated subclasses tiny, which
    /// scores a little better (0.459 at 0.01, 0.460 at 1e-4, 0.456 at 1e-6)
    /// and leaves most n-gram weights near zero, to be pruned.
    pub initial_accumulator: f32,
    /// The weight of the standardised embedding against the unit-length
    /// lexical vector: each embedding dimension is multiplied by
    /// `embedding_scale / sqrt(dimensions)`, so 1 gives both parts the same
    /// expected length. The embedding carries more than the n-grams: 1
    /// scores 0.440, 2 0.452, 3 0.456, 4 0.456, 6 0.454 (4 runs of 2
    /// epochs, initial accumulator 1e-6).
    pub embedding_scale: f32,
    /// N-gram weights smaller than this in magnitude are dropped after
    /// training: at 0.01 about nine in ten go and inner micro-F1 stays
    /// 0.459 (as at 0 and at 0.03), so a saved classifier is a fraction of
    /// the size.
    pub prune_below: f32,
    /// Seeds the order in which titles are visited.
    pub seed: u64,
}

impl Default for IpcLinearTraining {
    fn default() -> Self {
        Self {
            epochs: 2,
            runs: 4,
            learning_rate: 0.1,
            initial_accumulator: 0.01,
            embedding_scale: 3.0,
            prune_below: 0.01,
            seed: 7,
        }
    }
}

/// One training example as the head sees it: sparse lexical features and
/// the embedding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HeadInput<'a> {
    pub lexical: &'a [(u32, f32)],
    pub embedding: &'a [f32],
}

/// A softmax over subclasses of `W·x + b`, where `x` is the lexical vector
/// followed by the standardised, scaled embedding; or, one-vs-rest, a
/// sigmoid of each subclass's `w·x + b`.
///
/// The softmax is the main head: with a few titles per subclass the
/// subclasses must compete for each title, which ranks the right one
/// first more often (on one inner fold, fused micro-F1 0.443 at best with
/// one-vs-rest against 0.446 with softmax). Multi-label titles are trained
/// towards an even split of the probability over their subclasses, so a
/// second subclass still shows as a large share. The one-vs-rest head is
/// trained towards 1 for every true subclass, so it says how likely each
/// subclass is on its own, which the set selector reads beside the
/// softmax. Trained by per-title Adagrad, which gives each rare n-gram its
/// own step size.
///
/// The n-gram rows are kept sparse (after pruning), the embedding rows and
/// the bias dense.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct LinearHead {
    pub(crate) classes: usize,
    /// Sigmoid per subclass instead of the softmax.
    pub(crate) one_vs_rest: bool,
    /// Per-dimension mean and `scale / std` of the training embeddings:
    /// centring removes the direction every e5 vector shares, which would
    /// otherwise swamp the differences.
    pub(crate) dense_mean: Vec<f32>,
    pub(crate) dense_factor: Vec<f32>,
    /// N-gram row j holds `lexical_classes[offsets[j]..offsets[j + 1]]`
    /// with the same range of `lexical_weights`.
    #[serde(skip)]
    pub(crate) offsets: Vec<u32>,
    #[serde(skip)]
    pub(crate) lexical_classes: Vec<u16>,
    #[serde(skip)]
    pub(crate) lexical_weights: Vec<f32>,
    /// Row-major (`dense + 1` rows × `classes`), bias last.
    #[serde(skip)]
    pub(crate) dense: Vec<f32>,
}

/// The sizes of a head: subclasses, n-gram features and embedding
/// dimensions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HeadShape {
    pub classes: usize,
    pub lexical: usize,
    pub dense: usize,
}

/// Dense weights while training: (`lexical + dense + 1`) × `classes`.
struct Trainer<'a> {
    classes: usize,
    one_vs_rest: bool,
    lexical: usize,
    dense_mean: &'a [f32],
    dense_factor: &'a [f32],
    weights: Vec<f32>,
}

impl LinearHead {
    /// Trains on `inputs` with their subclass indices `labels` (each below
    /// `classes`; titles without one are skipped). `lexical` is the number
    /// of n-gram features, `dense` the embedding's dimension. With
    /// `one_vs_rest`, each subclass gets its own logistic scorer, trained
    /// towards 1 for every true subclass, instead of the softmax.
    pub fn train(
        inputs: &[HeadInput<'_>],
        labels: &[Vec<usize>],
        shape: HeadShape,
        training: &IpcLinearTraining,
        one_vs_rest: bool,
    ) -> Self {
        let HeadShape {
            classes,
            lexical,
            dense,
        } = shape;
        let (dense_mean, dense_factor) = standardiser(inputs, dense, training.embedding_scale);
        let rows = lexical + dense + 1;
        let mut trainer = Trainer {
            classes,
            one_vs_rest,
            lexical,
            dense_mean: &dense_mean,
            dense_factor: &dense_factor,
            weights: vec![0.0; rows * classes],
        };
        // Start the bias at the log prior, so early steps learn what tells
        // subclasses apart rather than how common each is.
        let mut prior = vec![1.0f32; classes];
        for set in labels {
            for &c in set {
                prior[c] += if one_vs_rest {
                    1.0
                } else {
                    1.0 / set.len() as f32
                };
            }
        }
        let total: f32 = if one_vs_rest {
            labels.len() as f32 + 2.0
        } else {
            prior.iter().sum()
        };
        for (w, p) in trainer.weights[(rows - 1) * classes..]
            .iter_mut()
            .zip(&prior)
        {
            let p = p / total;
            *w = if one_vs_rest {
                (p / (1.0 - p)).ln()
            } else {
                p.ln()
            };
        }

        // Several runs from the same start, each visiting the titles in its
        // own order, averaged: early-stopped SGD depends on the order, and
        // the average of the runs (one linear model, so no extra cost to
        // classify) is steadier than any of them.
        let start = trainer.weights.clone();
        let runs = training.runs.max(1);
        let mut sum = vec![0.0f32; start.len()];
        for run in 0..runs {
            trainer.weights.copy_from_slice(&start);
            trainer.run(
                inputs,
                labels,
                training,
                training.seed.wrapping_add(run as u64),
            );
            for (s, w) in sum.iter_mut().zip(&trainer.weights) {
                *s += w;
            }
        }
        let weights: Vec<f32> = sum.iter().map(|s| s / runs as f32).collect();

        let mut offsets = Vec::with_capacity(lexical + 1);
        let mut lexical_classes = Vec::new();
        let mut lexical_weights = Vec::new();
        offsets.push(0);
        for row in weights[..lexical * classes].chunks_exact(classes.max(1)) {
            for (c, &w) in row.iter().enumerate() {
                if w.abs() >= training.prune_below {
                    lexical_classes.push(c as u16);
                    lexical_weights.push(w);
                }
            }
            offsets.push(lexical_weights.len() as u32);
        }
        Self {
            classes,
            one_vs_rest,
            dense_mean,
            dense_factor,
            offsets,
            lexical_classes,
            lexical_weights,
            dense: weights[lexical * classes..].to_vec(),
        }
    }

    /// The probability of each subclass for one title.
    pub fn probabilities(&self, lexical: &[(u32, f32)], embedding: &[f32]) -> Vec<f32> {
        let c = self.classes;
        let dims = self.dense_mean.len();
        let mut out = self.dense[dims * c..(dims + 1) * c].to_vec();
        for &(j, x) in lexical {
            let j = j as usize;
            let (Some(&from), Some(&to)) = (self.offsets.get(j), self.offsets.get(j + 1)) else {
                continue;
            };
            let (from, to) = (from as usize, to as usize);
            for (&class, &w) in self.lexical_classes[from..to]
                .iter()
                .zip(&self.lexical_weights[from..to])
            {
                out[class as usize] += x * w;
            }
        }
        let mut dense_x = vec![0.0f32; dims];
        standardise(
            embedding,
            &self.dense_mean,
            &self.dense_factor,
            &mut dense_x,
        );
        for (d, &x) in dense_x.iter().enumerate() {
            for (o, w) in out.iter_mut().zip(&self.dense[d * c..(d + 1) * c]) {
                *o += x * w;
            }
        }
        if self.one_vs_rest {
            sigmoid(&mut out);
        } else {
            softmax(&mut out);
        }
        out
    }

    /// Whether the arrays fit together, for a head read from a file.
    pub fn is_consistent(&self) -> bool {
        let dims = self.dense_mean.len();
        self.dense_factor.len() == dims
            && self.dense.len() == (dims + 1) * self.classes
            && self.lexical_classes.len() == self.lexical_weights.len()
            && self.offsets.first() == Some(&0)
            && self.offsets.windows(2).all(|w| w[0] <= w[1])
            && self.offsets.last().map(|&n| n as usize) == Some(self.lexical_weights.len())
            && self
                .lexical_classes
                .iter()
                .all(|&c| (c as usize) < self.classes)
    }
}

impl Trainer<'_> {
    /// One run of per-title Adagrad from the current weights.
    fn run(
        &mut self,
        inputs: &[HeadInput<'_>],
        labels: &[Vec<usize>],
        training: &IpcLinearTraining,
        seed: u64,
    ) {
        let classes = self.classes;
        let lexical = self.lexical;
        let dense = self.dense_mean.len();
        let rows = lexical + dense + 1;
        let mut squared = vec![training.initial_accumulator.max(1e-12); rows * classes];
        let mut order: Vec<usize> = (0..inputs.len()).collect();
        let mut rng = SplitMix(seed);
        let mut dense_x = vec![0.0f32; dense];
        let mut gradient = vec![0.0f32; classes];
        let lr = training.learning_rate;
        for _ in 0..training.epochs {
            shuffle(&mut order, &mut rng);
            for &i in &order {
                let input = inputs[i];
                let set = &labels[i];
                if set.is_empty() {
                    continue;
                }
                standardise(
                    input.embedding,
                    self.dense_mean,
                    self.dense_factor,
                    &mut dense_x,
                );
                self.probabilities_into(input.lexical, &dense_x, &mut gradient);
                let target = if self.one_vs_rest {
                    1.0
                } else {
                    1.0 / set.len() as f32
                };
                for &c in set {
                    gradient[c] -= target;
                }
                let mut step = |row: usize, x: f32| {
                    let at = row * classes;
                    let w = &mut self.weights[at..at + classes];
                    let g2 = &mut squared[at..at + classes];
                    for ((w, g2), g) in w.iter_mut().zip(g2.iter_mut()).zip(&gradient) {
                        let g = g * x;
                        *g2 += g * g;
                        *w -= lr * g / g2.sqrt();
                    }
                };
                for &(j, x) in input.lexical {
                    if (j as usize) < lexical {
                        step(j as usize, x);
                    }
                }
                for (d, &x) in dense_x.iter().enumerate() {
                    step(lexical + d, x);
                }
                step(rows - 1, 1.0);
            }
        }
    }

    /// Softmax of `W·x + b` into `out`.
    fn probabilities_into(&self, lexical: &[(u32, f32)], dense_x: &[f32], out: &mut [f32]) {
        let c = self.classes;
        let bias = (self.lexical + dense_x.len()) * c;
        out.copy_from_slice(&self.weights[bias..bias + c]);
        let mut add = |row: usize, x: f32| {
            for (o, w) in out.iter_mut().zip(&self.weights[row * c..(row + 1) * c]) {
                *o += x * w;
            }
        };
        for &(j, x) in lexical {
            if (j as usize) < self.lexical {
                add(j as usize, x);
            }
        }
        for (d, &x) in dense_x.iter().enumerate() {
            add(self.lexical + d, x);
        }
        if self.one_vs_rest {
            sigmoid(out);
        } else {
            softmax(out);
        }
    }
}

fn standardise(embedding: &[f32], mean: &[f32], factor: &[f32], out: &mut [f32]) {
    for (((o, e), m), f) in out.iter_mut().zip(embedding).zip(mean).zip(factor) {
        *o = (e - m) * f;
    }
}

/// In place; the maximum is subtracted first so that exp cannot overflow.
fn softmax(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    if sum > 0.0 {
        for v in values.iter_mut() {
            *v /= sum;
        }
    }
}

fn sigmoid(values: &mut [f32]) {
    for v in values.iter_mut() {
        *v = 1.0 / (1.0 + (-*v).exp());
    }
}

/// Mean and `scale / (std · sqrt(dense))` per embedding dimension.
fn standardiser(inputs: &[HeadInput<'_>], dense: usize, scale: f32) -> (Vec<f32>, Vec<f32>) {
    let n = inputs.len().max(1) as f64;
    let mut mean = vec![0.0f64; dense];
    let mut square = vec![0.0f64; dense];
    for input in inputs {
        for ((m, s), &x) in mean.iter_mut().zip(&mut square).zip(input.embedding) {
            *m += x as f64;
            *s += (x as f64) * (x as f64);
        }
    }
    let per_dim = scale as f64 / (dense.max(1) as f64).sqrt();
    let factor = mean
        .iter()
        .zip(&square)
        .map(|(m, s)| {
            let var = (s / n - (m / n) * (m / n)).max(1e-12);
            (per_dim / var.sqrt()) as f32
        })
        .collect();
    (mean.iter().map(|m| (m / n) as f32).collect(), factor)
}

/// A small deterministic generator (SplitMix64): the visiting order only
/// needs to be repeatable, not random in any strong sense.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix(pub u64);

impl SplitMix {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Fisher–Yates.
pub(crate) fn shuffle<T>(items: &mut [T], rng: &mut SplitMix) {
    for i in (1..items.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}
