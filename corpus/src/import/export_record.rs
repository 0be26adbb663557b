//! A platform export with the Chinese column names of CNIPA-style patent
//! database exports (申请号, 专利名称, 主分类号 …), into listings.

use super::fields::Fields;
use super::listing_record::kind_from_number;
use crate::{
    parse_date, parse_fee, ApplicationNumber, CreditCode, Declaration, Holder, HolderKind, IpcCode,
    Listing, Patent, PatentKind, PaymentMethod, PublicationNumber,
};
use chrono::NaiveDate;
use std::str::FromStr;

/// What `source` a listing from an export gets when the export names none.
pub(crate) const SOURCE: &str = "cnipa-export";

/// Maps one record; `None` when a required field is missing. Problems are
/// left in `f`.
pub(crate) fn listing(f: &mut Fields) -> Option<Listing> {
    let application_number = f
        .require("申请号")
        .and_then(|n| f.check("申请号", ApplicationNumber::parse(&n)));
    let title = f
        .take_first(&["专利名称", "授权名称"])
        .map(|(_, t)| t.trim().to_string());
    if title.is_none() {
        f.problem("专利名称", "missing or empty (so is 授权名称)");
    }
    let source = f
        .take("source")
        .map_or_else(|| SOURCE.to_string(), |s| s.trim().to_string());
    let publication_number = publication_number(f);
    let kind = match f.take("专利类型") {
        Some(k) => f
            .check("专利类型", PatentKind::from_str(&k))
            .unwrap_or(PatentKind::Invention),
        None => kind_from_number(publication_number.as_ref()),
    };
    let ipc = ipc_codes(f);
    let application_date = date(f, "申请日");
    let publication_date = date(f, "公开日");
    let grant_date = date(f, "授权公告日");
    let holder = holder(f);
    let declaration = declaration(f);
    let abstract_text = f.take("申请摘要").unwrap_or_default();
    let claims = f.take("主权项");
    let inventors = f.take_list("发明人");
    let attributes = f.take_rest();
    let (Some(number), Some(title)) = (application_number, title) else {
        return None;
    };
    let id = listing_id(&number);
    let patent = Patent {
        title,
        application_number: Some(number),
        publication_number,
        abstract_text,
        claims,
        ipc,
        kind,
        application_date,
        publication_date,
        grant_date,
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

/// `cn-` and the application number's digits and check character: the same
/// patent gets the same id whichever way the export wrote the number
/// (`CN202223220665.2`, `2022232206652` …), so re-imports update in place.
pub(crate) fn listing_id(number: &ApplicationNumber) -> String {
    let core: String = number
        .as_str()
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, 'X' | 'x'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    format!("cn-{core}")
}

/// 公开号, else 授权公告号; `0` means the export has none.
fn publication_number(f: &mut Fields) -> Option<PublicationNumber> {
    for col in ["公开号", "授权公告号"] {
        match f.take(col) {
            Some(n) if !is_zero(&n) => return f.check(col, PublicationNumber::parse(&n)),
            _ => {}
        }
    }
    None
}

/// 主分类号 first, then 分类号 in order, each once.
fn ipc_codes(f: &mut Fields) -> Vec<IpcCode> {
    let mut codes: Vec<IpcCode> = Vec::new();
    for col in ["主分类号", "分类号"] {
        for text in f.take_list(col) {
            if let Some(code) = f.check(col, IpcCode::parse(&text)) {
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
        }
    }
    codes
}

/// Exports write an absent date as `0`.
fn date(f: &mut Fields, col: &str) -> Option<NaiveDate> {
    let text = f.take(col).filter(|t| !is_zero(t))?;
    f.check(col, parse_date(col, text.trim()))
}

fn is_zero(text: &str) -> bool {
    text.trim() == "0"
}

/// 申请人 with 申请人类型 and 统一社会信用代码. Without a name there is no
/// holder, and the other two columns stay in `attributes`.
fn holder(f: &mut Fields) -> Option<Holder> {
    let name = f.take("申请人")?.trim().to_string();
    let kind = f
        .take("申请人类型")
        .and_then(|k| f.check("申请人类型", HolderKind::from_str(&k)));
    let credit_code = f
        .take("统一社会信用代码")
        .and_then(|c| f.check("统一社会信用代码", CreditCode::parse(&c)));
    Some(Holder {
        name,
        credit_code,
        kind,
    })
}

/// The optional declaration columns. 支付方式 is free text on real
/// platforms, so wording outside the six methods is kept in `attributes`
/// and flagged rather than rejected.
fn declaration(f: &mut Fields) -> Declaration {
    let mut d = Declaration::default();
    if let Some(text) = f.take("实施方式") {
        d.set_modes_text(text);
    }
    if let Some((_, text)) = f.take_first(&["费用标准", "价格"]) {
        d.fee = parse_fee(&text);
    }
    if f.has("支付方式") {
        let text = f.take("支付方式").unwrap_or_default();
        let method = PaymentMethod::from_str(&text)
            .ok()
            .or_else(|| parse_fee(&text).method);
        match method {
            Some(m) => d.fee.method = Some(m),
            None => {
                f.flagged = true;
                f.keep("支付方式", text);
            }
        }
    }
    if let Some((col, text)) = f.take_first(&["公告日期", "声明日期"]) {
        d.announced_on = f.check(col, parse_date(col, text.trim()));
    }
    f.flagged |= d.modes_unparsed || d.fee.unparsed;
    d
}
