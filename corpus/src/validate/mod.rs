//! Identifier rules: each type can only hold a value that passed its check.

mod application_number;
mod credit_code;
mod ipc_code;
mod publication_number;

pub use application_number::ApplicationNumber;
pub use credit_code::CreditCode;
pub use ipc_code::IpcCode;
pub use publication_number::PublicationNumber;

/// Folds full-width ASCII forms (`ＣＮ２０２２`, `．`) and the ideographic
/// space to plain ASCII, because identifiers copied out of Chinese documents
/// often carry them and they mean the same characters.
pub(crate) fn to_halfwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::to_halfwidth;

    #[test]
    fn full_width_forms_fold_to_ascii() {
        assert_eq!(to_halfwidth("ＣＮ２０２．Ｘ\u{3000}a"), "CN202.X a");
        assert_eq!(to_halfwidth("许可，转让"), "许可,转让");
    }
}
