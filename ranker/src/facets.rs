use indexer::ListingCard;
use serde::Serialize;
use std::collections::BTreeMap;

/// Result counts per value, over every candidate of a search (after
/// filters, exclusions and folding), not only the page shown.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Facets {
    pub modes: BTreeMap<String, usize>,
    pub holder_kinds: BTreeMap<String, usize>,
    /// IPC section (`G`).
    pub ipc_sections: BTreeMap<String, usize>,
    /// IPC class (`G06`).
    pub ipc_classes: BTreeMap<String, usize>,
    pub patent_kinds: BTreeMap<String, usize>,
}

impl Facets {
    /// Counts each listing once per value it has (a listing under G06F and
    /// G06Q counts once for G06).
    pub fn count<'a>(cards: impl IntoIterator<Item = &'a ListingCard>) -> Self {
        let mut facets = Facets::default();
        let bump = |map: &mut BTreeMap<String, usize>, values: Vec<String>| {
            let mut values = values;
            values.sort();
            values.dedup();
            for value in values {
                *map.entry(value).or_default() += 1;
            }
        };
        for card in cards {
            bump(
                &mut facets.modes,
                card.modes.iter().map(|m| m.as_str().to_string()).collect(),
            );
            bump(
                &mut facets.holder_kinds,
                card.holder_kind.iter().map(|k| k.as_str().to_string()).collect(),
            );
            bump(
                &mut facets.ipc_sections,
                card.ipc.iter().map(|c| c.section().to_string()).collect(),
            );
            bump(
                &mut facets.ipc_classes,
                card.ipc
                    .iter()
                    .filter_map(|c| c.class().map(str::to_string))
                    .collect(),
            );
            bump(
                &mut facets.patent_kinds,
                vec![card.patent_kind.as_str().to_string()],
            );
        }
        facets
    }
}
