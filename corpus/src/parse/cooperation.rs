//! Cooperation texts into implementation modes.
//!
//! Sources write the modes either run together (`完全转让许可转让技术入股合作生产`)
//! or separated by commas, 、, semicolons, slashes, `+` or spaces
//! (`技术转让,技术许可,委托开发`). The text is read left to right taking the
//! longest known phrase at each point, so `许可转让` is one licence phrase and
//! not 许可 + 转让. Phrases and what they mean:
//!
//! | phrase | modes |
//! |---|---|
//! | 完全转让, 技术转让, 专利转让, 专利权转让, 申请权转让, 专利申请权转让, 转让 | 转让 |
//! | 普通许可, 普通实施许可 | 普通许可 |
//! | 独占许可, 独占实施许可 | 独占许可 |
//! | 排他许可, 排他实施许可 | 排他许可 |
//! | 开放许可 | 开放许可 |
//! | 许可转让, 技术许可, 专利许可, 实施许可, 许可 | 普通许可 + 独占许可 + 排他许可 |
//! | 技术入股, 作价入股, 技术作价入股, 入股 | 作价入股 |
//! | 合作生产, 委托开发, 合作开发, 技术服务, 其他 | 其他 |
//!
//! A generic licence leaves the licence type to negotiation, so it stands
//! for all three negotiated kinds and a filter on any of them finds it.
//! 开放许可 is not among them: it is a distinct scheme with published terms
//! that a holder must opt into.
//!
//! Text matching no phrase is kept verbatim in [`ModeParse::unrecognised`],
//! one piece per run of consecutive unmatched characters between separators,
//! except a lone conjunction (和, 及, 或, 与, 以及) standing between phrases.

use crate::ImplementationMode;
use std::collections::BTreeSet;

use ImplementationMode::{
    Equity, ExclusiveLicence, OpenLicence, OrdinaryLicence, Other, SoleLicence, Transfer,
};

const NEGOTIATED_LICENCE: &[ImplementationMode] = &[OrdinaryLicence, ExclusiveLicence, SoleLicence];

/// Known phrases; the reader tries every one and keeps the longest match, so
/// the order here does not matter.
const PHRASES: &[(&str, &[ImplementationMode])] = &[
    ("完全转让", &[Transfer]),
    ("技术转让", &[Transfer]),
    ("专利转让", &[Transfer]),
    ("专利权转让", &[Transfer]),
    ("申请权转让", &[Transfer]),
    ("专利申请权转让", &[Transfer]),
    ("转让", &[Transfer]),
    ("普通许可", &[OrdinaryLicence]),
    ("普通实施许可", &[OrdinaryLicence]),
    ("独占许可", &[ExclusiveLicence]),
    ("独占实施许可", &[ExclusiveLicence]),
    ("排他许可", &[SoleLicence]),
    ("排他实施许可", &[SoleLicence]),
    ("开放许可", &[OpenLicence]),
    ("许可转让", NEGOTIATED_LICENCE),
    ("技术许可", NEGOTIATED_LICENCE),
    ("专利许可", NEGOTIATED_LICENCE),
    ("实施许可", NEGOTIATED_LICENCE),
    ("许可", NEGOTIATED_LICENCE),
    ("技术入股", &[Equity]),
    ("作价入股", &[Equity]),
    ("技术作价入股", &[Equity]),
    ("入股", &[Equity]),
    ("合作生产", &[Other]),
    ("委托开发", &[Other]),
    ("合作开发", &[Other]),
    ("技术服务", &[Other]),
    ("其他", &[Other]),
];

/// Conjunctions that carry no meaning of their own between two phrases.
const CONJUNCTIONS: &[&str] = &["和", "及", "或", "与", "以及"];

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
    let mut out = ModeParse::default();
    let mut pending = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if is_separator(c) {
            flush(&mut pending, &mut out.unrecognised);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let longest = PHRASES
            .iter()
            .filter(|(phrase, _)| rest.starts_with(phrase))
            .max_by_key(|(phrase, _)| phrase.len());
        match longest {
            Some((phrase, modes)) => {
                flush(&mut pending, &mut out.unrecognised);
                out.modes.extend(modes.iter().copied());
                rest = &rest[phrase.len()..];
            }
            None => {
                pending.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    flush(&mut pending, &mut out.unrecognised);
    out
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || ",，、;；/／|｜+＋".contains(c)
}

fn flush(pending: &mut String, unrecognised: &mut Vec<String>) {
    if !pending.is_empty() && !CONJUNCTIONS.contains(&pending.as_str()) {
        unrecognised.push(std::mem::take(pending));
    }
    pending.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modes(text: &str) -> Vec<ImplementationMode> {
        let parse = parse_modes(text);
        assert!(
            parse.unrecognised.is_empty(),
            "{text}: {:?}",
            parse.unrecognised
        );
        parse.modes.into_iter().collect()
    }

    #[test]
    fn longest_phrase_wins_over_its_parts() {
        // 许可转让 is a licence, not 许可 + 转让: no Transfer may appear.
        assert_eq!(modes("许可转让"), NEGOTIATED_LICENCE.to_vec());
        // 技术作价入股 would otherwise leave 技术 unread.
        assert_eq!(modes("技术作价入股"), vec![Equity]);
        assert_eq!(modes("独占实施许可"), vec![ExclusiveLicence]);
    }

    #[test]
    fn lone_conjunction_is_dropped_but_inside_unknown_text_is_kept() {
        assert_eq!(modes("转让或许可").len(), 4);
        let parse = parse_modes("技术咨询和培训");
        assert_eq!(parse.unrecognised, vec!["技术咨询和培训".to_string()]);
        assert!(parse.modes.is_empty());
    }
}
