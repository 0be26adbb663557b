//! IPC subclass scores: micro-averaged precision, recall and F1 over the
//! predicted sets, exact-set match, and top-1/top-3 accuracy over the
//! ranking.

use super::ipc_titles::IpcTitle;
use serde::Serialize;

/// One classifier's output for one title.
#[derive(Debug, Clone, PartialEq)]
pub struct IpcPrediction {
    /// Subclasses best first; top-k accuracy reads its head.
    pub ranked: Vec<String>,
    /// The predicted set (e.g. those above a threshold), scored by micro
    /// P/R/F1 and exact match. Repeats count once.
    pub chosen: Vec<String>,
    /// False when `ranked` is a set in arbitrary order: top-k is then the
    /// expectation over a random order, not a read of its first k.
    ordered: bool,
}

impl IpcPrediction {
    /// A ranked prediction with the set chosen from it.
    pub fn new(ranked: Vec<String>, chosen: Vec<String>) -> Self {
        Self {
            ranked,
            chosen,
            ordered: true,
        }
    }

    /// A bare set, such as the published baseline's (stored alphabetically,
    /// which is no ranking). Taking its first k would reward codes for
    /// sorting early, so its top-k is the expected accuracy of taking the set
    /// in random order.
    pub fn unranked(set: Vec<String>) -> Self {
        Self {
            ranked: set.clone(),
            chosen: set,
            ordered: false,
        }
    }

    /// This example's contribution to top-k accuracy, in [0, 1]: 1 when one
    /// of the first k ranked is true. Unranked, with n distinct predicted of
    /// which c are true, it is the chance that k drawn at random (k capped at
    /// n) include a true one: 1 − C(n−c, k)/C(n, k), and 0 when n = 0.
    fn top_k(&self, truth: &[String], k: usize) -> f64 {
        if self.ordered {
            let hit = self.ranked.iter().take(k).any(|code| truth.contains(code));
            return if hit { 1.0 } else { 0.0 };
        }
        let set = distinct(&self.ranked);
        let n = set.len();
        let c = set.iter().filter(|code| truth.contains(code)).count();
        let k = k.min(n);
        if n == 0 || c == 0 {
            return 0.0;
        }
        // C(n−c, k)/C(n, k) = Π_{i<k} (n−c−i)/(n−i): the chance that all k
        // draws miss; zero once a draw must hit (n − c < k).
        let all_miss: f64 = (0..k)
            .map(|i| (n - c).saturating_sub(i) as f64 / (n - i) as f64)
            .product();
        1.0 - all_miss
    }
}

/// IPC subclass scores over a set of examples. Shares are in [0, 1]; with
/// no examples (or nothing predicted, for precision) they are 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IpcScores {
    pub examples: usize,
    /// True positives over all chosen subclasses, summed over examples.
    pub micro_precision: f64,
    /// True positives over all true subclasses, summed over examples.
    pub micro_recall: f64,
    pub micro_f1: f64,
    /// Share of examples whose chosen set equals the true set.
    pub exact_match: f64,
    /// Share of examples whose first ranked subclass is true.
    pub top1: f64,
    /// Share of examples with a true subclass among the first three ranked.
    pub top3: f64,
}

/// Accumulates [`IpcScores`] one example at a time.
#[derive(Debug, Clone, Default)]
pub struct IpcScorer {
    examples: usize,
    true_positives: usize,
    predicted: usize,
    relevant: usize,
    exact: usize,
    /// Summed per-example contributions: fractional for unranked sets, so
    /// ranked and unranked predictions share one path.
    top1: f64,
    top3: f64,
}

impl IpcScorer {
    /// Adds one example: its true subclasses and the prediction.
    pub fn add(&mut self, truth: &[String], prediction: &IpcPrediction) {
        let relevant = distinct(truth).len();
        let chosen = distinct(&prediction.chosen);
        let hits = chosen.iter().filter(|code| truth.contains(code)).count();
        self.examples += 1;
        self.true_positives += hits;
        self.predicted += chosen.len();
        self.relevant += relevant;
        if hits == relevant && hits == chosen.len() {
            self.exact += 1;
        }
        self.top1 += prediction.top_k(truth, 1);
        self.top3 += prediction.top_k(truth, 3);
    }

    pub fn finish(&self) -> IpcScores {
        let precision = share(self.true_positives as f64, self.predicted);
        let recall = share(self.true_positives as f64, self.relevant);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        IpcScores {
            examples: self.examples,
            micro_precision: precision,
            micro_recall: recall,
            micro_f1: f1,
            exact_match: share(self.exact as f64, self.examples),
            top1: share(self.top1, self.examples),
            top3: share(self.top3, self.examples),
        }
    }
}

/// Scores the published baseline's out-of-fold predictions on the titles in
/// `folds` (as unranked sets; see [`IpcPrediction::unranked`]).
pub fn baseline_scores(titles: &[IpcTitle], folds: &[u8]) -> IpcScores {
    let mut scorer = IpcScorer::default();
    for title in titles.iter().filter(|t| folds.contains(&t.fold)) {
        scorer.add(
            &title.subclasses,
            &IpcPrediction::unranked(title.baseline.clone()),
        );
    }
    scorer.finish()
}

fn share(part: f64, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part / whole as f64
    }
}

/// The codes without repeats, first occurrence kept.
fn distinct(codes: &[String]) -> Vec<&String> {
    let mut seen: Vec<&String> = Vec::with_capacity(codes.len());
    for code in codes {
        if !seen.contains(&code) {
            seen.push(code);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn codes(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn micro_scores_by_hand() {
        // 1: truth {A01B, B02C}, chosen {A01B}          → tp 1, predicted 1, true 2
        // 2: truth {C07D},       chosen {C07D, C08L}    → tp 1, predicted 2, true 1
        // 3: truth {G06F},       chosen {G06F}          → tp 1, predicted 1, true 1 (exact)
        // precision = 3/4, recall = 3/4, F1 = 2·(3/4)(3/4)/(3/2) = 3/4.
        // Ranked: 1 → [B02C, A01B] top1 hit; 2 → [C08L, H01L, C07D] top1
        // miss, top3 hit; 3 → [H04L, A61K, C12N, G06F] top1 and top3 miss.
        // top1 = 1/3, top3 = 2/3, exact = 1/3.
        let mut scorer = IpcScorer::default();
        scorer.add(
            &codes(&["A01B", "B02C"]),
            &IpcPrediction::new(codes(&["B02C", "A01B"]), codes(&["A01B"])),
        );
        scorer.add(
            &codes(&["C07D"]),
            &IpcPrediction::new(codes(&["C08L", "H01L", "C07D"]), codes(&["C07D", "C08L"])),
        );
        scorer.add(
            &codes(&["G06F"]),
            &IpcPrediction::new(codes(&["H04L", "A61K", "C12N", "G06F"]), codes(&["G06F"])),
        );
        let s = scorer.finish();
        assert_eq!(s.examples, 3);
        assert!(close(s.micro_precision, 0.75));
        assert!(close(s.micro_recall, 0.75));
        assert!(close(s.micro_f1, 0.75));
        assert!(close(s.exact_match, 1.0 / 3.0));
        assert!(close(s.top1, 1.0 / 3.0));
        assert!(close(s.top3, 2.0 / 3.0));
    }

    #[test]
    fn unequal_precision_and_recall() {
        // truth {A, B, C}, chosen {A, D}: tp 1; P = 1/2, R = 1/3,
        // F1 = 2·(1/2)(1/3)/(5/6) = (1/3)/(5/6) = 2/5.
        let mut scorer = IpcScorer::default();
        scorer.add(
            &codes(&["A01B", "B02C", "C07D"]),
            &IpcPrediction::new(codes(&["A01B", "D01F"]), codes(&["A01B", "D01F"])),
        );
        let s = scorer.finish();
        assert!(close(s.micro_precision, 0.5));
        assert!(close(s.micro_recall, 1.0 / 3.0));
        assert!(close(s.micro_f1, 0.4));
        assert!(close(s.exact_match, 0.0));
    }

    #[test]
    fn unranked_top_k_formula() {
        let truth = codes(&["B02C"]);
        // n = 3, c = 1: k = 1 → 1 − C(2,1)/C(3,1) = 1 − 2/3 = 1/3;
        // k = 2 → 1 − C(2,2)/C(3,2) = 1 − 1/3 = 2/3; k = 3 → 1.
        let p = IpcPrediction::unranked(codes(&["A01B", "B02C", "C07D"]));
        assert!(close(p.top_k(&truth, 1), 1.0 / 3.0));
        assert!(close(p.top_k(&truth, 2), 2.0 / 3.0));
        assert!(close(p.top_k(&truth, 3), 1.0));
        // n = 4, c = 2, k = 1 → 1/2; k = 3 → 1 − C(2,3)/C(4,3) = 1.
        let truth = codes(&["A01B", "C07D"]);
        let p = IpcPrediction::unranked(codes(&["A01B", "B02C", "C07D", "D01F"]));
        assert!(close(p.top_k(&truth, 1), 0.5));
        assert!(close(p.top_k(&truth, 2), 1.0 - 1.0 / 6.0));
        assert!(close(p.top_k(&truth, 3), 1.0));
        // k is capped at n: n = 2, c = 1, k = 3 → 1 − C(1,2)/C(2,2) = 1.
        let p = IpcPrediction::unranked(codes(&["A01B", "B02C"]));
        assert!(close(p.top_k(&codes(&["B02C"]), 3), 1.0));
        // Nothing predicted, or nothing true: 0.
        assert_eq!(IpcPrediction::unranked(vec![]).top_k(&truth, 1), 0.0);
        let p = IpcPrediction::unranked(codes(&["H01L", "H02J"]));
        assert_eq!(p.top_k(&truth, 3), 0.0);
    }

    #[test]
    fn unranked_ignores_order_ranked_does_not() {
        let truth = codes(&["C07D"]);
        let set = codes(&["A01B", "B02C", "C07D"]);
        let mut a = IpcScorer::default();
        a.add(&truth, &IpcPrediction::unranked(set.clone()));
        let mut b = IpcScorer::default();
        b.add(
            &truth,
            &IpcPrediction::unranked(set.iter().rev().cloned().collect()),
        );
        assert_eq!(a.finish(), b.finish());
        assert!(close(a.finish().top1, 1.0 / 3.0));

        let mut ranked = IpcScorer::default();
        ranked.add(&truth, &IpcPrediction::new(set.clone(), set));
        assert_eq!(ranked.finish().top1, 0.0);
        assert_eq!(ranked.finish().top3, 1.0);
    }

    #[test]
    fn fractional_contributions_accumulate() {
        // Example 1 contributes 1/3 to top-1 (n = 3, c = 1), example 2 a
        // ranked hit (1): top1 = (1/3 + 1)/2 = 2/3.
        let mut scorer = IpcScorer::default();
        scorer.add(
            &codes(&["B02C"]),
            &IpcPrediction::unranked(codes(&["A01B", "B02C", "C07D"])),
        );
        scorer.add(
            &codes(&["G06F"]),
            &IpcPrediction::new(codes(&["G06F"]), codes(&["G06F"])),
        );
        assert!(close(scorer.finish().top1, 2.0 / 3.0));
    }

    #[test]
    fn repeats_count_once() {
        let mut scorer = IpcScorer::default();
        scorer.add(
            &codes(&["A01B", "A01B"]),
            &IpcPrediction::unranked(codes(&["A01B", "A01B"])),
        );
        let s = scorer.finish();
        assert_eq!(
            (s.micro_precision, s.micro_recall, s.exact_match),
            (1.0, 1.0, 1.0)
        );
        assert_eq!(s.top1, 1.0);
    }

    #[test]
    fn empty_is_zero_not_nan() {
        let s = IpcScorer::default().finish();
        assert_eq!(s.examples, 0);
        assert_eq!(s.micro_f1, 0.0);
        assert_eq!(s.top3, 0.0);
        let mut abstains = IpcScorer::default();
        abstains.add(&codes(&["A01B"]), &IpcPrediction::unranked(vec![]));
        let s = abstains.finish();
        assert_eq!(
            (s.micro_precision, s.micro_recall, s.micro_f1),
            (0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn baseline_scores_filters_folds() {
        let title = |fold: u8, truth: &[&str], baseline: &[&str]| IpcTitle {
            publication_number: format!("CN{fold}"),
            title: "t".into(),
            subclasses: codes(truth),
            fold,
            baseline: codes(baseline),
        };
        let titles = [
            title(1, &["A01B"], &["A01B"]),
            title(2, &["A01B"], &["B02C"]),
            title(2, &["A01B"], &["A01B", "B02C"]),
        ];
        let fold1 = baseline_scores(&titles, &[1]);
        assert_eq!(fold1.examples, 1);
        assert_eq!(fold1.micro_f1, 1.0);
        // Fold 2: tp 1, predicted 3, true 2 → P 1/3, R 1/2, F1 0.4;
        // top1 = (0 + 1/2)/2 = 1/4.
        let fold2 = baseline_scores(&titles, &[2]);
        assert_eq!(fold2.examples, 2);
        assert!(close(fold2.micro_precision, 1.0 / 3.0));
        assert!(close(fold2.micro_recall, 0.5));
        assert!(close(fold2.micro_f1, 0.4));
        assert!(close(fold2.top1, 0.25));
        assert_eq!(baseline_scores(&titles, &[1, 2]).examples, 3);
        assert_eq!(baseline_scores(&titles, &[]).examples, 0);
    }

    #[test]
    fn serializes_field_names() {
        let json = serde_json::to_value(IpcScorer::default().finish()).unwrap();
        for key in [
            "examples",
            "micro_precision",
            "micro_recall",
            "micro_f1",
            "exact_match",
            "top1",
            "top3",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
    }
}
