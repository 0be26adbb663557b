//! Words that say nothing about what a listing is about.

use std::ops::Range;

/// Patent formulas that get no weight.
///
/// Nearly every abstract opens with 本发明公开了一种 and every claim says
/// 其特征在于 and 所述; as terms they would match the whole corpus and, in
/// a natural-language query, pull up listings for their phrasing rather
/// than their subject. The list comes from the most frequent spans of the
/// shared corpus's abstracts and titles, leaving out those that name a
/// subject (方法, 装置, 系统).
pub const BOILERPLATE: &[&str] = &[
    "本发明",
    "本实用新型",
    "本外观设计",
    "本申请",
    "本公开",
    "本项目",
    "本技术",
    "本产品",
    "公开了",
    "提供了",
    "提供一种",
    "涉及",
    "具体涉及",
    "属于",
    "所述",
    "一种",
    "其特征在于",
    "特征在于",
    "包括",
    "包含",
    "技术领域",
    "背景技术",
    "现有技术",
    "技术方案",
    "有益效果",
    "实施例",
    "权利要求",
    "其中",
    "以及",
    "及其",
    "基于",
    "用于",
    "上述",
    "优选",
    "解决了",
];

/// Single-char function words, never query terms: as terms they would
/// match nearly every listing, since every char is indexed on its own.
const STOPWORDS: &[char] = &[
    '的', '地', '得', '了', '着', '过', '和', '与', '及', '或', '等', '在', '是', '对', '为', '将',
    '被', '把', '由', '从', '向', '于', '以', '其', '该', '并', '而', '且', '也', '都', '所', '之',
    '中', '上', '下', '内', '有', '个', '这', '那', '此', '使', '可',
];

pub(crate) fn is_stopword(c: char) -> bool {
    STOPWORDS.contains(&c)
}

pub(crate) fn is_boilerplate(word: &str) -> bool {
    BOILERPLATE.contains(&word)
}

/// The char ranges of `chars` that are boilerplate.
///
/// A formula counts only where it starts and ends on a word boundary
/// (`boundary[i]`: a word starts or ends before char `i`), so that 一种
/// inside 统一|种植 or 本技术 inside 基本|技术 hides nothing.
pub(crate) fn spans(chars: &[char], boundary: &[bool]) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    for start in 0..chars.len() {
        if !boundary[start] {
            continue;
        }
        for formula in BOILERPLATE {
            let len = formula.chars().count();
            let end = start + len;
            if end <= chars.len()
                && boundary[end]
                && formula.chars().eq(chars[start..end].iter().copied())
            {
                found.push(start..end);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boundaries(words: &[&str]) -> (Vec<char>, Vec<bool>) {
        let chars: Vec<char> = words.concat().chars().collect();
        let mut boundary = vec![false; chars.len() + 1];
        let mut at = 0;
        boundary[0] = true;
        for w in words {
            at += w.chars().count();
            boundary[at] = true;
        }
        (chars, boundary)
    }

    #[test]
    fn finds_formulas_on_word_boundaries() {
        let (chars, boundary) = boundaries(&["其", "特征", "在于", "所述", "膜"]);
        let found = spans(&chars, &boundary);
        assert!(found.contains(&(0..5)), "{found:?}");
        assert!(found.contains(&(1..5)), "{found:?}");
        assert!(found.contains(&(5..7)), "{found:?}");
        assert!(!found.iter().any(|s| s.end > 7), "{found:?}");
    }

    #[test]
    fn ignores_formulas_across_words() {
        let (chars, boundary) = boundaries(&["统一", "种植"]);
        assert!(spans(&chars, &boundary).is_empty());
        let (chars, boundary) = boundaries(&["基本", "技术"]);
        assert!(spans(&chars, &boundary).is_empty());
    }
}
