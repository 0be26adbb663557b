use super::line_reader::{Format, LineReader};
use crate::SourceKind;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::Path;

/// How many leading records are looked at. Enough to outvote a corrupted
/// first line, few enough to cost nothing on a large file.
const SAMPLE: usize = 20;

/// Tells a file's kind from the fields of its first records, never from its
/// name: exports get saved under any name. Each sampled record votes; the
/// kind with most votes wins, the earliest on a tie.
pub(crate) fn detect(path: &Path, format: Format) -> crate::Result<SourceKind> {
    let mut votes: Vec<(SourceKind, usize)> = Vec::new();
    let mut seen = BTreeSet::new();
    for record in LineReader::open(path, format)?.take(SAMPLE) {
        let Ok(fields) = record?.fields else {
            continue;
        };
        seen.extend(fields.keys().cloned());
        if let Some(kind) = classify(&fields) {
            match votes.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => votes.push((kind, 1)),
            }
        }
    }
    let best = votes
        .iter()
        .enumerate()
        .max_by_key(|(i, (_, n))| (*n, std::cmp::Reverse(*i)))
        .map(|(_, (k, _))| *k);
    best.ok_or_else(|| crate::Error::UnknownKind {
        path: path.to_path_buf(),
        reason: if seen.is_empty() {
            "no readable records".to_string()
        } else {
            let names: Vec<_> = seen.into_iter().take(12).collect();
            format!(
                "its fields ({}) match no platform export, demands or listings",
                names.join(", ")
            )
        },
    })
}

/// The kind one record's fields point to.
pub(crate) fn classify(fields: &Map<String, Value>) -> Option<SourceKind> {
    let has = |k: &str| fields.get(k).is_some_and(|v| !v.is_null());
    if has("申请号") || has("专利名称") {
        return Some(SourceKind::PlatformExport);
    }
    let demand_source = fields
        .get("source")
        .and_then(Value::as_str)
        .is_some_and(|s| s.ends_with("-demand"));
    if demand_source || has("budget_text") || (has("text") && !has("abstract")) {
        return Some(SourceKind::Demands);
    }
    if has("id") && has("title") && (has("abstract") || has("price_text") || has("holder")) {
        return Some(SourceKind::Listings);
    }
    None
}
