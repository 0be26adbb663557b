use crate::query_set::{for_lines, parse};
use crate::Result;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Graded relevance judgments, TREC style: per query, document → grade.
/// A grade of 1 or more is relevant (trec_eval's default level); 0 is
/// judged not relevant; a document without a line is unjudged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Qrels {
    by_query: BTreeMap<String, HashMap<String, i32>>,
}

impl Qrels {
    /// Reads `query_id iteration doc_id grade` lines (whitespace separated,
    /// the iteration column ignored, as trec_eval does).
    pub fn read(path: &Path) -> Result<Self> {
        let mut qrels = Qrels::default();
        for_lines(path, |line, text| {
            let fields: Vec<&str> = text.split_whitespace().collect();
            let [query, _, doc, grade] = fields[..] else {
                return Err(parse(
                    path,
                    line,
                    format!(
                        "expected 4 fields `query_id 0 doc_id grade`, found {}",
                        fields.len()
                    ),
                ));
            };
            let grade: i32 = grade
                .parse()
                .map_err(|_| parse(path, line, format!("grade `{grade}` is not an integer")))?;
            if !qrels.insert(query, doc, grade) {
                return Err(parse(
                    path,
                    line,
                    format!("document `{doc}` is judged twice for query `{query}`"),
                ));
            }
            Ok(())
        })?;
        Ok(qrels)
    }

    /// Adds a judgment; false when that pair was already judged.
    pub fn insert(&mut self, query: &str, doc: &str, grade: i32) -> bool {
        self.by_query
            .entry(query.to_string())
            .or_default()
            .insert(doc.to_string(), grade)
            .is_none()
    }

    /// The judged queries, in id order.
    pub fn queries(&self) -> impl Iterator<Item = &str> + '_ {
        self.by_query.keys().map(String::as_str)
    }

    /// The judgments of one query.
    pub fn judgments(&self, query: &str) -> Option<&HashMap<String, i32>> {
        self.by_query.get(query)
    }

    pub fn grade(&self, query: &str, doc: &str) -> Option<i32> {
        self.by_query.get(query)?.get(doc).copied()
    }

    /// How many documents are relevant (grade ≥ 1) for `query`.
    pub fn relevant(&self, query: &str) -> usize {
        self.by_query
            .get(query)
            .map_or(0, |docs| docs.values().filter(|&&g| g >= 1).count())
    }

    /// Judged queries none of whose documents is relevant: demands the
    /// corpus cannot serve.
    pub fn unanswerable(&self) -> impl Iterator<Item = &str> + '_ {
        self.queries().filter(|q| self.relevant(q) == 0)
    }

    pub fn len(&self) -> usize {
        self.by_query.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_query.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    use crate::testing::temp_file as file;

    #[test]
    fn reads_graded_judgments() {
        let f = file("q1 0 a 2\nq1 0 b 0\nq2 0 c 0\n\nq3 Q0 d 1\n");
        let qrels = Qrels::read(f.path()).unwrap();
        assert_eq!(qrels.len(), 3);
        assert_eq!(qrels.grade("q1", "a"), Some(2));
        assert_eq!(qrels.grade("q1", "z"), None);
        assert_eq!(qrels.relevant("q1"), 1);
        assert_eq!(qrels.relevant("q2"), 0);
        assert_eq!(qrels.unanswerable().collect::<Vec<_>>(), ["q2"]);
    }

    #[test]
    fn names_the_bad_line() {
        let f = file("q1 0 a 2\nq1 0 b\n");
        let err = Qrels::read(f.path()).unwrap_err().to_string();
        assert!(err.contains(":2: expected 4 fields"), "{err}");
        let f = file("q1 0 a high\n");
        let err = Qrels::read(f.path()).unwrap_err().to_string();
        assert!(err.contains(":1: grade `high` is not an integer"), "{err}");
        let f = file("q1 0 a 1\nq1 0 a 2\n");
        let err = Qrels::read(f.path()).unwrap_err().to_string();
        assert!(err.contains(":2: document `a` is judged twice"), "{err}");
    }
}
