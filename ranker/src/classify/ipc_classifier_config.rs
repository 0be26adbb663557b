use super::IpcLinearTraining;
use serde::{Deserialize, Serialize};

/// Which e5 prefix the titles are embedded with. The classifier compares a
/// title with training titles, so both sides must use the same one; the
/// trained classifier records it and callers embed with
/// [`IpcClassifierConfig::embedding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleEmbedding {
    /// `query: ` — measured better for title-to-title similarity (see
    /// [`IpcClassifierConfig::embedding`]). e5 puts both sides of a
    /// symmetric task under this prefix.
    Query,
    /// `passage: ` — what the index stores for listings.
    Passage,
}

/// How the IPC subclass classifier is built and how it decides. Defaults
/// were measured on the 9,740 titles of `classification/ipc_titles.jsonl`,
/// using folds 1–4 only (inner cross-validation: train on three, score the
/// fourth, pool the four; micro-F1 of the chosen sets); fold 5 was never
/// looked at while choosing them. The decision settings (`neighbours`,
/// `sharpness`, `neighbour_weight`, `threshold`, `selector_threshold`) are
/// what [`tune_ipc_classifier`](crate::tune_ipc_classifier) picks on folds
/// 1–4 from [`IpcTuningGrid::default`](crate::IpcTuningGrid); retune them
/// when training on other data. Inner micro-F1 with these settings: with
/// the set selector 0.466 (top-1 0.545, top-3 0.755), fused-score
/// threshold 0.459 (top-1 0.539, top-3 0.748), linear head alone 0.447,
/// neighbours alone 0.411.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpcClassifierConfig {
    /// Query prefix: fused inner micro-F1 0.459 against 0.451 with the
    /// passage prefix; neighbours alone 0.411 against 0.401, top-1 0.474
    /// against 0.466.
    pub embedding: TitleEmbedding,
    /// Longest character n-gram used as a lexical feature: 4, as in the
    /// published TF-IDF baseline (not tuned here).
    pub max_ngram: usize,
    /// N-grams in fewer training titles are not features (not tuned).
    pub min_df: usize,
    /// Training of the linear head over n-grams and embedding.
    pub linear: IpcLinearTraining,
    /// Nearest training titles that vote.
    pub neighbours: usize,
    /// Votes weigh `exp(sharpness · cosine)`.
    pub sharpness: f32,
    /// The score of a subclass is `w · votes + (1 − w) · linear`, both
    /// shares in [0, 1].
    pub neighbour_weight: f32,
    /// Without a selector (`selector_folds` below 2), subclasses whose
    /// fused score is at least this are chosen (the best one always,
    /// unless abstaining). Tuning also uses this rule to choose the
    /// neighbour settings above, before the selector is fitted.
    pub threshold: f32,
    /// Also train a one-vs-rest logistic head beside the softmax, for the
    /// selector to read: inner micro-F1 0.466 and top-1 0.545 with it,
    /// 0.464 and 0.541 without. It doubles training time and the size of
    /// the weights. Alone it scores like the softmax (0.447), and mixing
    /// it into the fused score instead added 0.002 to the threshold rule.
    pub one_vs_rest_head: bool,
    /// The set rule is learned ([`SetSelector`](super::ipc_set_selector))
    /// from the learners' outputs on titles they were not trained on:
    /// training splits its titles into this many parts, trains the
    /// learners on all parts but one and reads them on that one, then
    /// fits the selector on those outputs before training the learners
    /// on everything, so training costs about `1 + 3/4 · this` times as
    /// much. Inner micro-F1 0.466 against 0.459 for the fused threshold
    /// (top-1 0.545 against 0.539, top-3 0.755 against 0.748); 4 parts
    /// (not tuned) mirror the inner cross-validation the selector was
    /// designed on. Below 2, the fused-score `threshold` decides instead.
    pub selector_folds: usize,
    /// With a selector, subclasses whose selector probability is at least
    /// this are chosen (the best always, unless abstaining); tuned with
    /// the rest. On the inner folds (numpy copy of the selector): 0.175
    /// chooses 2.03 subclasses a title (about as many as the SVM baseline)
    /// and scores micro-F1 0.459, P 0.421, R 0.505; 0.2 1.85 and 0.466;
    /// 0.225 1.71 and 0.467; 0.25 1.60 and 0.465; 0.3 1.43 and 0.460. The
    /// best sits near half the best micro-F1, where a calibrated
    /// probability should put it; buying the baseline's recall costs more
    /// precision than it brings.
    pub selector_threshold: f32,
    /// At most this many are chosen and ranked.
    pub max_chosen: usize,
    /// Below this best confidence the classifier abstains: nothing is
    /// chosen. Measured on titles held out from training (inner
    /// cross-validation over all five folds), the best suggestion is right
    /// 16 % of the time when the selector gives it 0.1–0.2, 25 % at
    /// 0.2–0.3, 35 % at 0.3–0.4, 48 % at 0.4–0.5, 62 % at 0.6–0.7 and 86 %
    /// at 0.8–0.9. At 0.4 about a quarter of titles (27 %) get no
    /// predicted facet, and their best suggestion would have been right
    /// only 28 % of the time — the same trade as the fused-score floor of
    /// 0.2 made before the selector. Set 0 to always answer (as for
    /// scoring micro-F1 against a classifier that never abstains).
    pub abstain_below: f32,
}

impl Default for IpcClassifierConfig {
    fn default() -> Self {
        Self {
            embedding: TitleEmbedding::Query,
            max_ngram: 4,
            min_df: 2,
            linear: IpcLinearTraining::default(),
            neighbours: 10,
            sharpness: 40.0,
            neighbour_weight: 0.2,
            threshold: 0.125,
            one_vs_rest_head: true,
            selector_folds: 4,
            selector_threshold: 0.225,
            max_chosen: 3,
            abstain_below: 0.4,
        }
    }
}
