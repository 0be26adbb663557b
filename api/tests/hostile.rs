//! Hostile input through the router (issue 9): one regression assertion
//! for each fault that `scripts/fuzz-api.sh` (schemathesis against the live
//! API) or reading the handlers it pointed at turned up. Every answer must
//! be a documented `{code, message}`, never a 5xx.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::{enc, server, Answer, Server};
use corpus::Store;
use patmatch_api::{ApiError, ServerConfig};
use serde_json::json;

/// The answer is an error with `code`, documented in the table with the
/// status it was sent with.
fn assert_error(answer: &Answer, status: StatusCode, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.text);
    assert_eq!(answer.code(), code, "{}", answer.text);
    let documented = ApiError::TABLE
        .iter()
        .any(|(_, s, c, _)| *c == code && *s == status.as_u16());
    assert!(documented, "{code} with {status} is not in the table");
}

/// A broker's shortlist, made by the admin, with the fixture's listing kept.
async fn shortlist(s: &Server) -> String {
    let created = s
        .post(
            "/v1/shortlists",
            &s.keys.admin,
            json!({"client": "hostile", "broker_id": common::BROKER_A}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_string();
    let kept = s
        .call(
            "PUT",
            &format!("/v1/shortlists/{id}/items/{}", s.listing),
            Some(&s.keys.admin),
            Some(json!({"verdict": "kept"})),
        )
        .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    id
}

/// `offset` near `usize::MAX`: the ranker adds `offset + limit` to check
/// the page depth, which overflowed — a panic (500 `internal`) in a debug
/// build, and in a release build a wrapped sum that passed the check and
/// answered 200 with an empty page. Each paged route now refuses it.
#[tokio::test(flavor = "multi_thread")]
async fn offsets_that_overflow_the_page_are_refused() {
    let s = server(ServerConfig::default());
    let list = shortlist(&s).await;
    for offset in [u64::MAX, u64::MAX - 5, (u64::MAX >> 1) + 1] {
        for uri in [
            format!("/v1/search?q={}&offset={offset}", enc("电池")),
            format!("/v1/search?q={}&offset={offset}&limit=100", enc("电池")),
            format!("/v1/listings/{}/similar?offset={offset}", s.listing),
            format!("/v1/shortlists/{list}/recommendations?offset={offset}"),
        ] {
            let answer = s.get(&uri, &s.keys.admin).await;
            assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_parameter");
            assert!(
                answer.json["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("offset"),
                "{uri}: {}",
                answer.text
            );
        }
    }
    // A deep page that does not overflow is still the ranker's to refuse,
    // and an ordinary one is served.
    let deep = s
        .get(
            &format!("/v1/search?q={}&offset=1000000", enc("电池")),
            &s.keys.admin,
        )
        .await;
    assert_error(&deep, StatusCode::BAD_REQUEST, "invalid_parameter");
    let fine = s
        .get(
            &format!("/v1/search?q={}&offset=2&limit=3", enc("电池")),
            &s.keys.admin,
        )
        .await;
    assert_eq!(fine.status, StatusCode::OK, "{}", fine.text);
}

/// Filter days far from today: the index keeps days as nanoseconds since
/// 1970 in an `i64`, so a day past 2262 or before 1677 overflowed turning
/// into a bound — a panic (500 `internal`, found by schemathesis on a debug
/// build with `on=9999-12-31` on similar listings), and in a release build
/// a wrapped, wrong bound. Filter days outside 1900–2100 (the years the
/// importer accepts) are refused.
#[tokio::test(flavor = "multi_thread")]
async fn filter_days_outside_the_years_the_index_holds_are_refused() {
    let s = server(ServerConfig::default());
    let list = shortlist(&s).await;
    for (param, day) in [
        ("on", "9999-12-31"),
        ("on", "0001-01-01"),
        ("announced_from", "1000-01-01"),
        ("announced_to", "2263-01-01"),
        ("announced_from", "2101-01-01"),
        ("announced_to", "1899-12-31"),
    ] {
        for uri in [
            format!("/v1/search?q={}&{param}={day}", enc("电池")),
            format!("/v1/listings/{}/similar?{param}={day}", s.listing),
            format!("/v1/shortlists/{list}/recommendations?{param}={day}"),
        ] {
            let answer = s.get(&uri, &s.keys.admin).await;
            assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_parameter");
            assert!(
                answer.json["message"].as_str().unwrap().starts_with(param),
                "{uri}: {}",
                answer.text
            );
        }
    }
    // The edges of the span are days like any other.
    for (param, day) in [("on", "2100-12-31"), ("announced_from", "1900-01-01")] {
        let uri = format!("/v1/listings/{}/similar?{param}={day}", s.listing);
        let answer = s.get(&uri, &s.keys.admin).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.text);
    }
}

/// The same days written into a listing: a declaration announced in 9999
/// (by upsert, or by a change of terms) was stored, and every later index
/// update panicked on it in a debug build (the index then never caught up
/// with writes again) or indexed a wrapped date in a release build. Such
/// writes are refused before anything is stored.
#[tokio::test(flavor = "multi_thread")]
async fn declaration_days_outside_the_years_the_index_holds_are_refused() {
    let s = server(ServerConfig::default());
    for day in ["9999-01-01", "0001-01-01", "2101-01-01"] {
        let body = common::listing_body("hostile-day", "一种电池", day);
        let answer = s
            .post("/v1/listings", &s.keys.admin, json!({"listings": [body]}))
            .await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
        assert!(
            answer.json["message"]
                .as_str()
                .unwrap()
                .starts_with("listings[0].declaration.announced_on"),
            "{}",
            answer.text
        );
        let terms = s
            .post(
                &format!("/v1/listings/{}/terms", s.listing),
                &s.keys.admin,
                json!({"on": day, "fee": {"text": "面议"}}),
            )
            .await;
        assert_error(&terms, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
        assert!(
            terms.json["message"].as_str().unwrap().starts_with("on"),
            "{}",
            terms.text
        );
    }
    assert!(
        s.state.store().listing("hostile-day").unwrap().is_none(),
        "nothing was stored"
    );
}

/// `method` was documented as `hybrid` (default), `bm25`, `vector`, `rrf`
/// or `convex:0.3`, but `hybrid` and `vector` were refused with 400: a
/// client following the OpenAPI document got errors. Every value the
/// document names now works, and the parameter says what is accepted.
#[tokio::test(flavor = "multi_thread")]
async fn every_documented_search_method_is_accepted() {
    let s = server(ServerConfig::default());
    let openapi = s.call("GET", "/openapi.json", None, None).await;
    let params = openapi.json["paths"]["/v1/search"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let method = params.iter().find(|p| p["name"] == "method").unwrap();
    let about = method["description"].as_str().unwrap();
    for value in ["bm25", "dense", "rrf", "rrf:K", "convex:W"] {
        assert!(about.contains(&format!("`{value}`")), "{about}");
    }
    for value in ["bm25", "dense", "rrf", "rrf:30", "convex:0.3", "convex:1"] {
        let answer = s
            .get(
                &format!("/v1/search?q={}&method={}", enc("电池"), enc(value)),
                &s.keys.admin,
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{value}: {}", answer.text);
    }
    for value in ["vector", "convex:2", "rrf:-1", "convex:NaN"] {
        let answer = s
            .get(
                &format!("/v1/search?q={}&method={}", enc("电池"), enc(value)),
                &s.keys.admin,
            )
            .await;
        assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_parameter");
    }
}
