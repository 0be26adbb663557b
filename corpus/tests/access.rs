//! What the HTTP API keeps in the store: API keys, brokers' shortlists, and
//! the soft deletion of demand profiles. On real database files in a
//! temporary directory.

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use patmatch_corpus::{
    ApiKey, Batch, Declaration, DemandProfile, Error, ImplementationMode, KeyRole, Listing, Patent,
    PatentKind, ProfileBaseline, PushItem, PushedTerms, Shortlist, ShortlistItem, SqliteStore,
    Store, StoreConfig, Verdict,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("fixture date")
}

/// A timestamp with a sub-second part, so a round trip that dropped
/// precision would show.
fn at(day: u32, nanos: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 8, 30, 0).unwrap() + TimeDelta::nanoseconds(nanos)
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

fn count(path: &Path, sql: &str) -> i64 {
    raw(path).query_row(sql, [], |r| r.get(0)).expect(sql)
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
        holder: None,
        declaration: Declaration::default(),
        attributes: BTreeMap::new(),
    }
}

fn profile(id: &str) -> DemandProfile {
    DemandProfile {
        id: id.into(),
        source: "techmarket-demand".into(),
        enterprise_id: "ent-001".into(),
        enterprise_name: Some("杭州某某科技有限公司".into()),
        title: "需要一种电池热管理技术".into(),
        text: "寻求电池热管理方案".into(),
        keywords: vec!["电池".into()],
        ipc_prefixes: Vec::new(),
        acceptable_modes: BTreeSet::from([ImplementationMode::OrdinaryLicence]),
        modes_text: None,
        budget_max_yuan: None,
        budget_min_yuan: None,
        budget_text: None,
        region: None,
        posted_on: None,
        created_at: at(1, 0),
        updated_at: at(1, 0),
        attributes: BTreeMap::new(),
    }
}

/// A store holding listings `l1`..`l3`.
fn store_with_listings(path: &Path) -> SqliteStore {
    let mut store = open(path);
    let counts = store
        .write_batch(&Batch {
            listings: vec![
                listing("l1", "一种锂电池"),
                listing("l2", "一种光伏支架"),
                listing("l3", "一种热管理系统"),
            ],
            profiles: Vec::new(),
        })
        .expect("listings written");
    assert_eq!(counts.listings.inserted, 3);
    store
}

fn key(id: &str, role: KeyRole, subject: Option<&str>, created_at: DateTime<Utc>) -> ApiKey {
    ApiKey {
        id: id.into(),
        secret_sha256: ApiKey::hash_secret(&format!("secret of {id}")),
        role,
        subject: subject.map(Into::into),
        label: Some(format!("{role} key")),
        created_at,
        revoked_at: None,
    }
}

fn is_invalid(err: &Error, expected: &str) -> bool {
    matches!(err, Error::Invalid { field, .. } if field == expected)
}

fn is_not_found(err: &Error, expected_what: &str, expected_id: &str) -> bool {
    matches!(err, Error::NotFound { what, id } if *what == expected_what && id == expected_id)
}

// ---- API keys ----

#[test]
fn api_keys_round_trip_and_list_by_creation_time_then_id() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&db_path(&dir));
    // Saved in neither id nor creation order.
    let enterprise = key("k-b", KeyRole::Enterprise, Some("ent-001"), at(2, 7));
    let admin = key("k-z", KeyRole::Admin, None, at(1, 123_456_789));
    let broker = key("k-a", KeyRole::Broker, Some("broker-9"), at(2, 7));
    for k in [&enterprise, &admin, &broker] {
        store.save_api_key(k).unwrap();
    }

    assert_eq!(store.api_key("k-z").unwrap(), Some(admin.clone()));
    assert_eq!(store.api_key("k-b").unwrap(), Some(enterprise.clone()));
    assert_eq!(store.api_key("nope").unwrap(), None);
    // k-a and k-b share a creation time: the id breaks the tie.
    assert_eq!(store.api_keys().unwrap(), vec![admin, broker, enterprise]);
}

#[test]
fn a_key_is_revoked_once_and_keeps_its_first_revocation_time() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&db_path(&dir));
    let k = key("k1", KeyRole::Enterprise, Some("ent-001"), at(1, 0));
    store.save_api_key(&k).unwrap();
    assert!(!store.api_key("k1").unwrap().unwrap().is_revoked());

    assert!(store.revoke_api_key("k1", at(3, 5)).unwrap());
    assert!(!store.revoke_api_key("k1", at(4, 0)).unwrap());
    let stored = store.api_key("k1").unwrap().unwrap();
    assert_eq!(stored.revoked_at, Some(at(3, 5)));
    assert!(stored.is_revoked());
    // Everything else about the key is as saved.
    assert_eq!(
        ApiKey {
            revoked_at: None,
            ..stored
        },
        k
    );

    let err = store.revoke_api_key("nope", at(3, 0)).unwrap_err();
    assert!(is_not_found(&err, "api key", "nope"), "{err:?}");
}

#[test]
fn a_key_names_a_subject_exactly_when_its_role_acts_for_someone() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let mut store = open(&path);
    let refused = [
        key("e-none", KeyRole::Enterprise, None, at(1, 0)),
        key("e-blank", KeyRole::Enterprise, Some("  "), at(1, 0)),
        key("b-none", KeyRole::Broker, None, at(1, 0)),
        key("b-empty", KeyRole::Broker, Some(""), at(1, 0)),
        key("a-some", KeyRole::Admin, Some("ent-001"), at(1, 0)),
    ];
    for k in &refused {
        let err = store.save_api_key(k).unwrap_err();
        assert!(is_invalid(&err, "subject"), "{}: {err:?}", k.id);
    }
    assert!(store.api_keys().unwrap().is_empty());

    for k in [
        key("e", KeyRole::Enterprise, Some("ent-001"), at(1, 0)),
        key("b", KeyRole::Broker, Some("broker-1"), at(1, 0)),
        key("a", KeyRole::Admin, None, at(1, 0)),
    ] {
        store.save_api_key(&k).unwrap();
    }
    assert_eq!(store.api_keys().unwrap().len(), 3);

    // The database holds the rule too, against a hand-typed statement.
    let tampered = raw(&path).execute(
        "INSERT INTO api_keys (id, secret_sha256, role, subject, created_at) \
         VALUES ('x', ?1, 'broker', NULL, '2026-03-01T00:00:00.000000000Z')",
        [ApiKey::hash_secret("x")],
    );
    assert!(tampered.is_err(), "{tampered:?}");
}

#[test]
fn a_taken_key_id_or_a_malformed_hash_is_refused() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&db_path(&dir));
    let first = key("k1", KeyRole::Admin, None, at(1, 0));
    store.save_api_key(&first).unwrap();
    store.revoke_api_key("k1", at(2, 0)).unwrap();

    // Even a revoked key's id is not reused, so old logs stay unambiguous.
    let mut second = key("k1", KeyRole::Broker, Some("broker-1"), at(3, 0));
    second.secret_sha256 = ApiKey::hash_secret("another secret");
    let err = store.save_api_key(&second).unwrap_err();
    assert!(is_invalid(&err, "id"), "{err:?}");
    assert!(err.to_string().contains("k1"), "{err}");
    let stored = store.api_key("k1").unwrap().unwrap();
    assert_eq!(stored.secret_sha256, first.secret_sha256);
    assert_eq!(stored.role, KeyRole::Admin);

    for bad in [
        ApiKey::hash_secret("s").to_uppercase(),
        "abc".to_owned(),
        "the secret itself, not its hash".to_owned(),
    ] {
        let k = ApiKey {
            secret_sha256: bad.clone(),
            ..key("k2", KeyRole::Admin, None, at(1, 0))
        };
        let err = store.save_api_key(&k).unwrap_err();
        assert!(is_invalid(&err, "secret_sha256"), "{bad}: {err:?}");
    }
    let err = store
        .save_api_key(&key("", KeyRole::Admin, None, at(1, 0)))
        .unwrap_err();
    assert!(is_invalid(&err, "id"), "{err:?}");
    assert_eq!(store.api_keys().unwrap().len(), 1);
}

// ---- Shortlists ----

fn item(
    listing_id: &str,
    verdict: Verdict,
    note: Option<&str>,
    added: DateTime<Utc>,
) -> ShortlistItem {
    ShortlistItem {
        listing_id: listing_id.into(),
        verdict,
        note: note.map(Into::into),
        added_at: added,
        updated_at: added,
    }
}

fn shortlist(
    id: &str,
    broker: &str,
    created: DateTime<Utc>,
    items: Vec<ShortlistItem>,
) -> Shortlist {
    Shortlist {
        id: id.into(),
        broker_id: broker.into(),
        client: format!("client of {id}"),
        title: Some(format!("shortlist {id}")),
        created_at: created,
        updated_at: created,
        items,
    }
}

#[test]
fn shortlists_round_trip_and_list_by_broker() {
    let dir = TempDir::new().unwrap();
    let mut store = store_with_listings(&db_path(&dir));
    // Items given out of order: read back by added_at, then listing id.
    let s1 = shortlist(
        "s1",
        "broker-1",
        at(2, 0),
        vec![
            item("l3", Verdict::Kept, Some("价格合适"), at(2, 9)),
            item("l2", Verdict::Rejected, None, at(2, 1)),
            item("l1", Verdict::Kept, None, at(2, 9)),
        ],
    );
    let s2 = shortlist("s2", "broker-2", at(1, 0), Vec::new());
    let s0 = Shortlist {
        title: None,
        ..shortlist(
            "s0",
            "broker-1",
            at(3, 0),
            vec![item("l1", Verdict::Kept, None, at(3, 0))],
        )
    };
    for s in [&s1, &s2, &s0] {
        store.create_shortlist(s).unwrap();
    }

    let mut expected_s1 = s1.clone();
    expected_s1.items = vec![
        s1.items[1].clone(),
        s1.items[2].clone(),
        s1.items[0].clone(),
    ];
    assert_eq!(store.shortlist("s1").unwrap(), Some(expected_s1.clone()));
    assert_eq!(store.shortlist("s0").unwrap(), Some(s0.clone()));
    assert_eq!(store.shortlist("nope").unwrap(), None);

    // By creation time, not id.
    assert_eq!(
        store.shortlists(Some("broker-1")).unwrap(),
        vec![expected_s1.clone(), s0.clone()]
    );
    assert_eq!(
        store.shortlists(Some("broker-2")).unwrap(),
        vec![s2.clone()]
    );
    assert!(store.shortlists(Some("broker-3")).unwrap().is_empty());
    assert_eq!(store.shortlists(None).unwrap(), vec![s2, expected_s1, s0]);
}

#[test]
fn a_taken_shortlist_id_or_a_bad_shortlist_is_refused() {
    let dir = TempDir::new().unwrap();
    let mut store = store_with_listings(&db_path(&dir));
    let first = shortlist(
        "s1",
        "broker-1",
        at(1, 0),
        vec![item("l1", Verdict::Kept, None, at(1, 0))],
    );
    store.create_shortlist(&first).unwrap();

    let err = store
        .create_shortlist(&shortlist("s1", "broker-2", at(2, 0), Vec::new()))
        .unwrap_err();
    assert!(is_invalid(&err, "id"), "{err:?}");
    assert_eq!(store.shortlist("s1").unwrap(), Some(first));

    let no_client = Shortlist {
        client: " ".into(),
        ..shortlist("s2", "broker-1", at(1, 0), Vec::new())
    };
    assert!(is_invalid(
        &store.create_shortlist(&no_client).unwrap_err(),
        "client"
    ));
    let no_broker = shortlist("s2", "", at(1, 0), Vec::new());
    assert!(is_invalid(
        &store.create_shortlist(&no_broker).unwrap_err(),
        "broker_id"
    ));
    let twice = shortlist(
        "s2",
        "broker-1",
        at(1, 0),
        vec![
            item("l1", Verdict::Kept, None, at(1, 0)),
            item("l1", Verdict::Rejected, None, at(1, 1)),
        ],
    );
    assert!(is_invalid(
        &store.create_shortlist(&twice).unwrap_err(),
        "items"
    ));
    assert_eq!(store.shortlists(None).unwrap().len(), 1);
}

#[test]
fn an_unknown_listing_fails_a_create_and_writes_nothing() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let mut store = store_with_listings(&path);
    let s = shortlist(
        "s1",
        "broker-1",
        at(1, 0),
        vec![
            item("l1", Verdict::Kept, None, at(1, 0)),
            item("no-such-listing", Verdict::Kept, None, at(1, 1)),
        ],
    );
    let err = store.create_shortlist(&s).unwrap_err();
    assert!(is_not_found(&err, "listing", "no-such-listing"), "{err:?}");
    assert_eq!(store.shortlist("s1").unwrap(), None);
    assert_eq!(count(&path, "SELECT count(*) FROM shortlists"), 0);
    assert_eq!(count(&path, "SELECT count(*) FROM shortlist_items"), 0);
    // Nothing half-written blocks the id either.
    store
        .create_shortlist(&Shortlist {
            items: vec![item("l1", Verdict::Kept, None, at(1, 0))],
            ..s
        })
        .unwrap();
    assert_eq!(store.shortlist("s1").unwrap().unwrap().items.len(), 1);
}

#[test]
fn putting_an_item_adds_it_then_updates_it_keeping_when_it_was_added() {
    let dir = TempDir::new().unwrap();
    let mut store = store_with_listings(&db_path(&dir));
    store
        .create_shortlist(&shortlist("s1", "broker-1", at(1, 0), Vec::new()))
        .unwrap();

    assert!(store
        .put_shortlist_item("s1", "l2", Verdict::Kept, Some("先看看"), at(2, 1))
        .unwrap());
    let s = store.shortlist("s1").unwrap().unwrap();
    assert_eq!(
        s.items,
        vec![item("l2", Verdict::Kept, Some("先看看"), at(2, 1))]
    );
    assert_eq!(s.updated_at, at(2, 1));
    assert_eq!(s.created_at, at(1, 0));

    assert!(!store
        .put_shortlist_item("s1", "l2", Verdict::Rejected, Some("客户不需要"), at(3, 2))
        .unwrap());
    let s = store.shortlist("s1").unwrap().unwrap();
    assert_eq!(
        s.items,
        vec![ShortlistItem {
            listing_id: "l2".into(),
            verdict: Verdict::Rejected,
            note: Some("客户不需要".into()),
            added_at: at(2, 1),
            updated_at: at(3, 2),
        }]
    );
    assert_eq!(s.updated_at, at(3, 2));

    // A note can be cleared.
    assert!(!store
        .put_shortlist_item("s1", "l2", Verdict::Rejected, None, at(4, 0))
        .unwrap());
    assert_eq!(store.shortlist("s1").unwrap().unwrap().items[0].note, None);

    let err = store
        .put_shortlist_item("nope", "l1", Verdict::Kept, None, at(4, 0))
        .unwrap_err();
    assert!(is_not_found(&err, "shortlist", "nope"), "{err:?}");
    let err = store
        .put_shortlist_item("s1", "no-such-listing", Verdict::Kept, None, at(5, 0))
        .unwrap_err();
    assert!(is_not_found(&err, "listing", "no-such-listing"), "{err:?}");
    // The failed put did not move the list.
    assert_eq!(store.shortlist("s1").unwrap().unwrap().updated_at, at(4, 0));
}

#[test]
fn removing_an_item_takes_it_off_once() {
    let dir = TempDir::new().unwrap();
    let mut store = store_with_listings(&db_path(&dir));
    store
        .create_shortlist(&shortlist(
            "s1",
            "broker-1",
            at(1, 0),
            vec![
                item("l1", Verdict::Kept, None, at(1, 0)),
                item("l2", Verdict::Kept, None, at(1, 1)),
            ],
        ))
        .unwrap();

    assert!(store.remove_shortlist_item("s1", "l1", at(2, 0)).unwrap());
    let s = store.shortlist("s1").unwrap().unwrap();
    assert_eq!(s.items, vec![item("l2", Verdict::Kept, None, at(1, 1))]);
    assert_eq!(s.updated_at, at(2, 0));

    // Not there any more: nothing changes, not even updated_at.
    assert!(!store.remove_shortlist_item("s1", "l1", at(3, 0)).unwrap());
    assert_eq!(store.shortlist("s1").unwrap().unwrap().updated_at, at(2, 0));

    let err = store
        .remove_shortlist_item("nope", "l2", at(3, 0))
        .unwrap_err();
    assert!(is_not_found(&err, "shortlist", "nope"), "{err:?}");
}

#[test]
fn updating_a_shortlist_replaces_client_and_title() {
    let dir = TempDir::new().unwrap();
    let mut store = store_with_listings(&db_path(&dir));
    let s = shortlist(
        "s1",
        "broker-1",
        at(1, 0),
        vec![item("l1", Verdict::Kept, None, at(1, 0))],
    );
    store.create_shortlist(&s).unwrap();

    store
        .update_shortlist("s1", "宁波某某公司", None, at(2, 3))
        .unwrap();
    let updated = store.shortlist("s1").unwrap().unwrap();
    assert_eq!(
        updated,
        Shortlist {
            client: "宁波某某公司".into(),
            title: None,
            updated_at: at(2, 3),
            ..s.clone()
        }
    );

    let err = store
        .update_shortlist("nope", "x", None, at(2, 0))
        .unwrap_err();
    assert!(is_not_found(&err, "shortlist", "nope"), "{err:?}");
    let err = store
        .update_shortlist("s1", "", None, at(3, 0))
        .unwrap_err();
    assert!(is_invalid(&err, "client"), "{err:?}");
    assert_eq!(store.shortlist("s1").unwrap().unwrap(), updated);
}

#[test]
fn deleting_a_shortlist_takes_its_items_with_it() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let mut store = store_with_listings(&path);
    let items = vec![
        item("l1", Verdict::Kept, None, at(1, 0)),
        item("l2", Verdict::Rejected, None, at(1, 1)),
    ];
    store
        .create_shortlist(&shortlist("s1", "broker-1", at(1, 0), items.clone()))
        .unwrap();
    let kept = shortlist("s2", "broker-1", at(1, 0), items);
    store.create_shortlist(&kept).unwrap();

    assert!(store.delete_shortlist("s1").unwrap());
    assert_eq!(store.shortlist("s1").unwrap(), None);
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM shortlist_items WHERE shortlist_id = 's1'"
        ),
        0
    );
    // The other list is untouched.
    assert_eq!(store.shortlists(None).unwrap(), vec![kept]);
    assert!(!store.delete_shortlist("s1").unwrap());
    assert!(!store.delete_shortlist("nope").unwrap());
    // The id is free again.
    store
        .create_shortlist(&shortlist("s1", "broker-2", at(2, 0), Vec::new()))
        .unwrap();
    assert!(store.shortlist("s1").unwrap().unwrap().items.is_empty());
}

// ---- Deleting profiles ----

fn push_item(profile: &str, listing: &str, day: NaiveDate) -> PushItem {
    PushItem {
        profile_id: profile.into(),
        listing_id: listing.into(),
        date: day,
        score: 0.8,
        reasons: vec!["匹配词：电池".into()],
        explanation: serde_json::json!({"fused": 0.8}),
        terms: PushedTerms {
            fee_min: None,
            modes: BTreeSet::new(),
        },
    }
}

fn baseline(profile: &str) -> ProfileBaseline {
    ProfileBaseline {
        profile_id: profile.into(),
        fingerprint: "v1".into(),
        computed_on: date(2026, 3, 2),
        vector: vec![0.6, -0.8],
        terms: vec![("电池".into(), 1)],
        lexical: vec![3.5],
        semantic: vec![0.9],
    }
}

/// A store with listings, profiles `p1` (pushed `l1` on 2 March, with a
/// baseline) and `p2` (a baseline only).
fn store_with_pushed_profile(path: &Path) -> SqliteStore {
    let mut store = store_with_listings(path);
    let counts = store
        .write_batch(&Batch {
            listings: Vec::new(),
            profiles: vec![profile("p1"), profile("p2")],
        })
        .expect("profiles written");
    assert_eq!(counts.profiles.inserted, 2);
    let day = date(2026, 3, 2);
    assert!(store
        .record_push("p1", day, &[push_item("p1", "l1", day)])
        .expect("push recorded"));
    store
        .save_baselines(&[baseline("p1"), baseline("p2")])
        .expect("baselines saved");
    store
}

#[test]
fn a_deleted_profile_is_hidden_but_its_pushes_stay_readable() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let mut store = store_with_pushed_profile(&path);
    let day = date(2026, 3, 2);
    let pushed = store.pushed_items("p1").unwrap();
    assert_eq!(pushed, vec![push_item("p1", "l1", day)]);
    assert_eq!(store.counts().unwrap().profiles, 2);
    assert!(store.push_histories().unwrap().contains_key("p1"));

    assert!(store.delete_profile("p1").unwrap());

    assert_eq!(store.profile("p1").unwrap(), None);
    assert_eq!(store.profile("p2").unwrap(), Some(profile("p2")));
    assert_eq!(store.profiles().unwrap(), vec![profile("p2")]);
    assert_eq!(store.counts().unwrap().profiles, 1);
    assert_eq!(store.baseline("p1").unwrap(), None);
    assert_eq!(store.baselines().unwrap(), vec![baseline("p2")]);
    assert!(!store.push_histories().unwrap().contains_key("p1"));
    assert!(store.push_history("p1").unwrap().dates.is_empty());
    // The audit record is intact.
    assert_eq!(store.pushed_items("p1").unwrap(), pushed);
    assert_eq!(store.push_dates("p1").unwrap(), vec![day]);
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM profiles WHERE id = 'p1' AND deleted_at IS NOT NULL"
        ),
        1
    );
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM profile_baselines WHERE profile_id = 'p1'"
        ),
        0
    );

    // Nothing more is pushed to it, nor cached for it.
    let next = date(2026, 3, 3);
    let err = store.record_push("p1", next, &[]).unwrap_err();
    assert!(is_not_found(&err, "profile", "p1"), "{err:?}");
    let err = store.save_baselines(&[baseline("p1")]).unwrap_err();
    assert!(is_not_found(&err, "profile", "p1"), "{err:?}");
    assert_eq!(store.push_dates("p1").unwrap(), vec![day]);

    assert!(!store.delete_profile("p1").unwrap(), "already deleted");
    assert!(!store.delete_profile("nope").unwrap(), "unknown");
}

#[test]
fn writing_a_deleted_profile_again_revives_it_as_an_insert() {
    let dir = TempDir::new().unwrap();
    let mut store = store_with_pushed_profile(&db_path(&dir));
    assert!(store.delete_profile("p1").unwrap());

    // Written again exactly as before: not "unchanged", since to every
    // reader it is new.
    let mut again = profile("p1");
    again.created_at = at(9, 0);
    again.updated_at = at(9, 0);
    let counts = store
        .write_batch(&Batch {
            listings: Vec::new(),
            profiles: vec![again.clone()],
        })
        .unwrap();
    assert_eq!(counts.profiles.inserted, 1);
    assert_eq!(counts.profiles.updated + counts.profiles.unchanged, 0);
    // It comes back as written, timestamps included.
    assert_eq!(store.profile("p1").unwrap(), Some(again.clone()));
    assert_eq!(store.profiles().unwrap().len(), 2);
    assert_eq!(store.counts().unwrap().profiles, 2);
    // Its push history is its own again, so nothing is sent to it twice.
    assert_eq!(
        store.push_history("p1").unwrap().dates,
        vec![date(2026, 3, 2)]
    );
    // And it can be deleted again.
    assert!(store.delete_profile("p1").unwrap());
    assert_eq!(store.profile("p1").unwrap(), None);
    // A second write of the revived profile is an ordinary upsert.
    store
        .write_batch(&Batch {
            listings: Vec::new(),
            profiles: vec![again.clone()],
        })
        .unwrap();
    let counts = store
        .write_batch(&Batch {
            listings: Vec::new(),
            profiles: vec![again],
        })
        .unwrap();
    assert_eq!(counts.profiles.unchanged, 1);
}

// ---- Migration ----

#[test]
fn a_schema_version_3_file_upgrades_in_place() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    drop(store_with_pushed_profile(&path));

    // Take the file back to version 3: what a store written before the API
    // existed looks like.
    {
        let conn = raw(&path);
        conn.execute_batch(
            "DROP TABLE shortlist_items; DROP TABLE shortlists; DROP TABLE api_keys; \
             ALTER TABLE profiles DROP COLUMN deleted_at; PRAGMA user_version = 3;",
        )
        .unwrap();
        let tables = count(
            &path,
            "SELECT count(*) FROM sqlite_master WHERE name IN ('api_keys', 'shortlists')",
        );
        assert_eq!(tables, 0);
    }

    let mut store = open(&path);
    assert_eq!(
        count(&path, "PRAGMA user_version"),
        i64::from(SqliteStore::SCHEMA_VERSION)
    );
    assert_eq!(SqliteStore::SCHEMA_VERSION, 4);
    // Everything that was there still is, and every profile is live.
    assert_eq!(
        store.profiles().unwrap(),
        vec![profile("p1"), profile("p2")]
    );
    assert_eq!(store.counts().unwrap().listings, 3);
    assert_eq!(store.pushed_items("p1").unwrap().len(), 1);
    assert_eq!(store.baselines().unwrap().len(), 2);
    // And what migration 4 brings works.
    store
        .save_api_key(&key("k1", KeyRole::Admin, None, at(1, 0)))
        .unwrap();
    store
        .create_shortlist(&shortlist(
            "s1",
            "broker-1",
            at(1, 0),
            vec![item("l1", Verdict::Kept, None, at(1, 0))],
        ))
        .unwrap();
    assert!(store.delete_profile("p2").unwrap());
    assert_eq!(store.profiles().unwrap(), vec![profile("p1")]);
    drop(store);

    // Opening again migrates nothing more.
    let store = open(&path);
    assert_eq!(store.api_keys().unwrap().len(), 1);
    assert_eq!(store.shortlists(None).unwrap().len(), 1);
}
