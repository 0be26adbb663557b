//! Implementation modes from declared modes or free text.
//!
//! The corpus already maps the sources' phrasings into the closed set of
//! [`ImplementationMode`]s ([`corpus::parse_modes`]: `完全转让许可转让技术入股`
//! → 转让 + the three negotiated licences + 作价入股), and that mapping is
//! the one every listing is imported with. This reads through it, so the
//! classifier and the import can never disagree, and adds what a classifier
//! answer needs: a confidence, and the pieces that could not be read,
//! which flag the text for a person to look at.

use corpus::{parse_modes, ImplementationMode};
use serde::Serialize;
use std::collections::BTreeSet;

/// The implementation modes read from a text, and what could not be read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ModeReading {
    pub modes: BTreeSet<ImplementationMode>,
    /// Pieces of the text that matched no known phrasing, verbatim.
    pub unparsed: Vec<String>,
    /// The share of the text's letters that were read as modes: 1 when
    /// every piece mapped, 0 when nothing did (or there was no text).
    pub confidence: f32,
}

impl ModeReading {
    /// True when no mode was read: the classifier abstains.
    pub fn abstains(&self) -> bool {
        self.modes.is_empty()
    }

    /// True when some of the text could not be read and should be looked
    /// at, whether or not other parts gave modes.
    pub fn is_flagged(&self) -> bool {
        !self.unparsed.is_empty()
    }

    /// True when the text gave modes and nothing was left over.
    pub fn is_fully_parsed(&self) -> bool {
        !self.abstains() && !self.is_flagged()
    }
}

/// Reads a cooperation text (`技术转让,技术许可,委托开发`, `其他`) into modes.
pub fn read_modes(text: &str) -> ModeReading {
    let parse = parse_modes(text);
    let letters = count_letters(text);
    let unread: usize = parse.unrecognised.iter().map(|p| count_letters(p)).sum();
    let confidence = if parse.modes.is_empty() || letters == 0 {
        0.0
    } else {
        letters.saturating_sub(unread) as f32 / letters as f32
    };
    ModeReading {
        modes: parse.modes,
        unparsed: parse.unrecognised,
        confidence,
    }
}

/// Reads modes declared one by one (a platform's checkboxes, an export's
/// list): each is read as text, so canonical names (普通许可) and source
/// wordings (技术许可) both map, and one that maps to nothing is flagged.
pub fn read_declared_modes<'a>(declared: impl IntoIterator<Item = &'a str>) -> ModeReading {
    let joined: Vec<&str> = declared.into_iter().collect();
    read_modes(&joined.join("、"))
}

/// Letters and digits: separators and punctuation carry no meaning.
fn count_letters(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphanumeric()).count()
}
