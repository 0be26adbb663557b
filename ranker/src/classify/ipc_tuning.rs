//! Choosing the IPC classifier's decision settings by inner
//! cross-validation on the training titles only.

use super::ipc_classifier::{
    choose, fuse, label_stats, prepare, selector_examples, train_learners, IpcExample,
    SELECTOR_RIDGE,
};
use super::ipc_neighbours::{nearest_among, vote};
use super::ipc_set_selector::{LabelStats, LearnerOutputs, SetSelector};
use super::IpcClassifierConfig;
use crate::{Error, Result};
use serde::Serialize;
use std::collections::BTreeSet;
use tracing::{debug, info};

/// The settings tried by [`tune_ipc_classifier`]: every combination of
/// the first four is scored with the fused-score threshold, so a grid of
/// a few hundred costs seconds once the folds' learners are trained; the
/// selector thresholds are then tried with the best of them.
#[derive(Debug, Clone, PartialEq)]
pub struct IpcTuningGrid {
    pub neighbours: Vec<usize>,
    pub sharpness: Vec<f32>,
    pub neighbour_weight: Vec<f32>,
    pub threshold: Vec<f32>,
    pub selector_threshold: Vec<f32>,
}

impl Default for IpcTuningGrid {
    fn default() -> Self {
        Self {
            neighbours: vec![10, 20, 40],
            sharpness: vec![20.0, 40.0, 80.0],
            neighbour_weight: (0..=10).map(|i| i as f32 / 10.0).collect(),
            threshold: (4..=24).map(|i| i as f32 / 40.0).collect(),
            selector_threshold: (6..=20).map(|i| i as f32 / 40.0).collect(),
        }
    }
}

/// Micro-averaged set scores and top-k accuracy over titles, as
/// `patmatch-eval classify` computes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct IpcFoldScores {
    pub examples: usize,
    pub micro_precision: f64,
    pub micro_recall: f64,
    pub micro_f1: f64,
    pub top1: f64,
    pub top3: f64,
}

/// How often the best suggestion is right, by its confidence: what an
/// abstention floor would cost and buy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IpcCalibrationBin {
    /// Confidence range [low, high).
    pub low: f32,
    pub high: f32,
    pub titles: usize,
    /// Share of those titles whose best suggestion is a true subclass.
    pub top1: f64,
}

/// The outcome of tuning: the best configuration, its inner
/// cross-validated scores and the calibration of its best suggestion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpcTuning {
    pub config: IpcClassifierConfig,
    /// What the classifier with `config` scores: with the selector when
    /// the config has one.
    pub scores: IpcFoldScores,
    /// The best fused-score threshold rule (what chose the neighbour
    /// settings): what the selector adds.
    pub fused: IpcFoldScores,
    /// The best grid point with neighbour weight 0 (the linear head alone)
    /// and with weight 1 (the neighbours alone), when the grid has them:
    /// what the fusion adds.
    pub linear_only: Option<IpcFoldScores>,
    pub neighbours_only: Option<IpcFoldScores>,
    pub calibration: Vec<IpcCalibrationBin>,
}

/// Out-of-fold learner outputs for every title: the heads' probabilities
/// and the nearest titles from the other folds.
struct OutOfFold {
    linear: Vec<Vec<f32>>,
    ovr: Vec<Option<Vec<f32>>>,
    nearest: Vec<Vec<(usize, f32)>>,
}

/// Chooses `neighbours`, `sharpness`, `neighbour_weight` and `threshold`
/// from `grid` by cross-validation over the examples' own folds (`folds[i]`
/// is example i's): for each fold, the lexicon and heads are trained on
/// the others and the neighbours drawn from the others; every grid point
/// is then scored on the pooled out-of-fold outputs with the fused-score
/// threshold, and the best micro-F1 wins (ties: better top-1, then earlier
/// in the grid). When `base` asks for a selector, one is then fitted on
/// the out-of-fold outputs of all folds but one and read on that one, in
/// turn, and `selector_threshold` is chosen on the pooled result the same
/// way; `scores` are then the selector's. The other settings come from
/// `base`.
///
/// Only the examples given are read, so the caller keeps a test fold out
/// by not passing it.
pub fn tune_ipc_classifier(
    examples: &[IpcExample],
    vectors: &[Vec<f32>],
    folds: &[u8],
    base: &IpcClassifierConfig,
    grid: &IpcTuningGrid,
) -> Result<IpcTuning> {
    if folds.len() != examples.len() {
        return Err(Error::Invalid {
            field: "folds",
            message: format!("{} folds for {} examples", folds.len(), examples.len()),
        });
    }
    let prepared = prepare(examples, vectors)?;
    let rows: Vec<usize> = (0..examples.len())
        .filter(|&i| !prepared.labels[i].is_empty())
        .collect();
    let fold_ids: BTreeSet<u8> = rows.iter().map(|&i| folds[i]).collect();
    if fold_ids.len() < 2 {
        return Err(Error::Invalid {
            field: "folds",
            message: "tuning needs at least two folds".into(),
        });
    }
    if grid.neighbours.is_empty()
        || grid.sharpness.is_empty()
        || grid.neighbour_weight.is_empty()
        || grid.threshold.is_empty()
        || grid.selector_threshold.is_empty()
    {
        return Err(Error::Invalid {
            field: "grid",
            message: "every setting needs at least one value".into(),
        });
    }
    let max_k = grid.neighbours.iter().copied().max().unwrap_or(1);
    let dims = prepared.dims;
    let mut flat = Vec::with_capacity(examples.len() * dims);
    for v in vectors {
        flat.extend_from_slice(v);
    }

    let label_of =
        |row: usize| -> Vec<u32> { prepared.labels[row].iter().map(|&c| c as u32).collect() };
    let row_labels: Vec<Vec<u32>> = (0..examples.len()).map(label_of).collect();
    let mut oof = OutOfFold {
        linear: vec![Vec::new(); examples.len()],
        ovr: vec![None; examples.len()],
        nearest: vec![Vec::new(); examples.len()],
    };
    let mut fold_stats: Vec<(u8, LabelStats)> = Vec::new();
    for &fold in &fold_ids {
        let train: Vec<usize> = rows.iter().copied().filter(|&i| folds[i] != fold).collect();
        let learners = train_learners(examples, vectors, &prepared, &train, base);
        let in_train: Vec<bool> = (0..examples.len())
            .map(|i| folds[i] != fold && !prepared.labels[i].is_empty())
            .collect();
        for &i in rows.iter().filter(|&&i| folds[i] == fold) {
            let (linear, ovr) = learners.probabilities(&examples[i].text, &vectors[i]);
            oof.linear[i] = linear;
            oof.ovr[i] = ovr;
            oof.nearest[i] = nearest_among(&flat, dims, &vectors[i], max_k, |r| in_train[r]);
        }
        let train_labels: Vec<Vec<u32>> = train.iter().map(|&i| row_labels[i].clone()).collect();
        fold_stats.push((fold, label_stats(&prepared.subclasses, &train_labels)));
        debug!(fold, train = train.len(), "inner fold scored");
    }

    let classes = prepared.subclasses.len();
    let lookup = |row: usize| row_labels[row].as_slice();
    let mut best: Option<(IpcClassifierConfig, IpcFoldScores)> = None;
    let mut linear_only: Option<IpcFoldScores> = None;
    let mut neighbours_only: Option<IpcFoldScores> = None;
    let keep_best = |slot: &mut Option<IpcFoldScores>, scores: IpcFoldScores| {
        if slot.is_none_or(|b| (scores.micro_f1, scores.top1) > (b.micro_f1, b.top1)) {
            *slot = Some(scores);
        }
    };
    for &k in &grid.neighbours {
        for &sharpness in &grid.sharpness {
            let votes: Vec<Vec<f32>> = rows
                .iter()
                .map(|&i| vote(&oof.nearest[i], &lookup, k, sharpness, classes))
                .collect();
            for &weight in &grid.neighbour_weight {
                let fused: Vec<Vec<f32>> = rows
                    .iter()
                    .zip(&votes)
                    .map(|(&i, v)| fuse(&oof.linear[i], v, weight))
                    .collect();
                for &threshold in &grid.threshold {
                    let config = IpcClassifierConfig {
                        neighbours: k,
                        sharpness,
                        neighbour_weight: weight,
                        threshold,
                        ..base.clone()
                    };
                    let scores = score(&rows, &fused, &prepared.labels, threshold, &config);
                    if weight == 0.0 {
                        keep_best(&mut linear_only, scores);
                    }
                    if weight == 1.0 {
                        keep_best(&mut neighbours_only, scores);
                    }
                    let better = best
                        .as_ref()
                        .is_none_or(|(_, b)| (scores.micro_f1, scores.top1) > (b.micro_f1, b.top1));
                    if better {
                        best = Some((config, scores));
                    }
                }
            }
        }
    }
    let Some((mut config, fused_scores)) = best else {
        return Err(Error::Invalid {
            field: "grid",
            message: "nothing was scored".into(),
        });
    };
    let votes: Vec<Vec<f32>> = rows
        .iter()
        .map(|&i| {
            vote(
                &oof.nearest[i],
                &lookup,
                config.neighbours,
                config.sharpness,
                classes,
            )
        })
        .collect();
    let fused: Vec<Vec<f32>> = rows
        .iter()
        .zip(&votes)
        .map(|(&i, v)| fuse(&oof.linear[i], v, config.neighbour_weight))
        .collect();
    let mut scores = fused_scores;
    let mut final_scores = fused;
    if base.selector_folds >= 2 {
        // Each fold's selector learns from the other folds' out-of-fold
        // outputs, with the label statistics each title's learners had.
        let stats_of = |i: usize| {
            fold_stats
                .iter()
                .find(|(f, _)| *f == folds[i])
                .map(|(_, s)| s)
        };
        let outputs = |n: usize| LearnerOutputs {
            linear: &oof.linear[rows[n]],
            ovr: oof.ovr[rows[n]].as_deref(),
            votes: &votes[n],
            fused: &final_scores[n],
        };
        let mut probabilities = vec![Vec::new(); rows.len()];
        for &fold in &fold_ids {
            let mut samples = Vec::new();
            for (n, &i) in rows.iter().enumerate().filter(|(_, &i)| folds[i] != fold) {
                if let Some(stats) = stats_of(i) {
                    samples.extend(selector_examples(&outputs(n), stats, &prepared.labels[i]));
                }
            }
            let selector = SetSelector::fit(&samples, SELECTOR_RIDGE);
            for (n, &i) in rows.iter().enumerate().filter(|(_, &i)| folds[i] == fold) {
                if let Some(stats) = stats_of(i) {
                    probabilities[n] = selector.probabilities(&outputs(n), stats);
                }
            }
        }
        let mut best: Option<(f32, IpcFoldScores)> = None;
        for &threshold in &grid.selector_threshold {
            let s = score(&rows, &probabilities, &prepared.labels, threshold, &config);
            if best.is_none_or(|(_, b)| (s.micro_f1, s.top1) > (b.micro_f1, b.top1)) {
                best = Some((threshold, s));
            }
        }
        if let Some((threshold, s)) = best {
            config.selector_threshold = threshold;
            scores = s;
        }
        final_scores = probabilities;
    }
    let calibration = calibrate(&rows, &final_scores, &prepared.labels);
    info!(
        neighbours = config.neighbours,
        sharpness = config.sharpness,
        neighbour_weight = config.neighbour_weight,
        threshold = config.threshold,
        selector_threshold = config.selector_threshold,
        micro_f1 = scores.micro_f1,
        fused_micro_f1 = fused_scores.micro_f1,
        top1 = scores.top1,
        "tuned the IPC classifier"
    );
    Ok(IpcTuning {
        config,
        scores,
        fused: fused_scores,
        linear_only,
        neighbours_only,
        calibration,
    })
}

/// Scores the decisions `config` makes with `threshold` on `fused` (one
/// per row) against the true subclass indices.
fn score(
    rows: &[usize],
    fused: &[Vec<f32>],
    labels: &[Vec<usize>],
    threshold: f32,
    config: &IpcClassifierConfig,
) -> IpcFoldScores {
    let (mut tp, mut predicted, mut relevant) = (0usize, 0usize, 0usize);
    let (mut top1, mut top3) = (0usize, 0usize);
    for (&i, scores) in rows.iter().zip(fused) {
        let truth = &labels[i];
        let (ranked, chosen, _) = choose(scores, threshold, config);
        tp += chosen.iter().filter(|c| truth.contains(c)).count();
        predicted += chosen.len();
        relevant += truth.len();
        top1 += usize::from(ranked.first().is_some_and(|(c, _)| truth.contains(c)));
        top3 += usize::from(ranked.iter().take(3).any(|(c, _)| truth.contains(c)));
    }
    let share = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let (p, r) = (share(tp, predicted), share(tp, relevant));
    IpcFoldScores {
        examples: rows.len(),
        micro_precision: p,
        micro_recall: r,
        micro_f1: if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        },
        top1: share(top1, rows.len()),
        top3: share(top3, rows.len()),
    }
}

/// Top-1 accuracy by best score, in tenths.
fn calibrate(rows: &[usize], fused: &[Vec<f32>], labels: &[Vec<usize>]) -> Vec<IpcCalibrationBin> {
    let mut bins = [(0usize, 0usize); 10];
    for (&i, scores) in rows.iter().zip(fused) {
        let Some(&(c, s)) = super::ipc_classifier::top(scores, 1).first() else {
            continue;
        };
        let bin = ((s * 10.0) as usize).min(9);
        bins[bin].0 += 1;
        bins[bin].1 += usize::from(labels[i].contains(&c));
    }
    bins.iter()
        .enumerate()
        .filter(|(_, (n, _))| *n > 0)
        .map(|(b, &(n, right))| IpcCalibrationBin {
            low: b as f32 / 10.0,
            high: (b + 1) as f32 / 10.0,
            titles: n,
            top1: right as f64 / n as f64,
        })
        .collect()
}
