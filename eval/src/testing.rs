//! Helpers for the unit tests.
#![allow(clippy::unwrap_used)]

/// A temporary file holding `text`, removed when dropped.
pub(crate) fn temp_file(text: &str) -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), text).unwrap();
    f
}
