//! The daily push over the real corpus and store: never twice, re-push on
//! better terms, modes and budget, one run per day, feedback, withdrawals.
#![allow(clippy::unwrap_used)]

// common/ names the crate as its dependents do.
extern crate patmatch_ranker as ranker;

mod common;

use chrono::{NaiveDate, Utc};
use corpus::{
    withdrawal_effective_on, Batch, DemandProfile, ImplementationMode, LifecycleEvent, Listing,
    PushFeedback, SqliteStore, Store,
};
use indexer::BuildMode;
use ranker::{PushConfig, Pusher, SearchRequest, REPUSH_REASON};
use std::collections::{BTreeSet, HashMap};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn profile(
    id: &str,
    text: &str,
    modes: &[ImplementationMode],
    budget: Option<u64>,
) -> DemandProfile {
    DemandProfile {
        id: id.into(),
        source: "test".into(),
        enterprise_id: format!("ent-{id}"),
        enterprise_name: None,
        title: text.into(),
        text: String::new(),
        keywords: Vec::new(),
        ipc_prefixes: Vec::new(),
        acceptable_modes: modes.iter().copied().collect(),
        modes_text: None,
        budget_max_yuan: budget,
        budget_min_yuan: None,
        budget_text: None,
        region: None,
        posted_on: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        attributes: Default::default(),
    }
}

/// A copy of a corpus listing under a new id, title and announcement day.
fn copy(
    store: &SqliteStore,
    id: &str,
    new_id: &str,
    suffix: &str,
    announced: NaiveDate,
) -> Listing {
    let mut listing = store.listing(id).unwrap().unwrap();
    listing.id = new_id.into();
    listing.patent.title.push_str(suffix);
    listing.declaration.announced_on = Some(announced);
    listing
}

/// The ids of the `limit` best search hits for `text`.
fn top_ids(ranker: &ranker::Ranker, text: &str, limit: usize) -> Vec<String> {
    ranker
        .search(&SearchRequest {
            limit,
            ..SearchRequest::new(text)
        })
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

fn ids(items: &[corpus::PushItem]) -> Vec<&str> {
    items.iter().map(|i| i.listing_id.as_str()).collect()
}

const BATTERY: &str = "废旧锂离子电池正极材料回收利用技术，回收镍钴锂等有价金属";
const IRRIGATION: &str = "节水灌溉 滴灌灌水器 快速开发技术";

#[test]
fn the_daily_push() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = common::corpus_store(dir.path());
    let ranker = common::index(&store, dir.path(), BuildMode::Full);
    let top = top_ids(&ranker, BATTERY, 10);

    // Listings whose history the test controls: one whose terms will
    // improve, one withdrawn in 2026, three announced on day 2.
    let (day1, day2) = (day(2027, 6, 1), day(2027, 6, 2));
    let mut listings = vec![
        copy(&store, &top[0], "old-z", "（改良型）", day(2026, 1, 5)),
        copy(&store, &top[1], "old-w", "（撤回）", day(2026, 1, 5)),
    ];
    for (i, id) in top[4..7].iter().enumerate() {
        listings.push(copy(&store, id, &format!("new-{i}"), "（二代）", day2));
    }
    let profiles = vec![
        profile("p1", BATTERY, &[], None),
        profile("p2", BATTERY, &[], None),
        profile(
            "p3",
            IRRIGATION,
            &[ImplementationMode::Transfer],
            Some(500_000),
        ),
        profile("p4", BATTERY, &[], None),
    ];
    store.write_batch(&Batch { listings, profiles }).unwrap();
    let announced = day(2026, 11, 3);
    store
        .append_event(
            "old-w",
            &LifecycleEvent::WithdrawalAnnounced {
                on: announced,
                effective_on: withdrawal_effective_on(announced).unwrap(),
                reason: "专利权已经实施".into(),
            },
        )
        .unwrap();
    let ranker = common::index(&store, dir.path(), BuildMode::Auto);
    let config = PushConfig {
        threshold: 0.6,
        ..PushConfig::default()
    };
    let pusher = Pusher::new(&ranker, config.clone());
    let profiles: HashMap<String, DemandProfile> = store
        .profiles()
        .unwrap()
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let p = |id: &str| profiles[id].clone();

    // A withdrawn listing is pushed before its effective day, never after.
    let before = pusher.plan(&store, &p("p4"), day(2026, 11, 5)).unwrap();
    assert!(
        ids(&before.items).contains(&"old-w"),
        "{:?}",
        ids(&before.items)
    );
    let after = pusher.plan(&store, &p("p4"), day1).unwrap();
    assert!(!ids(&after.items).contains(&"old-w"));

    // Day 1: a first push considers every searchable listing.
    let first = pusher.push(&mut store, &p("p1"), day1).unwrap();
    assert!(!first.items.is_empty() && first.items.len() <= config.limit);
    assert!(first.items.iter().all(|i| i.score >= config.threshold));
    assert!(first.items.iter().all(|i| !i.reasons.is_empty()));
    assert!(
        ids(&first.items).contains(&"old-z"),
        "{:?}",
        ids(&first.items)
    );
    assert!(
        !ids(&first.items).iter().any(|id| id.starts_with("new-")),
        "not yet announced"
    );
    let twin = pusher.push(&mut store, &p("p2"), day1).unwrap();
    assert_eq!(ids(&twin.items), ids(&first.items));

    // Running the day again sends nothing new and writes nothing.
    let again = pusher.push(&mut store, &p("p1"), day1).unwrap();
    assert!(again.already_pushed && again.items.is_empty());
    assert_eq!(store.pushed_items("p1").unwrap().len(), first.items.len());

    // Modes and budget are filters.
    let irrigation = pusher.push(&mut store, &p("p3"), day1).unwrap();
    assert!(!irrigation.items.is_empty());
    for item in &irrigation.items {
        assert!(
            item.terms.modes.contains(&ImplementationMode::Transfer),
            "{item:?}"
        );
        assert!(
            item.terms.fee_min.is_none_or(|fee| fee <= 500_000),
            "{item:?}"
        );
        assert!(
            item.reasons.iter().any(|r| r.contains("转让")),
            "{:?}",
            item.reasons
        );
    }

    // p1 rejects what it got; then old-z adds a licence mode on day 2.
    for item in &first.items {
        store
            .record_feedback(&PushFeedback {
                profile_id: "p1".into(),
                listing_id: item.listing_id.clone(),
                date: day1,
                relevant: false,
                reason: Some("方向不符".into()),
            })
            .unwrap();
    }
    let mut better = store.listing("old-z").unwrap().unwrap().declaration;
    let added = ImplementationMode::ALL
        .into_iter()
        .find(|m| !better.modes.contains(m) && *m != ImplementationMode::Other)
        .unwrap();
    better.modes.insert(added);
    store
        .append_event(
            "old-z",
            &LifecycleEvent::TermsChanged {
                on: day2,
                declaration: better,
            },
        )
        .unwrap();
    let ranker = common::index(&store, dir.path(), BuildMode::Auto);
    let pusher = Pusher::new(&ranker, config.clone());

    // Day 2: only new or changed listings; a changed one comes back once
    // with its reason; nothing else is sent twice.
    let p2 = pusher.push(&mut store, &p("p2"), day2).unwrap();
    let day1_ids: BTreeSet<&str> = ids(&first.items).into_iter().collect();
    for item in &p2.items {
        let id = item.listing_id.as_str();
        assert!(
            id.starts_with("new-") || id == "old-z",
            "{id} is neither new nor changed"
        );
        if day1_ids.contains(id) {
            assert_eq!(id, "old-z");
            assert!(
                item.reasons.iter().any(|r| r == REPUSH_REASON),
                "{:?}",
                item.reasons
            );
        }
    }
    assert!(ids(&p2.items).contains(&"old-z"), "{:?}", ids(&p2.items));
    assert!(ids(&p2.items).iter().any(|id| id.starts_with("new-")));

    // Feedback: p1 rejected what p2 accepted silently, so p1's scores for
    // the same new listings are lower, and a rejected listing never comes
    // back, not even with better terms.
    let p1 = pusher.plan(&store, &p("p1"), day2).unwrap();
    assert!(!ids(&p1.items).contains(&"old-z"));
    let p2_scores: HashMap<&str, f32> = p2
        .items
        .iter()
        .map(|i| (i.listing_id.as_str(), i.score))
        .collect();
    let mut compared = 0;
    for item in &p1.items {
        if let Some(&theirs) = p2_scores.get(item.listing_id.as_str()) {
            assert!(
                item.score < theirs,
                "{} {} vs {theirs}",
                item.listing_id,
                item.score
            );
            compared += 1;
        }
    }
    assert!(compared > 0 || p1.items.len() < p2.items.len());

    // A later day with nothing new sends nothing.
    let day3 = pusher.push(&mut store, &p("p2"), day(2027, 6, 3)).unwrap();
    assert!(day3.items.is_empty() && !day3.already_pushed);
    assert_eq!(
        store.push_dates("p2").unwrap(),
        [day1, day2, day(2027, 6, 3)]
    );
}

#[test]
fn later_days_are_one_batch_scored_against_each_profiles_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = common::corpus_store(dir.path());
    let demands = [common::data("demands/demands.jsonl")];
    corpus::import_files(&mut store, &demands, &Default::default(), &()).unwrap();
    // More profiles than the bulk-read cut-off, so both ways of reading
    // history are compared below.
    let mut profiles: Vec<DemandProfile> = store.profiles().unwrap();
    profiles.truncate(80);
    profiles.push(profile("battery", BATTERY, &[], None));
    profiles.push(profile("irrigation", IRRIGATION, &[], None));
    store
        .write_batch(&Batch {
            listings: Vec::new(),
            profiles: profiles[80..].to_vec(),
        })
        .unwrap();
    let ranker = common::index(&store, dir.path(), BuildMode::Full);
    let config = PushConfig {
        threshold: 0.6,
        ..PushConfig::default()
    };
    let (day1, day2) = (day(2027, 6, 1), day(2027, 6, 2));
    let report = Pusher::new(&ranker, config.clone())
        .run_for(&mut store, &profiles, day1, &|_| {})
        .unwrap();
    assert_eq!(report.profiles, profiles.len());
    let baselines = store.baselines().unwrap();
    assert_eq!(baselines.len(), profiles.len(), "one per profile");
    assert!(baselines.iter().all(|b| b.computed_on == day1));
    let first = |id: &str| store.pushed_items(id).unwrap();
    let battery_day1 = first("battery");
    assert!(!battery_day1.is_empty());

    // Day 2 brings copies of the battery profile's day-1 matches and of
    // irrigation listings. Among themselves the irrigation copies would be
    // each other's best match; against the battery profile's baseline
    // they are what they are: poor matches.
    let irrigation_top = top_ids(&ranker, IRRIGATION, 3);
    let mut listings = Vec::new();
    for (i, item) in battery_day1.iter().take(2).enumerate() {
        listings.push(copy(
            &store,
            &item.listing_id,
            &format!("bat-{i}"),
            "（二代）",
            day2,
        ));
    }
    for (i, id) in irrigation_top.iter().enumerate() {
        listings.push(copy(&store, id, &format!("irr-{i}"), "（二代）", day2));
    }
    store
        .write_batch(&Batch {
            listings,
            profiles: Vec::new(),
        })
        .unwrap();
    // The battery profile is edited: its baseline must be searched again.
    let mut edited = profiles[80].clone();
    edited.keywords = vec!["湿法冶金".into()];
    profiles[80] = edited.clone();
    store
        .write_batch(&Batch {
            listings: Vec::new(),
            profiles: vec![edited],
        })
        .unwrap();
    let ranker = common::index(&store, dir.path(), BuildMode::Auto);
    let pusher = Pusher::new(&ranker, config.clone());

    // The batch decides exactly what a profile's own plan decides.
    let batch = pusher.plan_many(&store, &profiles, day2, &|_| {}).unwrap();
    for (profile, planned) in profiles.iter().zip(&batch).step_by(9) {
        let alone = pusher.plan(&store, profile, day2).unwrap();
        assert_eq!(alone, *planned, "{}", profile.id);
    }
    let by_id: HashMap<&str, &ranker::ProfilePush> =
        batch.iter().map(|p| (p.profile_id.as_str(), p)).collect();
    let battery = ids(&by_id["battery"].items);
    assert!(
        battery.iter().any(|id| id.starts_with("bat-")),
        "{battery:?}"
    );
    assert!(
        !battery.iter().any(|id| id.starts_with("irr-")),
        "{battery:?}"
    );
    let irrigation = ids(&by_id["irrigation"].items);
    assert!(
        irrigation.iter().any(|id| id.starts_with("irr-")),
        "{irrigation:?}"
    );
    for push in &batch {
        assert!(
            push.items
                .iter()
                .all(|i| i.listing_id.starts_with("bat-") || i.listing_id.starts_with("irr-")),
            "{}: only day-2 listings",
            push.profile_id
        );
    }
    // A copy of a day-1 match scores about what the original scored.
    let original = battery_day1[0].score;
    let copy_score = by_id["battery"]
        .items
        .iter()
        .find(|i| i.listing_id == "bat-0")
        .map(|i| i.score);
    assert!(
        copy_score.is_some_and(|s| (s - original).abs() < 0.15),
        "{copy_score:?} vs {original}"
    );

    pusher
        .run_for(&mut store, &profiles, day2, &|_| {})
        .unwrap();
    let baselines: HashMap<String, NaiveDate> = store
        .baselines()
        .unwrap()
        .into_iter()
        .map(|b| (b.profile_id, b.computed_on))
        .collect();
    assert_eq!(baselines["battery"], day2, "edited: searched again");
    assert_eq!(baselines["irrigation"], day1, "unchanged: kept");
    assert!(store.push_dates("irrigation").unwrap().contains(&day2));
}
