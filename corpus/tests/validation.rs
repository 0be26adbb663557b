//! Identifier validators and free-text parsers, checked against the real
//! shared data (read in place, never copied) and against hand-made bad input.

use patmatch_corpus::{
    parse_budget, parse_date, parse_fee, parse_modes, ApplicationNumber, Budget, CreditCode, Error,
    FeeStandard, ImplementationMode, IpcCode, PatentKind, PaymentMethod, PublicationNumber,
    YuanRange,
};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

use ImplementationMode::{Equity, ExclusiveLicence, OrdinaryLicence, Other, SoleLicence, Transfer};

// ---------------------------------------------------------------- data ---

fn shared(rel: &str) -> PathBuf {
    let root = std::env::var_os("PATMATCH_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    root.join("data").join(rel)
}

fn records(rel: &str) -> Vec<Value> {
    let path = shared(rel);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn sample() -> Vec<Value> {
    let rows = records("samples/cnipa_style_export.jsonl");
    assert_eq!(rows.len(), 10);
    rows
}

fn field<'a>(row: &'a Value, name: &str) -> Option<&'a str> {
    row.get(name).and_then(Value::as_str)
}

/// The distinct non-empty values of a field across a file.
fn distinct(rel: &str, name: &str) -> BTreeSet<String> {
    records(rel)
        .iter()
        .filter_map(|r| field(r, name))
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
        .collect()
}

fn reason(err: Error) -> (String, String) {
    match err {
        Error::Invalid { field, reason } => (field, reason),
        other => panic!("expected Error::Invalid, got {other:?}"),
    }
}

// --------------------------------------------------------- credit code ---

/// Codes of well-known companies as printed on their public licences.
const KNOWN_CODES: [&str; 5] = [
    "91330100799655058B", // 阿里巴巴(中国)有限公司
    "9144030071526726XG", // 深圳市腾讯计算机系统有限公司
    "914403001922038216", // 华为技术有限公司
    "91110108551385082Q", // 小米科技有限责任公司
    "91110000802100433B", // 北京百度网讯科技有限公司
];

const CODE_SET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

#[test]
fn credit_codes_of_known_companies_pass() {
    for code in KNOWN_CODES {
        assert_eq!(CreditCode::parse(code).unwrap().as_str(), code);
    }
}

#[test]
fn credit_code_quoted_in_a_demand_passes() {
    // Company profiles quote their business licence; pick out every run of
    // exactly 18 code characters laid out as a company code (9 = market
    // regulator, 1/2/3 = category, then six region digits).
    let mut found = Vec::new();
    for row in records("demands/demands.jsonl") {
        let text = field(&row, "text").unwrap_or_default();
        for run in text.split(|c: char| !CODE_SET.contains(c) || !c.is_ascii()) {
            let b = run.as_bytes();
            if b.len() == 18
                && b[0] == b'9'
                && matches!(b[1], b'1'..=b'3')
                && b[2..8].iter().all(u8::is_ascii_digit)
            {
                found.push(run.to_string());
            }
        }
    }
    assert!(!found.is_empty(), "no credit code quoted in demands");
    for code in found {
        CreditCode::parse(&code).unwrap_or_else(|e| panic!("{code}: {e}"));
    }
}

#[test]
fn credit_code_is_trimmed_and_uppercased() {
    let code = CreditCode::parse("  9144030071526726xg\t").unwrap();
    assert_eq!(code.as_str(), "9144030071526726XG");
    let back: CreditCode = serde_json::from_str("\"91330100799655058b\"").unwrap();
    assert_eq!(back.as_str(), "91330100799655058B");
    assert_eq!(
        serde_json::to_string(&back).unwrap(),
        "\"91330100799655058B\""
    );
}

#[test]
fn credit_code_rejects_every_single_character_change() {
    // Weights are non-zero modulo the prime 31, so any one substitution
    // changes the sum modulo 31 and must be caught.
    for code in KNOWN_CODES {
        for pos in 0..18 {
            for c in CODE_SET.chars() {
                let mut chars: Vec<char> = code.chars().collect();
                if chars[pos] == c {
                    continue;
                }
                chars[pos] = c;
                let bad: String = chars.into_iter().collect();
                assert!(CreditCode::parse(&bad).is_err(), "{bad} accepted");
            }
        }
    }
}

#[test]
fn credit_code_rejects_adjacent_swaps() {
    // Adjacent weights differ, and 31 is prime, so swapping two different
    // characters among the first 17 always changes the check.
    for code in KNOWN_CODES {
        for pos in 0..16 {
            let mut chars: Vec<char> = code.chars().collect();
            if chars[pos] == chars[pos + 1] {
                continue;
            }
            chars.swap(pos, pos + 1);
            let bad: String = chars.into_iter().collect();
            assert!(CreditCode::parse(&bad).is_err(), "{bad} accepted");
        }
    }
}

#[test]
fn credit_code_errors_say_which_rule_failed() {
    let (field, why) = reason(CreditCode::parse("91330100799655058").unwrap_err());
    assert_eq!(field, "credit_code");
    assert!(why.contains("17 characters, expected 18"), "{why}");

    let (_, why) = reason(CreditCode::parse("9133I100799655058B").unwrap_err());
    assert!(why.contains("'I' at position 5"), "{why}");

    let (_, why) = reason(CreditCode::parse("91330100799655058C").unwrap_err());
    assert!(why.contains("check character is C, expected B"), "{why}");

    assert!(CreditCode::parse("").is_err());
    assert!(serde_json::from_str::<CreditCode>("\"91330100799655058C\"").is_err());
}

// -------------------------------------------------- application number ---

#[test]
fn sample_application_numbers_pass_and_agree_with_their_record() {
    for row in sample() {
        let raw = field(&row, "申请号").unwrap();
        let number = ApplicationNumber::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
        // The export already writes the normalised form.
        assert_eq!(number.as_str(), raw);
        // The year in the number is the year of the filing date.
        let filed = field(&row, "申请日").unwrap();
        assert_eq!(number.year().unwrap().to_string(), filed[..4]);
        let kind: PatentKind = field(&row, "专利类型").unwrap().parse().unwrap();
        assert_eq!(number.patent_kind(), Some(kind), "{raw}");
    }
}

#[test]
fn patent_number_cited_in_an_offer_passes() {
    let offers = std::fs::read_to_string(shared("corpus/offers.jsonl")).unwrap();
    assert!(offers.contains("ZL201720001285.X"));
    let number = ApplicationNumber::parse("ZL201720001285.X").unwrap();
    assert_eq!(number.as_str(), "CN201720001285.X");
    assert_eq!(number.digits(), "201720001285");
    assert_eq!(number.check_digit(), 'X');
    assert_eq!(number.year(), Some(2017));
    assert_eq!(number.patent_type_digit(), Some(2));
    assert_eq!(number.patent_kind(), Some(PatentKind::UtilityModel));
}

#[test]
fn every_patent_number_cited_in_offers_passes() {
    // Includes old 8-digit numbers and a lowercase x.
    let offers = std::fs::read_to_string(shared("corpus/offers.jsonl")).unwrap();
    let mut cited = Vec::new();
    for (at, _) in offers.match_indices("ZL") {
        let tail: String = offers[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        let tail = tail.trim_end_matches('.');
        if tail.bytes().filter(u8::is_ascii_digit).count() >= 8 {
            cited.push(tail.to_string());
        }
    }
    assert!(cited.len() >= 15, "only {} cited", cited.len());
    assert!(cited.iter().any(|c| c.len() == "ZL02115535.6".len()));
    for c in &cited {
        ApplicationNumber::parse(c).unwrap_or_else(|e| panic!("{c}: {e}"));
    }
}

#[test]
fn old_eight_digit_number_has_two_digit_year() {
    let number = ApplicationNumber::parse("ZL02115535.6").unwrap();
    assert_eq!(number.as_str(), "CN02115535.6");
    assert_eq!(number.year(), Some(2002));
    assert_eq!(number.patent_kind(), Some(PatentKind::Invention));
    // 9·2+3·3+1·4+0·5+0·6+0·7+0·8+2·9 = 49 = 4·11+5.
    assert_eq!(
        ApplicationNumber::parse("93100002.5").unwrap().year(),
        Some(1993)
    );
}

#[test]
fn nine_digit_body_uses_the_same_weight_cycle() {
    // 1·2+2·3+3·4+4·5+5·6+6·7+7·8+8·9+9·2 = 258 = 23·11+5.
    let number = ApplicationNumber::parse("123456789.5").unwrap();
    assert_eq!(number.digits(), "123456789");
    assert_eq!(number.year(), None);
    assert!(ApplicationNumber::parse("123456789.6").is_err());
}

#[test]
fn application_number_spellings_normalise_alike() {
    for s in [
        "CN202121635235.X",
        "202121635235.X",
        "202121635235X",
        "cn202121635235.x",
        "ZL 2021 2163 5235.X",
        "ＣＮ２０２１２１６３５２３５．Ｘ",
        " CN 202121635235 . X ",
    ] {
        let number = ApplicationNumber::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(number.as_str(), "CN202121635235.X", "{s}");
    }
    let json: ApplicationNumber = serde_json::from_str("\"202121635235x\"").unwrap();
    assert_eq!(
        serde_json::to_string(&json).unwrap(),
        "\"CN202121635235.X\""
    );
}

fn corrupt_digits(raw: &str) -> Vec<String> {
    let digits: Vec<char> = raw[2..14].chars().collect();
    let check = &raw[14..];
    let mut bad = Vec::new();
    for i in 0..12 {
        let mut d = digits.clone();
        let next = (d[i].to_digit(10).expect("a digit") + 1) % 10;
        d[i] = char::from_digit(next, 10).expect("below 10");
        bad.push(format!("CN{}{check}", d.iter().collect::<String>()));
        if i < 11 && digits[i] != digits[i + 1] {
            let mut d = digits.clone();
            d.swap(i, i + 1);
            bad.push(format!("CN{}{check}", d.iter().collect::<String>()));
        }
    }
    bad
}

#[test]
fn corrupted_sample_application_numbers_fail() {
    // Weights 2..9 are non-zero modulo the prime 11 and adjacent ones
    // differ, so a changed digit or a swap of two different neighbours
    // always changes the check digit.
    for row in sample() {
        let raw = field(&row, "申请号").unwrap();
        for bad in corrupt_digits(raw) {
            assert!(ApplicationNumber::parse(&bad).is_err(), "{bad} accepted");
        }
        let check = raw.chars().last().unwrap();
        for other in "0123456789X".chars().filter(|c| *c != check) {
            let bad = format!("{}{other}", &raw[..raw.len() - 1]);
            assert!(ApplicationNumber::parse(&bad).is_err(), "{bad} accepted");
        }
    }
}

#[test]
fn application_number_errors_say_which_rule_failed() {
    // 2·2+0·3+2·4+2·5+2·6+3·7+2·8+2·9+0·2+6·3+6·4+5·5 = 156 = 14·11+2.
    let (field, why) = reason(ApplicationNumber::parse("CN202223220665.3").unwrap_err());
    assert_eq!(field, "application_number");
    assert!(why.contains("check digit is 3, expected 2"), "{why}");
    assert!(why.contains("CN202223220665.3"), "{why}");

    let (_, why) = reason(ApplicationNumber::parse("CN20222322065.2").unwrap_err());
    assert!(why.contains("11 digits"), "{why}");

    let (_, why) = reason(ApplicationNumber::parse("CN202223220665").unwrap_err());
    assert!(why.contains("check digit missing"), "{why}");
    let (_, why) = reason(ApplicationNumber::parse("CN2022232206651.2").unwrap_err());
    assert!(
        why.contains("13 digits") && !why.contains("missing"),
        "{why}"
    );

    let (_, why) = reason(ApplicationNumber::parse("CN2022A3220665.2").unwrap_err());
    assert!(why.contains("'A' at position 5"), "{why}");

    for bad in [
        "",
        "CN",
        "CN.2",
        "CN202223220665.",
        "CN202223220665.22",
        "CN2022232206650665.2",
        "US202223220665.2",
        "CN202223220665.Y",
        "专利202223220665.2",
    ] {
        assert!(ApplicationNumber::parse(bad).is_err(), "{bad:?} accepted");
    }
}

// -------------------------------------------------- publication number ---

#[test]
fn publication_numbers_in_the_data_pass() {
    let mut seen = 0;
    for row in records("corpus/patents.jsonl") {
        let Some(raw) = field(&row, "publication_number") else {
            continue;
        };
        let number = PublicationNumber::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
        assert_eq!(number.as_str(), raw);
        if field(&row, "kind") == Some("invention_patent") {
            assert_eq!(number.patent_kind(), PatentKind::Invention, "{raw}");
        }
        seen += 1;
    }
    for row in records("classification/ipc_titles.jsonl") {
        let raw = field(&row, "publication_number").unwrap();
        let number = PublicationNumber::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
        assert_eq!(number.kind_code(), &raw[raw.len() - 1..]);
        seen += 1;
    }
    assert!(seen > 10_000, "{seen}");
}

#[test]
fn sample_publication_numbers_match_the_patent_type() {
    for row in sample() {
        let kind: PatentKind = field(&row, "专利类型").unwrap().parse().unwrap();
        for column in ["公开号", "授权公告号"] {
            let Some(raw) = field(&row, column) else {
                continue;
            };
            let number = PublicationNumber::parse(raw).unwrap();
            assert_eq!(number.patent_kind(), kind, "{raw}");
        }
        // An invention's 公开号 is the application (A), its 授权公告号 the grant (B).
        if kind == PatentKind::Invention {
            let published = PublicationNumber::parse(field(&row, "公开号").unwrap()).unwrap();
            assert_eq!(published.kind_code(), "A");
            assert!(!published.is_grant());
        }
    }
}

#[test]
fn publication_number_parts_and_spellings() {
    let n = PublicationNumber::parse(" cn 115883397 b ").unwrap();
    assert_eq!(n.as_str(), "CN115883397B");
    assert_eq!(n.number(), "115883397");
    assert_eq!(n.kind_code(), "B");
    assert!(n.is_grant());
    let old = PublicationNumber::parse("CN1034567C1").unwrap();
    assert_eq!(old.kind_code(), "C1");
    assert_eq!(old.patent_kind(), PatentKind::Invention);
    assert_eq!(
        PublicationNumber::parse("CN2345678Y")
            .unwrap()
            .patent_kind(),
        PatentKind::UtilityModel
    );
    assert_eq!(
        PublicationNumber::parse("CN306123456S")
            .unwrap()
            .patent_kind(),
        PatentKind::Design
    );
}

#[test]
fn bad_publication_numbers_fail_with_the_rule() {
    let (field, why) = reason(PublicationNumber::parse("CN11258A").unwrap_err());
    assert_eq!(field, "publication_number");
    assert!(why.contains("5 digits"), "{why}");
    let (_, why) = reason(PublicationNumber::parse("CN112584993X").unwrap_err());
    assert!(why.contains("'X'"), "{why}");
    for bad in [
        "",
        "US112584993A",
        "112584993A",
        "CN112584993",
        "CN1125849931234A",
        "CN112584993AB",
        "CN112584993A0",
        "CN112584993A12",
    ] {
        assert!(PublicationNumber::parse(bad).is_err(), "{bad:?} accepted");
    }
}

// ------------------------------------------------------------ IPC code ---

fn sample_ipc_codes() -> Vec<String> {
    let mut codes = Vec::new();
    for row in sample() {
        for column in ["主分类号", "分类号"] {
            let value = field(&row, column).expect("every sample row is classified");
            codes.extend(value.split(';').map(|c| c.trim().to_string()));
        }
    }
    codes
}

#[test]
fn sample_ipc_codes_pass_and_display_canonically() {
    let codes = sample_ipc_codes();
    assert!(codes.len() > 30);
    for raw in codes {
        let code = IpcCode::parse(&raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
        // Canonical = the raw text with one space after the subclass.
        assert_eq!(code.as_str(), format!("{} {}", &raw[..4], &raw[4..]));
        assert_eq!(code.subclass(), Some(&raw[..4]));
        assert_eq!(code.class(), Some(&raw[..3]));
        assert_eq!(code.section(), raw.chars().next().unwrap());
        let (main, sub) = raw[4..].split_once('/').unwrap();
        assert_eq!(code.main_group().unwrap().to_string(), main);
        assert_eq!(code.subgroup(), Some(sub));
        assert_eq!(
            code.facet_path(),
            format!(
                "/{}/{}/{}/{}{main}",
                &raw[..1],
                &raw[..3],
                &raw[..4],
                &raw[..4]
            )
        );
        assert_eq!(IpcCode::parse(code.as_str()).unwrap(), code);
    }
}

#[test]
fn classifier_subclasses_pass() {
    let mut seen = BTreeSet::new();
    for row in records("classification/ipc_titles.jsonl") {
        for label in row["ipc_subclasses"].as_array().unwrap() {
            let raw = label.as_str().unwrap();
            let code = IpcCode::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(code.as_str(), raw);
            assert_eq!(code.subclass(), Some(raw));
            assert_eq!(code.main_group(), None);
            seen.insert(raw.to_string());
        }
    }
    // The README counts 471 subclasses.
    assert_eq!(seen.len(), 471);
}

#[test]
fn ipc_spellings_normalise_alike() {
    for s in [
        "G06F 16/33",
        "G06F16/33",
        "g06f16/33",
        "G06F   16/33",
        "G06F 016/33",
        " G06F 16/33 (2019.01)",
        "Ｇ０６Ｆ１６／３３",
    ] {
        assert_eq!(IpcCode::parse(s).unwrap().as_str(), "G06F 16/33", "{s}");
    }
    assert_eq!(IpcCode::parse("g").unwrap().as_str(), "G");
    assert_eq!(IpcCode::parse("G06").unwrap().as_str(), "G06");
    assert_eq!(IpcCode::parse("G06F16").unwrap().as_str(), "G06F 16");
}

#[test]
fn ipc_levels_and_facet_paths() {
    let g = IpcCode::parse("G").unwrap();
    assert_eq!((g.section(), g.class(), g.subclass()), ('G', None, None));
    assert_eq!(g.facet_path(), "/G");
    assert_eq!(IpcCode::parse("G06").unwrap().facet_path(), "/G/G06");
    assert_eq!(IpcCode::parse("G06F").unwrap().facet_path(), "/G/G06/G06F");
    assert_eq!(
        IpcCode::parse("G06F 16").unwrap().facet_path(),
        "/G/G06/G06F/G06F16"
    );
    assert_eq!(
        IpcCode::parse("B64U101/30").unwrap().facet_path(),
        "/B/B64/B64U/B64U101"
    );
}

#[test]
fn ipc_prefix_matching_goes_level_by_level() {
    let code = IpcCode::parse("G06F 16/33").unwrap();
    let matches = |p: &str| code.starts_with(&IpcCode::parse(p).unwrap());
    for p in ["G", "G06", "G06F", "G06F 16", "G06F 16/33", "G06F 16/00"] {
        assert!(matches(p), "{p} should match");
    }
    // G06F 1 is a text prefix of G06F 16/33 but another main group.
    for p in [
        "H",
        "G05",
        "G06K",
        "G06F 1",
        "G06F 1/00",
        "G06F 16/3300",
        "G06F 16/335",
        "G06F 17/00",
    ] {
        assert!(!matches(p), "{p} should not match");
    }
    // A finer code is never a prefix of a coarser one.
    assert!(!IpcCode::parse("G06").unwrap().starts_with(&code));
}

#[test]
fn bad_ipc_codes_fail_with_the_rule() {
    let (field, why) = reason(IpcCode::parse("I06F 16/33").unwrap_err());
    assert_eq!(field, "ipc_code");
    assert!(why.contains("section 'I'"), "{why}");
    let (_, why) = reason(IpcCode::parse("G06F 16/3").unwrap_err());
    assert!(why.contains("subgroup must be 2 to 6 digits"), "{why}");
    let (_, why) = reason(IpcCode::parse("G06F 12345/00").unwrap_err());
    assert!(why.contains("main group must be 1 to 4 digits"), "{why}");
    for bad in [
        "",
        "6",
        "G6F",
        "G00F",
        "G061",
        "G06F/33",
        "G06F 0/00",
        "G06F 16/",
        "G06F 16/1234567",
        "G06F 16/33X",
        "G06F 16/33/1",
        "G06F-16/33",
        "G06F 16/33 (new)",
    ] {
        assert!(IpcCode::parse(bad).is_err(), "{bad:?} accepted");
    }
}

// ------------------------------------------------------- cooperation ---

const LICENCES: [ImplementationMode; 3] = [OrdinaryLicence, ExclusiveLicence, SoleLicence];

#[test]
fn every_cooperation_text_in_the_data_is_fully_read() {
    let mut texts = distinct("corpus/offers.jsonl", "cooperation_text");
    texts.extend(distinct("demands/demands.jsonl", "cooperation_text"));
    assert!(texts.len() >= 30, "{}", texts.len());
    for text in texts {
        let parse = parse_modes(&text);
        assert!(
            parse.unrecognised.is_empty(),
            "{text}: {:?}",
            parse.unrecognised
        );
        // In this data 转让 only follows 完全/技术 or 许可, 入股 only follows
        // 技术, and every 许可 is a generic licence.
        let transfer = text.contains("完全转让") || text.contains("技术转让");
        assert_eq!(parse.modes.contains(&Transfer), transfer, "{text}");
        assert_eq!(
            parse.modes.contains(&Equity),
            text.contains("入股"),
            "{text}"
        );
        for licence in LICENCES {
            assert_eq!(
                parse.modes.contains(&licence),
                text.contains("许可"),
                "{text}"
            );
        }
        assert!(
            !parse.modes.contains(&ImplementationMode::OpenLicence),
            "{text}"
        );
        let other = ["其他", "合作生产", "委托开发"]
            .iter()
            .any(|p| text.contains(p));
        assert_eq!(parse.modes.contains(&Other), other, "{text}");
    }
}

fn modes_of(text: &str) -> BTreeSet<ImplementationMode> {
    parse_modes(text).modes
}

#[test]
fn run_together_and_separated_texts() {
    let all: BTreeSet<_> = [
        Transfer,
        OrdinaryLicence,
        ExclusiveLicence,
        SoleLicence,
        Equity,
        Other,
    ]
    .into();
    assert_eq!(modes_of("完全转让许可转让技术入股合作生产"), all);
    assert_eq!(modes_of("完全转让, 许可转让；技术入股、合作生产"), all);
    // 许可转让 alone is a licence, not a transfer.
    assert_eq!(modes_of("许可转让"), LICENCES.into());
    assert_eq!(
        modes_of("专利权转让 独占许可"),
        [Transfer, ExclusiveLicence].into()
    );
    assert_eq!(
        modes_of("开放许可"),
        [ImplementationMode::OpenLicence].into()
    );
    assert_eq!(modes_of("作价入股/排他许可"), [Equity, SoleLicence].into());
    assert_eq!(modes_of("技术服务+合作开发"), [Other].into());
    assert_eq!(parse_modes(""), Default::default());
}

#[test]
fn unknown_phrasings_are_kept_verbatim() {
    let parse = parse_modes("技术咨询");
    assert!(parse.modes.is_empty());
    assert_eq!(parse.unrecognised, ["技术咨询"]);

    let parse = parse_modes("完全转让ABC 许可，人才培养");
    assert_eq!(
        parse.modes,
        [Transfer, OrdinaryLicence, ExclusiveLicence, SoleLicence].into()
    );
    assert_eq!(parse.unrecognised, ["ABC", "人才培养"]);

    // Consecutive unmatched characters stay one piece, in text order.
    let parse = parse_modes("共建实验室技术入股联合攻关");
    assert_eq!(parse.modes, [Equity].into());
    assert_eq!(parse.unrecognised, ["共建实验室", "联合攻关"]);
}

// ---------------------------------------------------------------- fee ---

fn fee(
    method: Option<PaymentMethod>,
    amount: Option<(u64, u64)>,
    royalty: Option<f64>,
    raw: &str,
) -> FeeStandard {
    FeeStandard {
        method,
        amount: amount.map(|(min, max)| YuanRange::new(min, max).expect("min <= max")),
        royalty_percent: royalty,
        raw: Some(raw.to_string()),
        unparsed: false,
    }
}

#[test]
fn every_price_text_in_offers_is_read() {
    let texts = distinct("corpus/offers.jsonl", "price_text");
    assert!(texts.len() >= 4);
    for text in texts {
        let parsed = parse_fee(&text);
        assert!(!parsed.unparsed, "{text}");
        assert_eq!(parsed.raw.as_deref(), Some(text.as_str()));
        // Offers say either 面议 or a 万元 range, never both.
        assert_eq!(
            parsed.method == Some(PaymentMethod::Negotiable),
            text == "面议",
            "{text}"
        );
        assert_eq!(parsed.amount.is_some(), text.contains("万元"), "{text}");
    }
}

#[test]
fn price_texts_read_exactly() {
    use PaymentMethod::*;
    let cases = [
        ("面议", fee(Some(Negotiable), None, None, "面议")),
        (
            "100.0万元-200.0万元",
            fee(
                None,
                Some((1_000_000, 2_000_000)),
                None,
                "100.0万元-200.0万元",
            ),
        ),
        (
            "9.0万元-9.0万元",
            fee(None, Some((90_000, 90_000)), None, "9.0万元-9.0万元"),
        ),
        (
            "30.0万元-100.0万元",
            fee(None, Some((300_000, 1_000_000)), None, "30.0万元-100.0万元"),
        ),
        (
            "50万元",
            fee(None, Some((500_000, 500_000)), None, "50万元"),
        ),
        ("5000元", fee(None, Some((5_000, 5_000)), None, "5000元")),
        (
            "1.5亿元",
            fee(None, Some((150_000_000, 150_000_000)), None, "1.5亿元"),
        ),
        ("0.1万元", fee(None, Some((1_000, 1_000)), None, "0.1万元")),
        (
            "10-20万",
            fee(None, Some((100_000, 200_000)), None, "10-20万"),
        ),
        (
            "10～20万元",
            fee(None, Some((100_000, 200_000)), None, "10～20万元"),
        ),
        (
            "入门费10万元+提成3%",
            fee(
                Some(EntryFeePlusRoyalty),
                Some((100_000, 100_000)),
                Some(3.0),
                "入门费10万元+提成3%",
            ),
        ),
        ("提成5%", fee(Some(Royalty), None, Some(5.0), "提成5%")),
        (
            "提成 2.5 %",
            fee(Some(Royalty), None, Some(2.5), "提成 2.5 %"),
        ),
        (
            "先免费后收费",
            fee(Some(FreeThenPaid), None, None, "先免费后收费"),
        ),
        (
            "一次性支付20万元",
            fee(
                Some(LumpSum),
                Some((200_000, 200_000)),
                None,
                "一次性支付20万元",
            ),
        ),
        ("分期", fee(Some(Instalments), None, None, "分期")),
        ("免费", fee(None, Some((0, 0)), None, "免费")),
        ("0元", fee(None, Some((0, 0)), None, "0元")),
        (
            "一次性支付，价格面议",
            fee(Some(LumpSum), None, None, "一次性支付，价格面议"),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_fee(text), expected, "{text}");
    }
}

#[test]
fn unreadable_price_text_is_kept_and_flagged() {
    for text in [
        "价格优惠",
        "3%",
        "入门费10万元",
        "10万-20",
        "一次性分期",
        "免费10万元",
        "提成150%",
        "20-10万",
        "约五万",
        "1.25元",
        "分期付款，共30万元",
    ] {
        let got = parse_fee(&format!(" {text} "));
        assert!(got.unparsed, "{text}");
        assert_eq!(got.raw.as_deref(), Some(text));
        assert_eq!(
            (got.method, got.amount, got.royalty_percent),
            (None, None, None),
            "{text}"
        );
    }
    assert_eq!(parse_fee("   "), FeeStandard::default());
    assert_eq!(parse_fee(" 面议 ").raw.as_deref(), Some("面议"));
}

// ------------------------------------------------------------- budget ---

fn band(min: Option<u64>, max: Option<u64>) -> Option<Budget> {
    Some(Budget {
        min_yuan: min,
        max_yuan: max,
    })
}

#[test]
fn every_budget_text_in_demands_is_read() {
    let texts = distinct("demands/demands.jsonl", "budget_text");
    assert!(texts.len() >= 5);
    for text in texts {
        let budget = parse_budget(&text).unwrap_or_else(|| panic!("{text}"));
        // `>` leaves the top open, `<` the bottom.
        assert_eq!(budget.max_yuan.is_none(), text.starts_with('>'), "{text}");
        assert_eq!(budget.min_yuan.is_none(), text.starts_with('<'), "{text}");
    }
}

#[test]
fn budget_texts_read_exactly() {
    let cases = [
        ("10~50万", band(Some(100_000), Some(500_000))),
        ("50~200万", band(Some(500_000), Some(2_000_000))),
        (">200万", band(Some(2_000_000), None)),
        ("<1万", band(None, Some(10_000))),
        ("1~10万", band(Some(10_000), Some(100_000))),
        ("10-50万元", band(Some(100_000), Some(500_000))),
        ("30万以内", band(None, Some(300_000))),
        ("200万以上", band(Some(2_000_000), None)),
        ("不超过 5 万元", band(None, Some(50_000))),
        ("50万", band(Some(500_000), Some(500_000))),
        ("", None),
        ("面议", None),
        ("不限", None),
        ("50~10万", None),
        (">10~50万", None),
        (">10万以内", None),
        ("10~50", None),
        ("10~50万左右", None),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_budget(text), expected, "{text:?}");
    }
}

// --------------------------------------------------------------- date ---

#[test]
fn every_posted_date_in_the_data_parses() {
    let mut count = 0;
    for rel in ["corpus/offers.jsonl", "demands/demands.jsonl"] {
        for row in records(rel) {
            let Some(text) = field(&row, "posted") else {
                continue;
            };
            let date = parse_date("posted", text).unwrap_or_else(|e| panic!("{text}: {e}"));
            // Read the parts back independently of the parser.
            let parts: Vec<u32> = text.split(['-', '/']).map(|p| p.parse().unwrap()).collect();
            assert_eq!(
                date.format("%Y %m %d").to_string(),
                format!("{} {:02} {:02}", parts[0], parts[1], parts[2])
            );
            count += 1;
        }
    }
    assert!(count > 5_000, "{count}");
}

#[test]
fn patent_and_sample_dates_parse() {
    for row in records("corpus/patents.jsonl") {
        if let Some(text) = field(&row, "application_date") {
            let date = parse_date("application_date", text).unwrap();
            assert_eq!(date.to_string(), text);
        }
    }
    for row in sample() {
        for column in ["申请日", "公开日"] {
            let text = field(&row, column).unwrap();
            let date = parse_date(column, text).unwrap();
            assert_eq!(date.format("%Y%m%d").to_string(), text);
        }
        // Ungranted applications carry 0 as their grant date.
        if let Some("0") = field(&row, "授权公告日") {
            let (field, why) = reason(parse_date("授权公告日", "0").unwrap_err());
            assert_eq!(field, "授权公告日");
            assert!(why.contains("\"0\""), "{why}");
        }
    }
}

#[test]
fn all_date_forms_give_the_same_day() {
    let day = chrono::NaiveDate::from_ymd_opt(2020, 7, 31).unwrap();
    for text in [
        "2020-07-31",
        "2020-7-31",
        "2020/7/31",
        "20200731",
        "2020.07.31",
        "2020年7月31日",
        " 2020年07月31日 ",
    ] {
        assert_eq!(parse_date("posted", text).unwrap(), day, "{text}");
    }
}

#[test]
fn non_dates_are_errors_naming_the_field() {
    for text in [
        "",
        "0",
        "2021-02-29",
        "2020-13-01",
        "20221232",
        "2020-01",
        "2020/7/31/1",
        "2020-07/31",
        "20-07-31",
        "abc",
        "2020年7月",
        "00000101",
        "2020-1-1x",
    ] {
        let (field, why) = reason(parse_date("application_date", text).unwrap_err());
        assert_eq!(field, "application_date", "{text}");
        assert!(!why.is_empty());
    }
    // Leap day exists in 2020, not in 2021.
    assert!(parse_date("d", "2020-02-29").is_ok());
    let (_, why) = reason(parse_date("d", "2021-02-29").unwrap_err());
    assert!(why.contains("2021-02-29"), "{why}");
}
