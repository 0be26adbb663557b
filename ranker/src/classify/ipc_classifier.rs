//! IPC subclass suggestions from a listing's title.

use super::ipc_linear_head::{shuffle, HeadInput, HeadShape, LinearHead, SplitMix};
use super::ipc_neighbours::{nearest_among, vote, IpcNeighbours};
use super::ipc_set_selector::{
    candidate_features, LabelStats, LearnerOutputs, SetSelector, FEATURES,
};
use super::{IpcClassifierConfig, IpcLexicon, TitleEmbedding};
use crate::{Error, Result};
use corpus::IpcCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A title with its true IPC codes, to learn from. Codes finer than a
/// subclass count as their subclass (`G06F 16/33` as `G06F`); coarser
/// ones (`G`, `G06`) say nothing about the subclass and are ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct IpcExample {
    pub text: String,
    pub codes: Vec<IpcCode>,
}

/// One suggested subclass and how sure the classifier is of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpcSuggestion {
    /// A subclass code such as `G06F`.
    pub subclass: IpcCode,
    /// In [0, 1]: the set selector's probability that this is one of the
    /// title's subclasses, learned on held-out titles and so close to
    /// calibrated: on held-out titles the best suggestion is right 25 % of
    /// the time at 0.2–0.3, 48 % at 0.4–0.5, 72 % at 0.7–0.8 and 94 % at
    /// 0.9–1; subclasses outside the ten best fused ones get 0 (see
    /// [`IpcClassifierConfig::abstain_below`]). Without a selector, the
    /// fused score (the weighted mean of the linear head's probability and
    /// the share of the neighbours' votes).
    pub confidence: f32,
}

/// What the classifier says about one title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpcSuggestions {
    /// The best subclasses, best first (at most
    /// [`IpcClassifierConfig::max_chosen`]), even when abstaining, so that
    /// a reviewer can still see what the classifier leaned towards.
    pub ranked: Vec<IpcSuggestion>,
    /// The subclasses the classifier commits to: those whose confidence
    /// reaches the threshold, and always the best one, unless it abstains.
    pub chosen: Vec<IpcCode>,
    /// The best score was below [`IpcClassifierConfig::abstain_below`]:
    /// nothing is chosen, because a wrong facet misleads more than a
    /// missing one.
    pub abstained: bool,
}

/// Suggests IPC subclasses for a title from its text and its embedding.
///
/// Two learners, fused: a linear softmax over subclasses whose features
/// are the title's character n-grams (TF-IDF) and its standardised e5
/// embedding, and a vote of the nearest training titles by embedding. The
/// linear head learns which n-grams and directions tell subclasses apart;
/// the neighbours carry the subclass combinations real titles have (a
/// medicine title is A61K and A61P together), which a softmax spreads thin.
/// Each subclass's fused score is a weighted mean of the two shares.
///
/// Which subclasses a title gets is then learned too: a set selector
/// reads, for the ten best fused subclasses, the learners' scores (and
/// those of a one-vs-rest head trained beside the softmax), how the
/// scores fall off, how often each candidate comes with the best one in
/// the training titles and how common it is, and gives each a
/// probability of being true. It is fitted on outputs for titles the
/// learners were not trained on (cross-fitting inside
/// [`train`](Self::train)), so its probabilities are close to calibrated
/// and one threshold suits every title. In inner cross-validation (see
/// [`IpcClassifierConfig`]) the selector scores micro-F1 0.466 (top-1
/// 0.545), thresholding the fused score 0.459 (0.539), the linear head
/// alone 0.447, the neighbours alone 0.411.
///
/// The labelled set has titles only, so pass a listing's title as `text`
/// and embed the title: an abstract would be an input unlike anything it
/// learned from, and is untested.
///
/// Trained once from labelled titles ([`IpcClassifier::train`]), saved and
/// loaded whole ([`IpcClassifier::save`]), so that classifying needs no
/// training data. Embeddings are the caller's: this type never runs the
/// model, so titles can be embedded through a cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpcClassifier {
    pub(crate) config: IpcClassifierConfig,
    /// Subclass codes, sorted; indices into this are the classes.
    pub(crate) subclasses: Vec<String>,
    pub(crate) lexicon: IpcLexicon,
    pub(crate) head: LinearHead,
    /// The one-vs-rest head, when [`IpcClassifierConfig::one_vs_rest_head`].
    pub(crate) ovr_head: Option<LinearHead>,
    pub(crate) neighbours: IpcNeighbours,
    /// The learned set rule, when [`IpcClassifierConfig::selector_folds`]
    /// is at least 2.
    pub(crate) selector: Option<SetSelector>,
    /// Derived from the neighbours' labels (all training titles), so not
    /// saved.
    #[serde(skip)]
    pub(crate) stats: LabelStats,
}

/// Labelled examples reduced to what training uses.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub subclasses: Vec<String>,
    /// Subclass indices per example, distinct, sorted.
    pub labels: Vec<Vec<usize>>,
    pub dims: usize,
}

impl IpcClassifier {
    /// Learns from `examples`, whose embeddings are `vectors` (same order,
    /// embedded as `config.embedding` says). Examples without a subclass
    /// are skipped. Fails when the lengths differ, the vectors differ in
    /// dimension, or no example has a subclass.
    pub fn train(
        examples: &[IpcExample],
        vectors: &[Vec<f32>],
        config: IpcClassifierConfig,
    ) -> Result<Self> {
        let prepared = prepare(examples, vectors)?;
        let rows: Vec<usize> = (0..examples.len())
            .filter(|&i| !prepared.labels[i].is_empty())
            .collect();
        Ok(train_rows(examples, vectors, &prepared, &rows, config))
    }

    pub fn config(&self) -> &IpcClassifierConfig {
        &self.config
    }

    /// Changes the abstention floor, a policy rather than something
    /// learned, so it can differ between uses of one trained classifier
    /// (say, facets against a reviewer's worklist).
    pub fn set_abstain_below(&mut self, floor: f32) {
        self.config.abstain_below = floor;
    }

    /// The subclasses it can suggest, sorted.
    pub fn subclasses(&self) -> &[String] {
        &self.subclasses
    }

    /// The dimension the title vectors must have.
    pub fn dimensions(&self) -> usize {
        self.neighbours.dims()
    }

    /// Suggestions for a title `text` whose embedding is `vector`.
    pub fn classify(&self, vector: &[f32], text: &str) -> Result<IpcSuggestions> {
        let scores = self.scores(vector, text)?;
        Ok(self.decide(&scores))
    }

    /// Suggestions for each of `titles`, embedded here with the prefix the
    /// classifier was trained with (no cache: see
    /// [`embed_titles_cached`](crate::embed_titles_cached) for one). Batch
    /// titles: the model costs per call as well as per title.
    pub fn classify_titles(
        &self,
        embedder: &models::Embedder,
        titles: &[&str],
    ) -> Result<Vec<IpcSuggestions>> {
        let vectors = match self.config.embedding {
            TitleEmbedding::Query => embedder.embed_queries(titles)?,
            TitleEmbedding::Passage => embedder.embed_passages(titles)?,
        };
        titles
            .iter()
            .zip(&vectors)
            .map(|(title, vector)| self.classify(vector, title))
            .collect()
    }

    /// The score in [0, 1] of every subclass, in the order of
    /// [`subclasses`](Self::subclasses): the selector's probability (0
    /// outside the ten best fused subclasses), or the fused score without
    /// a selector.
    pub fn scores(&self, vector: &[f32], text: &str) -> Result<Vec<f32>> {
        if vector.len() != self.dimensions() {
            return Err(Error::Invalid {
                field: "vector",
                message: format!(
                    "has {} dimensions, the classifier {}",
                    vector.len(),
                    self.dimensions()
                ),
            });
        }
        let (linear, ovr) = head_probabilities(
            &self.lexicon,
            &self.head,
            self.ovr_head.as_ref(),
            text,
            vector,
        );
        let nearest = self.neighbours.nearest(vector, self.config.neighbours);
        let votes = vote(
            &nearest,
            &|row| self.neighbours.labels(row),
            self.config.neighbours,
            self.config.sharpness,
            self.subclasses.len(),
        );
        let fused = fuse(&linear, &votes, self.config.neighbour_weight);
        Ok(match &self.selector {
            Some(selector) => selector.probabilities(
                &LearnerOutputs {
                    linear: &linear,
                    ovr: ovr.as_deref(),
                    votes: &votes,
                    fused: &fused,
                },
                &self.stats,
            ),
            None => fused,
        })
    }

    /// The threshold the scores are compared with: the selector's, or
    /// the fused score's without a selector.
    pub(crate) fn threshold(&self) -> f32 {
        decision_threshold(&self.config, self.selector.is_some())
    }

    fn decide(&self, scores: &[f32]) -> IpcSuggestions {
        let (ranked, chosen, abstained) = choose(scores, self.threshold(), &self.config);
        let code = |c: usize| IpcCode::parse(&self.subclasses[c]).ok();
        IpcSuggestions {
            ranked: ranked
                .into_iter()
                .filter_map(|(c, confidence)| {
                    code(c).map(|subclass| IpcSuggestion {
                        subclass,
                        confidence,
                    })
                })
                .collect(),
            chosen: chosen.into_iter().filter_map(code).collect(),
            abstained,
        }
    }
}

/// `w · votes + (1 − w) · linear`, element-wise.
pub(crate) fn fuse(linear: &[f32], votes: &[f32], weight: f32) -> Vec<f32> {
    linear
        .iter()
        .zip(votes)
        .map(|(l, v)| (weight * v + (1.0 - weight) * l).clamp(0.0, 1.0))
        .collect()
}

/// The threshold of `config` for scores from a selector or, without one,
/// fused scores.
pub(crate) fn decision_threshold(config: &IpcClassifierConfig, selector: bool) -> f32 {
    if selector {
        config.selector_threshold
    } else {
        config.threshold
    }
}

/// The decision on `scores`: the ranked (index, score) head, the chosen
/// indices (the best, and the others reaching `threshold`) and whether
/// the classifier abstains.
pub(crate) fn choose(
    scores: &[f32],
    threshold: f32,
    config: &IpcClassifierConfig,
) -> (Vec<(usize, f32)>, Vec<usize>, bool) {
    let ranked = top(scores, config.max_chosen.max(1));
    let abstained = ranked
        .first()
        .is_none_or(|&(_, best)| best < config.abstain_below);
    let chosen = if abstained {
        Vec::new()
    } else {
        ranked
            .iter()
            .enumerate()
            .filter(|(n, (_, s))| *n == 0 || *s >= threshold)
            .map(|(_, (c, _))| *c)
            .collect()
    };
    (ranked, chosen, abstained)
}

/// The `k` highest (index, score), highest first; ties to the lower index.
pub(crate) fn top(scores: &[f32], k: usize) -> Vec<(usize, f32)> {
    let mut best: Vec<(usize, f32)> = Vec::with_capacity(k + 1);
    for (i, &s) in scores.iter().enumerate() {
        keep_top(&mut best, k, (i, s));
    }
    best
}

/// Offers `(index, score)` to `best`, the `k` highest so far, highest
/// first; an equal score ranks after those already kept.
pub(crate) fn keep_top(best: &mut Vec<(usize, f32)>, k: usize, (i, s): (usize, f32)) {
    if best.len() == k && best.last().is_some_and(|&(_, b)| s <= b) {
        return;
    }
    let at = best.partition_point(|&(_, b)| b >= s);
    best.insert(at, (i, s));
    best.truncate(k);
}

/// Checks lengths and dimensions and indexes the subclasses.
pub(crate) fn prepare(examples: &[IpcExample], vectors: &[Vec<f32>]) -> Result<Prepared> {
    if examples.len() != vectors.len() {
        return Err(Error::Invalid {
            field: "vectors",
            message: format!("{} vectors for {} examples", vectors.len(), examples.len()),
        });
    }
    let dims = vectors.first().map_or(0, Vec::len);
    if dims == 0 {
        return Err(Error::Invalid {
            field: "vectors",
            message: "no examples, or empty vectors".into(),
        });
    }
    if let Some(i) = vectors.iter().position(|v| v.len() != dims) {
        return Err(Error::Invalid {
            field: "vectors",
            message: format!("vector {i} has {} dimensions, not {dims}", vectors[i].len()),
        });
    }
    let subclass_sets: Vec<BTreeSet<&str>> = examples
        .iter()
        .map(|e| e.codes.iter().filter_map(IpcCode::subclass).collect())
        .collect();
    let subclasses: Vec<String> = subclass_sets
        .iter()
        .flatten()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|s| s.to_string())
        .collect();
    if subclasses.is_empty() {
        return Err(Error::Invalid {
            field: "examples",
            message: "no example has a subclass-level IPC code".into(),
        });
    }
    let labels = subclass_sets
        .iter()
        .map(|set| {
            set.iter()
                .filter_map(|s| subclasses.binary_search_by(|c| c.as_str().cmp(s)).ok())
                .collect()
        })
        .collect();
    Ok(Prepared {
        subclasses,
        labels,
        dims,
    })
}

/// Trains on the examples at `rows` (each with at least one subclass).
pub(crate) fn train_rows(
    examples: &[IpcExample],
    vectors: &[Vec<f32>],
    prepared: &Prepared,
    rows: &[usize],
    config: IpcClassifierConfig,
) -> IpcClassifier {
    let selector = cross_fit_selector(examples, vectors, prepared, rows, &config);
    let learners = train_learners(examples, vectors, prepared, rows, &config);
    let mut flat = Vec::with_capacity(rows.len() * prepared.dims);
    for &i in rows {
        flat.extend_from_slice(&vectors[i]);
    }
    let labels: Vec<Vec<u32>> = rows
        .iter()
        .map(|&i| prepared.labels[i].iter().map(|&c| c as u32).collect())
        .collect();
    let stats = label_stats(&prepared.subclasses, &labels);
    IpcClassifier {
        config,
        subclasses: prepared.subclasses.clone(),
        lexicon: learners.lexicon,
        head: learners.head,
        ovr_head: learners.ovr_head,
        neighbours: IpcNeighbours::new(prepared.dims, flat, labels),
        selector,
        stats,
    }
}

/// The label statistics of the training titles' subclass sets.
pub(crate) fn label_stats(subclasses: &[String], labels: &[Vec<u32>]) -> LabelStats {
    LabelStats::new(
        subclasses,
        labels.iter().map(|set| set.iter().map(|&c| c as usize)),
    )
}

/// The learners that read a title's text and embedding.
pub(crate) struct Learners {
    pub lexicon: IpcLexicon,
    pub head: LinearHead,
    pub ovr_head: Option<LinearHead>,
}

impl Learners {
    /// The softmax and (when trained) one-vs-rest probabilities of a title.
    pub fn probabilities(&self, text: &str, vector: &[f32]) -> (Vec<f32>, Option<Vec<f32>>) {
        head_probabilities(
            &self.lexicon,
            &self.head,
            self.ovr_head.as_ref(),
            text,
            vector,
        )
    }
}

/// What the heads say of a title: the softmax and, when there is one, the
/// one-vs-rest probabilities, both over the same lexical vector.
fn head_probabilities(
    lexicon: &IpcLexicon,
    head: &LinearHead,
    ovr_head: Option<&LinearHead>,
    text: &str,
    vector: &[f32],
) -> (Vec<f32>, Option<Vec<f32>>) {
    let lexical = lexicon.vectorize(text);
    let linear = head.probabilities(&lexical, vector);
    let ovr = ovr_head.map(|head| head.probabilities(&lexical, vector));
    (linear, ovr)
}

/// The lexicon and linear heads fitted on the examples at `rows`.
pub(crate) fn train_learners(
    examples: &[IpcExample],
    vectors: &[Vec<f32>],
    prepared: &Prepared,
    rows: &[usize],
    config: &IpcClassifierConfig,
) -> Learners {
    let lexicon = IpcLexicon::fit(
        rows.iter().map(|&i| examples[i].text.as_str()),
        config.max_ngram,
        config.min_df,
    );
    let features: Vec<Vec<(u32, f32)>> = rows
        .iter()
        .map(|&i| lexicon.vectorize(&examples[i].text))
        .collect();
    let inputs: Vec<HeadInput<'_>> = rows
        .iter()
        .zip(&features)
        .map(|(&i, lexical)| HeadInput {
            lexical,
            embedding: &vectors[i],
        })
        .collect();
    let labels: Vec<Vec<usize>> = rows.iter().map(|&i| prepared.labels[i].clone()).collect();
    let shape = HeadShape {
        classes: prepared.subclasses.len(),
        lexical: lexicon.len(),
        dense: prepared.dims,
    };
    // The two heads share nothing but their inputs, so the one-vs-rest
    // head trains on a second thread: with two cores, both cost the time
    // of one.
    let (head, ovr_head) = std::thread::scope(|scope| {
        let ovr = config.one_vs_rest_head.then(|| {
            scope.spawn(|| LinearHead::train(&inputs, &labels, shape, &config.linear, true))
        });
        let head = LinearHead::train(&inputs, &labels, shape, &config.linear, false);
        let ovr_head = ovr.map(|handle| match handle.join() {
            Ok(head) => head,
            Err(panic) => std::panic::resume_unwind(panic),
        });
        (head, ovr_head)
    });
    Learners {
        lexicon,
        head,
        ovr_head,
    }
}

/// One held-out title's candidates as selector training examples: the
/// features of each, and whether it is among the title's `truth`.
pub(crate) fn selector_examples(
    outputs: &LearnerOutputs<'_>,
    stats: &LabelStats,
    truth: &[usize],
) -> Vec<([f32; FEATURES], bool)> {
    candidate_features(outputs, stats)
        .into_iter()
        .map(|(c, features)| (features, truth.contains(&c)))
        .collect()
}

/// The ridge of the selector's logistic fit, on standardised features.
pub(crate) const SELECTOR_RIDGE: f64 = 1e-3;

/// Salts the seed that deals titles into cross-fitting parts, so that the
/// deal does not follow the heads' visiting order.
const DEAL_SALT: u64 = 0x5E1E_C70A;

/// Fits the set selector on held-out outputs: `rows` are dealt at random
/// into [`IpcClassifierConfig::selector_folds`] parts; for each part, the
/// learners are trained on the others and read on it, its neighbours are
/// drawn from the others and its label statistics come from the others.
/// `None` when the config asks for no selector or there are too few
/// titles to split.
pub(crate) fn cross_fit_selector(
    examples: &[IpcExample],
    vectors: &[Vec<f32>],
    prepared: &Prepared,
    rows: &[usize],
    config: &IpcClassifierConfig,
) -> Option<SetSelector> {
    let parts = config.selector_folds.min(rows.len());
    if parts < 2 {
        return None;
    }
    let mut order = rows.to_vec();
    shuffle(&mut order, &mut SplitMix(config.linear.seed ^ DEAL_SALT));
    let mut part_of = vec![usize::MAX; examples.len()];
    for (n, &i) in order.iter().enumerate() {
        part_of[i] = n % parts;
    }
    let dims = prepared.dims;
    let mut flat = Vec::with_capacity(examples.len() * dims);
    for v in vectors {
        flat.extend_from_slice(v);
    }
    let classes = prepared.subclasses.len();
    let row_labels: Vec<Vec<u32>> = prepared
        .labels
        .iter()
        .map(|set| set.iter().map(|&c| c as u32).collect())
        .collect();
    let lookup = |row: usize| row_labels[row].as_slice();
    let mut samples = Vec::with_capacity(rows.len() * super::ipc_set_selector::CANDIDATES);
    for part in 0..parts {
        let train: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|&i| part_of[i] != part)
            .collect();
        let learners = train_learners(examples, vectors, prepared, &train, config);
        let train_labels: Vec<Vec<u32>> = train.iter().map(|&i| row_labels[i].clone()).collect();
        let stats = label_stats(&prepared.subclasses, &train_labels);
        for &i in rows.iter().filter(|&&i| part_of[i] == part) {
            let (linear, ovr) = learners.probabilities(&examples[i].text, &vectors[i]);
            let nearest = nearest_among(&flat, dims, &vectors[i], config.neighbours, |r| {
                part_of[r] != part && part_of[r] != usize::MAX
            });
            let votes = vote(
                &nearest,
                &lookup,
                config.neighbours,
                config.sharpness,
                classes,
            );
            let fused = fuse(&linear, &votes, config.neighbour_weight);
            let outputs = LearnerOutputs {
                linear: &linear,
                ovr: ovr.as_deref(),
                votes: &votes,
                fused: &fused,
            };
            samples.extend(selector_examples(&outputs, &stats, &prepared.labels[i]));
        }
    }
    Some(SetSelector::fit(&samples, SELECTOR_RIDGE))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn top_and_choose() {
        let scores = [0.1, 0.5, 0.3, 0.05, 0.3];
        assert_eq!(top(&scores, 3), [(1, 0.5), (2, 0.3), (4, 0.3)]);
        let config = IpcClassifierConfig {
            threshold: 0.31,
            ..IpcClassifierConfig::default()
        };
        let (ranked, chosen, abstained) = choose(&scores, config.threshold, &config);
        assert_eq!((ranked.len(), chosen, abstained), (3, vec![1], false));
        let config = IpcClassifierConfig {
            threshold: 0.3,
            max_chosen: 2,
            ..config
        };
        assert_eq!(choose(&scores, config.threshold, &config).1, [1, 2]);
        assert_eq!(choose(&scores, 0.6, &config).1, [1]);
        let config = IpcClassifierConfig {
            abstain_below: 0.6,
            ..config
        };
        let (ranked, chosen, abstained) = choose(&scores, config.threshold, &config);
        assert_eq!((ranked.len(), chosen.len(), abstained), (2, 0, true));
    }

    fn toy() -> (Vec<IpcExample>, Vec<Vec<f32>>) {
        let code = |s: &str| IpcCode::parse(s).unwrap();
        let mut examples = Vec::new();
        let mut vectors = Vec::new();
        for i in 0..12 {
            let (text, codes, v) = match i % 3 {
                0 => (
                    "一种光伏组件清洗装置",
                    vec![code("H02S 40/10")],
                    [1.0, 0.1, 0.0],
                ),
                1 => (
                    "基于区块链的数据处理方法",
                    vec![code("G06F"), code("G06Q")],
                    [0.0, 1.0, 0.1],
                ),
                _ => (
                    "一种中药组合物及其制备方法",
                    vec![code("A61K"), code("A61P 1/00")],
                    [0.1, 0.0, 1.0],
                ),
            };
            examples.push(IpcExample {
                text: format!("{text}{i}"),
                codes,
            });
            let norm = v.iter().map(|x: &f32| x * x).sum::<f32>().sqrt();
            vectors.push(v.iter().map(|x| x / norm).collect());
        }
        (examples, vectors)
    }

    #[test]
    fn learns_toy_subclasses_and_round_trips() {
        let (examples, vectors) = toy();
        let config = IpcClassifierConfig {
            neighbours: 3,
            abstain_below: 0.0,
            ..IpcClassifierConfig::default()
        };
        let classifier = IpcClassifier::train(&examples, &vectors, config).unwrap();
        // Codes finer than a subclass count as it; sorted.
        assert_eq!(
            classifier.subclasses(),
            ["A61K", "A61P", "G06F", "G06Q", "H02S"]
        );
        let s = classifier.classify(&vectors[2], "一种中药组合物").unwrap();
        let chosen: Vec<&str> = s.chosen.iter().map(IpcCode::as_str).collect();
        assert!(
            chosen.contains(&"A61K") && chosen.contains(&"A61P"),
            "{s:?}"
        );
        assert!(!chosen.contains(&"H02S"));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ipc.bin");
        classifier.save(&path).unwrap();
        assert_eq!(IpcClassifier::load(&path).unwrap(), classifier);
    }

    #[test]
    fn fused_rule_without_selector_and_one_file_format() {
        let (examples, vectors) = toy();
        let config = IpcClassifierConfig {
            neighbours: 3,
            abstain_below: 0.0,
            one_vs_rest_head: false,
            selector_folds: 0,
            ..IpcClassifierConfig::default()
        };
        let fused = IpcClassifier::train(&examples, &vectors, config.clone()).unwrap();
        assert!(fused.selector.is_none() && fused.ovr_head.is_none());
        let learned = IpcClassifier::train(
            &examples,
            &vectors,
            IpcClassifierConfig {
                one_vs_rest_head: true,
                selector_folds: 4,
                ..config
            },
        )
        .unwrap();
        assert!(learned.selector.is_some() && learned.ovr_head.is_some());
        for classifier in [&fused, &learned] {
            let scores = classifier
                .scores(&vectors[1], "基于区块链的数据处理方法")
                .unwrap();
            let s = classifier.decide(&scores);
            let mut chosen: Vec<&str> = s.chosen.iter().map(IpcCode::as_str).collect();
            chosen.sort_unstable();
            assert_eq!(chosen, ["G06F", "G06Q"], "{s:?}");
            // Chosen are exactly those reaching the rule's threshold.
            for r in &s.ranked {
                let is_chosen = s.chosen.contains(&r.subclass);
                assert_eq!(is_chosen, r.confidence >= classifier.threshold(), "{s:?}");
            }
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("ipc.bin");
            classifier.save(&path).unwrap();
            assert_eq!(&IpcClassifier::load(&path).unwrap(), classifier);
        }
        assert_eq!(fused.threshold(), fused.config.threshold);
        assert_eq!(learned.threshold(), learned.config.selector_threshold);

        // A file of the first format (no selector) is refused by version.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.bin");
        let mut old = b"PATMATCH-IPC".to_vec();
        old.extend_from_slice(&1u32.to_le_bytes());
        old.extend_from_slice(&[0; 16]);
        std::fs::write(&path, old).unwrap();
        let message = IpcClassifier::load(&path).unwrap_err().to_string();
        assert!(
            message.contains("format version 1") && message.contains("retrain"),
            "{message}"
        );
    }

    #[test]
    fn rejects_mismatched_training_data() {
        let (examples, mut vectors) = toy();
        let config = IpcClassifierConfig::default;
        assert!(IpcClassifier::train(&examples[1..], &vectors, config()).is_err());
        vectors[3].push(0.0);
        assert!(IpcClassifier::train(&examples, &vectors, config()).is_err());
        let unlabelled = vec![IpcExample {
            text: "一种装置".into(),
            codes: vec![IpcCode::parse("G06").unwrap()],
        }];
        assert!(IpcClassifier::train(&unlabelled, &[vec![1.0]], config()).is_err());
    }
}
