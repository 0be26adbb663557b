use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The relevance metrics of one query, or their mean over queries.
/// Conventions are trec_eval's, so figures can be checked with it: a grade
/// ≥ 1 is relevant; unjudged documents count as not relevant; cut-offs
/// divide by the cut-off, not by the number retrieved (except judged@10).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// nDCG@10: linear gain (the grade), log2 discount, ideal ordering from
    /// every judged document of the query.
    #[serde(rename = "ndcg@10")]
    pub ndcg10: f64,
    #[serde(rename = "recall@10")]
    pub recall10: f64,
    #[serde(rename = "recall@100")]
    pub recall100: f64,
    /// Reciprocal rank of the first relevant document in the top 10.
    #[serde(rename = "mrr@10")]
    pub mrr10: f64,
    #[serde(rename = "p@10")]
    pub p10: f64,
    /// Share of the top 10 that carries a judgment (any grade), over
    /// min(10, retrieved) as ir_measures counts it. Pools are incomplete, so
    /// a low figure means the other metrics are lower bounds.
    #[serde(rename = "judged@10")]
    pub judged10: f64,
}

/// Metric names in report order, as `Scores` serialises them.
pub const METRIC_NAMES: [&str; 6] = [
    "ndcg@10",
    "recall@10",
    "recall@100",
    "mrr@10",
    "p@10",
    "judged@10",
];

impl Scores {
    /// Scores one ranking (best first) against one query's judgments.
    pub fn of(ranking: &[&str], judgments: &HashMap<String, i32>) -> Self {
        Scores {
            ndcg10: ndcg(ranking, judgments, 10),
            recall10: recall(ranking, judgments, 10),
            recall100: recall(ranking, judgments, 100),
            mrr10: reciprocal_rank(ranking, judgments, 10),
            p10: precision(ranking, judgments, 10),
            judged10: judged(ranking, judgments, 10),
        }
    }

    /// The arithmetic mean of each metric; zeros for no scores.
    pub fn mean<'a>(scores: impl IntoIterator<Item = &'a Scores>) -> Self {
        let mut sum = [0.0; 6];
        let mut n = 0usize;
        for s in scores {
            for (total, value) in sum.iter_mut().zip(s.values()) {
                *total += value;
            }
            n += 1;
        }
        if n == 0 {
            return Scores::default();
        }
        let [ndcg10, recall10, recall100, mrr10, p10, judged10] = sum.map(|v| v / n as f64);
        Scores {
            ndcg10,
            recall10,
            recall100,
            mrr10,
            p10,
            judged10,
        }
    }

    /// The values in the order of [`METRIC_NAMES`].
    pub fn values(&self) -> [f64; 6] {
        [
            self.ndcg10,
            self.recall10,
            self.recall100,
            self.mrr10,
            self.p10,
            self.judged10,
        ]
    }

    /// The value of a metric by its name.
    pub fn get(&self, name: &str) -> Option<f64> {
        METRIC_NAMES
            .iter()
            .position(|&n| n == name)
            .map(|i| self.values()[i])
    }
}

fn grade(judgments: &HashMap<String, i32>, doc: &str) -> i32 {
    judgments.get(doc).copied().unwrap_or(0)
}

/// Normalised discounted cumulative gain at `k`. Negative grades gain
/// nothing, as in trec_eval.
pub fn ndcg(ranking: &[&str], judgments: &HashMap<String, i32>, k: usize) -> f64 {
    let dcg = |gains: &mut dyn Iterator<Item = i32>| -> f64 {
        gains
            .take(k)
            .enumerate()
            // fold from +0.0: an empty f64 sum is -0.0
            .fold(0.0, |sum, (i, g)| {
                sum + f64::from(g.max(0)) / ((i + 2) as f64).log2()
            })
    };
    let mut ideal: Vec<i32> = judgments.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let best = dcg(&mut ideal.into_iter());
    if best == 0.0 {
        return 0.0;
    }
    dcg(&mut ranking.iter().map(|d| grade(judgments, d))) / best
}

/// Share of the relevant documents found in the top `k`.
pub fn recall(ranking: &[&str], judgments: &HashMap<String, i32>, k: usize) -> f64 {
    let relevant = judgments.values().filter(|&&g| g >= 1).count();
    if relevant == 0 {
        return 0.0;
    }
    relevant_in_top(ranking, judgments, k) as f64 / relevant as f64
}

/// 1 / rank of the first relevant document within the top `k`, else 0.
pub fn reciprocal_rank(ranking: &[&str], judgments: &HashMap<String, i32>, k: usize) -> f64 {
    ranking
        .iter()
        .take(k)
        .position(|d| grade(judgments, d) >= 1)
        .map_or(0.0, |i| 1.0 / (i + 1) as f64)
}

/// Relevant documents in the top `k`, divided by `k`.
pub fn precision(ranking: &[&str], judgments: &HashMap<String, i32>, k: usize) -> f64 {
    relevant_in_top(ranking, judgments, k) as f64 / k as f64
}

fn relevant_in_top(ranking: &[&str], judgments: &HashMap<String, i32>, k: usize) -> usize {
    ranking
        .iter()
        .take(k)
        .filter(|d| grade(judgments, d) >= 1)
        .count()
}

/// Judged documents in the top `k`, divided by how many were looked at
/// (`k`, or fewer when fewer were retrieved): the convention of ir_measures,
/// which defines this metric. Nothing retrieved scores 0.
pub fn judged(ranking: &[&str], judgments: &HashMap<String, i32>, k: usize) -> f64 {
    let top = &ranking[..ranking.len().min(k)];
    if top.is_empty() {
        return 0.0;
    }
    let found = top.iter().filter(|d| judgments.contains_key(**d)).count();
    found as f64 / top.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judgments(pairs: &[(&str, i32)]) -> HashMap<String, i32> {
        pairs.iter().map(|(d, g)| (d.to_string(), *g)).collect()
    }

    fn near(got: f64, want: f64) {
        assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
    }

    #[test]
    fn ndcg_by_hand() {
        // judged: a 2, b 1, c 0, d 1; e unjudged.
        // ranking e, a, c, b:
        //   DCG  = 0/log2 2 + 2/log2 3 + 0/log2 4 + 1/log2 5
        //        = 1.261859507 + 0.430676558 = 1.692536065
        //   IDCG = 2/log2 2 + 1/log2 3 + 1/log2 4
        //        = 2 + 0.630929754 + 0.5 = 3.130929754
        //   nDCG = 0.540587...
        let j = judgments(&[("a", 2), ("b", 1), ("c", 0), ("d", 1)]);
        let dcg = 2.0 / 3f64.log2() + 1.0 / 5f64.log2();
        let idcg = 2.0 + 1.0 / 3f64.log2() + 0.5;
        near(ndcg(&["e", "a", "c", "b"], &j, 10), dcg / idcg);
        near(ndcg(&["e", "a", "c", "b"], &j, 10), 0.540_585_767_945_010_2);
        // the ideal ranking scores 1, whatever follows it
        near(ndcg(&["a", "b", "d", "c", "e"], &j, 10), 1.0);
        // cut at 1: only e counts → 0
        near(ndcg(&["e", "a"], &j, 1), 0.0);
        // no relevant judgment at all → 0, not NaN
        near(ndcg(&["c"], &judgments(&[("c", 0)]), 10), 0.0);
    }

    #[test]
    fn ndcg_ideal_is_cut_at_k() {
        // three docs graded 1, k = 2: IDCG = 1 + 1/log2 3; ranking x, a:
        // DCG = 1/log2 3.
        let j = judgments(&[("a", 1), ("b", 1), ("c", 1)]);
        let idcg = 1.0 + 1.0 / 3f64.log2();
        near(ndcg(&["x", "a"], &j, 2), (1.0 / 3f64.log2()) / idcg);
    }

    #[test]
    fn recall_precision_rr_judged_by_hand() {
        let j = judgments(&[("a", 2), ("b", 1), ("c", 0), ("d", 1)]);
        let ranking = ["e", "a", "c", "b"];
        // 2 of 3 relevant found
        near(recall(&ranking, &j, 10), 2.0 / 3.0);
        near(recall(&ranking, &j, 1), 0.0);
        // first relevant at rank 2
        near(reciprocal_rank(&ranking, &j, 10), 0.5);
        near(reciprocal_rank(&ranking, &j, 1), 0.0);
        // 2 relevant over a cut-off of 10, though only 4 were retrieved
        near(precision(&ranking, &j, 10), 0.2);
        near(precision(&ranking, &j, 2), 0.5);
        // a, c, b judged; e not: 3 of the 4 retrieved, whatever k ≥ 4
        near(judged(&ranking, &j, 10), 0.75);
        near(judged(&ranking, &j, 2), 0.5);
        near(judged(&[], &j, 10), 0.0);
    }

    #[test]
    fn scores_and_means() {
        let j = judgments(&[("a", 1)]);
        let hit = Scores::of(&["a"], &j);
        let miss = Scores::of(&["b"], &j);
        assert_eq!(hit.values(), [1.0, 1.0, 1.0, 1.0, 0.1, 1.0]);
        assert_eq!(miss.values(), [0.0; 6]);
        let mean = Scores::mean([&hit, &miss]);
        assert_eq!(mean.values(), [0.5, 0.5, 0.5, 0.5, 0.05, 0.5]);
        assert_eq!(mean.get("mrr@10"), Some(0.5));
        assert_eq!(mean.get("map"), None);
        assert_eq!(Scores::mean([]), Scores::default());
    }
}
