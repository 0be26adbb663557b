//! Demand budget texts into yuan bands.
//!
//! Reads an amount or range as the price parser does (`10~50万`, `10-50万元`,
//! `50万`), optionally bounded on one side: before it `>`, `≥`, 大于, 超过,
//! 不低于 (a floor) or `<`, `≤`, 小于, 低于, 少于, 不超过, 不高于 (a ceiling);
//! after it 以上 (a floor) or 以下, 以内 (a ceiling). A one-sided budget keeps
//! its bound as given (`>200万` has the floor 2,000,000), because budgets are
//! stated in round bands and one yuan more says nothing.

use super::price::{compact, read_amount};

/// A demand's budget band in yuan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Budget {
    pub min_yuan: Option<u64>,
    /// `None` when open-ended (`>200万`).
    pub max_yuan: Option<u64>,
}

#[derive(Clone, Copy, PartialEq)]
enum Bound {
    Floor,
    Ceiling,
}

const BEFORE: &[(&str, Bound)] = &[
    (">=", Bound::Floor),
    (">", Bound::Floor),
    ("≥", Bound::Floor),
    ("大于", Bound::Floor),
    ("超过", Bound::Floor),
    ("不低于", Bound::Floor),
    ("<=", Bound::Ceiling),
    ("<", Bound::Ceiling),
    ("≤", Bound::Ceiling),
    ("小于", Bound::Ceiling),
    ("低于", Bound::Ceiling),
    ("少于", Bound::Ceiling),
    ("不超过", Bound::Ceiling),
    ("不高于", Bound::Ceiling),
];

const AFTER: &[(&str, Bound)] = &[
    ("以上", Bound::Floor),
    ("以下", Bound::Ceiling),
    ("以内", Bound::Ceiling),
];

/// Reads a budget text such as `10~50万`, `>200万`, `<1万`; `None` when the
/// text cannot be read (the caller keeps the text verbatim).
pub fn parse_budget(text: &str) -> Option<Budget> {
    let text = compact(text);
    let (before, rest) = strip_longest(&text, BEFORE);
    let (amount, rest) = read_amount(rest)?;
    let (after, rest) = strip_longest(rest, AFTER);
    if !rest.is_empty() {
        return None;
    }
    let bound = match (before, after) {
        (Some(b), None) | (None, Some(b)) => Some(b),
        (None, None) => None,
        // `>10万以内` contradicts itself; `>10万以上` is odd but clear.
        (Some(b), Some(a)) if a == b => Some(b),
        (Some(_), Some(_)) => return None,
    };
    let single = amount.min == amount.max;
    match bound {
        None => Some(Budget {
            min_yuan: Some(amount.min),
            max_yuan: Some(amount.max),
        }),
        // A bound on a range (`>10~50万`) has no clear meaning.
        Some(_) if !single => None,
        Some(Bound::Floor) => Some(Budget {
            min_yuan: Some(amount.min),
            max_yuan: None,
        }),
        Some(Bound::Ceiling) => Some(Budget {
            min_yuan: None,
            max_yuan: Some(amount.max),
        }),
    }
}

fn strip_longest<'a>(s: &'a str, table: &[(&str, Bound)]) -> (Option<Bound>, &'a str) {
    table
        .iter()
        .filter(|(word, _)| s.starts_with(word))
        .max_by_key(|(word, _)| word.len())
        .map_or((None, s), |(word, bound)| (Some(*bound), &s[word.len()..]))
}
