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
/// `sharpness`, `neighbour_weight`, `threshold`) are what
/// [`tune_ipc_classifier`](crate::tune_ipc_classifier) picks on folds 1–4
/// from [`IpcTuningGrid::default`](crate::IpcTuningGrid); retune them when
/// training on other data. Inner micro-F1 with these settings: fused 0.459,
/// linear head alone 0.447, neighbours alone 0.411.
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
    /// Subclasses scoring at least this are chosen (the best one always,
    /// unless abstaining). Choosing as many as the title truly has would
    /// score only 0.003 better in the inner cross-validation: the set rule
    /// is not what limits the classifier.
    pub threshold: f32,
    /// At most this many are chosen and ranked.
    pub max_chosen: usize,
    /// Below this best score the classifier abstains: nothing is chosen.
    /// Measured on titles held out from training (inner cross-validation
    /// over all five folds), the best suggestion is right 19 % of the time
    /// when it scores under 0.1, 28 % from 0.1 to 0.2, 44 % from 0.2 to
    /// 0.3, 59 % from 0.3 to 0.4 and over 70 % above 0.5. At 0.2 about a
    /// quarter of titles get no predicted facet, and those would mostly
    /// have been wrong. Set 0 to always answer (as for scoring micro-F1
    /// against a classifier that never abstains).
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
            max_chosen: 3,
            abstain_below: 0.2,
        }
    }
}
