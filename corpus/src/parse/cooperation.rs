use crate::ImplementationMode;
use std::collections::BTreeSet;

/// What [`parse_modes`] read from a cooperation text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModeParse {
    pub modes: BTreeSet<ImplementationMode>,
    /// Pieces of the text that matched no known phrasing, verbatim.
    pub unrecognised: Vec<String>,
}

/// Reads a cooperation text such as `完全转让许可转让技术入股` (转让 + 许可 +
/// 作价入股) or `技术转让,技术许可,委托开发` into implementation modes.
pub fn parse_modes(text: &str) -> ModeParse {
    todo!("H1: {text}")
}
