//! The importer on the real shared data, into a real SQLite store in a
//! temporary directory. Small fixtures (corrupted lines, CSV exports) are
//! derived from the real files at test time, never kept in the repository.

use chrono::NaiveDate;
use patmatch_corpus::{
    import_files, parse_modes, Error, HolderKind, ImplementationMode, ImportOptions,
    ImportProgress, ImportReport, IpcCode, Listing, PatentKind, PaymentMethod, SourceKind,
    SqliteStore, Store, StoreConfig, UpsertCounts, YuanRange,
};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tempfile::TempDir;

fn shared() -> PathBuf {
    std::env::var_os("PATMATCH_SHARED_DIR").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")),
        PathBuf::from,
    )
}

fn data(rel: &str) -> PathBuf {
    shared().join("data").join(rel)
}

fn patents() -> PathBuf {
    data("corpus/patents.jsonl")
}

fn offers() -> PathBuf {
    data("corpus/offers.jsonl")
}

fn demands() -> PathBuf {
    data("demands/demands.jsonl")
}

fn export() -> PathBuf {
    data("samples/cnipa_style_export.jsonl")
}

/// A store in its own temporary directory, which also holds fixtures.
struct Db {
    dir: TempDir,
    store: SqliteStore,
}

impl Db {
    fn new() -> Self {
        let dir = TempDir::new().expect("temp dir");
        let store = SqliteStore::open(&StoreConfig::new(dir.path().join("patmatch.db")))
            .expect("store opens");
        Self { dir, store }
    }

    fn import(&mut self, paths: &[PathBuf]) -> ImportReport {
        self.import_with(paths, &ImportOptions::default())
            .expect("import succeeds")
    }

    fn import_with(
        &mut self,
        paths: &[PathBuf],
        options: &ImportOptions,
    ) -> patmatch_corpus::Result<ImportReport> {
        import_files(&mut self.store, paths, options, &())
    }

    fn file(&self, name: &str, lines: &[String]) -> PathBuf {
        let path = self.dir.path().join(name);
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(&path, text).expect("fixture written");
        path
    }

    fn listing(&self, id: &str) -> Listing {
        self.store
            .listing(id)
            .expect("store reads")
            .unwrap_or_else(|| panic!("no listing {id}"))
    }

    /// Every row of the listing tables, straight from the file, so that a
    /// rewrite the `Store` API would not show (a new timestamp, a new
    /// declaration version) is still seen.
    fn rows(&self) -> Vec<Vec<String>> {
        let conn = rusqlite::Connection::open(self.dir.path().join("patmatch.db"))
            .expect("raw connection opens");
        let mut all = Vec::new();
        for table in ["listings", "declarations"] {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {table}"))
                .expect("table exists");
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |row| {
                    let mut cells = vec![table.to_string()];
                    for i in 0..n {
                        cells.push(format!("{:?}", row.get_ref(i)?));
                    }
                    Ok(cells)
                })
                .expect("rows readable");
            all.extend(rows.map(|r| r.expect("row readable")));
        }
        all.sort();
        all
    }
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("shared file readable")
        .lines()
        .map(str::to_string)
        .collect()
}

fn records(path: &Path) -> Vec<Map<String, Value>> {
    lines(path)
        .iter()
        .map(|l| {
            serde_json::from_str::<Map<String, Value>>(l).expect("shared line is a JSON object")
        })
        .collect()
}

fn line_of(map: &Map<String, Value>) -> String {
    serde_json::to_string(map).expect("map serialises")
}

/// Rejections as (file, line, field), the part a user acts on.
fn where_(report: &ImportReport) -> Vec<(PathBuf, usize, String)> {
    report
        .rejected
        .iter()
        .map(|r| (r.file.clone(), r.line, r.field.clone()))
        .collect()
}

fn inserted(n: usize) -> UpsertCounts {
    UpsertCounts {
        inserted: n,
        updated: 0,
        unchanged: 0,
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// The export sample written as CSV with a header of every column seen, in
/// first-seen order; a column a record lacks is an empty cell.
fn export_csv(records: &[Map<String, Value>], path: &Path) {
    let mut header: Vec<String> = Vec::new();
    for r in records {
        for k in r.keys() {
            if !header.contains(k) {
                header.push(k.clone());
            }
        }
    }
    let mut w = csv::Writer::from_path(path).expect("csv file created");
    w.write_record(&header).expect("csv header written");
    for r in records {
        let row: Vec<String> = header
            .iter()
            .map(|k| r.get(k).and_then(Value::as_str).unwrap_or("").to_string())
            .collect();
        w.write_record(&row).expect("csv row written");
    }
    w.flush().expect("csv flushed");
}

/// The first lines of the real patents and offers: bdci2022, kppatent and
/// techmarket-offer records, 40 in all.
fn mixed_listing_lines() -> Vec<String> {
    let p = lines(&patents());
    let kpp: Vec<String> = p
        .iter()
        .filter(|l| l.contains("\"kppatent\""))
        .take(10)
        .cloned()
        .collect();
    let mut out: Vec<String> = p[..10].to_vec();
    out.extend(kpp);
    out.extend(lines(&offers())[..20].iter().cloned());
    out
}

/// Lines 4, 13 and 15 broken three different ways: truncated JSON, an empty
/// title, an invalid publication number.
fn corrupt(mut lines: Vec<String>) -> Vec<String> {
    let cut = lines[3]
        .find(", \"abstract\"")
        .expect("record has an abstract");
    lines[3].truncate(cut);
    let mut r: Map<String, Value> = serde_json::from_str(&lines[12]).expect("line 13 is JSON");
    r.insert("title".into(), Value::String("  ".into()));
    lines[12] = line_of(&r);
    let mut r: Map<String, Value> = serde_json::from_str(&lines[14]).expect("line 15 is JSON");
    assert!(
        r.contains_key("publication_number"),
        "line 15 should be a kppatent record"
    );
    r.insert(
        "publication_number".into(),
        Value::String("CN-not-a-number".into()),
    );
    lines[14] = line_of(&r);
    lines
}

#[test]
fn shared_corpus_imports_every_record_with_mapped_fields() {
    let mut db = Db::new();
    let started = Instant::now();
    let report = db.import(&[patents(), offers()]);
    let took = started.elapsed();
    eprintln!(
        "imported the shared corpus (7,625 records) in {took:?}, {} flagged",
        report.flagged
    );

    assert_eq!(report.rejected, vec![]);
    assert_eq!(report.counts.listings, inserted(4_815 + 2_810));
    assert_eq!(report.counts.profiles, UpsertCounts::default());
    assert_eq!(report.duplicates, 0);
    assert_eq!(
        report.files,
        vec![
            (patents(), SourceKind::Listings),
            (offers(), SourceKind::Listings)
        ]
    );
    assert_eq!(db.store.counts().unwrap().listings, 7_625);
    assert!(took.as_secs_f64() < 10.0, "import took {took:?}");

    // An offer: modes and fee from its free text, the rest into attributes.
    let offer = db.listing("offer-84474acdde");
    let text = "完全转让许可转让技术入股合作生产";
    assert_eq!(offer.source, "techmarket-offer");
    assert_eq!(offer.patent.kind, PatentKind::Invention);
    assert_eq!(offer.declaration.modes_text.as_deref(), Some(text));
    assert!(offer
        .declaration
        .modes
        .contains(&ImplementationMode::Transfer));
    assert!(offer
        .declaration
        .modes
        .contains(&ImplementationMode::Equity));
    assert_eq!(
        offer.declaration.modes_unparsed,
        !parse_modes(text).unrecognised.is_empty()
    );
    assert_eq!(
        offer.declaration.fee.method,
        Some(PaymentMethod::Negotiable)
    );
    assert_eq!(offer.declaration.fee.raw.as_deref(), Some("面议"));
    assert_eq!(offer.declaration.announced_on, Some(date(2020, 3, 3)));
    assert_eq!(
        offer.attributes.get("maturity").map(String::as_str),
        Some("通过小试")
    );
    assert_eq!(
        offer.attributes.get("industry").map(String::as_str),
        Some("装备制造-新型机械装置")
    );
    assert_eq!(
        offer.attributes.get("sector").map(String::as_str),
        Some("制造业——金属制品业")
    );
    assert!(offer.holder.is_none());

    // An offer with a price band and no abstract.
    let priced = db.listing("offer-4310f4c2bb");
    assert_eq!(priced.patent.kind, PatentKind::NonPatent);
    assert_eq!(priced.patent.abstract_text, "");
    assert_eq!(
        priced.declaration.fee.amount,
        Some(YuanRange {
            min: 1_000_000,
            max: 2_000_000
        })
    );
    assert_eq!(
        priced.declaration.fee.raw.as_deref(),
        Some("100.0万元-200.0万元")
    );
    assert!(!priced.declaration.fee.unparsed);
    assert_eq!(
        db.listing("offer-a47c27a6cc").patent.kind,
        PatentKind::Design
    );
    assert_eq!(
        db.listing("offer-908a5b646c").patent.kind,
        PatentKind::UtilityModel
    );

    // A kppatent: claims and publication number, undeclared.
    let kpp = db.listing("kpp-0000");
    assert_eq!(
        kpp.patent.publication_number.as_ref().map(|p| p.as_str()),
        Some("CN113914863A")
    );
    let claims = kpp.patent.claims.as_deref().unwrap();
    assert!(claims.starts_with("1.一种近水平薄矿体智能掘进机机械开采方法"));
    assert!(claims.ends_with("将间柱联络道(5)封堵。"));
    assert_eq!(kpp.patent.kind, PatentKind::Invention);
    assert!(kpp.declaration.is_undeclared());

    // cnki: application date, holder, inventors; `patent` with a U code is a utility model.
    let cnki = db.listing("cnki-CN108982325A");
    assert_eq!(cnki.patent.application_date, Some(date(2018, 7, 30)));
    assert_eq!(
        cnki.holder.as_ref().map(|h| h.name.as_str()),
        Some("浙江大学")
    );
    assert_eq!(
        cnki.patent.inventors,
        ["李育超", "于泽溪", "魏璐璐", "黄根清"]
    );
    let utility = db.listing("cnki-CN208104517U");
    assert_eq!(utility.patent.kind, PatentKind::UtilityModel);
    assert_eq!(utility.patent.application_date, Some(date(2018, 4, 17)));

    // bdci2022: holder without code or kind, topic label kept.
    let bdci = db.listing("bdci-538f267d2e6f");
    let holder = bdci.holder.unwrap();
    assert_eq!(
        (holder.name.as_str(), holder.credit_code, holder.kind),
        ("华为技术有限公司", None, None)
    );
    assert_eq!(
        bdci.attributes.get("topic_label").map(String::as_str),
        Some("0")
    );
    assert_eq!(bdci.source, "bdci2022");
    assert!(bdci.declaration.is_undeclared());
}

#[test]
fn reimporting_the_corpus_changes_nothing() {
    let mut db = Db::new();
    db.import(&[patents(), offers()]);
    let listings = db.store.listings().unwrap();
    let rows = db.rows();

    let again = db.import(&[patents(), offers()]);
    assert_eq!(again.rejected, vec![]);
    assert_eq!(
        again.counts.listings,
        UpsertCounts {
            inserted: 0,
            updated: 0,
            unchanged: 7_625
        }
    );
    assert_eq!(db.store.counts().unwrap().listings, 7_625);
    assert_eq!(db.store.listings().unwrap(), listings);
    assert_eq!(db.rows(), rows);
}

#[test]
fn three_corrupted_lines_are_reported_and_the_rest_imported() {
    let mut db = Db::new();
    let path = db.file("corrupted.jsonl", &corrupt(mixed_listing_lines()));
    let report = db.import(std::slice::from_ref(&path));

    assert_eq!(
        where_(&report),
        vec![
            (path.clone(), 4, "record".to_string()),
            (path.clone(), 13, "title".to_string()),
            (path.clone(), 15, "publication_number".to_string()),
        ]
    );
    assert!(
        report.rejected[0].reason.contains("JSON"),
        "{}",
        report.rejected[0]
    );
    assert!(
        report.rejected[2].reason.contains("CN-not-a-number"),
        "{}",
        report.rejected[2]
    );
    assert_eq!(report.counts.listings, inserted(37));
    assert_eq!(db.store.counts().unwrap().listings, 37);
    // The records around the bad ones are in.
    let ids: BTreeSet<String> = db
        .store
        .listings()
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    for (i, line) in mixed_listing_lines().iter().enumerate() {
        let id = serde_json::from_str::<Map<String, Value>>(line).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            ids.contains(&id),
            ![3, 12, 14].contains(&i),
            "line {}",
            i + 1
        );
    }
}

#[test]
fn strict_import_with_bad_lines_writes_nothing() {
    let mut db = Db::new();
    let path = db.file("corrupted.jsonl", &corrupt(mixed_listing_lines()));
    let strict = ImportOptions {
        strict: true,
        kind: None,
    };
    match db.import_with(&[offers(), path.clone()], &strict) {
        Err(Error::StrictAbort { rejected, first }) => {
            assert_eq!(rejected, 3);
            assert_eq!(
                (first.file.as_path(), first.line, first.field.as_str()),
                (path.as_path(), 4, "record")
            );
        }
        other => panic!("expected StrictAbort, got {other:?}"),
    }
    assert_eq!(db.store.counts().unwrap().listings, 0);
}

#[test]
fn strict_abort_leaves_existing_store_unchanged() {
    let mut db = Db::new();
    let clean = db.file("clean.jsonl", &mixed_listing_lines());
    assert_eq!(db.import(&[clean]).counts.listings, inserted(40));
    let before = db.store.listings().unwrap();
    let rows = db.rows();

    // The same records, one of them retitled, plus the three bad lines.
    let mut changed = corrupt(mixed_listing_lines());
    let mut first: Map<String, Value> = serde_json::from_str(&changed[0]).unwrap();
    first.insert("title".into(), Value::String("改过的标题".into()));
    changed[0] = line_of(&first);
    let path = db.file("changed.jsonl", &changed);
    let strict = ImportOptions {
        strict: true,
        kind: None,
    };
    let err = db.import_with(&[path], &strict).unwrap_err();
    assert!(
        matches!(err, Error::StrictAbort { rejected: 3, .. }),
        "{err}"
    );

    assert_eq!(db.store.listings().unwrap(), before);
    assert_eq!(db.rows(), rows);
    // Without strict the good change does go in.
    let report = db.import(&[db.dir.path().join("changed.jsonl")]);
    assert_eq!(report.counts.listings.updated, 1);
    assert_eq!(
        db.listing(first["id"].as_str().unwrap()).patent.title,
        "改过的标题"
    );
}

#[test]
fn export_as_jsonl_and_as_csv_gives_equal_listings() {
    let mut json_db = Db::new();
    let json = json_db.import(&[export()]);
    assert_eq!(json.rejected, vec![]);
    assert_eq!(json.counts.listings, inserted(10));
    assert_eq!(json.files, vec![(export(), SourceKind::PlatformExport)]);

    let mut csv_db = Db::new();
    let csv_path = csv_db.dir.path().join("export.csv");
    export_csv(&records(&export()), &csv_path);
    let csv = csv_db.import(std::slice::from_ref(&csv_path));
    assert_eq!(csv.rejected, vec![]);
    assert_eq!(csv.files, vec![(csv_path, SourceKind::PlatformExport)]);
    assert_eq!(csv.counts.listings, inserted(10));

    let listings = json_db.store.listings().unwrap();
    assert_eq!(csv_db.store.listings().unwrap(), listings);

    let drone = json_db.listing("cn-2022232206652");
    assert_eq!(drone.source, "cnipa-export");
    assert_eq!(drone.patent.title, "一种无人机机载多功能盒");
    assert_eq!(drone.patent.kind, PatentKind::UtilityModel);
    assert_eq!(
        drone
            .patent
            .application_number
            .as_ref()
            .map(|a| a.to_string()),
        Some(
            patmatch_corpus::ApplicationNumber::parse("CN202223220665.2")
                .unwrap()
                .to_string()
        )
    );
    assert_eq!(
        drone.patent.publication_number.as_ref().map(|p| p.as_str()),
        Some("CN218751475U")
    );
    assert_eq!(drone.patent.application_date, Some(date(2022, 12, 2)));
    assert_eq!(drone.patent.publication_date, Some(date(2023, 3, 28)));
    assert_eq!(drone.patent.grant_date, Some(date(2023, 3, 28)));
    assert_eq!(
        drone.patent.inventors,
        ["刘迪", "刘敏", "王煜伟", "付艳波", "王元卓"]
    );
    assert!(drone
        .patent
        .claims
        .as_deref()
        .unwrap()
        .starts_with("1.一种无人机机载多功能盒"));
    let holder = drone.holder.as_ref().unwrap();
    assert_eq!(
        (holder.name.as_str(), holder.kind),
        ("中科大数据研究院", Some(HolderKind::Institute))
    );
    let ipc: Vec<&str> = drone.patent.ipc.iter().map(IpcCode::as_str).collect();
    let expected: Vec<String> = ["B64U20/80", "B64U101/30"]
        .iter()
        .map(|c| IpcCode::parse(c).unwrap().to_string())
        .collect();
    assert_eq!(ipc, expected);
    assert_eq!(
        drone.attributes.get("法律状态").map(String::as_str),
        Some("有权-审定授权")
    );
    assert_eq!(
        drone.attributes.get("许可次数").map(String::as_str),
        Some("0")
    );
    assert!(drone.declaration.is_undeclared());
    for mapped in [
        "申请号",
        "专利名称",
        "申请人",
        "申请人类型",
        "主分类号",
        "分类号",
        "申请日",
        "发明人",
        "公开号",
    ] {
        assert!(
            !drone.attributes.contains_key(mapped),
            "{mapped} left in attributes"
        );
    }

    // 发明公开;发明授权, not yet granted (授权公告日 0) and granted.
    let pending = json_db.listing("cn-2022117403324");
    assert_eq!(pending.patent.kind, PatentKind::Invention);
    assert_eq!(pending.patent.grant_date, None);
    let granted = json_db.listing("cn-2022113598747");
    assert_eq!(granted.patent.kind, PatentKind::Invention);
    assert_eq!(
        granted
            .patent
            .publication_number
            .as_ref()
            .map(|p| p.as_str()),
        Some("CN115883397A")
    );
    assert_eq!(granted.patent.grant_date, Some(date(2024, 4, 5)));
    assert_eq!(
        granted.attributes.get("授权公告号").map(String::as_str),
        Some("CN115883397B")
    );
    let main = IpcCode::parse("H04L43/02").unwrap();
    assert_eq!(granted.patent.ipc.first(), Some(&main));
    assert_eq!(granted.patent.ipc.len(), 3);
}

#[test]
fn export_declaration_columns_and_bad_values() {
    let mut db = Db::new();
    let sample = records(&export());
    let mut rows = Vec::new();
    // 1: declared, with a valid credit code.
    let mut r = sample[0].clone();
    for (k, v) in [
        ("统一社会信用代码", "12410000MB1D45648N"),
        ("实施方式", "普通许可"),
        ("价格", "面议"),
        ("支付方式", "一次性"),
        ("公告日期", "2024-01-15"),
    ] {
        r.insert(k.into(), v.into());
    }
    rows.push(r);
    // 2: a payment method in no known wording: kept and flagged.
    let mut r = sample[1].clone();
    r.insert("支付方式".into(), "按季度结算".into());
    rows.push(r);
    // 3: wrong check digit in 申请号.
    let mut r = sample[2].clone();
    r.insert("申请号".into(), "CN202121635235.1".into());
    rows.push(r);
    // 4: an invalid code among the classifications.
    let mut r = sample[3].clone();
    r.insert("分类号".into(), "G01N33/00;不是分类号".into());
    rows.push(r);
    // 5: an unknown holder kind and a bad credit code: both reported.
    let mut r = sample[4].clone();
    r.insert("申请人类型".into(), "外星机构".into());
    r.insert("统一社会信用代码".into(), "12410000MB1D456480".into());
    rows.push(r);
    // 6: a number written without CN and dot gets the same id.
    let mut r = sample[5].clone();
    r.insert("申请号".into(), "2021217620030".into());
    rows.push(r);
    let lines: Vec<String> = rows.iter().map(line_of).collect();
    let path = db.file("declared-export.jsonl", &lines);
    let report = db.import(std::slice::from_ref(&path));

    assert_eq!(
        where_(&report),
        vec![
            (path.clone(), 3, "申请号".to_string()),
            (path.clone(), 4, "分类号".to_string()),
            (path.clone(), 5, "申请人类型".to_string()),
            (path.clone(), 5, "统一社会信用代码".to_string()),
        ]
    );
    assert!(
        report.rejected[1].reason.contains("不是分类号"),
        "{}",
        report.rejected[1]
    );
    assert_eq!(report.counts.listings, inserted(3));
    assert_eq!(report.flagged, 1);

    let declared = db.listing("cn-2022232206652");
    let d = &declared.declaration;
    assert_eq!(
        d.modes,
        BTreeSet::from([ImplementationMode::OrdinaryLicence])
    );
    assert_eq!(d.modes_text.as_deref(), Some("普通许可"));
    assert_eq!(d.fee.method, Some(PaymentMethod::LumpSum));
    assert_eq!(d.fee.raw.as_deref(), Some("面议"));
    assert_eq!(d.announced_on, Some(date(2024, 1, 15)));
    let holder = declared.holder.as_ref().unwrap();
    assert_eq!(
        holder.credit_code.as_ref().map(|c| c.as_str()),
        Some("12410000MB1D45648N")
    );

    let odd = db.listing("cn-2021229751926");
    assert_eq!(odd.declaration.fee.method, None);
    assert_eq!(
        odd.attributes.get("支付方式").map(String::as_str),
        Some("按季度结算")
    );

    let bare = db.listing("cn-2021217620030");
    assert_eq!(
        bare.patent.application_number,
        patmatch_corpus::ApplicationNumber::parse("CN202121762003.0").ok()
    );
    assert_eq!(bare.patent.title, sample[5]["专利名称"].as_str().unwrap());
}

#[test]
fn csv_rejection_names_the_line_the_record_starts_on() {
    let mut db = Db::new();
    let mut sample = records(&export());
    // Claims spanning lines push later records down the file.
    sample[0].insert("主权项".into(), "1.第一行\n2.第二行\n3.第三行".into());
    sample[1].insert("申请号".into(), "CN20212297519".into());
    let path = db.dir.path().join("export-with-breaks.txt");
    export_csv(&sample[..3], &path);
    let report = db.import(std::slice::from_ref(&path));

    assert_eq!(
        report.files,
        vec![(path.clone(), SourceKind::PlatformExport)]
    );
    // Header is line 1, record 1 spans lines 2–4, record 2 starts on line 5.
    assert_eq!(where_(&report), vec![(path, 5, "申请号".to_string())]);
    assert_eq!(report.counts.listings, inserted(2));
    let first = db.listing("cn-2022232206652");
    assert_eq!(
        first.patent.claims.as_deref(),
        Some("1.第一行\n2.第二行\n3.第三行")
    );
}

#[test]
fn demands_import_with_one_rejection_and_shared_enterprise_ids() {
    let mut db = Db::new();
    let report = db.import(&[demands()]);
    eprintln!("demands: {} flagged", report.flagged);

    assert_eq!(report.files, vec![(demands(), SourceKind::Demands)]);
    assert_eq!(where_(&report), vec![(demands(), 832, "title".to_string())]);
    assert_eq!(report.counts.profiles, inserted(2_323));
    assert_eq!(report.counts.listings, UpsertCounts::default());
    assert_eq!(db.store.counts().unwrap().profiles, 2_323);
    assert!(db.store.profile("dem-da39a3ee5e").unwrap().is_none());

    let a = db.store.profile("hy-e5b8e4eaa9").unwrap().unwrap();
    let b = db.store.profile("hy-121e0c8957").unwrap().unwrap();
    assert_eq!(a.enterprise_id, b.enterprise_id);
    assert!(
        a.enterprise_id.starts_with("ent-") && a.enterprise_id.len() == 16,
        "{}",
        a.enterprise_id
    );
    assert_eq!(a.source, "haiyan-demand");
    assert_eq!(a.budget_text.as_deref(), Some("10~50万"));
    assert_eq!(
        (a.budget_min_yuan, a.budget_max_yuan),
        (Some(100_000), Some(500_000))
    );
    assert_eq!(a.posted_on, Some(date(2020, 7, 31)));
    assert_eq!(
        a.attributes.get("sector").map(String::as_str),
        Some("新材料")
    );

    let profiles = db.store.profiles().unwrap();
    let haiyan: Vec<_> = profiles
        .iter()
        .filter(|p| p.source == "haiyan-demand")
        .collect();
    let companies: BTreeSet<&str> = haiyan.iter().map(|p| p.enterprise_id.as_str()).collect();
    let texts: BTreeSet<&str> = haiyan.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(haiyan.len(), 595);
    assert_eq!(companies.len(), texts.len());
    assert!(companies.len() < haiyan.len());

    let t = db.store.profile("dem-3621ff01a6").unwrap().unwrap();
    assert_eq!(t.enterprise_id, "ent-3621ff01a6");
    assert_eq!(t.title, "LED手电筒红外开关改进");
    assert_eq!(t.modes_text.as_deref(), Some("技术转让,技术许可,委托开发"));
    assert_eq!(
        t.acceptable_modes,
        parse_modes("技术转让,技术许可,委托开发").modes
    );
    assert!(t.acceptable_modes.contains(&ImplementationMode::Transfer));
    assert_eq!(t.posted_on, Some(date(2020, 1, 13)));
    assert_eq!(
        (
            t.budget_min_yuan,
            t.budget_max_yuan,
            t.budget_text.as_deref()
        ),
        (None, None, None)
    );
}

#[test]
fn demand_without_title_takes_its_texts_first_sentence() {
    let mut db = Db::new();
    let mut r = records(&demands()).into_iter().next().unwrap();
    r.remove("title");
    let path = db.file("untitled.jsonl", &[line_of(&r)]);
    let report = db.import(&[path]);
    assert_eq!(report.rejected, vec![]);
    let p = db.store.profile("dem-3621ff01a6").unwrap().unwrap();
    assert_eq!(
        p.title,
        "现有产品中手电筒的开关是机械式，非常容易损坏，导致接触不良"
    );
}

#[test]
fn kind_is_detected_from_fields_not_names() {
    let mut db = Db::new();
    let head = |p: PathBuf, n: usize| lines(&p)[..n].to_vec();
    // Names say nothing, and one says the wrong thing.
    let a = db.file("a.jsonl", &head(patents(), 5));
    let b = db.file("b.jsonl", &head(offers(), 5));
    let c = db.file("listings.jsonl", &head(demands(), 5));
    let d = db.file("d.jsonl", &head(export(), 3));
    let e = db.dir.path().join("e.csv");
    export_csv(&records(&export())[3..6], &e);
    let f = db.dir.path().join("f.dat");
    export_csv(&records(&export())[6..8], &f);
    // A corrupted first line is outvoted by the next ones.
    let mut broken = head(demands(), 5);
    broken[0] = "{\"id\": \"dem-".to_string();
    let g = db.file("g.jsonl", &broken);

    let report = db.import(&[
        a.clone(),
        b.clone(),
        c.clone(),
        d.clone(),
        e.clone(),
        f.clone(),
        g.clone(),
    ]);
    assert_eq!(
        report.files,
        vec![
            (a, SourceKind::Listings),
            (b, SourceKind::Listings),
            (c, SourceKind::Demands),
            (d, SourceKind::PlatformExport),
            (e, SourceKind::PlatformExport),
            (f, SourceKind::PlatformExport),
            (g.clone(), SourceKind::Demands),
        ]
    );
    assert_eq!(where_(&report), vec![(g, 1, "record".to_string())]);
    assert_eq!(report.counts.listings, inserted(5 + 5 + 3 + 3 + 2));
    assert_eq!(report.counts.profiles, inserted(5));
}

#[test]
fn kind_option_overrides_detection() {
    let mut db = Db::new();
    // Id and title only: nothing to tell a listing by.
    let bare: Vec<String> = records(&patents())[..4]
        .iter()
        .map(|r| {
            let mut m = Map::new();
            m.insert("id".into(), r["id"].clone());
            m.insert("title".into(), r["title"].clone());
            line_of(&m)
        })
        .collect();
    let path = db.file("bare.jsonl", &bare);
    let err = db
        .import_with(std::slice::from_ref(&path), &ImportOptions::default())
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownKind { path: p, .. } if *p == path),
        "{err}"
    );

    let forced = ImportOptions {
        strict: false,
        kind: Some(SourceKind::Listings),
    };
    let report = db
        .import_with(std::slice::from_ref(&path), &forced)
        .unwrap();
    assert_eq!(report.files, vec![(path, SourceKind::Listings)]);
    assert_eq!(report.counts.listings, inserted(4));

    // Forcing the wrong kind is the caller's call: offers read as demands.
    let offers_head = db.file("offers-head.jsonl", &lines(&offers())[..3]);
    let as_demands = ImportOptions {
        strict: false,
        kind: Some(SourceKind::Demands),
    };
    let report = db.import_with(&[offers_head], &as_demands).unwrap();
    assert_eq!(report.counts.profiles, inserted(3));
}

#[test]
fn unknown_file_fails_with_unknown_kind_and_writes_nothing() {
    let mut db = Db::new();
    let weird = db.file(
        "weird.jsonl",
        &vec!["{\"foo\": 1, \"bar\": \"x\"}".to_string(); 3],
    );
    let err = db
        .import_with(&[offers(), weird.clone()], &ImportOptions::default())
        .unwrap_err();
    match &err {
        Error::UnknownKind { path, reason } => {
            assert_eq!(path, &weird);
            assert!(reason.contains("foo"), "{reason}");
        }
        other => panic!("expected UnknownKind, got {other:?}"),
    }
    assert!(err.to_string().contains("weird.jsonl"), "{err}");
    let empty = db.file("empty.jsonl", &[]);
    assert!(matches!(
        db.import_with(&[empty], &ImportOptions::default()),
        Err(Error::UnknownKind { .. })
    ));
    assert_eq!(db.store.counts().unwrap().listings, 0);
}

#[test]
fn duplicate_ids_keep_the_later_record() {
    let mut db = Db::new();
    let original = lines(&patents())[..3].to_vec();
    let mut r: Map<String, Value> = serde_json::from_str(&original[1]).unwrap();
    r.insert("title".into(), "后来的标题".into());
    let first = db.file("first.jsonl", &original);
    let second = db.file("second.jsonl", &[line_of(&r)]);
    let report = db.import(&[first, second]);
    assert_eq!(report.duplicates, 1);
    assert_eq!(report.rejected, vec![]);
    assert_eq!(report.counts.listings, inserted(3));
    assert_eq!(
        db.listing(r["id"].as_str().unwrap()).patent.title,
        "后来的标题"
    );
}

/// Records every progress call.
#[derive(Default)]
struct Recorder(RefCell<Vec<(String, u64)>>);

impl ImportProgress for Recorder {
    fn start_file(&self, path: &Path, kind: SourceKind, bytes: u64) {
        self.0
            .borrow_mut()
            .push((format!("start {} {kind}", path.display()), bytes));
    }
    fn advance(&self, bytes: u64) {
        self.0.borrow_mut().push(("advance".into(), bytes));
    }
    fn finish_file(&self) {
        self.0.borrow_mut().push(("finish".into(), 0));
    }
}

#[test]
fn progress_accounts_for_every_byte_of_every_file() {
    let mut db = Db::new();
    let mut jsonl = lines(&demands())[..4].to_vec();
    jsonl.insert(2, String::new());
    let a = db.file("a.jsonl", &jsonl);
    let b = db.dir.path().join("b.csv");
    export_csv(&records(&export()), &b);
    let progress = Recorder::default();
    import_files(
        &mut db.store,
        &[a.clone(), b.clone()],
        &ImportOptions::default(),
        &progress,
    )
    .unwrap();

    let events = progress.0.into_inner();
    let mut files = events.split(|(e, _)| e == "finish");
    for (path, kind) in [(a, SourceKind::Demands), (b, SourceKind::PlatformExport)] {
        let events = files.next().unwrap();
        let size = std::fs::metadata(&path).unwrap().len();
        assert_eq!(
            events[0],
            (format!("start {} {kind}", path.display()), size)
        );
        let advanced: u64 = events[1..]
            .iter()
            .map(|(e, n)| {
                assert_eq!(e, "advance");
                n
            })
            .sum();
        assert_eq!(advanced, size, "{}", path.display());
    }
    assert_eq!(files.next(), Some(&[][..]));
}

/// A re-import that brings other terms for a listing is a change of terms,
/// held to 办法 三（三）1 like any other: refused changes are rejections of
/// that record, allowed ones become history.
#[test]
fn reimport_with_new_terms_follows_the_six_month_rule() {
    let mut db = Db::new();
    let priced: Vec<Map<String, Value>> = records(&offers())
        .into_iter()
        .filter(|r| r["price_text"] == "100.0万元-200.0万元")
        .take(4)
        .collect();
    assert_eq!(priced.len(), 4);
    let posted =
        |r: &Map<String, Value>| -> NaiveDate { r["posted"].as_str().unwrap().parse().unwrap() };
    let first = db.file(
        "offers.jsonl",
        &priced.iter().map(line_of).collect::<Vec<_>>(),
    );
    db.import(&[first]);

    let mut next = priced.clone();
    // [0] raises the price: refused whatever the date.
    next[0].insert("price_text".into(), "200.0万元-300.0万元".into());
    next[0].insert("posted".into(), "2021-12-01".into());
    // [1] lowers it a day short of six months after its announcement.
    let early = posted(&next[1])
        .checked_add_months(chrono::Months::new(6))
        .unwrap()
        .pred_opt()
        .unwrap();
    next[1].insert("price_text".into(), "50.0万元-100.0万元".into());
    next[1].insert("posted".into(), early.to_string().into());
    // [2] lowers it six months on: a permitted change of terms.
    let due = posted(&next[2])
        .checked_add_months(chrono::Months::new(6))
        .unwrap();
    next[2].insert("price_text".into(), "50.0万元-100.0万元".into());
    next[2].insert("posted".into(), due.to_string().into());
    // [3] says the same price in other words: no change of terms.
    next[3].insert("price_text".into(), "100万元-200万元".into());

    let path = db.file(
        "offers-again.jsonl",
        &next.iter().map(line_of).collect::<Vec<_>>(),
    );
    let report = db.import(std::slice::from_ref(&path));
    assert_eq!(
        where_(&report),
        vec![
            (path.clone(), 1, "declaration".to_string()),
            (path.clone(), 2, "declaration".to_string()),
        ]
    );
    assert!(
        report.rejected[0].reason.contains("lowered"),
        "{}",
        report.rejected[0].reason
    );
    assert!(
        report.rejected[1].reason.contains("six consecutive months"),
        "{}",
        report.rejected[1].reason
    );
    assert_eq!(report.counts.listings.updated, 2);

    let id = |i: usize| priced[i]["id"].as_str().unwrap().to_string();
    for refused in [0, 1] {
        let kept = db.listing(&id(refused)).declaration;
        assert_eq!(
            kept.fee.amount,
            Some(YuanRange {
                min: 1_000_000,
                max: 2_000_000
            })
        );
        assert_eq!(db.store.declaration_history(&id(refused)).unwrap().len(), 1);
    }

    let changed = db.listing(&id(2)).declaration;
    assert_eq!(
        changed.fee.amount,
        Some(YuanRange {
            min: 500_000,
            max: 1_000_000
        })
    );
    let events = db.store.lifecycle(&id(2)).unwrap().events;
    assert!(
        matches!(events.as_slice(), [patmatch_corpus::LifecycleEvent::TermsChanged { on, .. }] if *on == due),
        "{events:?}"
    );

    // Same terms in new words: a new declaration version, but no event.
    assert_eq!(db.store.declaration_history(&id(3)).unwrap().len(), 2);
    assert!(db.store.lifecycle(&id(3)).unwrap().events.is_empty());
}
