//! Folding text to the form that is segmented and indexed.

use std::ops::Range;

/// A text folded for matching, which still knows where each of its chars
/// came from in the original.
///
/// Folding never adds or drops a char, so a char index means the same in
/// both texts; only byte lengths change (a full-width `Ｐ` is three bytes,
/// its fold `p` one), which is why byte offsets are mapped char by char.
#[derive(Clone, Debug)]
pub(crate) struct Normalized {
    text: String,
    /// For each char, its byte offset in `text` and in the original, then
    /// a sentinel holding both lengths, so a char range maps to bytes with
    /// two lookups.
    marks: Vec<(usize, usize)>,
}

impl Normalized {
    pub(crate) fn new(original: &str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut marks = Vec::with_capacity(original.len() / 2 + 1);
        for (at, c) in original.char_indices() {
            marks.push((text.len(), at));
            text.push(fold(c));
        }
        marks.push((text.len(), original.len()));
        Normalized { text, marks }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The folded text of chars `chars`.
    pub(crate) fn slice(&self, chars: Range<usize>) -> &str {
        &self.text[self.marks[chars.start].0..self.marks[chars.end].0]
    }

    /// The bytes of the original text that chars `chars` came from.
    pub(crate) fn original(&self, chars: Range<usize>) -> Range<usize> {
        self.marks[chars.start].1..self.marks[chars.end].1
    }
}

/// Fold one char: full-width ASCII to ASCII (Chinese text mixes `ＬＥＤ`
/// and `LED` freely), the ideographic space to a space, then lowercase.
///
/// A char whose lowercase is several chars (`İ`) is left as it is, to keep
/// folding one char to one char.
pub(crate) fn fold(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_and_case() {
        let n = Normalized::new("ＰＭ２．５与LED\u{3000}Ｗｉ－Ｆｉ");
        assert_eq!(n.text(), "pm2.5与led wi-fi");
    }

    #[test]
    fn char_ranges_map_to_original_bytes() {
        let original = "测ＰＭ２．５值";
        let n = Normalized::new(original);
        assert_eq!(n.text().chars().count(), 7);
        assert_eq!(n.slice(1..6), "pm2.5");
        assert_eq!(&original[n.original(1..6)], "ＰＭ２．５");
        assert_eq!(&original[n.original(6..7)], "值");
        assert_eq!(&original[n.original(0..7)], original);
    }

    #[test]
    fn keeps_one_char_per_char() {
        // 'İ' lowercases to two chars; it must not shift later indices.
        let n = Normalized::new("İA");
        assert_eq!(n.text().chars().count(), 2);
        assert_eq!(n.slice(1..2), "a");
    }
}
