//! The shared corpus JSONL: patents (`bdci2022`, `kppatent`, `cnki`) and
//! technology offers (`techmarket-offer`), into listings.
//!
//! Mapping follows the fields a record has, not its `source`, so a patent
//! that carries offer terms keeps them and a new source with the same fields
//! needs no code.

use super::fields::Fields;
use crate::{
    parse_date, parse_fee, Declaration, Holder, Listing, Patent, PatentKind, PublicationNumber,
};
use std::str::FromStr;

/// Maps one record; `None` when a required field is missing. Problems are
/// left in `f`.
pub(crate) fn listing(f: &mut Fields) -> Option<Listing> {
    let id = f.require("id");
    let source = f.take("source").unwrap_or_default().trim().to_string();
    let title = f.require("title");
    let publication_number = f
        .take("publication_number")
        .and_then(|p| f.check("publication_number", PublicationNumber::parse(&p)));
    let kind = f.take("kind");
    let kind = kind_of(f, kind.as_deref(), publication_number.as_ref());
    let application_date = f
        .take("application_date")
        .and_then(|d| f.check("application_date", parse_date("application_date", &d)));
    let holder = f.take("holder").map(|name| Holder {
        name: name.trim().to_string(),
        credit_code: None,
        kind: None,
    });
    let declaration = declaration(f);
    let abstract_text = f.take("abstract").unwrap_or_default();
    let claims = f.take("claims");
    let inventors = f.take_list("inventors");
    let attributes = f.take_rest();
    let (Some(id), Some(title)) = (id, title) else {
        return None;
    };
    let patent = Patent {
        title,
        application_number: None,
        publication_number,
        abstract_text,
        claims,
        ipc: Vec::new(),
        kind,
        application_date,
        publication_date: None,
        grant_date: None,
        inventors,
    };
    Some(Listing {
        id,
        source,
        patent,
        holder,
        declaration,
        attributes,
    })
}

/// Offer terms: `cooperation_text`, `price_text` and `posted`. A record with
/// none of them (a patent) stays undeclared.
fn declaration(f: &mut Fields) -> Declaration {
    let mut d = Declaration::default();
    if let Some(text) = f.take("cooperation_text") {
        d.set_modes_text(text);
    }
    if let Some(text) = f.take("price_text") {
        d.fee = parse_fee(&text);
    }
    d.announced_on = f
        .take("posted")
        .and_then(|p| f.check("posted", parse_date("posted", &p)));
    f.flagged |= d.modes_unparsed || d.fee.unparsed;
    d
}

/// The corpus's `kind`; the generic `patent` (or none) is read from the
/// publication number's kind code, because the sources tag utility models
/// and designs as plain patents.
fn kind_of(f: &mut Fields, kind: Option<&str>, number: Option<&PublicationNumber>) -> PatentKind {
    match kind.map(str::trim) {
        None | Some("patent") => kind_from_number(number),
        Some(k) => f
            .check("kind", PatentKind::from_str(k))
            .unwrap_or(PatentKind::Invention),
    }
}

/// U/Y → 实用新型, S → 外观, anything else (A, B, C, none) → 发明.
pub(crate) fn kind_from_number(number: Option<&PublicationNumber>) -> PatentKind {
    let code = number.and_then(|n| {
        n.as_str()
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .chars()
            .last()
    });
    match code.map(|c| c.to_ascii_uppercase()) {
        Some('U' | 'Y') => PatentKind::UtilityModel,
        Some('S') => PatentKind::Design,
        _ => PatentKind::Invention,
    }
}
