use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// One listing in a generation: what was indexed (hashes) and where its
/// vector is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DocEntry {
    pub id: String,
    /// sha256 (hex) of everything indexed about the listing.
    pub doc_hash: String,
    /// sha256 (hex) of the embedded passage.
    pub passage_hash: String,
    pub row: u32,
}

/// The listings of a generation, in id order, with lookups by id and row.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocTable {
    entries: Vec<DocEntry>,
    by_id: HashMap<String, usize>,
    by_row: HashMap<u32, usize>,
}

impl DocTable {
    const FILE: &'static str = "docs.json";

    pub(crate) fn new(mut entries: Vec<DocEntry>) -> Self {
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| (entry.id.clone(), i))
            .collect();
        let by_row = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| (entry.row, i))
            .collect();
        Self {
            entries,
            by_id,
            by_row,
        }
    }

    pub(crate) fn entries(&self) -> &[DocEntry] {
        &self.entries
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn get(&self, id: &str) -> Option<&DocEntry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    pub(crate) fn by_row(&self, row: u32) -> Option<&DocEntry> {
        self.by_row.get(&row).map(|&i| &self.entries[i])
    }

    pub(crate) fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(Self::FILE);
        let file = std::fs::File::open(&path).map_err(Error::io(&path))?;
        let entries: Vec<DocEntry> = serde_json::from_reader(std::io::BufReader::new(file))
            .map_err(|err| Error::Incompatible {
                path,
                reason: format!("unreadable document table: {err}"),
            })?;
        Ok(Self::new(entries))
    }

    pub(crate) fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join(Self::FILE);
        let file = std::fs::File::create(&path).map_err(Error::io(&path))?;
        let mut writer = std::io::BufWriter::new(file);
        serde_json::to_writer(&mut writer, &self.entries)?;
        std::io::Write::flush(&mut writer).map_err(Error::io(&path))
    }
}
