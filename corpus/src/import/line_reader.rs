use serde_json::{Map, Value};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// How a source file encodes its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// One JSON object per line.
    Jsonl,
    /// A header row of field names, then one record per row.
    Csv,
}

impl Format {
    /// `.csv` files are CSV. Otherwise the content decides: exports saved
    /// under another extension are still CSV if no early line looks like JSON.
    pub(crate) fn of(path: &Path) -> crate::Result<Self> {
        let csv_ext = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if csv_ext {
            return Ok(Self::Csv);
        }
        let mut head = Vec::with_capacity(8192);
        File::open(path)
            .and_then(|f| f.take(8192).read_to_end(&mut head))
            .map_err(|source| io_error(path, source))?;
        let text = String::from_utf8_lossy(&head);
        let mut lines = text
            .lines()
            .map(|l| l.trim_start_matches('\u{feff}').trim())
            .filter(|l| !l.is_empty())
            .take(5)
            .peekable();
        let first_has_comma = lines.peek().is_some_and(|l| l.contains(','));
        let any_json = lines.any(|l| l.starts_with('{'));
        Ok(if first_has_comma && !any_json {
            Self::Csv
        } else {
            Self::Jsonl
        })
    }
}

/// One record as read, before mapping: its fields, or why it could not be read.
#[derive(Debug)]
pub(crate) struct RawRecord {
    /// 1-based line where the record starts.
    pub line: usize,
    /// Bytes of the file this record (and any blank lines before it) took.
    pub bytes: u64,
    /// The fields, or the reason the record is unreadable.
    pub fields: Result<Map<String, Value>, String>,
}

/// Reads a JSONL or CSV file record by record, keeping line numbers so that
/// rejections can point at the line to fix. A bad record is yielded as such;
/// only I/O failures end the iteration with an error.
#[derive(Debug)]
pub(crate) struct LineReader {
    path: PathBuf,
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Jsonl {
        reader: BufReader<File>,
        buf: Vec<u8>,
        line: usize,
    },
    Csv {
        reader: csv::Reader<File>,
        headers: Option<Vec<String>>,
        record: csv::ByteRecord,
        consumed: u64,
        done: bool,
    },
}

impl LineReader {
    pub(crate) fn open(path: &Path, format: Format) -> crate::Result<Self> {
        let file = File::open(path).map_err(|source| io_error(path, source))?;
        let inner = match format {
            Format::Jsonl => Inner::Jsonl {
                reader: BufReader::with_capacity(1 << 16, file),
                buf: Vec::new(),
                line: 0,
            },
            Format::Csv => Inner::Csv {
                reader: csv::ReaderBuilder::new()
                    .has_headers(true)
                    .from_reader(file),
                headers: None,
                record: csv::ByteRecord::new(),
                consumed: 0,
                done: false,
            },
        };
        Ok(Self {
            path: path.to_path_buf(),
            inner,
        })
    }

    fn next_jsonl(&mut self) -> Option<crate::Result<RawRecord>> {
        let Inner::Jsonl { reader, buf, line } = &mut self.inner else {
            return None;
        };
        let mut skipped = 0u64;
        loop {
            buf.clear();
            let n = match reader.read_until(b'\n', buf) {
                Ok(0) => return None,
                Ok(n) => n as u64,
                Err(source) => return Some(Err(io_error(&self.path, source))),
            };
            *line += 1;
            let mut bytes: &[u8] = buf;
            if *line == 1 {
                bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
            }
            if bytes.iter().all(u8::is_ascii_whitespace) {
                skipped += n;
                continue;
            }
            return Some(Ok(RawRecord {
                line: *line,
                bytes: skipped + n,
                fields: parse_json_object(bytes),
            }));
        }
    }

    fn next_csv(&mut self) -> Option<crate::Result<RawRecord>> {
        let Inner::Csv {
            reader,
            headers,
            record,
            consumed,
            done,
        } = &mut self.inner
        else {
            return None;
        };
        if *done {
            return None;
        }
        if headers.is_none() {
            match csv_headers(reader) {
                Ok(h) => *headers = Some(h),
                Err(e) => {
                    *done = true;
                    return csv_failure(&self.path, e, 1);
                }
            }
        }
        let names = headers.as_deref().unwrap_or_default();
        let result = reader.read_byte_record(record);
        let at = reader.position().byte();
        let bytes = at.saturating_sub(*consumed);
        *consumed = at;
        match result {
            Ok(false) => None,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line() as usize);
                Some(Ok(RawRecord {
                    line,
                    bytes,
                    fields: csv_object(names, record),
                }))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                csv_failure(&self.path, e, line).map(|r| {
                    r.map(|mut raw| {
                        raw.bytes = bytes;
                        raw
                    })
                })
            }
        }
    }
}

impl Iterator for LineReader {
    type Item = crate::Result<RawRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.inner {
            Inner::Jsonl { .. } => self.next_jsonl(),
            Inner::Csv { .. } => self.next_csv(),
        }
    }
}

fn parse_json_object(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!(
            "expected a JSON object, found {}",
            json_type(&other)
        )),
        Err(e) => Err(format!("invalid JSON: {e}")),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn csv_headers(reader: &mut csv::Reader<File>) -> Result<Vec<String>, csv::Error> {
    let raw = reader.byte_headers()?;
    let mut names = Vec::with_capacity(raw.len());
    for (i, name) in raw.iter().enumerate() {
        let name = if i == 0 {
            name.strip_prefix(b"\xef\xbb\xbf").unwrap_or(name)
        } else {
            name
        };
        names.push(String::from_utf8_lossy(name).trim().to_string());
    }
    Ok(names)
}

fn csv_object(names: &[String], record: &csv::ByteRecord) -> Result<Map<String, Value>, String> {
    let mut map = Map::with_capacity(names.len());
    for (name, cell) in names.iter().zip(record.iter()) {
        let text =
            std::str::from_utf8(cell).map_err(|_| format!("column {name:?} is not valid UTF-8"))?;
        map.insert(name.clone(), Value::String(text.to_string()));
    }
    Ok(map)
}

/// A CSV error is the record's problem unless it is an I/O failure.
fn csv_failure(path: &Path, e: csv::Error, line: usize) -> Option<crate::Result<RawRecord>> {
    let reason = match e.into_kind() {
        csv::ErrorKind::Io(source) => return Some(Err(io_error(path, source))),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("row has {len} fields, the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "row is not valid UTF-8".to_string(),
        other => format!("unreadable CSV row: {other:?}"),
    };
    Some(Ok(RawRecord {
        line,
        bytes: 0,
        fields: Err(reason),
    }))
}

pub(crate) fn io_error(path: &Path, source: std::io::Error) -> crate::Error {
    crate::Error::Io {
        path: path.to_path_buf(),
        source,
    }
}
