//! Reading JSON-lines label files with errors that point at `file:line` and
//! the field to fix: these files are edited by hand, so "invalid type" alone
//! would leave the labeller searching.

use crate::{Error, Result};
use serde_json::{Map, Value};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// One non-blank line of a JSON-lines file, parsed as an object.
#[derive(Debug)]
pub(super) struct Record<'a> {
    path: &'a Path,
    /// 1-based.
    line: usize,
    fields: Map<String, Value>,
}

/// Reads every non-blank line of `path` as a JSON object and hands it to
/// `each`. A leading byte-order mark is ignored. Stops at the first error.
pub(super) fn for_each_record(
    path: &Path,
    mut each: impl FnMut(Record<'_>) -> Result<()>,
) -> Result<()> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = BufReader::new(File::open(path).map_err(io)?);
    let mut buf = Vec::new();
    let mut line = 0;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).map_err(io)? == 0 {
            return Ok(());
        }
        line += 1;
        let mut bytes: &[u8] = &buf;
        if line == 1 {
            bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let fields = match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(fields)) => fields,
            Ok(_) => return Err(parse_error(path, line, "not a JSON object".into())),
            Err(e) => return Err(parse_error(path, line, format!("invalid JSON: {e}"))),
        };
        each(Record { path, line, fields })?;
    }
}

fn parse_error(path: &Path, line: usize, message: String) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line,
        message,
    }
}

impl Record<'_> {
    /// 1-based line number, for messages that refer back to another line.
    pub(super) fn line(&self) -> usize {
        self.line
    }

    /// A parse error at this line about `field`.
    pub(super) fn error(&self, field: &str, message: impl std::fmt::Display) -> Error {
        parse_error(self.path, self.line, format!("field `{field}`: {message}"))
    }

    /// Fails on a field not in `known`, so a misspelt key is not silently
    /// read as missing.
    pub(super) fn deny_unknown(&self, known: &[&str]) -> Result<()> {
        match self.fields.keys().find(|k| !known.contains(&k.as_str())) {
            Some(key) => Err(self.error(
                key,
                format_args!("unknown field (expected one of {})", known.join(", ")),
            )),
            None => Ok(()),
        }
    }

    fn required(&self, field: &str) -> Result<&Value> {
        match self.fields.get(field) {
            None | Some(Value::Null) => Err(self.error(field, "missing")),
            Some(value) => Ok(value),
        }
    }

    /// A required string, trimmed; empty is an error.
    pub(super) fn string(&self, field: &str) -> Result<String> {
        match self.required(field)? {
            Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            Value::String(_) => Err(self.error(field, "empty")),
            other => Err(self.error(field, format_args!("expected a string, got {other}"))),
        }
    }

    /// An optional string, trimmed: missing, null and blank are all `None`.
    pub(super) fn optional_string(&self, field: &str) -> Result<Option<String>> {
        match self.fields.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(other) => Err(self.error(field, format_args!("expected a string, got {other}"))),
        }
    }

    /// A required array of strings (possibly empty).
    pub(super) fn strings(&self, field: &str) -> Result<Vec<String>> {
        let Value::Array(items) = self.required(field)? else {
            return Err(self.error(field, "expected an array of strings"));
        };
        items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(self.error(
                    field,
                    format_args!("expected an array of strings, found {other}"),
                )),
            })
            .collect()
    }

    /// A required non-negative integer.
    pub(super) fn unsigned(&self, field: &str) -> Result<u64> {
        let value = self.required(field)?;
        value.as_u64().ok_or_else(|| {
            self.error(
                field,
                format_args!("expected a non-negative integer, got {value}"),
            )
        })
    }
}
