//! The IPC classifier's set rule: which of the best-scored subclasses a
//! title gets, learned from what the learners said about titles they were
//! not trained on.

use serde::{Deserialize, Serialize};

/// The best fused subclasses the selector looks at; the rest score 0.
/// Three in four true subclasses of held-out titles are among the first
/// ten, and a true one further down has too little support to be chosen.
/// On the inner folds (see [`candidate_features`]) 5 candidates scored
/// micro-F1 0.467 and top-3 0.753, 10 0.467 and 0.755, 20 0.466 and 0.756.
pub(crate) const CANDIDATES: usize = 10;

/// Features per candidate (see [`candidate_features`]).
pub(crate) const FEATURES: usize = 21;

/// Added inside logarithms, so that a zero share has a finite log.
const LOG_FLOOR: f32 = 1e-4;

/// What the learners said about one title, each in the order of the
/// subclasses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LearnerOutputs<'a> {
    /// The softmax head's probabilities.
    pub linear: &'a [f32],
    /// The one-vs-rest head's probabilities, when the classifier has one.
    pub ovr: Option<&'a [f32]>,
    /// The neighbours' vote shares.
    pub votes: &'a [f32],
    /// The fused score that orders the candidates.
    pub fused: &'a [f32],
}

/// What the training titles' label sets say regardless of any title: how
/// common each subclass is and which come together (a title with A61K
/// often has A61P too; G06F goes with G06Q). Derived from the labels, so
/// it is rebuilt rather than saved.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LabelStats {
    classes: usize,
    /// `ln((titles with c + 1) / (titles + classes))`.
    log_prior: Vec<f32>,
    /// Row-major `classes × classes`: `P(column | row)` as titles with
    /// both over titles with the row subclass plus one; 0 on the diagonal.
    cooccurrence: Vec<f32>,
    /// The section letter of each subclass (`G` of `G06F`).
    section: Vec<char>,
    /// An index of each subclass's class (`G06` of `G06F`).
    class: Vec<usize>,
}

impl LabelStats {
    /// Statistics of `sets` (subclass indices per title, each below
    /// `subclasses.len()`).
    pub fn new<S, I>(subclasses: &[String], sets: S) -> Self
    where
        S: IntoIterator<Item = I>,
        I: IntoIterator<Item = usize>,
    {
        let classes = subclasses.len();
        let mut count = vec![0f32; classes];
        let mut both = vec![0f32; classes * classes];
        let mut titles = 0usize;
        let mut set: Vec<usize> = Vec::new();
        for labels in sets {
            set.clear();
            set.extend(labels.into_iter().filter(|&c| c < classes));
            set.sort_unstable();
            set.dedup();
            titles += 1;
            for &a in &set {
                count[a] += 1.0;
                for &b in &set {
                    if a != b {
                        both[a * classes + b] += 1.0;
                    }
                }
            }
        }
        for (row, &n) in both.chunks_exact_mut(classes.max(1)).zip(&count) {
            for p in row {
                *p /= n + 1.0;
            }
        }
        let total = (titles + classes) as f32;
        let mut class_names: Vec<&str> = subclasses.iter().map(|s| prefix(s, 3)).collect();
        class_names.sort_unstable();
        class_names.dedup();
        Self {
            classes,
            log_prior: count.iter().map(|n| ((n + 1.0) / total).ln()).collect(),
            cooccurrence: both,
            section: subclasses
                .iter()
                .map(|s| s.chars().next().unwrap_or(' '))
                .collect(),
            class: subclasses
                .iter()
                .map(|s| class_names.binary_search(&prefix(s, 3)).unwrap_or(0))
                .collect(),
        }
    }

    fn cooccurrence(&self, given: usize, c: usize) -> f32 {
        self.cooccurrence[given * self.classes + c]
    }
}

/// The first `n` chars of `s`.
fn prefix(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(at, _)| &s[..at])
}

/// The candidates of one title (the [`CANDIDATES`] best by fused score,
/// best first) with their features:
///
/// - the candidate's fused score, softmax probability, vote share and
///   one-vs-rest probability (0 without that head), with the logs of the
///   first two and the last: the learners' own say;
/// - its fused score over the best one's, the best one's (and its log),
///   whether it is first, second or third and its rank: how a title's
///   scores are spread says how many subclasses it has;
/// - how often it comes with the first candidate (and the log) and with
///   the second, and whether it shares the first one's section and class:
///   the subclass combinations real titles have;
/// - its log prior, and the entropy of the softmax: a spread softmax
///   marks a title between fields.
///
/// Chosen on the out-of-fold outputs of folds 1–4 (each fold's learners
/// trained on the other three, the selector fitted on three folds' outputs
/// and scored on the fourth), explored with a numpy copy of these
/// features. Without the one-vs-rest head, all of them score micro-F1
/// 0.465; leaving out the scores (fused, softmax, votes) 0.464, the
/// first/second/third flags 0.464, the pairs with the second candidate
/// 0.464, the log pair with the first 0.465, section and class 0.465;
/// adding the one-vs-rest probability gives 0.467. What did not help:
/// votes of 30 neighbours, the neighbours' mean set size, sums of the
/// fused score over a candidate's class and section, the expected pair
/// rate over all candidates, one indicator per frequent subclass, and
/// pairwise products of the features (all within ±0.001).
pub(crate) fn candidate_features(
    outputs: &LearnerOutputs<'_>,
    stats: &LabelStats,
) -> Vec<(usize, [f32; FEATURES])> {
    let candidates = super::ipc_classifier::top(outputs.fused, CANDIDATES);
    let Some(&(first, best)) = candidates.first() else {
        return Vec::new();
    };
    let second = candidates.get(1).map(|&(c, _)| c);
    let entropy: f32 = -outputs
        .linear
        .iter()
        .filter(|&&p| p > 0.0)
        .map(|&p| p * p.ln())
        .sum::<f32>();
    let lg = |x: f32| (x + LOG_FLOOR).ln();
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    candidates
        .iter()
        .enumerate()
        .map(|(rank, &(c, fused))| {
            let linear = outputs.linear[c];
            let ovr = outputs.ovr.map_or(0.0, |o| o[c]);
            let after_first = rank > 0;
            let with_first = if after_first {
                stats.cooccurrence(first, c)
            } else {
                0.0
            };
            let with_second = match second {
                Some(s) if rank > 1 => stats.cooccurrence(s, c),
                _ => 0.0,
            };
            let features = [
                fused,
                lg(fused),
                linear,
                lg(linear),
                outputs.votes[c],
                if best > 0.0 { fused / best } else { 0.0 },
                best,
                lg(best),
                flag(rank == 0),
                flag(rank == 1),
                flag(rank == 2),
                rank as f32,
                with_first,
                if after_first { lg(with_first) } else { 0.0 },
                with_second,
                flag(after_first && stats.section[c] == stats.section[first]),
                flag(after_first && stats.class[c] == stats.class[first]),
                stats.log_prior[c],
                entropy,
                ovr,
                if outputs.ovr.is_some() { lg(ovr) } else { 0.0 },
            ];
            (c, features)
        })
        .collect()
}

/// A logistic model of "this candidate is one of the title's subclasses"
/// over standardised [`candidate_features`]. Its probability is the
/// suggestion's confidence, and a candidate is chosen when it reaches
/// [`IpcClassifierConfig::selector_threshold`](crate::IpcClassifierConfig).
///
/// Learned rather than a threshold on the fused score because how many
/// subclasses a title has depends on more than one score: how the scores
/// fall off, which subclasses come together, how common a subclass is.
/// A probability also thresholds the same way for every title, which a
/// softmax share, split between a title's subclasses, does not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SetSelector {
    mean: Vec<f32>,
    /// `1 / std` per feature; 0 for a feature that never varied.
    factor: Vec<f32>,
    weights: Vec<f32>,
    bias: f32,
}

impl SetSelector {
    /// Fits the model to `examples` (features, whether the candidate is
    /// true) by Newton's method on the log loss plus `ridge · |w|²/2`
    /// (the bias is not shrunk). A few thousand titles give tens of
    /// thousands of candidates for 21 weights, so the ridge only keeps
    /// the solve well-posed.
    pub fn fit(examples: &[([f32; FEATURES], bool)], ridge: f64) -> Self {
        let n = examples.len().max(1) as f64;
        let mut mean = [0f64; FEATURES];
        let mut square = [0f64; FEATURES];
        for (x, _) in examples {
            for ((m, s), &v) in mean.iter_mut().zip(&mut square).zip(x) {
                *m += v as f64;
                *s += (v as f64) * (v as f64);
            }
        }
        let mut factor = [0f64; FEATURES];
        for ((m, s), f) in mean.iter_mut().zip(&square).zip(&mut factor) {
            *m /= n;
            let var = s / n - *m * *m;
            *f = if var > 1e-12 { 1.0 / var.sqrt() } else { 0.0 };
        }
        let standard = |x: &[f32; FEATURES]| -> [f64; FEATURES + 1] {
            let mut z = [1f64; FEATURES + 1];
            for (i, zi) in z.iter_mut().take(FEATURES).enumerate() {
                *zi = (x[i] as f64 - mean[i]) * factor[i];
            }
            z
        };
        const D: usize = FEATURES + 1;
        let mut w = [0f64; D];
        for _ in 0..50 {
            let mut gradient = [0f64; D];
            let mut hessian = [[0f64; D]; D];
            for (x, y) in examples {
                let z = standard(x);
                let p = sigmoid(z.iter().zip(&w).map(|(a, b)| a * b).sum());
                let g = p - f64::from(u8::from(*y));
                let h = (p * (1.0 - p)).max(1e-9);
                for ((gi, row), &zi) in gradient.iter_mut().zip(&mut hessian).zip(&z) {
                    *gi += g * zi;
                    for (hij, &zj) in row.iter_mut().zip(&z) {
                        *hij += h * zi * zj;
                    }
                }
            }
            for (i, (gi, row)) in gradient.iter_mut().zip(&mut hessian).enumerate() {
                *gi /= n;
                for hij in row.iter_mut() {
                    *hij /= n;
                }
                if i < FEATURES {
                    *gi += ridge * w[i];
                    row[i] += ridge;
                }
            }
            // A tiny ridge on the bias too, so a degenerate set (every
            // candidate false) still solves.
            hessian[D - 1][D - 1] += 1e-9;
            let Some(step) = solve(hessian, gradient) else {
                break;
            };
            let mut largest = 0f64;
            for (wi, si) in w.iter_mut().zip(&step) {
                *wi -= si;
                largest = largest.max(si.abs());
            }
            if largest < 1e-7 {
                break;
            }
        }
        Self {
            mean: mean.iter().map(|&m| m as f32).collect(),
            factor: factor.iter().map(|&f| f as f32).collect(),
            weights: w[..FEATURES].iter().map(|&v| v as f32).collect(),
            bias: w[FEATURES] as f32,
        }
    }

    /// The probability that the candidate with `features` is true.
    pub fn probability(&self, features: &[f32; FEATURES]) -> f32 {
        let z: f32 = features
            .iter()
            .zip(&self.mean)
            .zip(&self.factor)
            .zip(&self.weights)
            .map(|(((x, m), f), w)| (x - m) * f * w)
            .sum::<f32>()
            + self.bias;
        sigmoid(z as f64) as f32
    }

    /// The probability of every subclass for one title: the candidates'
    /// from the model, 0 for the others.
    pub fn probabilities(&self, outputs: &LearnerOutputs<'_>, stats: &LabelStats) -> Vec<f32> {
        let mut out = vec![0f32; outputs.fused.len()];
        for (c, features) in candidate_features(outputs, stats) {
            out[c] = self.probability(&features);
        }
        out
    }

    /// Whether the arrays fit together, for a selector read from a file.
    pub fn is_consistent(&self) -> bool {
        self.mean.len() == FEATURES
            && self.factor.len() == FEATURES
            && self.weights.len() == FEATURES
            && self
                .mean
                .iter()
                .chain(&self.factor)
                .chain(&self.weights)
                .chain(std::iter::once(&self.bias))
                .all(|v| v.is_finite())
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// `a · x = b` by Gaussian elimination with partial pivoting; `None` when
/// `a` is singular.
fn solve<const D: usize>(mut a: [[f64; D]; D], mut b: [f64; D]) -> Option<[f64; D]> {
    for col in 0..D {
        let pivot = (col..D).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-15 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (pivot_row, pivot_b) = (a[col], b[col]);
        for (row, b_row) in a[col + 1..].iter_mut().zip(&mut b[col + 1..]) {
            let f = row[col] / pivot_row[col];
            if f != 0.0 {
                for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= f * p;
                }
                *b_row -= f * pivot_b;
            }
        }
    }
    let mut x = [0f64; D];
    for row in (0..D).rev() {
        let rest: f64 = (row + 1..D).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - rest) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn stats_count_pairs_and_hierarchy() {
        let subclasses: Vec<String> = ["A61K", "A61P", "G06F", "G06Q"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let sets = [vec![0, 1], vec![0, 1], vec![0], vec![2, 3]];
        let stats = LabelStats::new(&subclasses, sets.iter().map(|s| s.iter().copied()));
        // A61K in 3 titles, with A61P in 2: 2 / (3 + 1).
        assert!((stats.cooccurrence(0, 1) - 0.5).abs() < 1e-6);
        // A61P in 2, always with A61K: 2 / 3.
        assert!((stats.cooccurrence(1, 0) - 2.0 / 3.0).abs() < 1e-6);
        assert_eq!(stats.cooccurrence(0, 0), 0.0);
        assert_eq!(stats.cooccurrence(0, 2), 0.0);
        assert!(stats.log_prior[0] > stats.log_prior[2]);
        assert_eq!(stats.class[0], stats.class[1]);
        assert_ne!(stats.class[1], stats.class[2]);
        assert_eq!(stats.section[2], 'G');
    }

    #[test]
    fn features_follow_the_fused_order_and_pairs() {
        let subclasses: Vec<String> = ["A61K", "A61P", "G06F"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let sets = [vec![0usize, 1], vec![2]];
        let stats = LabelStats::new(&subclasses, sets.iter().map(|s| s.iter().copied()));
        let linear = [0.6, 0.3, 0.1];
        let votes = [1.0, 1.0, 0.0];
        let fused = [0.5, 0.4, 0.1];
        let outputs = LearnerOutputs {
            linear: &linear,
            ovr: None,
            votes: &votes,
            fused: &fused,
        };
        let got = candidate_features(&outputs, &stats);
        assert_eq!(got.iter().map(|(c, _)| *c).collect::<Vec<_>>(), [0, 1, 2]);
        let (_, second) = got[1];
        assert!((second[5] - 0.8).abs() < 1e-6, "ratio to the best");
        assert_eq!((second[8], second[9], second[11]), (0.0, 1.0, 1.0));
        assert!((second[12] - 0.5).abs() < 1e-6, "A61P given A61K");
        assert_eq!((second[15], second[16]), (1.0, 1.0));
        assert_eq!((got[2].1[15], got[2].1[16]), (0.0, 0.0));
        assert_eq!(got[0].1[12], 0.0);
    }

    #[test]
    fn learns_a_separable_rule() {
        // True exactly when the fused score (feature 0) is high.
        let mut examples = Vec::new();
        for i in 0..200 {
            let mut x = [0f32; FEATURES];
            x[0] = i as f32 / 200.0;
            x[3] = ((i * 7) % 13) as f32; // noise
            examples.push((x, i >= 120));
        }
        let selector = SetSelector::fit(&examples, 1e-3);
        assert!(selector.is_consistent());
        let p = |v: f32| {
            let mut x = [0f32; FEATURES];
            x[0] = v;
            x[3] = 6.0;
            selector.probability(&x)
        };
        assert!(p(0.9) > 0.9 && p(0.2) < 0.1, "{} {}", p(0.9), p(0.2));
        assert!(p(0.5) < p(0.7));
        // Degenerate: nothing true still fits, and says no.
        let none: Vec<_> = examples.iter().map(|(x, _)| (*x, false)).collect();
        let never = SetSelector::fit(&none, 1e-3);
        assert!(never.is_consistent());
        assert!(examples.iter().all(|(x, _)| never.probability(x) < 0.01));
    }

    #[test]
    fn solves_linear_systems() {
        let x = solve([[2.0, 1.0], [1.0, 3.0]], [3.0, 5.0]).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
        assert!(solve([[1.0, 2.0], [2.0, 4.0]], [1.0, 2.0]).is_none());
    }
}
