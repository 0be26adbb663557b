//! Hostile input for the importers and the free-text parsers (issue 9):
//! arbitrary bytes, JSON-ish lines and CSV imported into a real SQLite
//! store, and arbitrary strings (full-width forms, huge numbers, emoji,
//! control characters) given to every parser. None may panic: an import
//! either succeeds with a report whose every rejection names file, line and
//! field, or fails with a clear error; a parser answers or refuses.
//!
//! Case counts are bounded so that the file runs in seconds under
//! `cargo test`; proptest writes no regression files (a failure found here
//! becomes an explicit test below instead).

use patmatch_corpus::{
    import_files, parse_budget, parse_date, parse_fee, parse_modes, ApplicationNumber, CreditCode,
    Error, ImportOptions, ImportReport, IpcCode, PublicationNumber, SqliteStore, StoreConfig,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Number, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// Hostile strings.

/// Words the parsers look for, so that generated text reaches their deeper
/// branches instead of failing on the first char.
const WORDS: &[&str] = &[
    "面议",
    "协商",
    "一次性",
    "一次性支付",
    "分期",
    "先免费后收费",
    "入门费",
    "提成",
    "免费",
    "价格",
    "费用",
    "为",
    ":",
    "：",
    "万",
    "万元",
    "亿",
    "亿元",
    "千",
    "元",
    "%",
    "-",
    "~",
    "—",
    "至",
    "到",
    "+",
    "加",
    ",",
    "，",
    "、",
    ";",
    "以上",
    "以下",
    "以内",
    ">",
    ">=",
    "≥",
    "<",
    "不超过",
    "大于",
    "年",
    "月",
    "日",
    "号",
    ".",
    "/",
    "CN",
    "ZL",
    "X",
    "x",
    "(",
    ")",
    "(2006.01)",
    "G06F",
    "H01M",
    "A",
    "00",
    "转让",
    "普通许可",
    "独占实施许可",
    "许可",
    "入股",
    "或",
    "和",
    "｜",
    "／",
    "＋",
    "0",
    "1",
    "12",
    "31",
    "2020",
    "1900",
    "2100",
    "9999",
    "99999999999999999999999999999999999999999",
    "0.1",
    "1.5",
    "1e308",
    "NaN",
    "-1",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(WORDS).prop_map(str::to_string),
        2 => "[0-9]{1,45}",
        2 => "[０-９Ａ-Ｚａ-ｚ．／－（）：％　]{1,12}",
        1 => "[\u{1F300}-\u{1FAFF}\u{200D}\u{FE0F}]{1,4}",
        1 => "[\\x00-\\x1f\\x7f\u{0085}\u{2028}\u{FEFF}]{1,3}",
        1 => "[ \\t\\n\\r\u{3000}]{1,3}",
        1 => "[一-龥]{1,6}",
        2 => any::<String>(),
    ]
}

/// Text built of parser words, digits, full-width forms, emoji, control
/// characters and arbitrary Unicode.
fn hostile() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..10).prop_map(|pieces| pieces.concat())
}

// ---------------------------------------------------------------------------
// The free-text parsers.

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn parse_fee_reads_or_keeps_any_text(text in hostile()) {
        let fee = parse_fee(&text);
        if text.trim().is_empty() {
            prop_assert_eq!(fee, Default::default());
        } else {
            // The text is always kept verbatim.
            prop_assert_eq!(fee.raw.as_deref(), Some(text.trim()));
            if !fee.unparsed {
                prop_assert!(fee.method.is_some() || fee.amount.is_some(), "{fee:?}");
            }
            if let Some(amount) = fee.amount {
                prop_assert!(amount.min <= amount.max, "{fee:?}");
            }
            if let Some(p) = fee.royalty_percent {
                prop_assert!((0.0..=100.0).contains(&p), "{fee:?}");
            }
        }
    }

    #[test]
    fn parse_modes_never_loses_text(text in hostile()) {
        let parse = parse_modes(&text);
        for rest in &parse.unrecognised {
            prop_assert!(!rest.is_empty());
            prop_assert!(text.contains(rest.as_str()), "{rest:?} not in {text:?}");
        }
    }

    #[test]
    fn parse_budget_answers_a_band_or_nothing(text in hostile()) {
        if let Some(budget) = parse_budget(&text) {
            prop_assert!(budget.min_yuan.is_some() || budget.max_yuan.is_some());
            if let (Some(min), Some(max)) = (budget.min_yuan, budget.max_yuan) {
                prop_assert!(min <= max, "{budget:?} from {text:?}");
            }
        }
    }

    #[test]
    fn parse_date_answers_a_plausible_date_or_names_the_field(text in hostile()) {
        match parse_date("posted", &text) {
            Ok(date) => {
                use chrono::Datelike;
                prop_assert!((1900..=2100).contains(&date.year()), "{date} from {text:?}");
            }
            Err(Error::Invalid { field, reason }) => {
                prop_assert_eq!(field, "posted");
                prop_assert!(!reason.is_empty());
            }
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    #[test]
    fn identifiers_parse_to_a_canonical_form_or_refuse(text in hostile()) {
        // Each canonical form parses to itself: stored identifiers are read
        // back through `parse` (serde's `try_from`).
        if let Ok(code) = CreditCode::parse(&text) {
            prop_assert_eq!(code.as_str().chars().count(), 18);
            prop_assert_eq!(CreditCode::parse(code.as_str()).ok(), Some(code.clone()));
        }
        if let Ok(number) = ApplicationNumber::parse(&text) {
            prop_assert_eq!(ApplicationNumber::parse(number.as_str()).ok(), Some(number.clone()));
            let _ = (number.year(), number.patent_kind(), number.check_digit());
        }
        if let Ok(code) = IpcCode::parse(&text) {
            prop_assert_eq!(IpcCode::parse(code.as_str()).ok(), Some(code.clone()));
            let _ = (code.section(), code.class(), code.subclass(), code.main_group());
            let _ = (code.subgroup(), code.facet_path(), code.starts_with(&code));
        }
        if let Ok(number) = PublicationNumber::parse(&text) {
            prop_assert_eq!(PublicationNumber::parse(number.as_str()).ok(), Some(number.clone()));
        }
    }

    #[test]
    fn identifier_like_text_never_panics(
        text in "[CNZLcn０-９0-9 .．XxA-Ha-h/()]{0,24}",
    ) {
        // Near misses of real identifiers reach the check-digit code.
        let _ = CreditCode::parse(&text);
        let _ = ApplicationNumber::parse(&text);
        let _ = IpcCode::parse(&text);
        let _ = PublicationNumber::parse(&text);
        let _ = parse_date("d", &text);
    }
}

// ---------------------------------------------------------------------------
// The importers.

/// A fresh store in its own temporary directory, which holds the inputs too.
struct Db {
    dir: TempDir,
    store: SqliteStore,
}

impl Db {
    fn new() -> Result<Self, TestCaseError> {
        let dir = scratch_dir().map_err(fail)?;
        let store =
            SqliteStore::open(&StoreConfig::new(dir.path().join("patmatch.db"))).map_err(fail)?;
        Ok(Self { dir, store })
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, TestCaseError> {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).map_err(fail)?;
        Ok(path)
    }

    fn import(&mut self, path: &Path) -> Result<Result<ImportReport, Error>, TestCaseError> {
        let result = import_files(
            &mut self.store,
            &[path.to_path_buf()],
            &ImportOptions::default(),
            &(),
        );
        if let Err(e) = &result {
            check_error(e, path)?;
        }
        Ok(result)
    }
}

/// A throwaway directory, in memory where Linux offers one: creating and
/// writing hundreds of SQLite stores on disk costs ~30 ms of syncs each
/// (10 s per test), on tmpfs ~2 ms.
fn scratch_dir() -> std::io::Result<TempDir> {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::Builder::new()
            .prefix("patmatch-fuzz-import")
            .tempdir_in(shm)
        {
            return Ok(dir);
        }
    }
    TempDir::new()
}

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// An import may fail only because the file fits no kind; the error names
/// the file. A bad record is a rejection, never an error of the import.
fn check_error(e: &Error, path: &Path) -> Result<(), TestCaseError> {
    match e {
        Error::UnknownKind {
            path: named,
            reason,
        } => {
            prop_assert_eq!(named.as_path(), path);
            prop_assert!(!reason.is_empty());
            prop_assert!(e.to_string().contains(&path.display().to_string()));
            Ok(())
        }
        other => Err(TestCaseError::fail(format!(
            "import failed with {other:?} ({other})"
        ))),
    }
}

/// Lines as the JSONL reader counts them (1-based, split on `\n`).
fn line_count(bytes: &[u8]) -> usize {
    bytes.split(|&b| b == b'\n').count()
}

/// Every rejection names the file, a line in it, a field and a reason.
fn check_rejections(report: &ImportReport, path: &Path, bytes: &[u8]) -> Result<(), TestCaseError> {
    let lines = line_count(bytes);
    for r in &report.rejected {
        prop_assert_eq!(r.file.as_path(), path, "{}", r);
        prop_assert!(
            r.line >= 1 && r.line <= lines,
            "line {} of {}: {}",
            r.line,
            lines,
            r
        );
        prop_assert!(!r.field.trim().is_empty(), "{}", r);
        prop_assert!(!r.reason.trim().is_empty(), "{}", r);
    }
    Ok(())
}

/// Records the JSONL reader sees: lines that are not all ASCII whitespace
/// (a UTF-8 byte-order mark on the first line does not count).
fn jsonl_records(bytes: &[u8]) -> usize {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    bytes
        .split(|&b| b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .count()
}

/// Every record of a JSONL import is accounted for: written (inserted,
/// updated or unchanged), rejected (once per line, whatever the number of
/// problems), or replaced by a later record with the same id.
fn check_accounting(report: &ImportReport, bytes: &[u8]) -> Result<(), TestCaseError> {
    let rejected: BTreeSet<usize> = report.rejected.iter().map(|r| r.line).collect();
    let c = &report.counts;
    let written = c.listings.inserted
        + c.listings.updated
        + c.listings.unchanged
        + c.profiles.inserted
        + c.profiles.updated
        + c.profiles.unchanged;
    prop_assert_eq!(
        written + rejected.len() + report.duplicates,
        jsonl_records(bytes),
        "{:?}",
        report
    );
    Ok(())
}

const LISTING_KEYS: &[&str] = &[
    "id",
    "source",
    "title",
    "abstract",
    "claims",
    "holder",
    "publication_number",
    "kind",
    "application_date",
    "inventors",
    "cooperation_text",
    "price_text",
    "posted",
];

const DEMAND_KEYS: &[&str] = &[
    "id",
    "source",
    "title",
    "text",
    "cooperation_text",
    "budget_text",
    "posted",
];

const EXPORT_KEYS: &[&str] = &[
    "申请号",
    "专利名称",
    "授权名称",
    "source",
    "公开号",
    "授权公告号",
    "专利类型",
    "主分类号",
    "分类号",
    "申请日",
    "公开日",
    "授权公告日",
    "申请人",
    "申请人类型",
    "统一社会信用代码",
    "实施方式",
    "费用标准",
    "价格",
    "支付方式",
    "公告日期",
    "声明日期",
    "申请摘要",
    "主权项",
    "发明人",
];

/// Values that pass validation, by the kind of field, so that records get
/// past the first check and reach the store, duplicates and the terms rules.
/// Few ids, so that records collide within and across imports.
const IDS: &[&str] = &["p1", "p2", "p3", "dem-1", "dem-2"];
const APPLICATION_NUMBERS: &[&str] = &[
    "CN202223220665.2",
    "202010000001.1",
    "CN201910123456.X",
    "ZL02115535.6",
    "ＣＮ２０２１２００００００３．０",
];
const PUBLICATION_NUMBERS: &[&str] = &["CN115000000A", "CN213000000U", "CN1234567B", "0"];
const DATES: &[&str] = &[
    "2020-01-13",
    "2020/7/31",
    "20221202",
    "2020年7月31日",
    "2099.12.31",
];
const FEES: &[&str] = &[
    "面议",
    "10-20万元",
    "入门费5万元+提成3%",
    "一次性支付100万元",
    "免费",
    "0.1万元",
];
const KINDS: &[&str] = &["patent", "发明", "实用新型", "外观设计"];
const HOLDER_KINDS: &[&str] = &["高校", "企业", "个人"];
const CREDIT_CODES: &[&str] = &["91330100799655058B", "000000000000000000"];
const IPC: &[&str] = &["G06F 3/01", "H01M4/36;H01M10/0525", "A01B(2006.01)"];
const SOURCES: &[&str] = &[
    "techmarket-offer",
    "techmarket-demand",
    "haiyan-demand",
    "cnki",
];

/// Every value the generators know as valid, for fields of any kind.
fn plausible() -> impl Strategy<Value = String> {
    let all: Vec<&'static str> = [
        IDS,
        APPLICATION_NUMBERS,
        PUBLICATION_NUMBERS,
        DATES,
        FEES,
        KINDS,
        HOLDER_KINDS,
        CREDIT_CODES,
        IPC,
        SOURCES,
    ]
    .concat();
    proptest::sample::select(all).prop_map(str::to_string)
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        4 => hostile().prop_map(Value::String),
        4 => plausible().prop_map(Value::String),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>()
            .prop_filter_map("finite", Number::from_f64)
            .prop_map(Value::Number),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,3}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A field with a value that passes validation: one of `valid`, or for
/// free text (`valid` empty) any hostile text.
fn field(key: &'static str, valid: &'static [&'static str]) -> BoxedStrategy<(String, Value)> {
    let value = if valid.is_empty() {
        hostile().prop_map(Value::String).boxed()
    } else {
        proptest::sample::select(valid)
            .prop_map(|v| Value::String(v.to_string()))
            .boxed()
    };
    value.prop_map(move |v| (key.to_string(), v)).boxed()
}

/// Some of `fields`, each present or not.
fn some_of(fields: Vec<BoxedStrategy<(String, Value)>>) -> BoxedStrategy<Map<String, Value>> {
    fields
        .into_iter()
        .map(|f| proptest::option::of(f).boxed())
        .collect::<Vec<_>>()
        .prop_map(|fields| fields.into_iter().flatten().collect())
        .boxed()
}

/// A record of one kind whose validated fields hold valid values and whose
/// free-text fields hold hostile text: it may well be imported.
fn valid_record() -> BoxedStrategy<Map<String, Value>> {
    let listing = (
        field("id", IDS),
        field("title", &[]),
        field("abstract", &[]),
        some_of(vec![
            field("source", SOURCES),
            field("holder", &[]),
            field("price_text", FEES),
            field("price_text", &[]),
            field("cooperation_text", &[]),
            field("publication_number", &PUBLICATION_NUMBERS[..3]),
            field("kind", KINDS),
            field("application_date", DATES),
            field("posted", DATES),
            field("claims", &[]),
            field("inventors", &[]),
        ]),
    )
        .prop_map(|(id, title, abs, mut rest)| {
            rest.extend([id, title, abs]);
            rest
        });
    let demand = (
        field("id", IDS),
        field("text", &[]),
        some_of(vec![
            field("source", SOURCES),
            field("title", &[]),
            field("budget_text", &[]),
            field("budget_text", &["10~50万", ">200万", "<1万", "50万以上"]),
            field("cooperation_text", &[]),
            field("posted", DATES),
        ]),
    )
        .prop_map(|(id, text, mut rest)| {
            rest.extend([id, text]);
            rest
        });
    let export = (
        field("申请号", APPLICATION_NUMBERS),
        field("专利名称", &[]),
        some_of(vec![
            field("公开号", PUBLICATION_NUMBERS),
            field("专利类型", &KINDS[1..]),
            field("主分类号", IPC),
            field("申请日", DATES),
            field("授权公告日", &["0", "2021-03-02"]),
            field("申请人", &[]),
            field("申请人类型", HOLDER_KINDS),
            field("统一社会信用代码", CREDIT_CODES),
            field("实施方式", &[]),
            field("费用标准", FEES),
            field("支付方式", &[]),
            field("公告日期", DATES),
            field("申请摘要", &[]),
            field("发明人", &[]),
        ]),
    )
        .prop_map(|(number, title, mut rest)| {
            rest.extend([number, title]);
            rest
        });
    prop_oneof![listing, demand, export].boxed()
}

/// A record shaped like one kind (its identifying fields present) with
/// arbitrary values, plus arbitrary other fields of any kind.
fn hostile_record() -> impl Strategy<Value = Map<String, Value>> {
    let all: Vec<&'static str> = LISTING_KEYS
        .iter()
        .chain(DEMAND_KEYS)
        .chain(EXPORT_KEYS)
        .copied()
        .collect();
    let key = prop_oneof![
        6 => proptest::sample::select(all).prop_map(str::to_string),
        1 => hostile(),
    ];
    let base = prop_oneof![
        Just(&["id", "title", "abstract"][..]),
        Just(&["id", "title", "price_text", "holder"][..]),
        Just(&["id", "text", "budget_text"][..]),
        Just(&["申请号", "专利名称"][..]),
        Just(&[][..]),
    ];
    (
        base,
        proptest::collection::vec(json_value(), 4),
        proptest::collection::btree_map(key, json_value(), 0..8),
    )
        .prop_map(|(base, values, extra)| {
            let mut map: Map<String, Value> = extra.into_iter().collect();
            for (key, value) in base.iter().zip(values) {
                map.insert((*key).to_string(), value);
            }
            map
        })
}

fn record() -> impl Strategy<Value = Map<String, Value>> {
    prop_oneof![valid_record(), hostile_record()]
}

/// One line of a JSONL file: mostly records, some broken.
fn jsonl_line() -> impl Strategy<Value = String> {
    let object = || record().prop_map(|r| Value::Object(r).to_string());
    prop_oneof![
        8 => object(),
        // Cut short at any char: unterminated strings, objects, escapes.
        2 => (object(), any::<proptest::sample::Index>()).prop_map(|(line, at)| {
            let cut = line.char_indices().map(|(i, _)| i).nth(at.index(line.chars().count().max(1)));
            line[..cut.unwrap_or(0)].to_string()
        }),
        1 => json_value().prop_map(|v| v.to_string()),
        1 => hostile(),
        1 => Just(String::new()),
    ]
}

fn jsonl_file() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec(jsonl_line(), 0..12),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, bom, crlf)| {
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            text.push_str(&lines.join(if crlf { "\r\n" } else { "\n" }));
            text.into_bytes()
        })
}

/// Quoted properly, or raw (which may break the row).
fn csv_quote(text: String, quote: bool) -> String {
    if quote {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A row for `header`: valid values under their columns (free text hostile),
/// or cells of anything, of any number.
fn csv_row(header: Vec<String>) -> BoxedStrategy<String> {
    let valid: Vec<BoxedStrategy<String>> = header
        .iter()
        .map(|column| {
            let values: &'static [&'static str] = match column.as_str() {
                "申请号" => APPLICATION_NUMBERS,
                "公开号" | "授权公告号" => PUBLICATION_NUMBERS,
                "专利类型" => &KINDS[1..],
                "主分类号" | "分类号" => IPC,
                "申请日" | "公开日" | "授权公告日" | "公告日期" | "声明日期" => {
                    DATES
                }
                "申请人类型" => HOLDER_KINDS,
                "统一社会信用代码" => CREDIT_CODES,
                "费用标准" | "价格" => FEES,
                _ => &[],
            };
            let text = if values.is_empty() {
                hostile().boxed()
            } else {
                proptest::sample::select(values)
                    .prop_map(str::to_string)
                    .boxed()
            };
            (text, any::<bool>())
                .prop_map(|(t, q)| {
                    let quote = q || t.contains([',', '"', '\n', '\r']);
                    csv_quote(t, quote)
                })
                .boxed()
        })
        .collect();
    let anything = proptest::collection::vec(
        (
            prop_oneof![2 => plausible(), 2 => hostile(), 1 => "[\",\\n\\r]{1,3}"],
            any::<bool>(),
        )
            .prop_map(|(t, q)| csv_quote(t, q)),
        0..9,
    );
    prop_oneof![
        3 => valid.prop_map(|cells| cells.join(",")),
        1 => anything.prop_map(|cells| cells.join(",")),
    ]
    .boxed()
}

fn csv_file() -> impl Strategy<Value = Vec<u8>> {
    let column = prop_oneof![
        4 => proptest::sample::select(EXPORT_KEYS).prop_map(str::to_string),
        1 => hostile().prop_map(|h| h.replace([',', '"', '\n', '\r'], "")),
    ];
    proptest::collection::vec(column, 0..8)
        .prop_flat_map(|extra| {
            let mut header = vec!["申请号".to_string(), "专利名称".to_string()];
            header.extend(extra);
            header.dedup();
            (
                Just(header.clone()),
                proptest::collection::vec(csv_row(header), 0..8),
                proptest::collection::vec(any::<u8>(), 0..6),
                0..3u8,
            )
        })
        .prop_map(|(header, rows, junk, junk_at)| {
            let mut out = header.join(",").into_bytes();
            out.push(b'\n');
            for row in rows {
                out.extend(row.into_bytes());
                out.push(b'\n');
            }
            // Bytes that need not be UTF-8, inside or after the rows, or none.
            match junk_at {
                0 => out.extend(junk),
                1 => {
                    let at = out.len() / 2;
                    out.splice(at..at, junk);
                }
                _ => {}
            }
            out
        })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_bytes_import_or_fail_clearly(
        bytes in proptest::collection::vec(any::<u8>(), 0..512),
        name in proptest::sample::select(&["in.jsonl", "in.csv", "in.txt"][..]),
    ) {
        let mut db = Db::new()?;
        let path = db.write(name, &bytes)?;
        if let Ok(report) = db.import(&path)? {
            check_rejections(&report, &path, &bytes)?;
        }
    }

    #[test]
    fn jsonl_lines_import_or_fail_clearly(first in jsonl_file(), second in jsonl_file()) {
        // Two imports into one store: the second meets the first's
        // listings, so changes of terms and re-imports are exercised too.
        let mut db = Db::new()?;
        for (name, bytes) in [("a.jsonl", &first), ("b.jsonl", &second)] {
            let path = db.write(name, bytes)?;
            if let Ok(report) = db.import(&path)? {
                check_rejections(&report, &path, bytes)?;
                check_accounting(&report, bytes)?;
            }
        }
    }

    #[test]
    fn csv_imports_or_fails_clearly(bytes in csv_file(), ext in proptest::sample::select(&["csv", "txt"][..])) {
        let mut db = Db::new()?;
        let path = db.write(&format!("export.{ext}"), &bytes)?;
        if let Ok(report) = db.import(&path)? {
            check_rejections(&report, &path, &bytes)?;
        }
    }
}
