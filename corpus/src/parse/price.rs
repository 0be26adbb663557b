//! Price texts into fee standards.
//!
//! The text is read as a sequence of known pieces, each of which must be
//! recognised or the whole text is marked unparsed (nothing is guessed):
//! - methods: 面议/协商 (only when no other method is stated), 一次性(支付|付款|付清), 分期(支付|付款), 先免费后收费;
//! - 入门费 (the amount is the entry fee; needs 提成 too) and 提成 (with a
//!   percentage such as `3%`);
//! - 免费 (amount 0);
//! - an amount: a decimal number with a unit 元, 千(元), 万(元) or 亿(元), or a
//!   range of two joined by `-`, `~`, 至 or 到, where `10-20万` lends the
//!   second unit to the first;
//! - separators (`+`, `,`, `、`, `;`, 加) and fillers (价格, 费用, 为, `:`).
//!
//! A text stating only an amount has no method: the source did not say how
//! it is paid. Amounts are exact integer yuan computed in fixed point, so
//! `0.1万元` is 1,000 yuan; a value that is not a whole number of yuan is
//! unparsed.

use crate::{FeeStandard, PaymentMethod, YuanRange};

/// A recognised piece of a price text.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Piece {
    Method(PaymentMethod),
    Negotiable,
    EntryFee,
    Royalty,
    Free,
    Amount(YuanRange),
    Percent(f64),
    Filler,
}

const KEYWORDS: &[(&str, Piece)] = &[
    ("面议", Piece::Negotiable),
    ("价格面议", Piece::Negotiable),
    ("协商", Piece::Negotiable),
    ("一次性", Piece::Method(PaymentMethod::LumpSum)),
    ("一次性支付", Piece::Method(PaymentMethod::LumpSum)),
    ("一次性付款", Piece::Method(PaymentMethod::LumpSum)),
    ("一次性付清", Piece::Method(PaymentMethod::LumpSum)),
    ("分期", Piece::Method(PaymentMethod::Instalments)),
    ("分期支付", Piece::Method(PaymentMethod::Instalments)),
    ("分期付款", Piece::Method(PaymentMethod::Instalments)),
    ("先免费后收费", Piece::Method(PaymentMethod::FreeThenPaid)),
    ("入门费", Piece::EntryFee),
    ("提成", Piece::Royalty),
    ("销售提成", Piece::Royalty),
    ("免费", Piece::Free),
    ("价格", Piece::Filler),
    ("费用", Piece::Filler),
    ("为", Piece::Filler),
    (":", Piece::Filler),
    ("：", Piece::Filler),
];

/// Reads a price text such as `面议` or `100.0万元-200.0万元` into a fee
/// standard. `raw` always keeps the text; `unparsed` is set when it could
/// not be read.
pub fn parse_fee(text: &str) -> FeeStandard {
    let raw = text.trim();
    if raw.is_empty() {
        return FeeStandard::default();
    }
    read_fee(raw).unwrap_or_else(|| FeeStandard {
        raw: Some(raw.to_string()),
        unparsed: true,
        ..FeeStandard::default()
    })
}

fn read_fee(raw: &str) -> Option<FeeStandard> {
    let text = compact(raw);
    let mut pieces = Vec::new();
    let mut rest = text.as_str();
    while let Some(c) = rest.chars().next() {
        if "+,、;加".contains(c) {
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let keyword = KEYWORDS
            .iter()
            .filter(|(k, _)| rest.starts_with(k))
            .max_by_key(|(k, _)| k.len());
        if let Some((k, piece)) = keyword {
            pieces.push(*piece);
            rest = &rest[k.len()..];
        } else if let Some((percent, after)) = read_percent(rest) {
            pieces.push(Piece::Percent(percent));
            rest = after;
        } else if let Some((amount, after)) = read_amount(rest) {
            pieces.push(Piece::Amount(amount));
            rest = after;
        } else {
            return None;
        }
    }
    assemble(&pieces, raw)
}

/// Turns the pieces into a fee standard, or `None` when they contradict
/// each other or say nothing.
fn assemble(pieces: &[Piece], raw: &str) -> Option<FeeStandard> {
    let mut method = None;
    let mut amount = None;
    let mut percent = None;
    let (mut entry_fee, mut royalty, mut free, mut negotiable) = (false, false, false, false);
    for piece in pieces {
        match *piece {
            Piece::Method(m) => set_once(&mut method, m)?,
            Piece::Amount(a) => set_once(&mut amount, a)?,
            Piece::Percent(p) => set_once(&mut percent, p)?,
            Piece::Negotiable => negotiable = true,
            Piece::EntryFee => entry_fee = true,
            Piece::Royalty => royalty = true,
            Piece::Free => free = true,
            Piece::Filler => {}
        }
    }
    if royalty {
        let combined = if entry_fee {
            PaymentMethod::EntryFeePlusRoyalty
        } else {
            PaymentMethod::Royalty
        };
        set_once(&mut method, combined)?;
    } else if entry_fee || percent.is_some() {
        // An entry fee or a percentage without 提成 has no agreed meaning.
        return None;
    }
    // 面议 is about the price: with a stated method (`一次性支付，价格面议`)
    // the method is what the text adds, so 面议 is the method only alone.
    if negotiable && method.is_none() {
        method = Some(PaymentMethod::Negotiable);
    }
    if free {
        set_once(&mut amount, YuanRange::exact(0))?;
    }
    if percent.is_some_and(|p: f64| p > 100.0) {
        return None;
    }
    if method.is_none() && amount.is_none() {
        return None;
    }
    Some(FeeStandard {
        method,
        amount,
        royalty_percent: percent,
        raw: Some(raw.to_string()),
        unparsed: false,
    })
}

/// Fills `slot` unless it already holds a different value, which would
/// mean the text says two things at once.
fn set_once<T: PartialEq>(slot: &mut Option<T>, value: T) -> Option<()> {
    match slot {
        Some(old) if *old != value => None,
        _ => {
            *slot = Some(value);
            Some(())
        }
    }
}

/// Full-width forms folded and all whitespace removed, since sources space
/// numbers and units freely.
pub(super) fn compact(text: &str) -> String {
    crate::validate::to_halfwidth(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// A decimal number as digits and a count of fractional digits, so that
/// amounts are computed exactly.
fn read_number(s: &str) -> Option<((u128, u32), &str)> {
    let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
    if int_len == 0 {
        return None;
    }
    let (int, mut rest) = s.split_at(int_len);
    let mut digits = int.to_string();
    let mut scale = 0;
    if let Some(after_dot) = rest.strip_prefix('.') {
        let frac_len = after_dot.bytes().take_while(u8::is_ascii_digit).count();
        if frac_len > 0 {
            digits.push_str(&after_dot[..frac_len]);
            scale = frac_len as u32;
            rest = &after_dot[frac_len..];
        }
    }
    Some(((digits.parse().ok()?, scale), rest))
}

fn read_unit(s: &str) -> Option<(u128, &str)> {
    const UNITS: &[(&str, u128)] = &[
        ("亿元", 100_000_000),
        ("亿", 100_000_000),
        ("万元", 10_000),
        ("万", 10_000),
        ("千元", 1_000),
        ("千", 1_000),
        ("元", 1),
    ];
    UNITS
        .iter()
        .find_map(|(unit, factor)| s.strip_prefix(unit).map(|rest| (*factor, rest)))
}

/// The number times the unit in whole yuan, or `None` if it is not whole or
/// does not fit.
fn to_yuan((mantissa, scale): (u128, u32), factor: u128) -> Option<u64> {
    let scaled = mantissa.checked_mul(factor)?;
    let divisor = 10u128.checked_pow(scale)?;
    if scaled % divisor != 0 {
        return None;
    }
    u64::try_from(scaled / divisor).ok()
}

/// Reads an amount or a range of amounts at the start of `s`.
pub(super) fn read_amount(s: &str) -> Option<(YuanRange, &str)> {
    let (low, rest) = read_number(s)?;
    let (low_unit, rest) = match read_unit(rest) {
        Some((factor, rest)) => (Some(factor), rest),
        None => (None, rest),
    };
    let range_rest = ["-", "~", "—", "–", "至", "到"]
        .iter()
        .find_map(|sep| rest.strip_prefix(sep));
    let Some(range_rest) = range_rest else {
        return Some((YuanRange::exact(to_yuan(low, low_unit?)?), rest));
    };
    let (high, rest) = read_number(range_rest)?;
    let (high_unit, rest) = match read_unit(rest) {
        Some((factor, rest)) => (Some(factor), rest),
        None => (None, rest),
    };
    // `10-20万` states the unit once, at the end; `10万-20` is left unread
    // because the second figure could be anything.
    let high_unit = high_unit?;
    let low_unit = low_unit.unwrap_or(high_unit);
    let range = YuanRange::new(to_yuan(low, low_unit)?, to_yuan(high, high_unit)?).ok()?;
    Some((range, rest))
}

fn read_percent(s: &str) -> Option<(f64, &str)> {
    let len = s
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let rest = s[len..].strip_prefix('%')?;
    Some((s[..len].parse().ok()?, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_of_wan_are_exact() {
        // 0.1 is not representable in binary floating point; 0.1 × 10,000
        // must still be exactly 1,000 yuan.
        assert_eq!(read_amount("0.1万元").unwrap().0, YuanRange::exact(1_000));
        assert_eq!(read_amount("2.35万").unwrap().0, YuanRange::exact(23_500));
    }

    #[test]
    fn fractions_of_a_yuan_are_refused() {
        assert!(read_amount("1.5元").is_none());
    }

    #[test]
    fn bare_numbers_have_no_unit_and_are_refused() {
        assert!(read_amount("5000").is_none());
        assert!(read_amount("10万-20").is_none());
    }

    #[test]
    fn overflow_is_refused_not_wrapped() {
        assert!(read_amount("99999999999999999999亿").is_none());
    }
}
