//! Push items, runs and feedback in the SQLite store: a day is recorded
//! once, items are never rewritten, feedback needs a real item.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use patmatch_corpus::{
    import_files, Declaration, ImplementationMode, ImportOptions, LifecycleEvent, ProfileBaseline,
    PushFeedback, PushItem, PushedTerms, SqliteStore, Store, StoreConfig,
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

#[test]
fn a_batch_of_pushes_is_recorded_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, listings, profile) = store_with_one_push(dir.path());
    let next = [item(&profile, &listings[1], day(3), 0.8)];
    // Day 2 again is skipped, day 3 recorded, in one call.
    let recorded = store
        .record_pushes(day(3), &[(&profile, &next[..])])
        .unwrap();
    assert_eq!(recorded, vec![true]);
    assert_eq!(
        store
            .record_pushes(day(3), &[(&profile, &next[..])])
            .unwrap(),
        vec![false]
    );
    // One bad push (unknown profile) fails the whole batch.
    let later = [item(&profile, &listings[2], day(4), 0.7)];
    let err = store
        .record_pushes(day(4), &[(&profile, &later[..]), ("nobody", &[][..])])
        .unwrap_err();
    assert!(err.to_string().contains("nobody"), "{err}");
    assert_eq!(store.push_dates(&profile).unwrap(), vec![day(2), day(3)]);
}

#[test]
fn histories_hold_dates_last_terms_and_feedback_per_profile() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, listings, profile) = store_with_one_push(dir.path());
    let mut again = item(&profile, &listings[0], day(3), 0.95);
    again.terms.fee_min = Some(5_000);
    store.record_push(&profile, day(3), &[again]).unwrap();
    store
        .record_feedback(&PushFeedback {
            profile_id: profile.clone(),
            listing_id: listings[0].clone(),
            date: day(2),
            relevant: false,
            reason: Some("不对口".into()),
        })
        .unwrap();
    let histories = store.push_histories().unwrap();
    let history = &histories[&profile];
    assert_eq!(history.dates, vec![day(2), day(3)]);
    assert_eq!(history.sent.len(), 1, "one listing, sent twice");
    assert_eq!(
        history.sent[0].1.fee_min,
        Some(5_000),
        "the later terms win"
    );
    assert_eq!(history.feedback.len(), 1);
    assert!(!history.feedback[0].relevant);
    assert_eq!(histories.len(), 1);
    assert_eq!(&store.push_history(&profile).unwrap(), history);
    assert_eq!(store.push_history("never").unwrap(), Default::default());
}

#[test]
fn baselines_round_trip_and_are_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _, profile) = store(dir.path());
    let mut baseline = ProfileBaseline {
        profile_id: profile.clone(),
        fingerprint: "v1".into(),
        computed_on: day(2),
        vector: vec![0.6, -0.8],
        terms: vec![("电池".into(), 2), ("回收".into(), 1)],
        lexical: vec![12.5, 3.25],
        semantic: vec![0.91, 0.83],
    };
    store.save_baselines(&[baseline.clone()]).unwrap();
    assert_eq!(store.baselines().unwrap(), vec![baseline.clone()]);
    assert_eq!(store.baseline(&profile).unwrap(), Some(baseline.clone()));
    assert_eq!(store.baseline("nobody").unwrap(), None);
    baseline.fingerprint = "v2".into();
    baseline.lexical.push(1.0);
    store.save_baselines(&[baseline.clone()]).unwrap();
    assert_eq!(store.baselines().unwrap(), vec![baseline.clone()]);
    baseline.profile_id = "nobody".into();
    let err = store.save_baselines(&[baseline]).unwrap_err();
    assert!(err.to_string().contains("nobody"), "{err}");
}

#[test]
fn terms_changes_are_found_by_day() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, listings, _) = store(dir.path());
    let listing = store.listing(&listings[0]).unwrap().unwrap();
    // The six-month rule needs an announced listing.
    let mut declared: Declaration = listing.declaration.clone();
    declared.announced_on = Some(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
    // A new listing, so that its first declaration carries the date.
    let mut first = listing.clone();
    first.id = "dated".into();
    first.declaration = declared.clone();
    store
        .write_batch(&patmatch_corpus::Batch {
            listings: vec![first],
            profiles: Vec::new(),
        })
        .unwrap();
    let mut widened = declared.clone();
    let added = ImplementationMode::ALL
        .into_iter()
        .find(|m| !widened.modes.contains(m) && *m != ImplementationMode::Other)
        .unwrap();
    widened.modes.insert(added);
    let changed_on = day(10);
    store
        .append_event(
            "dated",
            &LifecycleEvent::TermsChanged {
                on: changed_on,
                declaration: widened,
            },
        )
        .unwrap();
    assert_eq!(
        store.terms_changed_between(day(9), day(10)).unwrap(),
        vec!["dated".to_string()]
    );
    assert!(store
        .terms_changed_between(day(10), day(20))
        .unwrap()
        .is_empty());
    assert!(store
        .terms_changed_between(day(1), day(9))
        .unwrap()
        .is_empty());
}
