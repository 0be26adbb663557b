use crate::{FeeStandard, ImplementationMode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The public implementation declaration (公开实施声明, 办法 三（二）2): how the
/// patent may be implemented and at what price.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Declaration {
    pub modes: BTreeSet<ImplementationMode>,
    /// The source's own wording of the modes, verbatim.
    pub modes_text: Option<String>,
    /// Set when `modes_text` held wording that could not be mapped.
    pub modes_unparsed: bool,
    pub fee: FeeStandard,
    /// The day the declaration was announced on the platform.
    pub announced_on: Option<NaiveDate>,
}

impl Declaration {
    /// Sets the modes from the source's own wording, keeping the wording and
    /// noting whether any of it could not be read (see [`crate::parse_modes`]).
    pub fn set_modes_text(&mut self, text: String) {
        let parsed = crate::parse_modes(&text);
        self.modes = parsed.modes;
        self.modes_unparsed = !parsed.unrecognised.is_empty();
        self.modes_text = Some(text);
    }

    /// True when both declare the same terms: the same modes and the same
    /// payment method, price and royalty. The source's wording and the
    /// announcement date are not terms, so they do not count.
    pub fn same_terms(&self, other: &Declaration) -> bool {
        self.modes == other.modes
            && self.fee.method == other.fee.method
            && self.fee.amount == other.fee.amount
            && self.fee.royalty_percent == other.fee.royalty_percent
    }

    /// True when the source declared nothing about modes or fee, as for
    /// patents taken from publication data alone.
    pub fn is_undeclared(&self) -> bool {
        self.modes.is_empty() && self.modes_text.is_none() && self.fee == FeeStandard::default()
    }
}
