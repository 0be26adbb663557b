use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What is wrong with one field of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub field: String,
    pub reason: String,
}

/// A record's fields while it is being mapped. Mapping takes fields out one
/// by one, so whatever is left at the end is exactly what the model has no
/// place for and goes to `attributes` verbatim. Problems and flags are
/// collected rather than returned early, so one pass reports everything wrong
/// with a record.
#[derive(Debug)]
pub(crate) struct Fields {
    map: Map<String, Value>,
    pub problems: Vec<Problem>,
    /// Set when some free text was kept verbatim because it could not be read.
    pub flagged: bool,
}

impl Fields {
    pub(crate) fn new(map: Map<String, Value>) -> Self {
        Self {
            map,
            problems: Vec::new(),
            flagged: false,
        }
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.map.get(key).is_some_and(|v| text(v).is_some())
    }

    /// Takes a field as text, verbatim. Null, empty and blank values count as
    /// absent, so that a CSV's empty cell and a JSON's missing key mean the
    /// same. Numbers are accepted as their decimal text; lists and objects are
    /// a problem.
    pub(crate) fn take(&mut self, key: &str) -> Option<String> {
        let value = self.map.remove(key)?;
        match value {
            Value::Array(_) | Value::Object(_) => {
                self.problem(key, "expected text, found a list or object");
                None
            }
            v => text(&v),
        }
    }

    /// Takes the first present of `keys`, with the key it came from; the
    /// others stay for `attributes`.
    pub(crate) fn take_first(&mut self, keys: &[&'static str]) -> Option<(&'static str, String)> {
        let key = keys.iter().copied().find(|k| self.has(k))?;
        self.take(key).map(|v| (key, v))
    }

    /// Takes a required field, trimmed; records a problem when it is absent.
    pub(crate) fn require(&mut self, key: &str) -> Option<String> {
        let value = self.take(key).map(|v| v.trim().to_string());
        if value.is_none() && !self.problems.iter().any(|p| p.field == key) {
            self.problem(key, "missing or empty");
        }
        value
    }

    /// Takes a list: a JSON array of texts, or one text split on `;`, `；`
    /// or `,` as exports join names.
    pub(crate) fn take_list(&mut self, key: &str) -> Vec<String> {
        let items: Vec<String> = match self.map.remove(key) {
            Some(Value::Array(items)) => items.iter().filter_map(text).collect(),
            Some(v) => text(&v)
                .map(|t| {
                    t.split([';', '；', ',', '，'])
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            None => Vec::new(),
        };
        items
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Puts a taken value back, so it ends in `attributes` after all.
    pub(crate) fn keep(&mut self, key: &str, value: String) {
        self.map.insert(key.to_string(), Value::String(value));
    }

    pub(crate) fn problem(&mut self, field: &str, reason: impl Into<String>) {
        self.problems.push(Problem {
            field: field.to_string(),
            reason: reason.into(),
        });
    }

    /// Keeps a validated value, or records why it failed under `field`.
    pub(crate) fn check<T>(&mut self, field: &str, result: crate::Result<T>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(field, reason(e));
                None
            }
        }
    }

    /// Everything not taken, as text.
    pub(crate) fn take_rest(&mut self) -> BTreeMap<String, String> {
        std::mem::take(&mut self.map)
            .into_iter()
            .filter_map(|(k, v)| {
                let t = match &v {
                    Value::Array(_) | Value::Object(_) => Some(v.to_string()),
                    other => text(other),
                };
                t.map(|t| (k, t))
            })
            .collect()
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A validator's own wording, without its field name: the rejection names
/// the source's field instead.
fn reason(e: crate::Error) -> String {
    match e {
        crate::Error::Invalid { reason, .. } => reason,
        other => other.to_string(),
    }
}
