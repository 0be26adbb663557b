//! Cutting Chinese patent text into the terms that are indexed and searched.

use super::boilerplate::{self, is_boilerplate, is_stopword};
use super::normalize::{fold, Normalized};
use crate::{Error, Result};
use jieba_rs::Jieba;
use std::cmp::Reverse;
use std::collections::HashMap;
use std::io::BufRead;
use std::ops::Range;
use std::sync::{Arc, OnceLock};
use tantivy::tokenizer::Token;

/// Cuts text into terms for the index and for queries, the same way for
/// both, so that whatever a query is cut into can be found in a listing.
///
/// A text yields, each at the char index of its first char:
///
/// - the words of jieba's default mode, which carry the most meaning;
/// - the 2- and 3-char dictionary words inside longer words (jieba's search
///   mode: 农业 and 银行 in 农业发展银行, 处理 in 待处理), so a query need
///   not be cut the way the listing was;
/// - every Chinese char on its own, so a quoted phrase can be matched as a
///   run of chars whatever the words around it were cut into;
/// - every run of letters and digits (5G, PM2.5, IP67, Wi-Fi) whole, and
///   its parts when it has connectors (4G/5G also as 4g and 5g).
///
/// Positions are char indices, not word counts: with overlapping words a
/// word count means nothing, while char indices let a phrase's chars line
/// up with a listing's whatever the segmentation.
#[derive(Clone, Debug)]
pub struct Segmenter {
    jieba: Arc<Jieba>,
}

/// One term of a text, in chars.
#[derive(Clone, Copy, Debug)]
struct Piece {
    start: usize,
    len: usize,
    /// Worth searching for on its own in a natural-language query.
    term: bool,
    /// One link of the chain a quoted phrase is matched as.
    phrase: bool,
}

impl Piece {
    fn chars(&self) -> Range<usize> {
        self.start..self.start + self.len
    }
}

impl Default for Segmenter {
    fn default() -> Self {
        Self::new()
    }
}

impl Segmenter {
    /// A segmenter with jieba's own dictionary.
    ///
    /// The dictionary is parsed once per process and shared: it takes
    /// longer to load than most queries take to run.
    pub fn new() -> Self {
        Segmenter {
            jieba: default_jieba().clone(),
        }
    }

    /// A segmenter whose dictionary adds the words of `dict`, one per line
    /// as `word [freq] [tag]` (jieba's user dictionary format); blank lines
    /// and lines starting with `#` are skipped.
    ///
    /// A word without a frequency gets one just high enough for jieba to
    /// keep it whole, which is what listing a word usually means; jieba's
    /// own loader would give it 0, and a word of frequency 0 is never cut.
    /// Words are folded like the text they will be matched in; only their
    /// Chinese chars matter, since letters and digits never reach jieba.
    pub fn with_user_dict(dict: impl BufRead) -> Result<Self> {
        let mut jieba = Jieba::clone(default_jieba());
        for (index, line) in dict.lines().enumerate() {
            let line_no = index + 1;
            let bad = |reason: String| Error::Dictionary {
                line: line_no,
                reason,
            };
            let line = line.map_err(|e| bad(format!("cannot be read: {e}")))?;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (word, freq, tag) = parse_entry(line).map_err(bad)?;
            let word: String = word.chars().map(fold).collect();
            jieba.add_word(&word, freq, tag);
        }
        Ok(Segmenter {
            jieba: Arc::new(jieba),
        })
    }

    /// The tokens [`JiebaTokenizer`](super::JiebaTokenizer) emits for
    /// `text`: folded terms, offsets into `text` itself, positions in chars,
    /// sorted by position and longest first, with no whitespace or
    /// punctuation and no boilerplate words.
    pub fn index_tokens(&self, text: &str) -> Vec<Token> {
        let norm = Normalized::new(text);
        self.pieces(&norm)
            .into_iter()
            .map(|piece| {
                let bytes = norm.original(piece.chars());
                Token {
                    offset_from: bytes.start,
                    offset_to: bytes.end,
                    position: piece.start,
                    text: norm.slice(piece.chars()).to_string(),
                    position_length: 1,
                }
            })
            .collect()
    }

    /// The distinct terms of a natural-language query, in first-seen order:
    /// its words, the dictionary words inside them and its letter-digit
    /// runs, without boilerplate or single-char function words.
    pub fn query_terms(&self, text: &str) -> Vec<String> {
        self.counted_query_terms(text)
            .into_iter()
            .map(|(term, _)| term)
            .collect()
    }

    /// As [`query_terms`](Self::query_terms), each with how often the query
    /// uses it: a long demand statement repeats what it is about.
    pub fn counted_query_terms(&self, text: &str) -> Vec<(String, usize)> {
        let norm = Normalized::new(text);
        let mut at: HashMap<&str, usize> = HashMap::new();
        let mut terms: Vec<(String, usize)> = Vec::new();
        for piece in self.pieces(&norm).into_iter().filter(|piece| piece.term) {
            let term = norm.slice(piece.chars());
            match at.get(term) {
                Some(&i) => terms[i].1 += 1,
                None => {
                    at.insert(term, terms.len());
                    terms.push((term.to_string(), 1));
                }
            }
        }
        terms
    }

    /// The terms a quoted phrase must be found as, each with its position
    /// relative to the first (for `PhraseQuery::new_with_offset`): every
    /// Chinese char and every whole letter-digit run, so the phrase matches
    /// exactly where the listing has it as a substring (after folding),
    /// however either side was cut into words.
    pub fn phrase_terms(&self, text: &str) -> Vec<(usize, String)> {
        let norm = Normalized::new(text);
        let pieces: Vec<Piece> = self
            .pieces(&norm)
            .into_iter()
            .filter(|p| p.phrase)
            .collect();
        let Some(first) = pieces.first().map(|p| p.start) else {
            return Vec::new();
        };
        pieces
            .iter()
            .map(|p| (p.start - first, norm.slice(p.chars()).to_string()))
            .collect()
    }

    /// All pieces of `norm`, sorted by start then longest first, one per
    /// char range.
    fn pieces(&self, norm: &Normalized) -> Vec<Piece> {
        let chars: Vec<char> = norm.text().chars().collect();
        let mut pieces = Vec::with_capacity(chars.len() * 2);
        let mut at = 0;
        while at < chars.len() {
            let c = chars[at];
            let end = if is_cjk(c) {
                let end = at + chars[at..].iter().take_while(|c| is_cjk(**c)).count();
                self.cjk_pieces(norm, &chars, at..end, &mut pieces);
                end
            } else if is_word_char(c) {
                let end = latin_end(&chars, at);
                latin_pieces(&chars, at..end, &mut pieces);
                end
            } else {
                at + 1
            };
            at = end;
        }
        pieces.sort_by_key(|p| (p.start, Reverse(p.len)));
        pieces.dedup_by(|later, kept| {
            let same = later.start == kept.start && later.len == kept.len;
            if same {
                kept.term |= later.term;
                kept.phrase |= later.phrase;
            }
            same
        });
        pieces
    }

    /// The pieces of a run of Chinese chars.
    fn cjk_pieces(
        &self,
        norm: &Normalized,
        chars: &[char],
        run: Range<usize>,
        pieces: &mut Vec<Piece>,
    ) {
        let base = run.start;
        let words = self.jieba.cut(norm.slice(run.clone()), true);
        let mut boundary = vec![false; run.len() + 1];
        for word in &words {
            boundary[word.start] = true;
            boundary[word.end] = true;
        }
        let spans = boilerplate::spans(&chars[run.clone()], &boundary);
        let hidden =
            |start: usize, end: usize| spans.iter().any(|s| s.start <= start && end <= s.end);

        for word in &words {
            let (start, end) = (word.start, word.end);
            if hidden(start, end) || is_boilerplate(word.word) {
                continue;
            }
            let len = end - start;
            if len == 1 {
                // Indexed as a char below; here it only earns term rank.
                if !is_stopword(chars[base + start]) {
                    pieces.push(Piece {
                        start: base + start,
                        len,
                        term: true,
                        phrase: false,
                    });
                }
                continue;
            }
            pieces.push(Piece {
                start: base + start,
                len,
                term: true,
                phrase: false,
            });
            // The dictionary words inside, as jieba's search mode finds
            // them; done here rather than by a second, search-mode cut so
            // that a hidden word's insides stay hidden too.
            for sub in [2, 3] {
                if len <= sub {
                    continue;
                }
                for at in base + start..=base + end - sub {
                    let text = norm.slice(at..at + sub);
                    if self.jieba.has_word(text) && !is_boilerplate(text) {
                        pieces.push(Piece {
                            start: at,
                            len: sub,
                            term: true,
                            phrase: false,
                        });
                    }
                }
            }
        }
        for at in run {
            pieces.push(Piece {
                start: at,
                len: 1,
                term: false,
                phrase: true,
            });
        }
    }
}

/// The default dictionary, parsed once.
fn default_jieba() -> &'static Arc<Jieba> {
    static JIEBA: OnceLock<Arc<Jieba>> = OnceLock::new();
    JIEBA.get_or_init(|| Arc::new(Jieba::new()))
}

/// Split a user dictionary line into word, frequency and tag, or say what
/// is wrong with it.
fn parse_entry(line: &str) -> std::result::Result<(&str, Option<usize>, Option<&str>), String> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    match fields[..] {
        [word] => Ok((word, None, None)),
        // Python jieba's format also allows `word tag`.
        [word, second] if second.starts_with(|c: char| c.is_ascii_digit()) => {
            Ok((word, Some(freq(second)?), None))
        }
        [word, second] => match tag(second) {
            Ok(t) => Ok((word, None, Some(t))),
            Err(_) => Err(format!(
                "`{second}` is neither a frequency nor a part-of-speech tag"
            )),
        },
        [word, second, third] => Ok((word, Some(freq(second)?), Some(tag(third)?))),
        _ => Err(format!(
            "expected `word [freq] [tag]`, found {} fields",
            fields.len()
        )),
    }
}

fn freq(text: &str) -> std::result::Result<usize, String> {
    text.parse()
        .map_err(|_| format!("frequency `{text}` is not a whole number"))
}

fn tag(text: &str) -> std::result::Result<&str, String> {
    if text.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(text)
    } else {
        Err(format!(
            "tag `{text}` is not a part-of-speech tag (letters only)"
        ))
    }
}

/// A CJK ideograph, the chars jieba segments (its own ranges).
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2EBEF}'
        | '\u{2F800}'..='\u{2FA1F}'
    )
}

/// A letter or digit of a non-Chinese word.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

/// Joins letters and digits into one token when between two of them
/// (PM2.5, Wi-Fi, 4G/5G, GB/T, A&B, C+B).
fn is_connector(c: char) -> bool {
    matches!(c, '.' | '-' | '_' | '/' | '+' | '&')
}

/// End of the letter-digit run starting at `at`.
fn latin_end(chars: &[char], at: usize) -> usize {
    let mut end = at + 1;
    loop {
        match chars.get(end) {
            Some(&c) if is_word_char(c) => end += 1,
            Some(&c) if is_connector(c) && chars.get(end + 1).is_some_and(|&n| is_word_char(n)) => {
                end += 2
            }
            _ => return end,
        }
    }
}

/// A letter-digit run: whole, and, when it has connectors, its parts of
/// two chars or more. A decimal point is not a connector (PM2.5 has no
/// parts `pm2` and `5`).
fn latin_pieces(chars: &[char], run: Range<usize>, pieces: &mut Vec<Piece>) {
    pieces.push(Piece {
        start: run.start,
        len: run.len(),
        term: true,
        phrase: true,
    });
    let mut parts = Vec::new();
    let mut from = run.start;
    for at in run.clone() {
        let decimal =
            chars[at] == '.' && chars[at - 1].is_ascii_digit() && chars[at + 1].is_ascii_digit();
        if is_connector(chars[at]) && !decimal {
            parts.push(from..at);
            from = at + 1;
        }
    }
    if parts.is_empty() {
        return;
    }
    parts.push(from..run.end);
    for part in parts.into_iter().filter(|p| p.len() >= 2) {
        pieces.push(Piece {
            start: part.start,
            len: part.len(),
            term: true,
            phrase: false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn counted_query_terms_count_repeats() {
        let counted = Segmenter::new().counted_query_terms("电池回收。电池梯次利用，回收电池");
        let count = |t: &str| counted.iter().find(|(term, _)| term == t).map(|(_, n)| *n);
        assert_eq!(count("电池"), Some(3));
        assert_eq!(count("回收"), Some(2));
        assert_eq!(count("利用"), Some(1));
        let terms = Segmenter::new().query_terms("电池回收。电池梯次利用，回收电池");
        assert_eq!(terms.len(), counted.len());
    }

    fn texts(tokens: &[Token]) -> Vec<&str> {
        tokens.iter().map(|t| t.text.as_str()).collect()
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let original = "检测ＰＭ２．５浓度，支持ＬＥＤ\u{3000}显示与Ｗｉ－Ｆｉ";
        let tokens = Segmenter::new().index_tokens(original);
        assert!(!tokens.is_empty());
        for t in &tokens {
            let source: String = original[t.offset_from..t.offset_to]
                .chars()
                .map(fold)
                .collect();
            assert_eq!(source, t.text, "{t:?}");
        }
        let pm = tokens
            .iter()
            .find(|t| t.text == "pm2.5")
            .expect("pm2.5 kept whole");
        assert_eq!(&original[pm.offset_from..pm.offset_to], "ＰＭ２．５");
        let wifi = tokens
            .iter()
            .find(|t| t.text == "wi-fi")
            .expect("wi-fi kept whole");
        assert_eq!(&original[wifi.offset_from..wifi.offset_to], "Ｗｉ－Ｆｉ");
    }

    #[test]
    fn positions_are_char_indices() {
        let text = "5G基站，用于中国农业发展银行";
        let chars: Vec<char> = text.chars().collect();
        let tokens = Segmenter::new().index_tokens(text);
        for t in &tokens {
            let first = t.text.chars().next().expect("no empty token");
            assert_eq!(super::fold(chars[t.position]), first, "{t:?}");
            assert_eq!(t.position_length, 1);
        }
        let at = |s: &str| tokens.iter().find(|t| t.text == s).map(|t| t.position);
        assert_eq!(at("5g"), Some(0));
        assert_eq!(at("基站"), Some(2));
        // 用于 (5..7) is boilerplate; 中国 starts at char 7.
        assert_eq!(at("中国"), Some(7));
        assert_eq!(at("农业"), Some(9));
        assert_eq!(at("银行"), Some(13));
        assert_eq!(at("行"), Some(14));
    }

    #[test]
    fn tokens_are_sorted_unique_and_without_punctuation() {
        let tokens = Segmenter::new().index_tokens("待处理的数据，（包括）中国农业发展银行。 ");
        let keys: Vec<(usize, Reverse<usize>)> = tokens
            .iter()
            .map(|t| (t.position, Reverse(t.text.chars().count())))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(keys, sorted);
        let all = texts(&tokens);
        for punct in ["，", ",", "（", "(", "。", " ", "."] {
            assert!(!all.contains(&punct), "{punct:?} in {all:?}");
        }
        assert!(all.contains(&"处理"), "{all:?}");
        assert!(all.contains(&"待处理"), "{all:?}");
    }

    #[test]
    fn boilerplate_is_not_a_word_but_its_chars_are() {
        let tokens = Segmenter::new()
            .index_tokens("本发明公开了一种石墨散热片，其特征在于所述散热片包括铜层");
        let all = texts(&tokens);
        for formula in [
            "本发明",
            "发明",
            "公开",
            "一种",
            "特征",
            "在于",
            "所述",
            "包括",
        ] {
            assert!(!all.contains(&formula), "{formula} in {all:?}");
        }
        for kept in ["散热片", "铜层", "本", "发", "明", "述"] {
            assert!(all.contains(&kept), "{kept} not in {all:?}");
        }
    }

    #[test]
    fn letter_digit_runs_stay_whole() {
        let terms = Segmenter::new().query_terms("ＩＰ６７防水的4G/5G模块，PM2.5与GB/T 12345-2008");
        for whole in [
            "ip67",
            "4g/5g",
            "4g",
            "5g",
            "pm2.5",
            "gb/t",
            "gb",
            "12345-2008",
            "12345",
            "2008",
        ] {
            assert!(terms.iter().any(|t| t == whole), "{whole} not in {terms:?}");
        }
        for part in ["pm2", "pm", "5", "t", "ip"] {
            assert!(!terms.iter().any(|t| t == part), "{part} in {terms:?}");
        }
    }

    #[test]
    fn user_dict_joins_a_term() {
        let text = "一种石墨烯导热膜";
        let plain = Segmenter::new().index_tokens(text);
        assert!(!texts(&plain).contains(&"石墨烯导热膜"));
        let dict = "# materials\n\n石墨烯导热膜\n氮化镓 20 n\n";
        let custom = Segmenter::with_user_dict(dict.as_bytes()).unwrap();
        let tokens = custom.index_tokens(text);
        let all = texts(&tokens);
        assert!(all.contains(&"石墨烯导热膜"), "{all:?}");
        // The dictionary words inside it are still there to be found.
        assert!(all.contains(&"导热"), "{all:?}");
        assert_eq!(custom.query_terms(text)[0], "石墨烯导热膜");
    }

    #[test]
    fn bad_user_dict_line_is_named() {
        let cases = [
            ("石墨烯\n\n导热膜 abc1\n", 3),
            ("# header\n导热膜 -5 n\n", 2),
            ("导热膜 5 n extra\n", 1),
            ("石墨烯 12 n\n导热膜 5 n4\n", 2),
        ];
        for (dict, line) in cases {
            match Segmenter::with_user_dict(dict.as_bytes()) {
                Err(Error::Dictionary { line: got, reason }) => {
                    assert_eq!(got, line, "{dict:?}: {reason}");
                    assert!(!reason.is_empty());
                }
                other => panic!("{dict:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn query_terms_drop_boilerplate_and_function_words() {
        let terms =
            Segmenter::new().query_terms("本发明公开了一种基于物联网的智能灌溉控制系统和方法");
        for dropped in ["本发明", "公开", "了", "一种", "基于", "的", "和"] {
            assert!(
                !terms.iter().any(|t| t == dropped),
                "{dropped} in {terms:?}"
            );
        }
        for kept in ["智能", "灌溉", "控制系统", "控制", "系统", "方法"] {
            assert!(terms.iter().any(|t| t == kept), "{kept} not in {terms:?}");
        }
        let unique: HashSet<&String> = terms.iter().collect();
        assert_eq!(unique.len(), terms.len());
    }

    #[test]
    fn query_terms_include_inner_words_in_order() {
        let terms = Segmenter::new().query_terms("中国农业发展银行");
        let pos = |s: &str| terms.iter().position(|t| t == s);
        assert!(pos("农业").is_some() && pos("银行").is_some(), "{terms:?}");
        assert!(pos("中国") < pos("农业"));
        assert!(pos("农业") < pos("发展"));
        assert!(pos("发展") < pos("银行"));
    }

    #[test]
    fn phrase_terms_are_chars_and_runs_at_char_offsets() {
        let terms = Segmenter::new().phrase_terms("，ＬＥＤ灯 农业");
        let expected: Vec<(usize, String)> = vec![
            (0, "led".into()),
            (3, "灯".into()),
            (5, "农".into()),
            (6, "业".into()),
        ];
        assert_eq!(terms, expected);
        assert!(Segmenter::new().phrase_terms("，。 ").is_empty());
    }
}
