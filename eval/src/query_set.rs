use crate::{Error, Qrels, Result};
use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;

/// One query of an evaluation set.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub id: String,
    pub text: String,
    /// The stored demand profile the query was taken from, when known: the
    /// push is evaluated on it.
    pub demand_id: Option<String>,
}

#[derive(Deserialize)]
struct QueryLine {
    query_id: Option<String>,
    text: Option<String>,
    demand_id: Option<String>,
}

#[derive(Deserialize)]
struct KnownItemLine {
    query_id: Option<String>,
    keyphrases: Option<Vec<String>>,
    target: Option<String>,
}

/// Reads a JSONL query file: one `{"query_id": …, "text": …}` per line
/// (other fields are ignored, blank lines skipped).
pub fn read_queries(path: &Path) -> Result<Vec<Query>> {
    let mut queries = Vec::new();
    let mut seen = HashSet::new();
    for_lines(path, |line, text| {
        let parsed: QueryLine = serde_json::from_str(text).map_err(|e| parse(path, line, e))?;
        let id = required(path, line, "query_id", parsed.query_id)?;
        let text = required(path, line, "text", parsed.text)?;
        if !seen.insert(id.clone()) {
            return Err(parse(path, line, format!("duplicate query_id `{id}`")));
        }
        queries.push(Query {
            id,
            text,
            demand_id: parsed.demand_id,
        });
        Ok(())
    })?;
    Ok(queries)
}

/// Reads a known-item file (`query_id`, `keyphrases`, `target`): each
/// query is its keyphrases joined by spaces, and its one relevant document
/// (grade 1) is the listing they were taken from.
pub fn read_known_items(path: &Path) -> Result<(Vec<Query>, Qrels)> {
    let mut queries = Vec::new();
    let mut qrels = Qrels::default();
    for_lines(path, |line, text| {
        let parsed: KnownItemLine = serde_json::from_str(text).map_err(|e| parse(path, line, e))?;
        let id = required(path, line, "query_id", parsed.query_id)?;
        let phrases = parsed
            .keyphrases
            .ok_or_else(|| parse(path, line, "missing field `keyphrases`"))?;
        let text = phrases.join(" ");
        if text.trim().is_empty() {
            return Err(parse(path, line, "field `keyphrases` is empty"));
        }
        let target = required(path, line, "target", parsed.target)?;
        if !qrels.insert(&id, &target, 1) {
            return Err(parse(path, line, format!("duplicate query_id `{id}`")));
        }
        queries.push(Query {
            id,
            text,
            demand_id: None,
        });
        Ok(())
    })?;
    Ok((queries, qrels))
}

/// Calls `each(line number, text)` for every non-blank line.
pub(crate) fn for_lines(
    path: &Path,
    mut each: impl FnMut(usize, &str) -> Result<()>,
) -> Result<()> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    for (i, line) in text.lines().enumerate() {
        let line_text = line.trim();
        if !line_text.is_empty() {
            each(i + 1, line_text)?;
        }
    }
    Ok(())
}

pub(crate) fn parse(path: &Path, line: usize, message: impl ToString) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line,
        message: message.to_string(),
    }
}

fn required(path: &Path, line: usize, field: &str, value: Option<String>) -> Result<String> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v),
        Some(_) => Err(parse(path, line, format!("field `{field}` is empty"))),
        None => Err(parse(path, line, format!("missing field `{field}`"))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    use crate::testing::temp_file as file;

    #[test]
    fn reads_queries_and_names_bad_lines() {
        let f = file("{\"query_id\":\"q1\",\"text\":\"蓝牙\",\"demand_id\":\"d\"}\n\n{\"query_id\":\"q2\",\"text\":\"电池\"}\n");
        let queries = read_queries(f.path()).unwrap();
        assert_eq!(queries.len(), 2);
        assert_eq!(queries[1].text, "电池");

        let f = file("{\"query_id\":\"q1\",\"text\":\"a\"}\n{\"query_id\":\"q2\"}\n");
        let err = read_queries(f.path()).unwrap_err().to_string();
        assert!(err.ends_with(":2: missing field `text`"), "{err}");

        let f =
            file("{\"query_id\":\"q1\",\"text\":\"a\"}\n{\"query_id\":\"q1\",\"text\":\"b\"}\n");
        let err = read_queries(f.path()).unwrap_err().to_string();
        assert!(err.contains(":2: duplicate query_id `q1`"), "{err}");

        let f = file("not json\n");
        let err = read_queries(f.path()).unwrap_err().to_string();
        assert!(err.contains(":1: "), "{err}");
    }

    #[test]
    fn known_items_become_queries_with_one_target() {
        let f =
            file("{\"query_id\":\"kp-1\",\"keyphrases\":[\"机械\",\"矿\"],\"target\":\"kpp-1\"}\n");
        let (queries, qrels) = read_known_items(f.path()).unwrap();
        assert_eq!(queries[0].text, "机械 矿");
        assert_eq!(qrels.grade("kp-1", "kpp-1"), Some(1));
        assert_eq!(qrels.relevant("kp-1"), 1);

        let f = file("{\"query_id\":\"kp-1\",\"keyphrases\":[],\"target\":\"kpp-1\"}\n");
        let err = read_known_items(f.path()).unwrap_err().to_string();
        assert!(err.contains(":1: field `keyphrases` is empty"), "{err}");
    }
}
