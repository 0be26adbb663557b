use indexer::{NearestHit, TextHit};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How BM25 and vector candidates become one ranking.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Fusion {
    /// Reciprocal-rank fusion: the sum of `1 / (k + rank)` over the lists a
    /// listing appears in. It reads ranks only, so BM25's unbounded scores
    /// and the compressed cosine range need no calibration; a larger `k`
    /// flattens the advantage of the very top ranks.
    Rrf { k: f32 },
    /// `w · cosine' + (1 − w) · bm25'`, where each signal is min-max
    /// normalised over its own candidate list and a listing missing from a
    /// list scores 0 there. `w = 0` is BM25 order, `w = 1` vector order.
    Convex { semantic_weight: f32 },
}

/// The k of the original RRF paper (Cormack et al. 2009).
pub const RRF_K: f32 = 60.0;

impl Default for Fusion {
    /// Convex with vector weight 0.3, chosen by measurement (see
    /// [`RankerConfig::fusion`](crate::RankerConfig::fusion)).
    fn default() -> Self {
        Fusion::Convex {
            semantic_weight: 0.3,
        }
    }
}

/// One signal's contribution to a fused hit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Signal {
    /// The raw score: BM25, or cosine similarity.
    pub score: f32,
    /// 1-based rank within that signal's candidates.
    pub rank: usize,
}

/// A listing after fusion, with what each signal said about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FusedHit {
    pub id: String,
    pub fused: f32,
    pub lexical: Option<Signal>,
    pub semantic: Option<Signal>,
}

impl Fusion {
    /// Fuses the two candidate lists (each best first) into one ranking,
    /// best first. Ties are broken by id so that runs are repeatable.
    pub fn fuse(&self, lexical: &[TextHit], semantic: &[NearestHit]) -> Vec<FusedHit> {
        let mut hits: Vec<FusedHit> = Vec::with_capacity(lexical.len() + semantic.len());
        let mut at: HashMap<&str, usize> = HashMap::new();
        for hit in lexical {
            at.insert(&hit.id, hits.len());
            hits.push(FusedHit {
                id: hit.id.clone(),
                fused: 0.0,
                lexical: Some(Signal {
                    score: hit.score,
                    rank: hit.rank,
                }),
                semantic: None,
            });
        }
        for hit in semantic {
            let signal = Signal {
                score: hit.cosine,
                rank: hit.rank,
            };
            match at.get(hit.id.as_str()) {
                Some(&i) => hits[i].semantic = Some(signal),
                None => hits.push(FusedHit {
                    id: hit.id.clone(),
                    fused: 0.0,
                    lexical: None,
                    semantic: Some(signal),
                }),
            }
        }
        match *self {
            Fusion::Rrf { k } => {
                let part = |s: Option<Signal>| s.map_or(0.0, |s| 1.0 / (k + s.rank as f32));
                for hit in &mut hits {
                    hit.fused = part(hit.lexical) + part(hit.semantic);
                }
            }
            Fusion::Convex { semantic_weight: w } => {
                let lex = MinMax::of(lexical.iter().map(|h| h.score));
                let sem = MinMax::of(semantic.iter().map(|h| h.cosine));
                for hit in &mut hits {
                    let l = hit.lexical.map_or(0.0, |s| lex.scale(s.score));
                    let s = hit.semantic.map_or(0.0, |s| sem.scale(s.score));
                    hit.fused = w * s + (1.0 - w) * l;
                }
            }
        }
        hits.sort_by(|a, b| b.fused.total_cmp(&a.fused).then_with(|| a.id.cmp(&b.id)));
        hits
    }
}

/// The range of one signal over its candidates.
#[derive(Debug, Clone, Copy)]
struct MinMax {
    min: f32,
    max: f32,
}

impl MinMax {
    fn of(scores: impl Iterator<Item = f32>) -> Self {
        scores.fold(
            MinMax {
                min: f32::INFINITY,
                max: f32::NEG_INFINITY,
            },
            |r, s| MinMax {
                min: r.min.min(s),
                max: r.max.max(s),
            },
        )
    }

    /// Maps the range onto [0, 1]. A list whose scores are all equal says
    /// nothing about order, only presence, so each of its members gets 1.
    fn scale(&self, score: f32) -> f32 {
        let span = self.max - self.min;
        if span > f32::EPSILON {
            (score - self.min) / span
        } else {
            1.0
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn text(ids: &[(&str, f32)]) -> Vec<TextHit> {
        ids.iter()
            .enumerate()
            .map(|(i, (id, score))| TextHit {
                id: id.to_string(),
                score: *score,
                rank: i + 1,
            })
            .collect()
    }

    fn near(ids: &[(&str, f32)]) -> Vec<NearestHit> {
        ids.iter()
            .enumerate()
            .map(|(i, (id, cosine))| NearestHit {
                id: id.to_string(),
                cosine: *cosine,
                rank: i + 1,
            })
            .collect()
    }

    fn order(hits: &[FusedHit]) -> Vec<(&str, f32)> {
        hits.iter().map(|h| (h.id.as_str(), h.fused)).collect()
    }

    fn close(got: &[(&str, f32)], want: &[(&str, f32)]) {
        assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g.0, w.0, "{got:?} vs {want:?}");
            assert!((g.1 - w.1).abs() < 1e-6, "{got:?} vs {want:?}");
        }
    }

    #[test]
    fn rrf_sums_reciprocal_ranks() {
        // lexical a, b, c; semantic c, d, a; k = 1
        // a = 1/2 + 1/4 = 0.75; b = 1/3; c = 1/4 + 1/2 = 0.75; d = 1/3
        // ties by id: a before c, b before d.
        let lexical = text(&[("a", 9.0), ("b", 5.0), ("c", 1.0)]);
        let semantic = near(&[("c", 0.9), ("d", 0.8), ("a", 0.7)]);
        let fused = Fusion::Rrf { k: 1.0 }.fuse(&lexical, &semantic);
        close(
            &order(&fused),
            &[("a", 0.75), ("c", 0.75), ("b", 1.0 / 3.0), ("d", 1.0 / 3.0)],
        );
        let a = &fused[0];
        assert_eq!(
            a.lexical,
            Some(Signal {
                score: 9.0,
                rank: 1
            })
        );
        assert_eq!(
            a.semantic,
            Some(Signal {
                score: 0.7,
                rank: 3
            })
        );
        assert_eq!(fused[3].lexical, None);
    }

    #[test]
    fn rrf_with_k_60() {
        // x: 1/61 + 1/62; y: 1/62; z: 1/61
        let lexical = text(&[("x", 3.0), ("y", 2.0)]);
        let semantic = near(&[("z", 0.9), ("x", 0.8)]);
        let fused = Fusion::Rrf { k: 60.0 }.fuse(&lexical, &semantic);
        close(
            &order(&fused),
            &[
                ("x", 1.0 / 61.0 + 1.0 / 62.0),
                ("z", 1.0 / 61.0),
                ("y", 1.0 / 62.0),
            ],
        );
    }

    #[test]
    fn convex_combines_min_max_normalised_scores() {
        // bm25 a 10, b 6, c 2 → 1, 0.5, 0
        // cosine c 0.9, a 0.8, d 0.5 → c 1, a 0.75, d 0
        // w = 0.3: a = 0.3·0.75 + 0.7·1 = 0.925; b = 0.7·0.5 = 0.35;
        //          c = 0.3·1 + 0 = 0.3; d = 0.
        let lexical = text(&[("a", 10.0), ("b", 6.0), ("c", 2.0)]);
        let semantic = near(&[("c", 0.9), ("a", 0.8), ("d", 0.5)]);
        let fused = Fusion::Convex {
            semantic_weight: 0.3,
        }
        .fuse(&lexical, &semantic);
        close(
            &order(&fused),
            &[("a", 0.925), ("b", 0.35), ("c", 0.3), ("d", 0.0)],
        );
    }

    #[test]
    fn convex_extremes_follow_one_signal() {
        let lexical = text(&[("a", 10.0), ("b", 6.0)]);
        let semantic = near(&[("b", 0.9), ("a", 0.8)]);
        let ids = |w: f32| -> Vec<String> {
            Fusion::Convex { semantic_weight: w }
                .fuse(&lexical, &semantic)
                .into_iter()
                .map(|h| h.id)
                .collect()
        };
        assert_eq!(ids(0.0), ["a", "b"]);
        assert_eq!(ids(1.0), ["b", "a"]);
    }

    #[test]
    fn one_sided_and_flat_lists() {
        // semantic empty; lexical all equal → each scales to 1.
        let lexical = text(&[("a", 2.0), ("b", 2.0)]);
        let fused = Fusion::Convex {
            semantic_weight: 0.5,
        }
        .fuse(&lexical, &[]);
        close(&order(&fused), &[("a", 0.5), ("b", 0.5)]);
        assert!(Fusion::default().fuse(&[], &[]).is_empty());
    }
}
