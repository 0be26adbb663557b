use crate::{Error, Qrels, Result, Run, Scores};
use serde::Serialize;
use std::collections::BTreeMap;

/// A run scored against qrels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Mean over the evaluated queries.
    pub mean: Scores,
    /// Queries with at least one relevant judgment; only these are scored.
    pub evaluated: usize,
    /// Judged queries without any relevant document: no ranking metric is
    /// defined for them, so they are skipped and counted here.
    pub skipped: usize,
    /// Evaluated queries that the run does not contain; they score 0.
    pub missing: usize,
    /// Queries of the run that the qrels do not judge; ignored.
    pub unjudged: usize,
    pub per_query: BTreeMap<String, Scores>,
}

/// Scores `run` against `qrels`. It is an error when no query of the qrels
/// has a relevant document, since every mean would then be undefined.
pub fn evaluate(run: &Run, qrels: &Qrels) -> Result<Evaluation> {
    let mut per_query = BTreeMap::new();
    let (mut skipped, mut missing) = (0, 0);
    for query in qrels.queries() {
        if qrels.relevant(query) == 0 {
            skipped += 1;
            continue;
        }
        let Some(judgments) = qrels.judgments(query) else {
            continue;
        };
        let ranking: Vec<&str> = match run.ranking(query) {
            Some(docs) => docs.iter().map(|d| d.doc.as_str()).collect(),
            None => {
                missing += 1;
                Vec::new()
            }
        };
        per_query.insert(query.to_string(), Scores::of(&ranking, judgments));
    }
    if per_query.is_empty() {
        return Err(Error::Mismatch(
            "no query of the qrels has a relevant document (grade >= 1)".into(),
        ));
    }
    let unjudged = run
        .queries()
        .filter(|q| qrels.judgments(q).is_none())
        .count();
    Ok(Evaluation {
        mean: Scores::mean(per_query.values()),
        evaluated: per_query.len(),
        skipped,
        missing,
        unjudged,
        per_query,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Retrieved;

    fn run(rows: &[(&str, &[(&str, f32)])]) -> Run {
        let mut run = Run::default();
        for (query, docs) in rows {
            let docs = docs
                .iter()
                .map(|(doc, score)| Retrieved {
                    doc: doc.to_string(),
                    score: *score,
                })
                .collect();
            run.insert(query, docs);
        }
        run
    }

    #[test]
    fn skips_unanswerable_and_zeroes_missing_queries() {
        let mut qrels = Qrels::default();
        qrels.insert("q1", "a", 1);
        qrels.insert("q2", "b", 0); // unanswerable
        qrels.insert("q3", "c", 2); // not in the run
        let run = run(&[
            ("q1", &[("x", 0.9), ("a", 0.8)]),
            ("q2", &[("b", 0.9)]),
            ("q9", &[("z", 0.9)]),
        ]);
        let eval = evaluate(&run, &qrels).unwrap();
        assert_eq!(
            (eval.evaluated, eval.skipped, eval.missing, eval.unjudged),
            (2, 1, 1, 1)
        );
        // q1: RR 1/2; q3: 0 → mean 1/4
        assert_eq!(eval.per_query["q1"].mrr10, 0.5);
        assert_eq!(eval.per_query["q3"], Scores::default());
        assert_eq!(eval.mean.mrr10, 0.25);
        assert!(!eval.per_query.contains_key("q2"));
    }

    #[test]
    fn ties_are_scored_in_trec_eval_order() {
        // a and r tie; trec_eval puts r (greater id) first, so RR = 1.
        let mut qrels = Qrels::default();
        qrels.insert("q1", "r", 1);
        let eval = evaluate(&run(&[("q1", &[("a", 0.5), ("r", 0.5)])]), &qrels).unwrap();
        assert_eq!(eval.mean.mrr10, 1.0);
    }

    #[test]
    fn nothing_to_evaluate_is_an_error() {
        let mut qrels = Qrels::default();
        qrels.insert("q1", "a", 0);
        let err = evaluate(&Run::default(), &qrels).unwrap_err();
        assert!(err.to_string().contains("no query of the qrels"), "{err}");
    }
}
