use crate::{Error, Evaluation, Result};
use serde::Serialize;

/// How one query's score changed from run A to run B.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryDelta {
    pub query: String,
    pub a: f64,
    pub b: f64,
    /// b − a.
    pub delta: f64,
}

/// The per-query change of `metric` between two evaluations of the same
/// qrels, biggest gain first, biggest loss last; ties by query id.
pub fn diff(a: &Evaluation, b: &Evaluation, metric: &str) -> Result<Vec<QueryDelta>> {
    let mut deltas = Vec::with_capacity(a.per_query.len());
    for (query, scores) in &a.per_query {
        let other = b.per_query.get(query).ok_or_else(|| {
            Error::Mismatch(format!(
                "query `{query}` is scored in run A but not in run B"
            ))
        })?;
        let metric_of = |s: &crate::Scores| {
            s.get(metric).ok_or_else(|| {
                Error::Mismatch(format!(
                    "unknown metric `{metric}` (expected one of {})",
                    crate::METRIC_NAMES.join(", ")
                ))
            })
        };
        let (va, vb) = (metric_of(scores)?, metric_of(other)?);
        deltas.push(QueryDelta {
            query: query.clone(),
            a: va,
            b: vb,
            delta: vb - va,
        });
    }
    deltas.sort_by(|x, y| {
        y.delta
            .total_cmp(&x.delta)
            .then_with(|| x.query.cmp(&y.query))
    });
    Ok(deltas)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{evaluate, Qrels, Retrieved, Run};

    fn run(rows: &[(&str, &[&str])]) -> Run {
        let mut run = Run::default();
        for (q, docs) in rows {
            let n = docs.len() as f32;
            run.insert(
                q,
                docs.iter()
                    .enumerate()
                    .map(|(i, d)| Retrieved {
                        doc: d.to_string(),
                        score: n - i as f32,
                    })
                    .collect(),
            );
        }
        run
    }

    #[test]
    fn orders_gains_before_losses() {
        let mut qrels = Qrels::default();
        for (q, d) in [("q1", "a"), ("q2", "b"), ("q3", "c")] {
            qrels.insert(q, d, 1);
        }
        let a = evaluate(
            &run(&[("q1", &["x", "a"]), ("q2", &["b"]), ("q3", &["c"])]),
            &qrels,
        )
        .unwrap();
        let b = evaluate(
            &run(&[("q1", &["a"]), ("q2", &["x", "y", "b"]), ("q3", &["c"])]),
            &qrels,
        )
        .unwrap();
        let d = diff(&a, &b, "mrr@10").unwrap();
        let rows: Vec<(&str, f64)> = d.iter().map(|d| (d.query.as_str(), d.delta)).collect();
        // q1: 1/2 → 1 (+0.5); q3: 1 → 1 (0); q2: 1 → 1/3 (−2/3)
        assert_eq!(rows[0], ("q1", 0.5));
        assert_eq!(rows[1], ("q3", 0.0));
        assert_eq!(rows[2].0, "q2");
        assert!((rows[2].1 + 2.0 / 3.0).abs() < 1e-12);
        assert!(diff(&a, &b, "map")
            .unwrap_err()
            .to_string()
            .contains("unknown metric `map`"));
    }
}
