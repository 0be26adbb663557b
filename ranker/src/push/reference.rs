use crate::{Fusion, Signal};

/// Where a listing would have stood among a profile's reference
/// candidates (its baseline's full-corpus lists), and the fused score that
/// gives it: each signal scaled as the search scales it, over the list with
/// the listing inserted.
///
/// With the reference taken from the same search, this reproduces the
/// search's own fusion; for a listing indexed later, it is the score it
/// would have had among the profile's best matches of that day.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reference<'a> {
    /// BM25 scores, best first.
    pub lexical: &'a [f32],
    /// Cosines, best first.
    pub semantic: &'a [f32],
    /// Candidates each list was drawn to: a shorter list held every match.
    pub depth: usize,
}

/// A listing scored against a reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Placed {
    pub fused: f32,
    pub lexical: Option<Signal>,
    pub semantic: Option<Signal>,
}

impl Reference<'_> {
    /// `bm25` is `None` when the listing matches no query term. `None`
    /// when the listing would have been a candidate of neither signal.
    pub fn place(&self, fusion: Fusion, bm25: Option<f32>, cosine: f32) -> Option<Placed> {
        let lexical = bm25.and_then(|s| place(self.lexical, self.depth, s));
        let semantic = place(self.semantic, self.depth, cosine);
        if lexical.is_none() && semantic.is_none() {
            return None;
        }
        let fused = match fusion {
            Fusion::Rrf { k } => {
                let part = |s: Option<Signal>| s.map_or(0.0, |s| 1.0 / (k + s.rank as f32));
                part(lexical) + part(semantic)
            }
            Fusion::Convex { semantic_weight: w } => {
                let l = lexical.map_or(0.0, |s| scale(self.lexical, s.score));
                let c = semantic.map_or(0.0, |s| scale(self.semantic, s.score));
                w * c + (1.0 - w) * l
            }
        };
        Some(Placed {
            fused,
            lexical,
            semantic,
        })
    }
}

/// The signal of `score` inserted into `list` (best first), or `None` when
/// it would fall below a full list's last candidate.
fn place(list: &[f32], depth: usize, score: f32) -> Option<Signal> {
    if list.len() >= depth && list.last().is_some_and(|&last| score < last) {
        return None;
    }
    Some(Signal {
        score,
        rank: list.partition_point(|&s| s > score) + 1,
    })
}

/// Min-max scaling over `list` with `score` inserted, as the search's
/// convex fusion scales a candidate list; a range of one value scales to 1.
fn scale(list: &[f32], score: f32) -> f32 {
    let min = list.iter().copied().fold(score, f32::min);
    let max = list.iter().copied().fold(score, f32::max);
    let span = max - min;
    if span > f32::EPSILON {
        (score - min) / span
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONVEX: Fusion = Fusion::Convex {
        semantic_weight: 0.3,
    };

    #[test]
    fn a_member_of_the_reference_gets_the_search_fusion_score() {
        let reference = Reference {
            lexical: &[10.0, 6.0, 2.0],
            semantic: &[0.9, 0.85, 0.8],
            depth: 3,
        };
        // BM25 6 scales to (6-2)/8 = 0.5, cosine 0.85 to 0.5:
        // 0.3·0.5 + 0.7·0.5 = 0.5.
        let placed = reference.place(CONVEX, Some(6.0), 0.85).unwrap();
        assert!((placed.fused - 0.5).abs() < 1e-6, "{placed:?}");
        assert_eq!(placed.lexical.unwrap().rank, 2);
        assert_eq!(placed.semantic.unwrap().rank, 2);
    }

    #[test]
    fn a_new_best_scales_to_one_and_ranks_first() {
        let reference = Reference {
            lexical: &[10.0, 6.0, 2.0],
            semantic: &[0.9, 0.85, 0.8],
            depth: 3,
        };
        let placed = reference.place(CONVEX, Some(25.0), 0.95).unwrap();
        assert!((placed.fused - 1.0).abs() < 1e-6);
        assert_eq!(placed.lexical.unwrap().rank, 1);
    }

    #[test]
    fn below_a_full_list_is_not_a_candidate_but_a_short_list_takes_all() {
        let full = Reference {
            lexical: &[10.0, 6.0],
            semantic: &[0.9, 0.85],
            depth: 2,
        };
        assert_eq!(full.place(CONVEX, Some(1.0), 0.5), None);
        let lexical_only = full.place(CONVEX, Some(8.0), 0.5).unwrap();
        assert_eq!(lexical_only.semantic, None);
        // (8-6)/4 = 0.5 of the lexical 0.7 share.
        assert!((lexical_only.fused - 0.35).abs() < 1e-6);
        // Fewer BM25 matches than the depth: every match was a candidate.
        let short = Reference {
            lexical: &[10.0],
            semantic: &[0.9, 0.85],
            depth: 2,
        };
        let weak = short.place(CONVEX, Some(1.0), 0.5).unwrap();
        assert_eq!(weak.lexical.unwrap().rank, 2);
        assert_eq!(weak.fused, 0.0, "the bottom of the range scales to 0");
    }

    #[test]
    fn rrf_reads_the_inserted_ranks() {
        let reference = Reference {
            lexical: &[10.0, 6.0],
            semantic: &[0.9, 0.85],
            depth: 2,
        };
        let placed = reference
            .place(Fusion::Rrf { k: 60.0 }, Some(7.0), 0.95)
            .unwrap();
        let expected = 1.0 / 62.0 + 1.0 / 61.0;
        assert!((placed.fused - expected).abs() < 1e-7);
    }
}
