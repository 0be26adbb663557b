//! The shared IPC title set: CN publication titles with their true IPC
//! subclasses, a 5-fold split, and a published baseline's out-of-fold
//! predictions to compare against.

use super::jsonl::{for_each_record, Record};
use crate::Result;
use std::path::Path;

/// One labelled title of `classification/ipc_titles.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpcTitle {
    pub publication_number: String,
    pub title: String,
    /// The true subclasses (`ipc_subclasses`): at least one, no repeats.
    pub subclasses: Vec<String>,
    /// Cross-validation fold, 1 to 5.
    pub fold: u8,
    /// The published TF-IDF + linear SVM baseline's out-of-fold prediction
    /// (`baseline_predicted_subclasses`). An unordered set, stored
    /// alphabetically, so its order carries no rank; it may be empty.
    pub baseline: Vec<String>,
}

/// Folds are numbered 1 to `FOLDS`.
const FOLDS: u8 = 5;

/// Reads the IPC title set. Fails at the first malformed line, naming the
/// line and field; fields beyond the known ones are ignored.
pub fn read_ipc_titles(path: &Path) -> Result<Vec<IpcTitle>> {
    let mut titles = Vec::new();
    for_each_record(path, |record| {
        titles.push(ipc_title(&record)?);
        Ok(())
    })?;
    Ok(titles)
}

fn ipc_title(record: &Record<'_>) -> Result<IpcTitle> {
    let fold = record.unsigned("fold")?;
    let fold = u8::try_from(fold)
        .ok()
        .filter(|f| (1..=FOLDS).contains(f))
        .ok_or_else(|| record.error("fold", format_args!("{fold} is not in 1..={FOLDS}")))?;
    let subclasses = subclass_list(record, "ipc_subclasses")?;
    if subclasses.is_empty() {
        return Err(record.error("ipc_subclasses", "empty"));
    }
    Ok(IpcTitle {
        publication_number: record.string("publication_number")?,
        title: record.string("title")?,
        subclasses,
        fold,
        baseline: subclass_list(record, "baseline_predicted_subclasses")?,
    })
}

/// A list of subclass codes, each shaped like `G06F`, none repeated: a
/// repeat would count twice in micro-averaged scores.
fn subclass_list(record: &Record<'_>, field: &str) -> Result<Vec<String>> {
    let codes = record.strings(field)?;
    for (i, code) in codes.iter().enumerate() {
        if !is_subclass(code) {
            return Err(record.error(
                field,
                format_args!("`{code}` is not an IPC subclass (section A-H, two digits, uppercase letter, e.g. G06F)"),
            ));
        }
        if codes[..i].contains(code) {
            return Err(record.error(field, format_args!("`{code}` is repeated")));
        }
    }
    Ok(codes)
}

/// Section letter A–H, two-digit class, uppercase subclass letter.
fn is_subclass(code: &str) -> bool {
    matches!(
        code.as_bytes(),
        [b'A'..=b'H', b'0'..=b'9', b'0'..=b'9', b'A'..=b'Z']
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::Error;

    use crate::testing::temp_file as file;

    const GOOD: &str = r#"{"publication_number": "CN114081026A", "title": "驱鸟保护装置", "ipc_subclasses": ["A01M", "H02G"], "fold": 1, "baseline_predicted_subclasses": ["A01M", "H02J"]}"#;

    /// The line and message of the parse error reading `text`.
    fn parse_error(text: &str) -> (usize, String) {
        let f = file(text);
        match read_ipc_titles(f.path()) {
            Err(Error::Parse { line, message, .. }) => (line, message),
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn reads_fields_and_skips_blank_lines() {
        let no_baseline = GOOD
            .replace(r#"["A01M", "H02J"]"#, "[]")
            .replace(r#""fold": 1"#, r#""fold": 5"#);
        let f = file(&format!("\u{feff}{GOOD}\n\n{no_baseline}\n"));
        let titles = read_ipc_titles(f.path()).unwrap();
        assert_eq!(titles.len(), 2);
        assert_eq!(
            titles[0],
            IpcTitle {
                publication_number: "CN114081026A".into(),
                title: "驱鸟保护装置".into(),
                subclasses: vec!["A01M".into(), "H02G".into()],
                fold: 1,
                baseline: vec!["A01M".into(), "H02J".into()],
            }
        );
        assert_eq!(titles[1].fold, 5);
        assert!(titles[1].baseline.is_empty());
    }

    #[test]
    fn errors_name_line_and_field() {
        let cases = [
            (
                GOOD.replace(r#""fold": 1"#, r#""fold": 6"#),
                "`fold`",
                "6 is not in 1..=5",
            ),
            (
                GOOD.replace(r#""fold": 1"#, r#""fold": 0"#),
                "`fold`",
                "0 is not in 1..=5",
            ),
            (
                GOOD.replace(r#""fold": 1"#, r#""fold": "1""#),
                "`fold`",
                "integer",
            ),
            (
                GOOD.replace(r#"["A01M", "H02G"]"#, "[]"),
                "`ipc_subclasses`",
                "empty",
            ),
            (
                GOOD.replace(r#""H02G""#, r#""g06f""#),
                "`ipc_subclasses`",
                "`g06f` is not an IPC subclass",
            ),
            (
                GOOD.replace(r#""H02G""#, r#""Z06F""#),
                "`ipc_subclasses`",
                "`Z06F`",
            ),
            (
                GOOD.replace(r#""H02G""#, r#""G06F12""#),
                "`ipc_subclasses`",
                "`G06F12`",
            ),
            (
                GOOD.replace(r#""H02G""#, r#""A01M""#),
                "`ipc_subclasses`",
                "`A01M` is repeated",
            ),
            (
                GOOD.replace(r#""H02J""#, r#""H2J""#),
                "`baseline_predicted_subclasses`",
                "`H2J`",
            ),
            (
                GOOD.replace(r#""title": "驱鸟保护装置", "#, ""),
                "`title`",
                "missing",
            ),
        ];
        for (bad, field, detail) in cases {
            let (line, message) = parse_error(&format!("{GOOD}\n{GOOD}\n{bad}\n"));
            assert_eq!(line, 3, "{message}");
            assert!(message.contains(field), "{message}");
            assert!(message.contains(detail), "{message}");
        }
    }

    #[test]
    fn error_display_is_file_line() {
        let f = file(&format!("{GOOD}\nnot json\n"));
        let err = read_ipc_titles(f.path()).unwrap_err().to_string();
        let expected = format!("{}:2: invalid JSON", f.path().display());
        assert!(err.starts_with(&expected), "{err}");
    }

    #[test]
    fn missing_file_is_io_error() {
        let err = read_ipc_titles(Path::new("/nonexistent/ipc_titles.jsonl")).unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err:?}");
    }

    #[test]
    fn subclass_shape() {
        assert!(is_subclass("G06F"));
        assert!(is_subclass("H01L"));
        for bad in ["", "G06", "g06f", "I06F", "G6F", "G06FF", "G0AF", "Ｇ06F"] {
            assert!(!is_subclass(bad), "{bad}");
        }
    }
}
