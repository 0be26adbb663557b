//! IPC subclass suggestions from a listing's title.

use super::ipc_linear_head::{HeadInput, LinearHead};
use super::ipc_neighbours::{vote, IpcNeighbours};
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
    /// In [0, 1]: the weighted mean of the linear head's probability and
    /// the share of the neighbours' votes. Not calibrated, but close for
    /// the best suggestion: on held-out titles it is right 44 % of the time
    /// at 0.2–0.3, 64 % at 0.4–0.5, 82 % at 0.6–0.7 and 93 % at 0.8–0.9
    /// (see [`IpcClassifierConfig::abstain_below`]).
    pub confidence: f32,
}

/// What the classifier says about one title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpcSuggestions {
    /// The best subclasses, best first (at most
    /// [`IpcClassifierConfig::max_chosen`]), even when abstaining, so that
    /// a reviewer can still see what the classifier leaned towards.
    pub ranked: Vec<IpcSuggestion>,
    /// The subclasses the classifier commits to: those scoring at least
    /// the threshold, and always the best one, unless it abstains.
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
/// Each subclass's score is a weighted mean of the two shares. In inner
/// cross-validation (see [`IpcClassifierConfig`]) the fusion scores
/// micro-F1 0.459, the linear head alone 0.447, the neighbours alone 0.411.
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
    pub(crate) neighbours: IpcNeighbours,
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
    /// [`subclasses`](Self::subclasses).
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
        let lexical = self.lexicon.vectorize(text);
        let linear = self.head.probabilities(&lexical, vector);
        let nearest = self.neighbours.nearest(vector, self.config.neighbours);
        let votes = vote(
            &nearest,
            &|row| self.neighbours.labels(row),
            self.config.neighbours,
            self.config.sharpness,
            self.subclasses.len(),
        );
        Ok(fuse(&linear, &votes, self.config.neighbour_weight))
    }

    fn decide(&self, scores: &[f32]) -> IpcSuggestions {
        let (ranked, chosen, abstained) = choose(scores, &self.config);
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

/// The decision on fused `scores`: the ranked (index, score) head, the
/// chosen indices and whether the classifier abstains.
pub(crate) fn choose(
    scores: &[f32],
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
            .filter(|(n, (_, s))| *n == 0 || *s >= config.threshold)
            .map(|(_, (c, _))| *c)
            .collect()
    };
    (ranked, chosen, abstained)
}

/// The `k` highest (index, score), highest first; ties to the lower index.
pub(crate) fn top(scores: &[f32], k: usize) -> Vec<(usize, f32)> {
    let mut best: Vec<(usize, f32)> = Vec::with_capacity(k + 1);
    for (i, &s) in scores.iter().enumerate() {
        if best.len() == k && best.last().is_some_and(|&(_, b)| s <= b) {
            continue;
        }
        let at = best.partition_point(|&(_, b)| b >= s);
        best.insert(at, (i, s));
        best.truncate(k);
    }
    best
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
    let (lexicon, head) = train_head(examples, vectors, prepared, rows, &config);
    let mut flat = Vec::with_capacity(rows.len() * prepared.dims);
    for &i in rows {
        flat.extend_from_slice(&vectors[i]);
    }
    let labels = rows
        .iter()
        .map(|&i| prepared.labels[i].iter().map(|&c| c as u32).collect())
        .collect();
    IpcClassifier {
        config,
        subclasses: prepared.subclasses.clone(),
        lexicon,
        head,
        neighbours: IpcNeighbours::new(prepared.dims, flat, labels),
    }
}

/// The lexicon and linear head fitted on the examples at `rows`.
pub(crate) fn train_head(
    examples: &[IpcExample],
    vectors: &[Vec<f32>],
    prepared: &Prepared,
    rows: &[usize],
    config: &IpcClassifierConfig,
) -> (IpcLexicon, LinearHead) {
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
    let head = LinearHead::train(
        &inputs,
        &labels,
        prepared.subclasses.len(),
        lexicon.len(),
        prepared.dims,
        &config.linear,
    );
    (lexicon, head)
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
        let (ranked, chosen, abstained) = choose(&scores, &config);
        assert_eq!((ranked.len(), chosen, abstained), (3, vec![1], false));
        let config = IpcClassifierConfig {
            threshold: 0.3,
            max_chosen: 2,
            ..config
        };
        assert_eq!(choose(&scores, &config).1, [1, 2]);
        let config = IpcClassifierConfig {
            abstain_below: 0.6,
            ..config
        };
        let (ranked, chosen, abstained) = choose(&scores, &config);
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
