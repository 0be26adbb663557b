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
                card.holder_kind
                    .iter()
                    .map(|k| k.as_str().to_string())
                    .collect(),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use corpus::{FeeStandard, HolderKind, ImplementationMode, IpcCode, PatentKind};

    fn card(modes: &[ImplementationMode], ipc: &[&str], kind: Option<HolderKind>) -> ListingCard {
        ListingCard {
            id: "x".into(),
            title: "t".into(),
            holder: None,
            holder_kind: kind,
            holder_kind_predicted: false,
            application_number: None,
            patent_kind: PatentKind::Invention,
            modes: modes.to_vec(),
            ipc: ipc.iter().map(|c| IpcCode::parse(c).unwrap()).collect(),
            ipc_predicted: false,
            fee: FeeStandard::negotiable(),
            fee_min: None,
            fee_max: None,
            announced: None,
            withdrawal_effective: None,
        }
    }

    #[test]
    fn counts_each_listing_once_per_value() {
        use ImplementationMode::*;
        let cards = [
            card(
                &[Transfer, OrdinaryLicence],
                &["G06F", "G06Q"],
                Some(HolderKind::University),
            ),
            card(&[Transfer], &["H04L"], None),
        ];
        let facets = Facets::count(&cards);
        assert_eq!(facets.modes["转让"], 2);
        assert_eq!(facets.modes["普通许可"], 1);
        // G06F and G06Q share section G and class G06: counted once each
        assert_eq!(facets.ipc_sections["G"], 1);
        assert_eq!(facets.ipc_classes["G06"], 1);
        assert_eq!(facets.ipc_sections["H"], 1);
        assert_eq!(facets.holder_kinds.len(), 1);
        assert_eq!(facets.holder_kinds["高校"], 1);
        assert_eq!(facets.patent_kinds["发明"], 2);
    }
}
