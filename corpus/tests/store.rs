//! The SQLite store, on real database files in a temporary directory.

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use patmatch_corpus::{
    ApplicationNumber, Batch, CreditCode, Declaration, DemandProfile, Error, FeeStandard, Holder,
    HolderKind, ImplementationMode, IpcCode, LifecycleEvent, Listing, Patent, PatentKind,
    PaymentMethod, PublicationNumber, SqliteStore, Store, StoreConfig, StoreCounts, UpsertCounts,
    YuanRange,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("fixture date")
}

fn at(y: i32, m: u32, d: u32, nanos: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 8, 30, 0).unwrap() + TimeDelta::nanoseconds(nanos)
}

fn db_path(dir: &TempDir) -> PathBuf {
    dir.path().join("patmatch.db")
}

fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(&StoreConfig::new(path)).expect("store opens")
}

/// A second, plain connection to inspect or tamper with the file directly.
fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("raw connection opens")
}

fn declaration(price: u64, announced_on: NaiveDate) -> Declaration {
    Declaration {
        modes: BTreeSet::from([
            ImplementationMode::Transfer,
            ImplementationMode::OrdinaryLicence,
        ]),
        modes_text: Some("转让、普通许可".into()),
        modes_unparsed: false,
        fee: FeeStandard {
            method: Some(PaymentMethod::LumpSum),
            amount: Some(YuanRange::exact(price)),
            royalty_percent: None,
            raw: Some(format!("一次性 {price} 元")),
            unparsed: false,
        },
        announced_on: Some(announced_on),
    }
}

fn listing(id: &str, title: &str) -> Listing {
    Listing {
        id: id.into(),
        source: "bdci2022".into(),
        patent: Patent {
            title: title.into(),
            application_number: None,
            publication_number: None,
            abstract_text: format!("{title}的摘要。"),
            claims: None,
            ipc: Vec::new(),
            kind: PatentKind::Invention,
            application_date: Some(date(2020, 5, 6)),
            publication_date: None,
            grant_date: None,
            inventors: vec!["张三".into()],
        },
        holder: Some(Holder {
            name: "浙江大学".into(),
            credit_code: None,
            kind: Some(HolderKind::University),
        }),
        declaration: declaration(50_000, date(2024, 3, 1)),
        attributes: BTreeMap::new(),
    }
}

fn profile(id: &str, text: &str, stamped: DateTime<Utc>) -> DemandProfile {
    DemandProfile {
        id: id.into(),
        source: "techmarket-demand".into(),
        enterprise_id: "ent-001".into(),
        enterprise_name: Some("杭州某某科技有限公司".into()),
        title: "需要一种电池热管理技术".into(),
        text: text.into(),
        keywords: vec!["电池".into(), "热管理".into()],
        ipc_prefixes: Vec::new(),
        acceptable_modes: BTreeSet::from([ImplementationMode::OrdinaryLicence]),
        modes_text: Some("普通许可".into()),
        budget_max_yuan: Some(2_000_000),
        budget_min_yuan: Some(500_000),
        budget_text: Some("50~200万".into()),
        region: Some("浙江省杭州市".into()),
        posted_on: Some(date(2024, 4, 2)),
        created_at: stamped,
        updated_at: stamped,
        attributes: BTreeMap::from([("行业".into(), "新能源".into())]),
    }
}

fn listings_batch(listings: Vec<Listing>) -> Batch {
    Batch {
        listings,
        profiles: Vec::new(),
    }
}

fn listing_updated_at(path: &Path, id: &str) -> String {
    raw(path)
        .query_row("SELECT updated_at FROM listings WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .expect("listing row")
}

fn schema_sql(path: &Path) -> Vec<String> {
    let conn = raw(path);
    let mut stmt = conn
        .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .expect("schema query");
    let rows = stmt.query_map([], |r| r.get(0)).expect("schema rows");
    rows.collect::<Result<_, _>>().expect("schema text")
}

fn user_version(path: &Path) -> i64 {
    raw(path)
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("user_version")
}

fn journal_mode(path: &Path) -> String {
    raw(path)
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .expect("journal_mode")
}

#[test]
fn open_creates_directory_and_schema_in_wal_mode() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("nested").join("data").join("patmatch.db");
    let store = open(&path);

    assert!(path.is_file());
    assert_eq!(journal_mode(&path), "wal");
    assert_eq!(user_version(&path), i64::from(SqliteStore::SCHEMA_VERSION));
    let schema = schema_sql(&path).join("\n");
    for table in ["listings", "declarations", "events", "profiles"] {
        assert!(
            schema.contains(&format!("CREATE TABLE {table}")),
            "{table} missing"
        );
    }
    assert_eq!(store.counts().unwrap(), StoreCounts::default());
}

#[test]
fn reopening_changes_nothing_and_keeps_data() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let mut store = open(&path);
    store
        .write_batch(&listings_batch(vec![listing("a", "一种锂电池")]))
        .unwrap();
    drop(store);
    let schema_before = schema_sql(&path);

    let store = open(&path);
    assert_eq!(schema_sql(&path), schema_before);
    assert_eq!(user_version(&path), i64::from(SqliteStore::SCHEMA_VERSION));
    assert_eq!(
        store.listing("a").unwrap(),
        Some(listing("a", "一种锂电池"))
    );
    assert_eq!(store.declaration_history("a").unwrap().len(), 1);
}

#[test]
fn newer_schema_is_refused_and_left_untouched() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    {
        let conn = raw(&path);
        conn.execute_batch("CREATE TABLE future (x INTEGER);")
            .unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let schema_before = schema_sql(&path);

    let err = SqliteStore::open(&StoreConfig::new(&path)).unwrap_err();
    match &err {
        Error::Store(message) => {
            assert!(
                message.contains("999") && message.contains("newer"),
                "{message}"
            )
        }
        other => panic!("expected a store error, got {other:?}"),
    }
    assert_eq!(user_version(&path), 999);
    assert_eq!(journal_mode(&path), "delete");
    assert_eq!(schema_sql(&path), schema_before);
}

#[test]
fn identical_rewrite_is_unchanged_and_touches_nothing() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let mut store = open(&path);
    let batch = Batch {
        listings: vec![listing("a", "一种锂电池"), listing("b", "一种光伏支架")],
        profiles: vec![profile("dem-1", "寻求电池热管理方案", at(2024, 4, 2, 0))],
    };
    let first = store.write_batch(&batch).unwrap();
    assert_eq!(
        first.listings,
        UpsertCounts {
            inserted: 2,
            updated: 0,
            unchanged: 0
        }
    );
    assert_eq!(
        first.profiles,
        UpsertCounts {
            inserted: 1,
            updated: 0,
            unchanged: 0
        }
    );
    let stamp_a = listing_updated_at(&path, "a");

    let again = store.write_batch(&batch).unwrap();
    assert_eq!(
        again.listings,
        UpsertCounts {
            inserted: 0,
            updated: 0,
            unchanged: 2
        }
    );
    assert_eq!(
        again.profiles,
        UpsertCounts {
            inserted: 0,
            updated: 0,
            unchanged: 1
        }
    );
    assert_eq!(listing_updated_at(&path, "a"), stamp_a);
    assert_eq!(
        store.profile("dem-1").unwrap().unwrap().updated_at,
        at(2024, 4, 2, 0)
    );
    assert_eq!(store.declaration_history("a").unwrap().len(), 1);
    assert_eq!(store.counts().unwrap().listings, 2);
}

#[test]
fn title_change_updates_listing_but_not_declaration_history() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let mut store = open(&path);
    store
        .write_batch(&listings_batch(vec![listing("a", "一种锂电池")]))
        .unwrap();
    let stamp = listing_updated_at(&path, "a");

    let counts = store
        .write_batch(&listings_batch(vec![listing("a", "一种高能量密度锂电池")]))
        .unwrap();
    assert_eq!(
        counts.listings,
        UpsertCounts {
            inserted: 0,
            updated: 1,
            unchanged: 0
        }
    );
    assert_eq!(
        store.listing("a").unwrap().unwrap().patent.title,
        "一种高能量密度锂电池"
    );
    assert_ne!(listing_updated_at(&path, "a"), stamp);
    let title: String = raw(&path)
        .query_row("SELECT title FROM listings WHERE id = 'a'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(title, "一种高能量密度锂电池");
    assert_eq!(store.declaration_history("a").unwrap().len(), 1);
}

#[test]
fn declaration_change_appends_a_version_and_keeps_the_first() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&db_path(&dir));
    let original = listing("a", "一种锂电池");
    store
        .write_batch(&listings_batch(vec![original.clone()]))
        .unwrap();
    let v1 = store.declaration_history("a").unwrap().remove(0);

    // Raising the fee is never a permitted change of terms: the whole
    // batch is refused and nothing moves.
    let mut raised = original.clone();
    raised.declaration = declaration(80_000, date(2024, 9, 2));
    let err = store
        .write_batch(&listings_batch(vec![raised]))
        .unwrap_err();
    assert!(err.to_string().contains("80000"), "{err}");
    assert_eq!(store.declaration_history("a").unwrap(), vec![v1.clone()]);

    // Lowering it six months after the announcement is a change of terms,
    // kept as a new version and as a TermsChanged event.
    let mut repriced = original.clone();
    repriced.declaration = declaration(30_000, date(2024, 9, 2));
    let counts = store
        .write_batch(&listings_batch(vec![repriced.clone()]))
        .unwrap();
    assert_eq!(counts.listings.updated, 1);
    assert_eq!(
        store.lifecycle("a").unwrap().events,
        vec![LifecycleEvent::TermsChanged {
            on: date(2024, 9, 2),
            declaration: repriced.declaration.clone(),
        }]
    );

    let history = store.declaration_history("a").unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0], v1);
    assert_eq!(history[0].version, 1);
    assert_eq!(history[0].declaration, original.declaration);
    assert_eq!(history[1].version, 2);
    assert_eq!(history[1].declaration, repriced.declaration);
    assert!(history[1].recorded_at >= history[0].recorded_at);
    assert_eq!(store.listing("a").unwrap(), Some(repriced));
    // The listing was first announced with its first declaration.
    assert_eq!(
        store.lifecycle("a").unwrap().listed_on,
        Some(date(2024, 3, 1))
    );
}

#[test]
fn database_rejects_rewriting_history() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let mut store = open(&path);
    store
        .write_batch(&listings_batch(vec![listing("a", "一种锂电池")]))
        .unwrap();
    let event = LifecycleEvent::IntentRecorded {
        on: date(2024, 5, 6),
        party: "宁波某某电池有限公司".into(),
        note: None,
    };
    store.append_event("a", &event).unwrap();

    let conn = raw(&path);
    for sql in [
        "UPDATE declarations SET declaration = '{}' WHERE listing_id = 'a'",
        "DELETE FROM declarations WHERE listing_id = 'a'",
        "UPDATE events SET on_date = '2000-01-01' WHERE listing_id = 'a'",
        "DELETE FROM events WHERE listing_id = 'a'",
    ] {
        let err = conn.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(store.declaration_history("a").unwrap().len(), 1);
    assert_eq!(store.lifecycle("a").unwrap().events, vec![event]);
}

#[test]
fn failing_batch_writes_nothing() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let mut store = open(&path);
    store
        .write_batch(&listings_batch(vec![listing("a", "一种锂电池")]))
        .unwrap();

    // Valid inserts and a valid update come first; the empty id breaks the
    // schema's CHECK at the end.
    let batch = Batch {
        listings: vec![
            listing("a", "改过的标题"),
            listing("b", "一种光伏支架"),
            listing("", "没有编号的专利"),
        ],
        profiles: vec![profile("dem-1", "寻求方案", at(2024, 4, 2, 0))],
    };
    let err = store.write_batch(&batch).unwrap_err();
    assert!(err.to_string().contains("nothing written"), "{err}");

    assert_eq!(
        store.counts().unwrap(),
        StoreCounts {
            listings: 1,
            profiles: 0,
            events: 0
        }
    );
    assert_eq!(
        store.listing("a").unwrap(),
        Some(listing("a", "一种锂电池"))
    );
    assert_eq!(store.listing("b").unwrap(), None);
    assert_eq!(store.profile("dem-1").unwrap(), None);
    // The store is still usable after the rollback.
    let counts = store
        .write_batch(&listings_batch(vec![listing("b", "一种光伏支架")]))
        .unwrap();
    assert_eq!(counts.listings.inserted, 1);
}

#[test]
fn unknown_listing_is_not_found() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&db_path(&dir));
    let event = LifecycleEvent::IntentRecorded {
        on: date(2024, 5, 6),
        party: "某公司".into(),
        note: None,
    };
    let is_not_found =
        |err: Error| matches!(err, Error::NotFound { what: "listing", ref id } if id == "nope");
    assert!(is_not_found(
        store.append_event("nope", &event).unwrap_err()
    ));
    assert!(is_not_found(store.lifecycle("nope").unwrap_err()));
    assert!(is_not_found(store.declaration_history("nope").unwrap_err()));
    assert_eq!(store.listing("nope").unwrap(), None);
    assert_eq!(store.counts().unwrap().events, 0);
}

#[test]
fn terms_changed_replaces_declaration_and_extends_history() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let mut store = open(&path);
    let original = listing("a", "一种锂电池");
    store
        .write_batch(&listings_batch(vec![original.clone()]))
        .unwrap();

    let intent = LifecycleEvent::IntentRecorded {
        on: date(2024, 4, 1),
        party: "宁波某某电池有限公司".into(),
        note: Some("电话联系".into()),
    };
    let new_terms = declaration(30_000, date(2024, 10, 8));
    let change = LifecycleEvent::TermsChanged {
        on: date(2024, 10, 8),
        declaration: new_terms.clone(),
    };
    store.append_event("a", &intent).unwrap();
    store.append_event("a", &change).unwrap();

    let current = store.listing("a").unwrap().unwrap();
    assert_eq!(current.declaration, new_terms);
    assert_eq!(current.patent, original.patent);
    let history = store.declaration_history("a").unwrap();
    let versions: Vec<_> = history
        .iter()
        .map(|v| (v.version, &v.declaration))
        .collect();
    assert_eq!(versions, vec![(1, &original.declaration), (2, &new_terms)]);

    let lifecycle = store.lifecycle("a").unwrap();
    assert_eq!(lifecycle.listed_on, Some(date(2024, 3, 1)));
    assert_eq!(lifecycle.events, vec![intent, change]);
    assert_eq!(store.counts().unwrap().events, 2);
    let types: Vec<String> = {
        let conn = raw(&path);
        let mut stmt = conn
            .prepare("SELECT type FROM events ORDER BY seq")
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(types, ["intent_recorded", "terms_changed"]);

    // Re-importing the listing as changed is now a no-op.
    let counts = store.write_batch(&listings_batch(vec![current])).unwrap();
    assert_eq!(counts.listings.unchanged, 1);
    assert_eq!(store.declaration_history("a").unwrap().len(), 2);
}

#[test]
fn full_listing_round_trips() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&db_path(&dir));
    let full = Listing {
        id: "bdci-538f267d2e6f".into(),
        source: "cnipa-export".into(),
        patent: Patent {
            title: "一种基于深度学习的锂电池健康状态估计方法".into(),
            application_number: Some(ApplicationNumber::parse("CN202223220665.2").unwrap()),
            publication_number: Some(PublicationNumber::parse("CN111563127A").unwrap()),
            abstract_text: "本发明公开了一种锂电池健康状态估计方法，包括采集电压、电流和温度数据。"
                .into(),
            claims: Some(
                "1.一种锂电池健康状态估计方法，其特征在于……\n2.根据权利要求1所述的方法……".into(),
            ),
            ipc: vec![
                IpcCode::parse("H01M 10/42").unwrap(),
                IpcCode::parse("G06N 3/08").unwrap(),
            ],
            kind: PatentKind::Invention,
            application_date: Some(date(2019, 12, 20)),
            publication_date: Some(date(2020, 4, 17)),
            grant_date: Some(date(2022, 1, 4)),
            inventors: vec!["王五".into(), "李四".into(), "赵六".into()],
        },
        holder: Some(Holder {
            name: "浙江工业大学".into(),
            credit_code: Some(CreditCode::parse("91330100799655058B").unwrap()),
            kind: Some(HolderKind::University),
        }),
        declaration: Declaration {
            modes: BTreeSet::from([
                ImplementationMode::ExclusiveLicence,
                ImplementationMode::Equity,
                ImplementationMode::Other,
            ]),
            modes_text: Some("独占许可；作价入股；其他（合作开发）".into()),
            modes_unparsed: true,
            fee: FeeStandard {
                method: Some(PaymentMethod::EntryFeePlusRoyalty),
                amount: Some(YuanRange::new(100_000, 300_000).unwrap()),
                royalty_percent: Some(3.5),
                raw: Some("入门费10-30万元+销售额3.5%提成".into()),
                unparsed: false,
            },
            announced_on: Some(date(2024, 6, 28)),
        },
        attributes: BTreeMap::from([
            ("maturity".into(), "小批量试产".into()),
            ("industry".into(), "新能源汽车".into()),
            ("legal_status".into(), "有效".into()),
        ]),
    };
    let mut bare = listing("zz-bare", "无权利人");
    bare.holder = None;
    bare.declaration = Declaration::default();

    store
        .write_batch(&listings_batch(vec![bare.clone(), full.clone()]))
        .unwrap();
    assert_eq!(store.listing(&full.id).unwrap(), Some(full.clone()));
    // Id order, whatever order the batch had.
    assert_eq!(store.listings().unwrap(), vec![full, bare]);
}

#[test]
fn full_profile_round_trips() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&db_path(&dir));
    // Sub-microsecond precision must survive storage.
    let mut full = profile(
        "dem-3621ff01a6",
        "我司需要一种动力电池包的液冷热管理技术，要求温差小于5℃。",
        at(2024, 4, 2, 123_456_789),
    );
    full.ipc_prefixes = vec![
        IpcCode::parse("H01M").unwrap(),
        IpcCode::parse("B60L 58").unwrap(),
    ];
    let mut sparse = profile("dem-0001", "无", at(2023, 1, 1, 0));
    sparse.enterprise_name = None;
    sparse.keywords.clear();
    sparse.acceptable_modes.clear();
    sparse.modes_text = None;
    sparse.budget_max_yuan = None;
    sparse.budget_min_yuan = None;
    sparse.budget_text = None;
    sparse.region = None;
    sparse.posted_on = None;
    sparse.attributes.clear();

    store
        .write_batch(&Batch {
            listings: Vec::new(),
            profiles: vec![full.clone(), sparse.clone()],
        })
        .unwrap();
    assert_eq!(store.profile(&full.id).unwrap(), Some(full.clone()));
    assert_eq!(store.profiles().unwrap(), vec![sparse, full]);
}

#[test]
fn profile_keeps_created_at_and_moves_updated_at_only_on_change() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&db_path(&dir));
    let first_seen = at(2024, 4, 2, 0);
    store
        .write_batch(&Batch {
            listings: Vec::new(),
            profiles: vec![profile("dem-1", "寻求电池热管理方案", first_seen)],
        })
        .unwrap();

    // Same content, stamped by a later import: nothing changes.
    let reimported = profile("dem-1", "寻求电池热管理方案", at(2024, 8, 1, 0));
    let counts = store
        .write_batch(&Batch {
            listings: Vec::new(),
            profiles: vec![reimported],
        })
        .unwrap();
    assert_eq!(counts.profiles.unchanged, 1);
    let stored = store.profile("dem-1").unwrap().unwrap();
    assert_eq!(
        (stored.created_at, stored.updated_at),
        (first_seen, first_seen)
    );

    // Changed content: created_at stays, updated_at is the time of the write.
    let before = Utc::now();
    let edited = profile("dem-1", "寻求电池液冷热管理方案", at(2024, 9, 1, 0));
    let counts = store
        .write_batch(&Batch {
            listings: Vec::new(),
            profiles: vec![edited],
        })
        .unwrap();
    assert_eq!(counts.profiles.updated, 1);
    let stored = store.profile("dem-1").unwrap().unwrap();
    assert_eq!(stored.text, "寻求电池液冷热管理方案");
    assert_eq!(stored.created_at, first_seen);
    assert!(stored.updated_at >= before && stored.updated_at <= Utc::now());
}

#[test]
fn large_batch_inserts_then_rewrites_as_unchanged() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&db_path(&dir));
    let batch = listings_batch(
        (0..7_600)
            .map(|i| listing(&format!("bdci-{i:05}"), &format!("一种测试专利{i}")))
            .collect(),
    );
    let counts = store.write_batch(&batch).unwrap();
    assert_eq!(counts.listings.inserted, 7_600);
    let counts = store.write_batch(&batch).unwrap();
    assert_eq!(counts.listings.unchanged, 7_600);
    assert_eq!(store.counts().unwrap().listings, 7_600);
}

#[test]
fn events_that_break_the_rules_are_refused_and_nothing_is_written() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let mut store = open(&path);
    let original = listing("a", "一种锂电池");
    store
        .write_batch(&listings_batch(vec![original.clone()]))
        .unwrap();

    // Announced 2024-03-01: a lower fee on 2024-08-31 is a day short of six months.
    let early = LifecycleEvent::TermsChanged {
        on: date(2024, 8, 31),
        declaration: declaration(30_000, date(2024, 8, 31)),
    };
    let err = store.append_event("a", &early).unwrap_err();
    assert!(matches!(err, Error::TermsRefused(_)), "{err}");

    // After six months, raising the fee is still refused.
    let raise = LifecycleEvent::TermsChanged {
        on: date(2024, 9, 2),
        declaration: declaration(80_000, date(2024, 9, 2)),
    };
    let err = store.append_event("a", &raise).unwrap_err();
    assert!(matches!(err, Error::TermsRefused(_)), "{err}");

    // A withdrawal must carry the effective day the calendar gives.
    // Announced Thu 2026-09-24: 09-25..09-27 is 中秋, then 09-28 (1), 09-29
    // (2), 09-30 (3), 国庆 10-01..10-07 off, 10-08 (4), 10-09 (5), 10-10
    // (Sat, a 调休 working day, 6), 10-11 Sun off, 10-12 (7).
    let wrong = LifecycleEvent::WithdrawalAnnounced {
        on: date(2026, 9, 24),
        effective_on: date(2026, 10, 10),
        reason: "专利权已经实施".into(),
    };
    let err = store.append_event("a", &wrong).unwrap_err();
    assert!(err.to_string().contains("2026-10-12"), "{err}");

    assert_eq!(store.counts().unwrap().events, 0);
    assert_eq!(store.listing("a").unwrap().unwrap(), original);
    assert_eq!(store.declaration_history("a").unwrap().len(), 1);

    let right = LifecycleEvent::WithdrawalAnnounced {
        on: date(2026, 9, 24),
        effective_on: date(2026, 10, 12),
        reason: "专利权已经实施".into(),
    };
    store.append_event("a", &right).unwrap();
    let late_intent = LifecycleEvent::IntentRecorded {
        on: date(2026, 10, 13),
        party: "某公司".into(),
        note: None,
    };
    assert!(store.append_event("a", &late_intent).is_err());
    let lifecycle = store.lifecycle("a").unwrap();
    assert!(lifecycle.is_searchable(date(2026, 10, 12)));
    assert!(!lifecycle.is_searchable(date(2026, 10, 13)));
    assert_eq!(store.counts().unwrap().events, 1);
}
