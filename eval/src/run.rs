use crate::query_set::{for_lines, parse};
use crate::{Error, Result};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

/// One retrieved document of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrieved {
    pub doc: String,
    pub score: f32,
}

/// A TREC run: per query, the retrieved documents in the order trec_eval
/// reads them — by score, highest first, and on equal scores by document
/// id in descending byte order. The rank column of a file is ignored, as
/// trec_eval ignores it, so a run scored here and one scored by trec_eval
/// or ir_measures mean the same ranking even where scores tie.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Run {
    by_query: BTreeMap<String, Vec<Retrieved>>,
}

impl Run {
    /// Sets the ranking of `query`, putting it in trec_eval order. A query
    /// that found nothing is left out, since a TREC file cannot tell it
    /// from one that was not run; either way it scores 0.
    pub fn insert(&mut self, query: &str, mut docs: Vec<Retrieved>) {
        if docs.is_empty() {
            self.by_query.remove(query);
            return;
        }
        docs.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| b.doc.cmp(&a.doc)));
        self.by_query.insert(query.to_string(), docs);
    }

    pub fn ranking(&self, query: &str) -> Option<&[Retrieved]> {
        self.by_query.get(query).map(Vec::as_slice)
    }

    pub fn queries(&self) -> impl Iterator<Item = &str> + '_ {
        self.by_query.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.by_query.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_query.is_empty()
    }

    /// Reads `query_id Q0 doc_id rank score tag` lines.
    pub fn read(path: &Path) -> Result<Self> {
        let mut raw: BTreeMap<String, Vec<Retrieved>> = BTreeMap::new();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        for_lines(path, |line, text| {
            let fields: Vec<&str> = text.split_whitespace().collect();
            let [query, _, doc, rank, score, _tag] = fields[..] else {
                return Err(parse(
                    path,
                    line,
                    format!(
                        "expected 6 fields `query_id Q0 doc_id rank score tag`, found {}",
                        fields.len()
                    ),
                ));
            };
            if rank.parse::<u64>().is_err() {
                return Err(parse(path, line, format!("rank `{rank}` is not a number")));
            }
            let score: f32 = score
                .parse()
                .ok()
                .filter(|s: &f32| s.is_finite())
                .ok_or_else(|| parse(path, line, format!("score `{score}` is not a number")))?;
            if !seen.insert((query.to_string(), doc.to_string())) {
                return Err(parse(
                    path,
                    line,
                    format!("document `{doc}` appears twice for query `{query}`"),
                ));
            }
            raw.entry(query.to_string()).or_default().push(Retrieved {
                doc: doc.to_string(),
                score,
            });
            Ok(())
        })?;
        let mut run = Run::default();
        for (query, docs) in raw {
            run.insert(&query, docs);
        }
        Ok(run)
    }

    /// The run as TREC text, ranks from 1, in trec_eval order. Scores are
    /// written in full (shortest exact form), so distinct scores stay
    /// distinct when read back.
    pub fn to_trec(&self, tag: &str) -> String {
        let mut out = String::new();
        for (query, docs) in &self.by_query {
            for (i, hit) in docs.iter().enumerate() {
                let _ = writeln!(out, "{query} Q0 {} {} {} {tag}", hit.doc, i + 1, hit.score);
            }
        }
        out
    }

    /// Writes the run to `path`, creating its directory.
    pub fn write(&self, path: &Path, tag: &str) -> Result<()> {
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        std::fs::write(path, self.to_trec(tag)).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn hit(doc: &str, score: f32) -> Retrieved {
        Retrieved {
            doc: doc.to_string(),
            score,
        }
    }

    fn docs(run: &Run, query: &str) -> Vec<String> {
        run.ranking(query)
            .unwrap()
            .iter()
            .map(|h| h.doc.clone())
            .collect()
    }

    #[test]
    fn orders_like_trec_eval() {
        let mut run = Run::default();
        run.insert(
            "q1",
            vec![hit("a", 0.5), hit("c", 0.9), hit("b", 0.5), hit("d", 0.1)],
        );
        // ties on 0.5: doc id descending, so b before a.
        assert_eq!(docs(&run, "q1"), ["c", "b", "a", "d"]);
    }

    #[test]
    fn round_trips_through_a_file_and_ignores_the_rank_column() {
        let mut run = Run::default();
        run.insert("q2", vec![hit("x", 1.0 / 3.0), hit("y", 0.333_333_3)]);
        run.insert("q1", vec![hit("z", 2.0)]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/run.trec");
        run.write(&path, "test").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("q1 Q0 z 1 2 test\n"), "{text}");
        assert_eq!(Run::read(&path).unwrap(), run);

        // a file whose rank column disagrees with its scores is read by score
        std::fs::write(&path, "q1 Q0 a 1 0.1 t\nq1 Q0 b 2 0.9 t\n").unwrap();
        assert_eq!(docs(&Run::read(&path).unwrap(), "q1"), ["b", "a"]);
    }

    #[test]
    fn names_the_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.trec");
        let cases = [
            ("q1 Q0 a 1 0.5\n", ":1: expected 6 fields"),
            (
                "q1 Q0 a 1 0.5 t\nq1 Q0 b x 0.4 t\n",
                ":2: rank `x` is not a number",
            ),
            ("q1 Q0 a 1 NaN t\n", ":1: score `NaN` is not a number"),
            (
                "q1 Q0 a 1 0.5 t\nq1 Q0 a 2 0.4 t\n",
                ":2: document `a` appears twice",
            ),
        ];
        for (text, want) in cases {
            std::fs::write(&path, text).unwrap();
            let err = Run::read(&path).unwrap_err().to_string();
            assert!(err.contains(want), "{err} should contain {want}");
        }
    }
}
