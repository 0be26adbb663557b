//! The ranker over the real shared corpus: filters before top-k, budget
//! and 面议, lifecycle on the effective day, explanations, folding, similar
//! and recommend.
#![allow(clippy::unwrap_used)]

// common/ names the crate as its dependents do.
extern crate patmatch_ranker as ranker;

mod common;

use chrono::NaiveDate;
use corpus::{
    withdrawal_effective_on, HolderKind, ImplementationMode, LifecycleEvent, Listing, PatentKind,
    SqliteStore, Store, StoreConfig,
};
use indexer::{BuildMode, Filter, ListingCard};
use patmatch_ranker::{
    Error, Ranker, RecommendRequest, Retrieval, SearchRequest, SearchResponse, SimilarRequest,
};
use std::collections::HashSet;
use std::sync::OnceLock;

/// The corpus indexed once per test binary, and the directory holding it.
struct Shared {
    dir: tempfile::TempDir,
    ranker: Ranker,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let (_, ranker) = common::corpus_ranker(dir.path());
        Shared { dir, ranker }
    })
}

/// The shared corpus's store (SQLite connections are not shared across
/// test threads).
fn store() -> SqliteStore {
    SqliteStore::open(&StoreConfig::new(shared().dir.path().join("patmatch.db"))).unwrap()
}

fn search(request: SearchRequest) -> SearchResponse {
    shared().ranker.search(&request).unwrap()
}

fn ids(response: &SearchResponse) -> Vec<&str> {
    response.hits.iter().map(|h| h.id.as_str()).collect()
}

#[test]
fn filters_apply_before_top_k_so_pages_are_full() {
    let ranker = &shared().ranker;
    let filter = Filter {
        // The shared corpus carries no IPC codes or holder kinds yet (the
        // classification issue adds them), so modes and patent kind make
        // the narrow filter.
        modes: vec![ImplementationMode::Equity],
        patent_kinds: vec![PatentKind::Invention],
        ..Filter::default()
    };
    let matching = ranker.snapshot().count(&filter).unwrap();
    assert!(matching > 25, "{matching}");
    assert!(matching < ranker.snapshot().len() / 5, "{matching}");
    // A query about something else entirely: BM25 finds little under this
    // filter, yet the page is full, because both signals draw their
    // candidates after the filter.
    for retrieval in [None, Some(Retrieval::Lexical), Some(Retrieval::Semantic)] {
        let response = search(SearchRequest {
            filter: filter.clone(),
            retrieval,
            limit: 10,
            offset: 10,
            ..SearchRequest::new("智能手机 屏幕 显示 驱动芯片")
        });
        let semantic = retrieval != Some(Retrieval::Lexical);
        if semantic {
            assert_eq!(response.hits.len(), 10, "{retrieval:?}");
            assert!(response.total >= 20);
        }
        for hit in &response.hits {
            assert!(hit.card.modes.contains(&ImplementationMode::Equity));
            assert_eq!(hit.card.patent_kind, PatentKind::Invention);
        }
        // ranks continue across pages
        if let Some(first) = response.hits.first() {
            assert_eq!(first.rank, 11);
        }
    }
}

#[test]
fn predicted_holder_kinds_filter_and_count_as_facets() {
    let ranker = &shared().ranker;
    let universities = Filter {
        holder_kinds: vec![HolderKind::University],
        ..Filter::default()
    };
    // The corpus states no holder kind; the index predicts it from names
    // (about a thousand universities and institutes among the applicants).
    let count = ranker.snapshot().count(&universities).unwrap();
    assert!((500..2_000).contains(&count), "{count}");
    let response = search(SearchRequest {
        filter: universities,
        limit: 20,
        ..SearchRequest::new("锂电池正极材料回收")
    });
    assert_eq!(response.hits.len(), 20);
    for hit in &response.hits {
        assert_eq!(hit.card.holder_kind, Some(HolderKind::University));
        assert!(hit.card.holder_kind_predicted);
        let name = hit.card.holder.as_deref().unwrap();
        assert!(name.contains("大学") || name.contains("学院"), "{name}");
    }
    let unfiltered = search(SearchRequest {
        limit: 20,
        ..SearchRequest::new("锂电池正极材料回收")
    });
    let kinds = &unfiltered.facets.holder_kinds;
    assert!(kinds.get("高校").copied().unwrap_or(0) > 0, "{kinds:?}");
    assert!(kinds.get("企业").copied().unwrap_or(0) > 0, "{kinds:?}");
}

#[test]
fn budget_keeps_negotiable_listings_and_flags_them() {
    let budget = 50_000;
    let unfiltered = search(SearchRequest {
        limit: 100,
        ..SearchRequest::new("技术转让 生产工艺")
    });
    assert!(
        unfiltered
            .hits
            .iter()
            .any(|h| h.card.fee_min.is_some_and(|f| f > budget)),
        "the query must reach priced listings for the filter to matter"
    );
    let response = search(SearchRequest {
        filter: Filter {
            max_fee: Some(budget),
            ..Filter::default()
        },
        limit: 100,
        explain: true,
        ..SearchRequest::new("技术转让 生产工艺")
    });
    assert_eq!(response.hits.len(), 100);
    let mut negotiable = 0;
    for hit in &response.hits {
        match hit.card.fee_min {
            Some(fee) => {
                assert!(fee <= budget, "{:?}", hit.card);
                assert!(!hit.fee_negotiable);
            }
            None => {
                negotiable += 1;
                assert!(hit.fee_negotiable);
                let filters = &hit.explanation.as_ref().unwrap().filters;
                assert!(filters.iter().any(|f| f.contains("面议")), "{filters:?}");
            }
        }
    }
    assert!(negotiable > 0);
}

#[test]
fn a_withdrawn_listing_disappears_when_the_withdrawal_takes_effect() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = common::corpus_store(dir.path());
    let listing: Listing = store.listing("kpp-0002").unwrap().unwrap();
    let announced = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    let last_day = withdrawal_effective_on(announced).unwrap();
    store
        .append_event(
            &listing.id,
            &LifecycleEvent::WithdrawalAnnounced {
                on: announced,
                effective_on: last_day,
                reason: "专利权已经实施".into(),
            },
        )
        .unwrap();
    let ranker = common::index(&store, dir.path(), BuildMode::Full);
    let found = |day: NaiveDate| -> bool {
        let request = SearchRequest {
            filter: Filter {
                searchable_on: Some(day),
                ..Filter::default()
            },
            ..SearchRequest::new(listing.patent.title.clone())
        };
        let response = ranker.search(&request).unwrap();
        let similar = ranker
            .similar(&SimilarRequest {
                id: "kpp-0001".into(),
                filter: request.filter.clone(),
                limit: 100,
                ..SimilarRequest::default()
            })
            .unwrap();
        let in_search = ids(&response).contains(&listing.id.as_str());
        let in_similar = ids(&similar).contains(&listing.id.as_str());
        assert!(in_search || !in_similar, "similar and search disagree");
        in_search
    };
    // 7 working days on the official calendar: the listing stands through
    // the seventh and is gone from the next day.
    assert!(found(announced));
    assert!(found(last_day));
    assert!(!found(last_day.succ_opt().unwrap()));
}

/// Folded the way the ranker's explanations fold text: lower case.
fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

#[test]
fn explanations_name_terms_the_listing_really_contains() {
    let store = store();
    let response = search(SearchRequest {
        explain: true,
        limit: 20,
        ..SearchRequest::new("锂电池正极材料回收")
    });
    let mut named = 0;
    for hit in &response.hits {
        let explanation = hit.explanation.as_ref().unwrap();
        let listing = store.listing(&hit.id).unwrap().unwrap();
        let text_of = |field: &str| -> String {
            match field {
                "title" => listing.patent.title.clone(),
                "abstract" => listing.patent.abstract_text.clone(),
                "claims" => listing.patent.claims.clone().unwrap_or_default(),
                "holder" => listing
                    .holder
                    .as_ref()
                    .map(|h| h.name.clone())
                    .unwrap_or_default(),
                other => panic!("unknown field {other}"),
            }
        };
        for term in &explanation.matched {
            assert!(
                response.terms.contains(&term.term),
                "{} not a query term",
                term.term
            );
            for field in &term.fields {
                assert!(
                    contains(&text_of(field), &term.term),
                    "{} not in {field} of {}",
                    term.term,
                    hit.id
                );
                named += 1;
            }
        }
        // a BM25 candidate matched at least one term
        if hit.score.bm25.is_some() {
            assert!(!explanation.matched.is_empty(), "{}", hit.id);
        }
        if let Some(snippet) = &explanation.snippet {
            let chars: Vec<char> = snippet.text.chars().collect();
            for &(start, end) in &snippet.highlights {
                let marked: String = chars[start..end].iter().collect();
                assert!(
                    explanation
                        .matched
                        .iter()
                        .any(|m| contains(&m.term, &marked) || contains(&marked, &m.term)),
                    "highlight {marked:?} of {} is no matched term",
                    hit.id
                );
            }
        }
    }
    assert!(named > 10, "{named}");
    // the score details are there and consistent with the hit order
    let fused: Vec<f32> = response.hits.iter().map(|h| h.score.fused).collect();
    assert!(fused.windows(2).all(|w| w[0] >= w[1]), "{fused:?}");
}

fn fold_key(card: &ListingCard) -> (String, Option<String>) {
    (card.title.clone(), card.holder.clone())
}

#[test]
fn near_duplicates_are_folded_into_one_hit() {
    // Two offers in the corpus carry this title from the same holder.
    let response = search(SearchRequest {
        limit: 20,
        ..SearchRequest::new("一种单自由度双模式滚动六杆机构")
    });
    let keys: Vec<_> = response.hits.iter().map(|h| fold_key(&h.card)).collect();
    let distinct: HashSet<_> = keys.iter().collect();
    assert_eq!(distinct.len(), keys.len(), "{keys:?}");
    let top = &response.hits[0];
    assert_eq!(top.card.title, "一种单自由度双模式滚动六杆机构");
    assert!(!top.folded.is_empty(), "{top:?}");
    for id in &top.folded {
        let twin = store().listing(id).unwrap().unwrap();
        assert_eq!(twin.patent.title, top.card.title);
    }
}

#[test]
fn similar_and_recommend_never_return_their_inputs() {
    let ranker = &shared().ranker;
    let similar = ranker
        .similar(&SimilarRequest {
            id: "kpp-0002".into(),
            limit: 20,
            exclude: ["kpp-0003".to_string()].into(),
            ..SimilarRequest::default()
        })
        .unwrap();
    assert_eq!(similar.hits.len(), 20);
    assert!(!ids(&similar).contains(&"kpp-0002"));
    assert!(!ids(&similar).contains(&"kpp-0003"));
    assert!(similar
        .hits
        .iter()
        .all(|h| h.score.cosine.is_some() && h.score.bm25.is_none()));

    let positive: Vec<String> = ids(&similar)[..2].iter().map(|s| s.to_string()).collect();
    let negative = vec![similar.hits[5].id.clone()];
    let seen: HashSet<String> = [similar.hits[6].id.clone()].into();
    let recommended = ranker
        .recommend(&RecommendRequest {
            positive: positive.clone(),
            negative: negative.clone(),
            exclude: seen.clone(),
            limit: 30,
            ..RecommendRequest::default()
        })
        .unwrap();
    assert_eq!(recommended.hits.len(), 30);
    for hit in &recommended.hits {
        assert!(
            !positive.contains(&hit.id) && !negative.contains(&hit.id) && !seen.contains(&hit.id)
        );
        for id in &hit.folded {
            assert!(!positive.contains(id) && !negative.contains(id));
        }
    }
    // a rejected example pushes its own neighbourhood down
    let without_negative = ranker
        .recommend(&RecommendRequest {
            positive: positive.clone(),
            limit: 30,
            ..RecommendRequest::default()
        })
        .unwrap();
    assert_ne!(ids(&recommended), ids(&without_negative));

    let err = ranker
        .recommend(&RecommendRequest {
            limit: 5,
            ..RecommendRequest::default()
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Invalid {
                field: "positive",
                ..
            }
        ),
        "{err}"
    );
    let err = ranker
        .similar(&SimilarRequest {
            id: "no-such".into(),
            limit: 5,
            ..SimilarRequest::default()
        })
        .unwrap_err();
    assert!(
        matches!(err, Error::UnknownListing(ref id) if id == "no-such"),
        "{err}"
    );
}

#[test]
fn pages_are_bounded_and_empty_text_is_refused() {
    let ranker = &shared().ranker;
    for limit in [0, 101] {
        let err = ranker
            .search(&SearchRequest {
                limit,
                ..SearchRequest::new("电池")
            })
            .unwrap_err();
        assert!(
            matches!(err, Error::Invalid { field: "limit", .. }),
            "{err}"
        );
    }
    let err = ranker.search(&SearchRequest::new("  ")).unwrap_err();
    assert!(matches!(err, Error::Invalid { field: "text", .. }), "{err}");
}
