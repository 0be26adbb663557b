use crate::{Qrels, Run};
use serde::Serialize;

/// Whether a variant knows when to stay silent: what a push would send at
/// a score threshold, on demands the corpus can serve and on those it
/// cannot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PushCheck {
    /// A hit is pushed when its score is at least this.
    pub threshold: f32,
    /// At most this many hits are pushed per query.
    pub limit: usize,
    /// Answerable queries (at least one relevant judgment).
    pub answerable: usize,
    /// Hits pushed for answerable queries.
    pub pushed: usize,
    /// Share of those pushes that are relevant (grade ≥ 1); unjudged hits
    /// count as not relevant. 0 when nothing is pushed.
    pub precision: f64,
    /// Share of pushed hits that carry a judgment.
    pub judged: f64,
    /// Share of answerable queries that receive at least one push.
    pub served: f64,
    /// Unanswerable queries (every judged candidate graded 0).
    pub unanswerable: usize,
    /// Share of unanswerable queries that still receive a push: false
    /// alarms.
    pub false_alarms: f64,
    /// Threshold-free: the probability that an answerable query's top score
    /// exceeds an unanswerable one's (ties count half). 0.5 means the top
    /// score says nothing about whether the corpus can serve a demand.
    pub separation: f64,
}

/// The top scores and pushed candidates of one query.
struct Query<'a> {
    answerable: bool,
    /// The first `limit` hits: score, grade (None when unjudged).
    top: Vec<(f32, Option<i32>)>,
    _id: &'a str,
}

fn queries<'a>(run: &'a Run, qrels: &'a Qrels, limit: usize) -> Vec<Query<'a>> {
    qrels
        .queries()
        .map(|q| Query {
            answerable: qrels.relevant(q) > 0,
            top: run
                .ranking(q)
                .unwrap_or_default()
                .iter()
                .take(limit)
                .map(|hit| (hit.score, qrels.grade(q, &hit.doc)))
                .collect(),
            _id: q,
        })
        .collect()
}

impl PushCheck {
    /// What a push with this threshold and limit would send.
    pub fn at(run: &Run, qrels: &Qrels, limit: usize, threshold: f32) -> Self {
        Self::measure(&queries(run, qrels, limit), limit, threshold)
    }

    /// Chooses the lowest threshold whose pushes on the answerable queries
    /// reach `target` precision with at least `min_pushes` pushes, so that
    /// a push is "usually relevant" while as many demands as possible are
    /// served; when no threshold reaches it, nothing is pushed (threshold
    /// +∞). It is fitted on the same queries it reports, so on a small set
    /// the precision it shows is optimistic.
    pub fn calibrate(
        run: &Run,
        qrels: &Qrels,
        limit: usize,
        target: f64,
        min_pushes: usize,
    ) -> Self {
        let queries = queries(run, qrels, limit);
        let mut pushes: Vec<(f32, bool)> = queries
            .iter()
            .filter(|q| q.answerable)
            .flat_map(|q| q.top.iter().map(|&(s, g)| (s, g.unwrap_or(0) >= 1)))
            .collect();
        pushes.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut threshold = f32::INFINITY;
        let (mut sent, mut relevant) = (0usize, 0usize);
        let mut i = 0;
        while i < pushes.len() {
            // every push with the same score goes, or none does
            let score = pushes[i].0;
            while i < pushes.len() && pushes[i].0 == score {
                sent += 1;
                relevant += usize::from(pushes[i].1);
                i += 1;
            }
            if sent >= min_pushes && relevant as f64 >= target * sent as f64 {
                threshold = score;
            }
        }
        Self::measure(&queries, limit, threshold)
    }

    fn measure(queries: &[Query<'_>], limit: usize, threshold: f32) -> Self {
        let (mut answerable, mut unanswerable) = (0usize, 0usize);
        let (mut pushed, mut relevant, mut judged) = (0usize, 0usize, 0usize);
        let (mut served, mut alarms) = (0usize, 0usize);
        for q in queries {
            let sent: Vec<Option<i32>> = q
                .top
                .iter()
                .filter(|(s, _)| *s >= threshold)
                .map(|&(_, g)| g)
                .collect();
            if q.answerable {
                answerable += 1;
                pushed += sent.len();
                relevant += sent.iter().filter(|g| g.unwrap_or(0) >= 1).count();
                judged += sent.iter().filter(|g| g.is_some()).count();
                served += usize::from(!sent.is_empty());
            } else {
                unanswerable += 1;
                alarms += usize::from(!sent.is_empty());
            }
        }
        let share = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f64 / of as f64 };
        PushCheck {
            threshold,
            limit,
            answerable,
            pushed,
            precision: share(relevant, pushed),
            judged: share(judged, pushed),
            served: share(served, answerable),
            unanswerable,
            false_alarms: share(alarms, unanswerable),
            separation: separation(queries),
        }
    }
}

fn separation(queries: &[Query<'_>]) -> f64 {
    let top = |answerable: bool| -> Vec<f32> {
        queries
            .iter()
            .filter(|q| q.answerable == answerable)
            .map(|q| q.top.first().map_or(f32::NEG_INFINITY, |t| t.0))
            .collect()
    };
    let (yes, no) = (top(true), top(false));
    if yes.is_empty() || no.is_empty() {
        return 0.5;
    }
    let mut wins = 0.0;
    for a in &yes {
        for b in &no {
            wins += if a > b {
                1.0
            } else if a == b {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / (yes.len() * no.len()) as f64
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Retrieved;

    /// q1, q2 answerable; q3, q4 unanswerable.
    fn fixture() -> (Run, Qrels) {
        let mut qrels = Qrels::default();
        for (q, d, g) in [
            ("q1", "a", 2),
            ("q1", "b", 0),
            ("q2", "c", 1),
            ("q3", "e", 0),
            ("q4", "f", 0),
        ] {
            qrels.insert(q, d, g);
        }
        let mut run = Run::default();
        for (q, docs) in [
            ("q1", vec![("a", 0.9), ("b", 0.8), ("x", 0.7)]),
            ("q2", vec![("y", 0.6), ("c", 0.5)]),
            ("q3", vec![("e", 0.85)]),
            ("q4", vec![("f", 0.4)]),
        ] {
            let docs = docs
                .into_iter()
                .map(|(d, s)| Retrieved {
                    doc: d.into(),
                    score: s,
                })
                .collect();
            run.insert(q, docs);
        }
        (run, qrels)
    }

    #[test]
    fn a_fixed_threshold_by_hand() {
        let (run, qrels) = fixture();
        // threshold 0.75, limit 2: q1 pushes a (rel), b (judged 0); q2 none;
        // q3 pushes e → one false alarm of two; q4 none.
        let check = PushCheck::at(&run, &qrels, 2, 0.75);
        assert_eq!((check.answerable, check.pushed), (2, 2));
        assert_eq!(check.precision, 0.5);
        assert_eq!(check.judged, 1.0);
        assert_eq!(check.served, 0.5);
        assert_eq!(check.false_alarms, 0.5);
        // top scores: answerable 0.9, 0.6; unanswerable 0.85, 0.4
        // pairs won: (0.9>0.85) (0.9>0.4) (0.6>0.4) = 3 of 4
        assert_eq!(check.separation, 0.75);
    }

    #[test]
    fn calibration_takes_the_lowest_threshold_that_meets_the_target() {
        let (run, qrels) = fixture();
        // answerable pushes with limit 3, by score:
        // 0.9 rel (1/1), 0.8 not (1/2), 0.7 unjudged (1/3),
        // 0.6 not (1/4), 0.5 rel (2/5).
        // target 0.5: lowest meeting it is 0.8 (1/2).
        let check = PushCheck::calibrate(&run, &qrels, 3, 0.5, 1);
        assert_eq!(check.threshold, 0.8);
        assert_eq!(check.pushed, 2);
        // q3's 0.85 passes 0.8
        assert_eq!(check.false_alarms, 0.5);
        // target 0.4 reaches down to 0.5 (2/5 = 0.4)
        assert_eq!(PushCheck::calibrate(&run, &qrels, 3, 0.4, 1).threshold, 0.5);
        // needing 3 pushes at precision 1 is impossible: push nothing
        let silent = PushCheck::calibrate(&run, &qrels, 3, 1.0, 3);
        assert_eq!(silent.threshold, f32::INFINITY);
        assert_eq!((silent.pushed, silent.false_alarms), (0, 0.0));
    }
}
