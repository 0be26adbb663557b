//! Push items, runs and feedback in the SQLite store: a day is recorded
//! once, items are never rewritten, feedback needs a real item.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use patmatch_corpus::{
    import_files, ImplementationMode, ImportOptions, PushFeedback, PushItem, PushedTerms,
    SqliteStore, Store, StoreConfig,
};
use std::io::Write as _;
use std::path::{Path, PathBuf};

fn shared(rel: &str) -> PathBuf {
    std::env::var_os("PATMATCH_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
        .join("data")
        .join(rel)
}

/// The first `n` lines of a shared file, as a file in `dir`.
fn head(rel: &str, n: usize, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(shared(rel)).unwrap();
    let path = dir.join(rel.replace('/', "_"));
    let mut out = std::fs::File::create(&path).unwrap();
    for line in text.lines().take(n) {
        writeln!(out, "{line}").unwrap();
    }
    path
}

fn store(dir: &Path) -> (SqliteStore, Vec<String>, String) {
    let mut store = SqliteStore::open(&StoreConfig::new(dir.join("p.db"))).unwrap();
    let files = [
        head("corpus/patents.jsonl", 3, dir),
        head("demands/demands.jsonl", 1, dir),
    ];
    import_files(&mut store, &files, &ImportOptions::default(), &()).unwrap();
    let listings = store
        .listings()
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    let profile = store.profiles().unwrap().remove(0).id;
    (store, listings, profile)
}

/// A store whose profile was pushed its first listing on day 2.
fn store_with_one_push(dir: &Path) -> (SqliteStore, Vec<String>, String) {
    let (mut store, listings, profile) = store(dir);
    let items = [item(&profile, &listings[0], day(2), 0.9)];
    store.record_push(&profile, day(2), &items).unwrap();
    (store, listings, profile)
}

fn item(profile: &str, listing: &str, date: NaiveDate, score: f32) -> PushItem {
    PushItem {
        profile_id: profile.into(),
        listing_id: listing.into(),
        date,
        score,
        reasons: vec!["匹配词：电池".into()],
        explanation: serde_json::json!({"fused": score}),
        terms: PushedTerms {
            fee_min: Some(10_000),
            modes: [ImplementationMode::Transfer].into(),
        },
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

#[test]
fn a_day_is_recorded_once_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, listings, profile) = store(dir.path());
    let first = [
        item(&profile, &listings[0], day(2), 0.9),
        item(&profile, &listings[1], day(2), 0.8),
    ];
    assert!(store.record_push(&profile, day(2), &first).unwrap());
    // the same day again: nothing new, nothing rewritten
    let again = [item(&profile, &listings[2], day(2), 0.99)];
    assert!(!store.record_push(&profile, day(2), &again).unwrap());
    // an empty push still marks its day
    assert!(store.record_push(&profile, day(3), &[]).unwrap());
    assert_eq!(store.push_dates(&profile).unwrap(), [day(2), day(3)]);
    assert_eq!(store.pushed_items(&profile).unwrap(), first.to_vec());
}

#[test]
fn unknown_profiles_listings_and_items_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, listings, profile) = store(dir.path());
    let err = store
        .record_push("nobody", day(2), &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("nobody"), "{err}");
    let err = store
        .record_push(
            &profile,
            day(2),
            &[item(&profile, "no-such-listing", day(2), 0.5)],
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("no-such-listing"), "{err}");
    // the failed push left nothing behind, not even its day
    assert!(store.push_dates(&profile).unwrap().is_empty());

    let feedback = PushFeedback {
        profile_id: profile.clone(),
        listing_id: listings[0].clone(),
        date: day(2),
        relevant: true,
        reason: None,
    };
    let err = store.record_feedback(&feedback).unwrap_err().to_string();
    assert!(err.contains("push item"), "{err}");
}

#[test]
fn feedback_is_kept_per_item_and_replaced_by_a_later_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, listings, profile) = store_with_one_push(dir.path());
    let mut feedback = PushFeedback {
        profile_id: profile.clone(),
        listing_id: listings[0].clone(),
        date: day(2),
        relevant: true,
        reason: None,
    };
    store.record_feedback(&feedback).unwrap();
    feedback.relevant = false;
    feedback.reason = Some("不是我们的行业".into());
    store.record_feedback(&feedback).unwrap();
    assert_eq!(store.feedback(&profile).unwrap(), [feedback]);
}

#[test]
fn the_database_refuses_to_rewrite_a_push_item() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = store_with_one_push(dir.path());
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join("p.db")).unwrap();
    assert!(conn.execute("UPDATE push_items SET score = 0", []).is_err());
    assert!(conn.execute("DELETE FROM push_items", []).is_err());
}
