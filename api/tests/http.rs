//! The HTTP API through its router (`oneshot`, no socket): every route,
//! every role, tenant isolation on every object route, and every error code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{enc, listing_body, server, Server, BROKER_A};
use patmatch_api::{ApiError, ServerConfig};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

fn config() -> ServerConfig {
    ServerConfig::default()
}

/// A server whose index follows writes, as `serve` runs it.
fn following() -> Server {
    let s = server(ServerConfig {
        reindex_debounce: Duration::from_millis(10),
        ..config()
    });
    tokio::spawn(s.state.clone().follow_writes());
    s
}

/// The `id` of each object in a JSON array.
fn ids(array: &Value) -> Vec<String> {
    array
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {array}"))
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

fn hit_ids(answer: &common::Answer) -> Vec<String> {
    ids(&answer.json["hits"])
}

#[tokio::test(flavor = "multi_thread")]
async fn operations_endpoints_report_health_readiness_metrics_and_the_api() {
    let s = server(config());
    let health = s.call("GET", "/healthz", None, None).await;
    assert_eq!(health.status, StatusCode::OK);
    let ready = s.call("GET", "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.text);
    assert!(
        ready.json["listings"].as_u64().unwrap() >= 400,
        "{}",
        ready.text
    );
    assert!(ready.json["generation"].as_u64().is_some());

    // A request counted by route template, then the gauges.
    let _ = s
        .get(&format!("/v1/search?q={}", enc("电池")), &s.keys.admin)
        .await;
    let metrics = s.call("GET", "/metrics", None, None).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics.text.contains("patmatch_http_requests_total"),
        "{}",
        metrics.text
    );
    assert!(
        metrics.text.contains("route=\"/v1/search\""),
        "{}",
        metrics.text
    );
    assert!(metrics
        .text
        .contains("patmatch_http_request_duration_seconds"));
    assert!(metrics.text.contains("patmatch_index_generation"));
    assert!(metrics.text.contains("patmatch_listings"));

    let openapi = s.call("GET", "/openapi.json", None, None).await;
    assert_eq!(openapi.status, StatusCode::OK);
    let paths = openapi.json["paths"].as_object().unwrap();
    for path in [
        "/v1/search",
        "/v1/listings",
        "/v1/listings/{id}",
        "/v1/listings/{id}/similar",
        "/v1/listings/{id}/withdrawal",
        "/v1/listings/{id}/terms",
        "/v1/listings/{id}/intents",
        "/v1/listings/{id}/licences",
        "/v1/profiles",
        "/v1/profiles/{id}",
        "/v1/profiles/{id}/pushes",
        "/v1/profiles/{id}/feedback",
        "/v1/push/runs",
        "/v1/push/runs/{id}",
        "/v1/shortlists",
        "/v1/shortlists/{id}",
        "/v1/shortlists/{id}/items/{listing_id}",
        "/v1/shortlists/{id}/recommendations",
        "/v1/shortlists/{id}/export",
        "/v1/classify",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from the OpenAPI document"
        );
    }
    let documented: BTreeSet<&str> = openapi.json["x-error-codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    let table: BTreeSet<&str> = ApiError::TABLE.iter().map(|(_, _, c, _)| *c).collect();
    assert_eq!(documented, table);
}

#[tokio::test(flavor = "multi_thread")]
async fn not_ready_until_the_index_is_installed() {
    let s = server(config());
    let backend = s.state.backend().clone();
    let loading = patmatch_api::AppState::open(config(), backend).unwrap();
    let app = patmatch_api::router(loading.clone());
    let ask = |uri: String, key: Option<String>| {
        let app = app.clone();
        async move {
            let mut request = Request::builder().uri(uri);
            if let Some(key) = key {
                request = request.header("authorization", format!("Bearer {key}"));
            }
            let response = tower::ServiceExt::oneshot(app, request.body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, serde_json::from_slice::<Value>(&bytes).unwrap())
        }
    };
    let (status, body) = ask("/readyz".into(), None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["code"], "index_not_ready");
    let (status, body) = ask(
        format!("/v1/search?q={}", enc("电池")),
        Some(s.keys.admin.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["code"], "index_not_ready");
    // Liveness does not wait for the index.
    assert_eq!(ask("/healthz".into(), None).await.0, StatusCode::OK);
    loading.install(common::embedder()).unwrap();
    assert_eq!(ask("/readyz".into(), None).await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_are_checked_and_search_can_be_public() {
    let s = server(config());
    let uri = format!("/v1/search?q={}", enc("图像识别"));
    assert_eq!(
        s.call("GET", &uri, None, None).await.code(),
        "missing_api_key"
    );
    for bad in [
        "pm_nothing",
        "pm_000000000000_00",
        "Bearer",
        &s.keys.revoked,
    ] {
        let answer = s.call("GET", &uri, Some(bad), None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{bad}");
        assert_eq!(answer.code(), "invalid_api_key", "{bad}");
    }
    // A real key with its secret altered.
    let (prefix, _) = s.keys.admin.rsplit_once('_').unwrap();
    let forged = format!("{prefix}_{}", "0".repeat(64));
    assert_eq!(s.get(&uri, &forged).await.code(), "invalid_api_key");
    // Every role may search; the header form works too.
    for key in [&s.keys.admin, &s.keys.broker_a, &s.keys.enterprise_a] {
        assert_eq!(s.get(&uri, key).await.status, StatusCode::OK);
    }
    let request = Request::builder()
        .uri(&uri)
        .header("x-api-key", &s.keys.broker_b)
        .body(Body::empty())
        .unwrap();
    assert_eq!(s.send(request).await.status, StatusCode::OK);

    let public = server(ServerConfig {
        public_search: true,
        ..config()
    });
    let answer = public.call("GET", &uri, None, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let listing = format!("/v1/listings/{}", public.listing);
    assert_eq!(
        public.call("GET", &listing, None, None).await.status,
        StatusCode::OK
    );
    // Public search opens search only; a wrong key is still refused.
    assert_eq!(
        public.call("GET", "/v1/profiles", None, None).await.code(),
        "missing_api_key"
    );
    assert_eq!(
        public
            .call("GET", &uri, Some(&public.keys.revoked), None)
            .await
            .code(),
        "invalid_api_key"
    );
    // A profile needs a key even on a public server.
    let with_profile = format!("{uri}&profile={}", public.profile_a.id);
    assert_eq!(
        public.call("GET", &with_profile, None, None).await.code(),
        "profile_not_found"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn search_ranks_filters_pages_and_explains() {
    let s = server(config());
    let key = &s.keys.enterprise_a;
    let answer = s
        .get(
            &format!(
                "/v1/search?q={}&explain=true&limit=5",
                enc("锂电池 正极材料")
            ),
            key,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let hits = answer.json["hits"].as_array().unwrap();
    assert!(!hits.is_empty() && hits.len() <= 5);
    let first = &hits[0];
    assert_eq!(first["rank"], 1);
    let score = &first["score"];
    assert!(score["fused"].as_f64().is_some());
    assert!(score["bm25"]["rank"].as_u64().is_some() || score["cosine"]["rank"].as_u64().is_some());
    assert!(first["explanation"]["matched"].is_array(), "{first}");
    assert!(answer.json["facets"]["modes"].is_object());

    // Paging: the second page starts where the first ended.
    let all = s
        .get(&format!("/v1/search?q={}&limit=6", enc("电池")), key)
        .await;
    let page2 = s
        .get(
            &format!("/v1/search?q={}&limit=3&offset=3", enc("电池")),
            key,
        )
        .await;
    assert_eq!(hit_ids(&page2), hit_ids(&all)[3..].to_vec());

    // A mode filter: every hit offers the mode; the facet counts agree.
    let filtered = s
        .get(
            &format!(
                "/v1/search?q={}&modes={}&limit=20",
                enc("技术"),
                enc("转让")
            ),
            key,
        )
        .await;
    assert_eq!(filtered.status, StatusCode::OK, "{}", filtered.text);
    for hit in filtered.json["hits"].as_array().unwrap() {
        let modes: Vec<&str> = hit["card"]["modes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap())
            .collect();
        assert!(modes.contains(&"转让"), "{hit}");
    }
    // A holder-kind filter with predicted kinds.
    let universities = s
        .get(
            &format!("/v1/search?q={}&holder_kinds={}", enc("方法"), enc("高校")),
            key,
        )
        .await;
    for hit in universities.json["hits"].as_array().unwrap() {
        assert_eq!(hit["card"]["holder_kind"], "高校", "{hit}");
    }
    // BM25 only: no cosine signal.
    let bm25 = s
        .get(&format!("/v1/search?q={}&method=bm25", enc("电池")), key)
        .await;
    assert!(
        bm25.json["hits"][0]["score"]["cosine"].is_null(),
        "{}",
        bm25.text
    );

    // The profile as the query: an enterprise may use its own.
    let own = s
        .get(&format!("/v1/search?profile={}", s.profile_a.id), key)
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    let other = s
        .get(&format!("/v1/search?profile={}", s.profile_b.id), key)
        .await;
    assert_eq!(other.code(), "profile_not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn listings_and_similar_listings() {
    let s = server(config());
    let key = &s.keys.broker_a;
    let answer = s.get(&format!("/v1/listings/{}", s.listing), key).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json["listing"]["id"], s.listing.as_str());
    assert_eq!(answer.json["card"]["id"], s.listing.as_str());
    assert!(answer.json["link"].as_str().unwrap().ends_with(&s.listing));
    assert_eq!(answer.json["searchable_today"], true);

    let similar = s
        .get(&format!("/v1/listings/{}/similar?limit=5", s.listing), key)
        .await;
    assert_eq!(similar.status, StatusCode::OK, "{}", similar.text);
    let ids = hit_ids(&similar);
    assert_eq!(ids.len(), 5);
    assert!(
        !ids.contains(&s.listing),
        "a listing is not similar to itself"
    );
    assert_eq!(
        s.get("/v1/listings/no-such-listing/similar", key)
            .await
            .code(),
        "listing_not_found"
    );
    assert_eq!(
        s.get("/v1/listings/no-such-listing", key).await.code(),
        "listing_not_found"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn upserted_listings_are_searchable_and_invalid_batches_write_nothing() {
    let s = following();
    let admin = &s.keys.admin;
    let good = listing_body("api-1", "一种高镍三元正极材料的包覆改性方法", "2025-01-02");
    let answer = s
        .post(
            "/v1/listings?wait_for_index=true",
            admin,
            json!({"listings": [good.clone()]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json["result"]["listings"]["inserted"], 1);
    assert_eq!(answer.json["indexed"], true);
    let found = s
        .get(
            &format!(
                "/v1/search?q={}&limit=3&on=2025-06-01",
                enc("高镍三元正极材料 包覆改性")
            ),
            admin,
        )
        .await;
    assert_eq!(hit_ids(&found)[0], "api-1", "{}", found.text);
    // The new generation is what readiness reports.
    let ready = s.call("GET", "/readyz", None, None).await;
    assert!(
        ready.json["indexed_write"].as_u64().unwrap() >= answer.json["write"].as_u64().unwrap()
    );
    // The same record again changes nothing and costs no index build.
    let again = s
        .post(
            "/v1/listings?wait_for_index=true",
            admin,
            json!({"listings": [good.clone()]}),
        )
        .await;
    assert_eq!(
        again.json["result"]["listings"]["unchanged"], 1,
        "{}",
        again.text
    );
    assert_eq!(again.json["write"], answer.json["write"]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let after = s.call("GET", "/readyz", None, None).await;
    assert_eq!(after.json["generation"], ready.json["generation"]);

    // One bad record in three: refused by name, nothing written.
    let mut bad = listing_body("api-3", "坏记录", "2025-01-02");
    bad["holder"]["credit_code"] = json!("91330100799655058C");
    let batch = json!({"listings": [listing_body("api-2", "另一条", "2025-01-02"), bad, good]});
    let answer = s.post("/v1/listings", admin, batch).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.code(), "invalid_credit_code");
    assert!(
        answer.json["message"]
            .as_str()
            .unwrap()
            .starts_with("listings[1].holder.credit_code"),
        "{}",
        answer.text
    );
    assert_eq!(
        s.get("/v1/listings/api-2", admin).await.code(),
        "listing_not_found"
    );

    let mut bad = listing_body("api-4", "坏申请号", "2025-01-02");
    bad["application_number"] = json!("CN202121635235.1");
    let answer = s
        .post("/v1/listings", admin, json!({"listings": [bad]}))
        .await;
    assert_eq!(answer.code(), "invalid_application_number");
    assert!(answer.json["message"]
        .as_str()
        .unwrap()
        .contains("listings[0].application_number"));

    // Other roles may not write.
    for key in [&s.keys.broker_a, &s.keys.enterprise_a] {
        let answer = s
            .post(
                "/v1/listings",
                key,
                json!({"listings": [listing_body("x", "x", "2025-01-02")]}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        assert_eq!(answer.code(), "forbidden");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_withdrawal_answers_its_effective_date_and_search_follows_it() {
    let s = following();
    let admin = &s.keys.admin;
    let body =
        json!({"listings": [listing_body("wd-1", "一种固态电解质膜的制备方法", "2025-01-02")]});
    assert_eq!(
        s.post("/v1/listings?wait_for_index=true", admin, body)
            .await
            .status,
        StatusCode::OK
    );
    let licence = s
        .post(
            "/v1/listings/wd-1/licences",
            admin,
            json!({"on": "2025-02-10", "licensee": "某电池公司", "mode": "普通许可"}),
        )
        .await;
    assert_eq!(licence.status, StatusCode::CREATED, "{}", licence.text);

    // Monday 3 March 2025: seven working days later is Wednesday 12 March.
    let answer = s
        .post(
            "/v1/listings/wd-1/withdrawal?wait_for_index=true",
            admin,
            json!({"announced_on": "2025-03-03", "reason": "已实施"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json["result"]["effective_on"], "2025-03-12");
    assert_eq!(answer.json["result"]["working_days"], 7);
    assert_eq!(answer.json["result"]["licences_remaining_valid"], 1);

    let query = enc("固态电解质膜 制备");
    let on = |day: &str| format!("/v1/search?q={query}&method=bm25&on={day}");
    assert!(hit_ids(&s.get(&on("2025-03-05"), admin).await).contains(&"wd-1".to_string()));
    assert!(!hit_ids(&s.get(&on("2025-03-13"), admin).await).contains(&"wd-1".to_string()));
    let detail = s.get("/v1/listings/wd-1", admin).await;
    assert_eq!(detail.json["withdrawal"]["effective_on"], "2025-03-12");

    // Across 国庆: announced Monday 29 Sep 2025, the holiday and its
    // make-up Saturday 11 Oct (a working day) decide the date.
    let expected =
        corpus::withdrawal_effective_on(chrono::NaiveDate::from_ymd_opt(2025, 9, 29).unwrap())
            .unwrap();
    assert!(expected > chrono::NaiveDate::from_ymd_opt(2025, 10, 8).unwrap());
    let again = s
        .post(
            "/v1/listings/wd-1/withdrawal",
            admin,
            json!({"announced_on": "2025-09-29", "reason": "again"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    assert_eq!(again.code(), "lifecycle_conflict");
    let far = s
        .post(
            "/v1/listings/wd-1/withdrawal",
            admin,
            json!({"announced_on": "2040-01-02", "reason": "x"}),
        )
        .await;
    assert!(
        matches!(far.code(), "date_outside_calendar" | "lifecycle_conflict"),
        "{}",
        far.text
    );
    assert_eq!(
        s.post(
            "/v1/listings/none/withdrawal",
            admin,
            json!({"announced_on": "2025-03-03", "reason": "x"})
        )
        .await
        .code(),
        "listing_not_found"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn terms_change_only_after_six_quiet_months_and_only_for_the_better() {
    let s = following();
    let admin = &s.keys.admin;
    let body = json!({"listings": [listing_body("tc-1", "一种钠离子电池负极材料", "2025-01-02")]});
    assert_eq!(
        s.post("/v1/listings", admin, body).await.status,
        StatusCode::OK
    );

    let cheaper = json!({"fee": {"method": "一次性", "min_yuan": 100000, "max_yuan": 100000}});
    let mut early = cheaper.clone();
    early["on"] = json!("2025-03-01");
    let answer = s.post("/v1/listings/tc-1/terms", admin, early).await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.text);
    assert_eq!(answer.code(), "terms_change_refused");
    assert!(
        answer.json["message"]
            .as_str()
            .unwrap()
            .contains("2025-07-02"),
        "{}",
        answer.text
    );

    // An intent restarts the clock.
    let intent = s
        .post(
            "/v1/listings/tc-1/intents",
            admin,
            json!({"on": "2025-05-01", "party": "某企业"}),
        )
        .await;
    assert_eq!(intent.status, StatusCode::CREATED, "{}", intent.text);
    let mut after_intent = cheaper.clone();
    after_intent["on"] = json!("2025-08-01");
    assert_eq!(
        s.post("/v1/listings/tc-1/terms", admin, after_intent)
            .await
            .code(),
        "terms_change_refused"
    );

    // Raising the fee is never allowed.
    let dearer = json!({"on": "2025-12-01", "fee": {"method": "一次性", "min_yuan": 900000, "max_yuan": 900000}});
    assert_eq!(
        s.post("/v1/listings/tc-1/terms", admin, dearer)
            .await
            .code(),
        "terms_change_refused"
    );

    let mut ok = cheaper.clone();
    ok["on"] = json!("2025-12-01");
    let answer = s
        .post("/v1/listings/tc-1/terms?wait_for_index=true", admin, ok)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json["result"]["fee"]["amount"]["min"], 100000);
    let detail = s.get("/v1/listings/tc-1", admin).await;
    assert_eq!(
        detail.json["current_declaration"]["fee"]["amount"]["min"],
        100000
    );
    assert_eq!(detail.json["card"]["fee_min"], 100000, "{}", detail.text);

    // Neither modes nor fee: nothing to change.
    assert_eq!(
        s.post(
            "/v1/listings/tc-1/terms",
            admin,
            json!({"on": "2026-12-01"})
        )
        .await
        .code(),
        "invalid_field"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_belong_to_one_enterprise() {
    let s = server(config());
    let (a, b) = (&s.keys.enterprise_a, &s.keys.enterprise_b);
    let created = s
        .post("/v1/profiles", a, json!({"title": "寻求锂电池回收技术", "text": "废旧锂电池的正极材料回收", "acceptable_modes": ["转让"], "budget_max_yuan": 500000}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(
        created.json["enterprise_id"],
        s.profile_a.enterprise_id.as_str()
    );
    let id = created.json["id"].as_str().unwrap().to_string();
    let uri = format!("/v1/profiles/{id}");

    assert_eq!(s.get(&uri, a).await.status, StatusCode::OK);
    assert_eq!(s.get(&uri, &s.keys.admin).await.status, StatusCode::OK);
    // B cannot read, replace or delete A's profile, nor learn it exists.
    assert_eq!(s.get(&uri, b).await.code(), "profile_not_found");
    let put = s
        .call("PUT", &uri, Some(b), Some(json!({"title": "hijack"})))
        .await;
    assert_eq!(put.code(), "profile_not_found");
    assert_eq!(
        s.call("DELETE", &uri, Some(b), None).await.code(),
        "profile_not_found"
    );
    let listed = ids(&s.get("/v1/profiles", b).await.json);
    assert!(!listed.contains(&id));
    let listed = ids(&s.get("/v1/profiles", a).await.json);
    assert!(listed.contains(&id) && listed.contains(&s.profile_a.id));
    assert!(!listed.contains(&s.profile_b.id));

    // Creating for another enterprise is refused; admins must name one.
    let foreign = s
        .post(
            "/v1/profiles",
            a,
            json!({"title": "x", "enterprise_id": s.profile_b.enterprise_id}),
        )
        .await;
    assert_eq!(foreign.code(), "forbidden");
    assert_eq!(
        s.post("/v1/profiles", &s.keys.admin, json!({"title": "x"}))
            .await
            .code(),
        "invalid_field"
    );
    let dup = s
        .post("/v1/profiles", a, json!({"id": id, "title": "again"}))
        .await;
    assert_eq!(dup.code(), "already_exists");
    let bad_ipc = s
        .post(
            "/v1/profiles",
            a,
            json!({"title": "x", "ipc_prefixes": ["Q99"]}),
        )
        .await;
    assert_eq!(bad_ipc.code(), "invalid_ipc_code");
    assert_eq!(
        s.get("/v1/profiles", &s.keys.broker_a).await.code(),
        "forbidden"
    );

    let put = s
        .call(
            "PUT",
            &uri,
            Some(a),
            Some(json!({"title": "寻求废旧电池回收技术", "budget_max_yuan": 300000})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    assert_eq!(s.get(&uri, a).await.json["budget_max_yuan"], 300000);
    assert_eq!(
        s.call("DELETE", &uri, Some(a), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(s.get(&uri, a).await.code(), "profile_not_found");
}

async fn finish_push(s: &Server, body: Value) -> Value {
    let started = s.post("/v1/push/runs", &s.keys.admin, body).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.text);
    let id = started.json["id"].as_str().unwrap().to_string();
    for _ in 0..600 {
        let job = s.get(&format!("/v1/push/runs/{id}"), &s.keys.admin).await;
        if job.json["state"] != "running" {
            assert_eq!(job.json["state"], "done", "{}", job.text);
            return job.json;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("push run {id} did not finish");
}

#[tokio::test(flavor = "multi_thread")]
async fn push_runs_items_and_feedback_stay_with_their_enterprise() {
    let s = server(config());
    let (a, b) = (&s.keys.enterprise_a, &s.keys.enterprise_b);
    let run =
        json!({"date": "2025-06-02", "profiles": [s.profile_a.id], "threshold": 0.0, "limit": 3});
    assert_eq!(
        s.post("/v1/push/runs", a, run.clone()).await.code(),
        "forbidden"
    );
    let job = finish_push(&s, run.clone()).await;
    assert_eq!(job["report"]["profiles"], 1, "{job}");

    let uri = format!("/v1/profiles/{}/pushes", s.profile_a.id);
    let items = s.get(&uri, a).await;
    assert_eq!(items.status, StatusCode::OK, "{}", items.text);
    let items = items.json.as_array().unwrap().clone();
    assert!(!items.is_empty() && items.len() <= 3, "{items:?}");
    for item in &items {
        assert!(!item["reasons"].as_array().unwrap().is_empty(), "{item}");
        assert!(item["explanation"].is_object(), "{item}");
        assert!(item["relevant"].is_null());
    }
    assert_eq!(s.get(&uri, b).await.code(), "profile_not_found");
    assert_eq!(s.get(&uri, &s.keys.broker_a).await.code(), "forbidden");

    let listing = items[0]["listing_id"].as_str().unwrap();
    let verdict = json!({"listing_id": listing, "date": "2025-06-02", "relevant": false, "reason": "方向不符"});
    let feedback = format!("/v1/profiles/{}/feedback", s.profile_a.id);
    assert_eq!(
        s.post(&feedback, b, verdict.clone()).await.code(),
        "profile_not_found"
    );
    let recorded = s.post(&feedback, a, verdict).await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.text);
    let after = s.get(&uri, a).await.json;
    let judged = after
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["listing_id"] == listing)
        .unwrap();
    assert_eq!(judged["relevant"], false);
    assert_eq!(judged["feedback_reason"], "方向不符");
    let unknown = s
        .post(
            &feedback,
            a,
            json!({"listing_id": listing, "date": "2025-06-03", "relevant": true}),
        )
        .await;
    assert_eq!(unknown.code(), "push_item_not_found");

    // The same day again sends nothing new.
    let again = finish_push(&s, run).await;
    assert_eq!(again["report"]["already_pushed"], 1, "{again}");
    assert_eq!(
        s.get(&uri, a).await.json.as_array().unwrap().len(),
        items.len()
    );
    assert_eq!(
        s.get("/v1/push/runs/run-99", &s.keys.admin).await.code(),
        "push_run_not_found"
    );
    let unknown_profile = s
        .post(
            "/v1/push/runs",
            &s.keys.admin,
            json!({"date": "2025-06-02", "profiles": ["nope"]}),
        )
        .await;
    assert_eq!(unknown_profile.code(), "profile_not_found");
}

fn parse_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").expect("BOM")).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn shortlists_are_a_brokers_own_with_notes_recommendations_and_exports() {
    let s = server(config());
    let (a, b) = (&s.keys.broker_a, &s.keys.broker_b);
    let created = s
        .post(
            "/v1/shortlists",
            a,
            json!({"client": "杭州某新能源公司", "title": "电池技术"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.json["broker_id"], BROKER_A);
    let id = created.json["id"].as_str().unwrap().to_string();
    let base = format!("/v1/shortlists/{id}");

    // Two battery listings kept, one rejected, found by search.
    let found = s
        .get(&format!("/v1/search?q={}&limit=4", enc("电池")), a)
        .await;
    let ids = hit_ids(&found);
    let item = |listing: &str| format!("{base}/items/{listing}");
    let put = s
        .call(
            "PUT",
            &item(&ids[0]),
            Some(a),
            Some(json!({"note": "客户首选"})),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.text);
    let put = s
        .call(
            "PUT",
            &item(&ids[0]),
            Some(a),
            Some(json!({"note": "客户首选，需谈价"})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    assert_eq!(
        s.call("PUT", &item(&ids[1]), Some(a), Some(json!({})))
            .await
            .status,
        StatusCode::CREATED
    );
    let rejected = s
        .call(
            "PUT",
            &item(&ids[2]),
            Some(a),
            Some(json!({"verdict": "rejected", "note": "价格高"})),
        )
        .await;
    assert_eq!(rejected.json["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        s.call("PUT", &item("no-such-listing"), Some(a), Some(json!({})))
            .await
            .code(),
        "listing_not_found"
    );

    // B sees none of it and can change none of it.
    assert_eq!(s.get(&base, b).await.code(), "shortlist_not_found");
    assert_eq!(
        s.call("PATCH", &base, Some(b), Some(json!({"client": "x"})))
            .await
            .code(),
        "shortlist_not_found"
    );
    assert_eq!(
        s.call("PUT", &item(&ids[3]), Some(b), Some(json!({})))
            .await
            .code(),
        "shortlist_not_found"
    );
    assert_eq!(
        s.call("DELETE", &item(&ids[0]), Some(b), None).await.code(),
        "shortlist_not_found"
    );
    assert_eq!(
        s.get(&format!("{base}/recommendations"), b).await.code(),
        "shortlist_not_found"
    );
    assert_eq!(
        s.get(&format!("{base}/export"), b).await.code(),
        "shortlist_not_found"
    );
    assert_eq!(
        s.call("DELETE", &base, Some(b), None).await.code(),
        "shortlist_not_found"
    );
    assert!(s
        .get("/v1/shortlists", b)
        .await
        .json
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        s.get("/v1/shortlists", a)
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.get("/v1/shortlists", &s.keys.admin)
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.get("/v1/shortlists", &s.keys.enterprise_a).await.code(),
        "forbidden"
    );

    // More like the kept ones, never one already listed.
    let more = s.get(&format!("{base}/recommendations?limit=5"), a).await;
    assert_eq!(more.status, StatusCode::OK, "{}", more.text);
    let recommended = hit_ids(&more);
    assert_eq!(recommended.len(), 5);
    assert!(
        recommended.iter().all(|r| !ids[..3].contains(r)),
        "{recommended:?}"
    );

    let patched = s
        .call(
            "PATCH",
            &base,
            Some(a),
            Some(json!({"client": "宁波某公司"})),
        )
        .await;
    assert_eq!(patched.json["client"], "宁波某公司");

    // CSV: header, then one row per item, with the broker's notes.
    let csv = s.get(&format!("{base}/export?format=csv"), a).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".csv"));
    let rows = parse_csv(&csv.bytes);
    assert_eq!(
        rows[0],
        patmatch_api::EXPORT_COLUMNS.map(String::from).to_vec()
    );
    assert_eq!(rows.len(), 4);
    let listing = s.get(&format!("/v1/listings/{}", ids[0]), a).await.json;
    let row = rows
        .iter()
        .find(|r| r[6] == "客户首选，需谈价")
        .expect("the noted row");
    assert_eq!(
        row[0],
        listing["listing"]["patent"]["title"].as_str().unwrap()
    );
    assert!(row[7].ends_with(&format!("/listings/{}", ids[0])));
    assert!(rows.iter().any(|r| r[5] == "排除" && r[6] == "价格高"));

    // XLSX: the same rows, read back from the workbook.
    let xlsx = s.get(&format!("{base}/export?format=xlsx"), a).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(cells, rows);
    assert_eq!(
        s.get(&format!("{base}/export?format=pdf"), a).await.code(),
        "invalid_parameter"
    );

    assert_eq!(
        s.call("DELETE", &item(&ids[1]), Some(a), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        s.call("DELETE", &item(&ids[1]), Some(a), None).await.code(),
        "shortlist_item_not_found"
    );
    assert_eq!(
        s.call("DELETE", &base, Some(a), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(s.get(&base, a).await.code(), "shortlist_not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn classify_answers_holder_kind_ipc_and_modes() {
    let s = server(config());
    let answer = s
        .post("/v1/classify", &s.keys.enterprise_a, json!({"holder": "浙江大学", "title": "一种锂离子电池正极材料的制备方法", "modes": "可转让或普通许可"}))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json["holder"]["kind"], "高校");
    assert_eq!(answer.json["holder"]["province"], "浙江");
    assert_eq!(
        answer.json["ipc"]["ranked"][0]["subclass"], "H01M",
        "{}",
        answer.text
    );
    let modes: Vec<&str> = answer.json["modes"]["modes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(modes, ["转让", "普通许可"]);
    let only_holder = s
        .post(
            "/v1/classify",
            &s.keys.broker_a,
            json!({"holder": "台州学院附属医院"}),
        )
        .await;
    assert_eq!(only_holder.json["holder"]["kind"], "其他");
    assert!(only_holder.json["ipc"].is_null());
    assert_eq!(
        s.post("/v1/classify", &s.keys.admin, json!({}))
            .await
            .code(),
        "invalid_field"
    );
    assert_eq!(
        s.call("POST", "/v1/classify", None, Some(json!({"holder": "x"})))
            .await
            .code(),
        "missing_api_key"
    );
}

/// Every code in the table, provoked by a request. `internal` is the one
/// exception: no input may cause it.
#[tokio::test(flavor = "multi_thread")]
async fn every_error_code_is_reachable_and_user_input_never_gives_5xx() {
    let s = server(ServerConfig {
        body_limit_bytes: 64 << 10,
        ..config()
    });
    let admin = &s.keys.admin;
    let mut seen = BTreeSet::new();
    let mut expect = |answer: common::Answer, code: &str, status: u16| {
        assert_eq!(answer.code(), code, "{}", answer.text);
        assert_eq!(answer.status.as_u16(), status, "{code}: {}", answer.text);
        seen.insert(code.to_string());
    };
    let raw = |body: &'static str, content_type: Option<&str>| {
        let mut request = Request::builder()
            .method("POST")
            .uri("/v1/listings")
            .header("authorization", format!("Bearer {admin}"));
        if let Some(t) = content_type {
            request = request.header("content-type", t);
        }
        request.body(Body::from(body)).unwrap()
    };
    expect(
        s.send(raw("{\"listings\": [", Some("application/json")))
            .await,
        "malformed_json",
        400,
    );
    expect(
        s.post("/v1/listings", admin, json!({"listings": [], "extra": 1}))
            .await,
        "unknown_field",
        400,
    );
    expect(
        s.post("/v1/listings", admin, json!({"listings": "none"}))
            .await,
        "invalid_body",
        400,
    );
    expect(s.send(raw("{}", None)).await, "unsupported_media_type", 415);
    let huge = json!({"listings": [{"id": "x", "title": "t".repeat(70_000)}]});
    expect(
        s.post("/v1/listings", admin, huge).await,
        "payload_too_large",
        413,
    );
    expect(
        s.get("/v1/search?q=x&on=yesterday", admin).await,
        "invalid_parameter",
        400,
    );
    expect(
        s.get("/v1/search?q=x&colour=red", admin).await,
        "unknown_parameter",
        400,
    );
    let long = "电".repeat(2_001);
    expect(
        s.get(&format!("/v1/search?q={}", enc(&long)), admin).await,
        "query_too_long",
        400,
    );
    expect(s.get("/v1/search?q=%20", admin).await, "empty_query", 400);
    expect(
        s.get("/v1/search?q=x&limit=101", admin).await,
        "limit_out_of_range",
        400,
    );
    expect(
        s.get(&format!("/v1/search?q=x&modes={}", enc("赠送")), admin)
            .await,
        "unknown_filter_value",
        400,
    );
    let mut body = listing_body("e-1", "t", "2025-01-02");
    body["holder"]["credit_code"] = json!("123");
    expect(
        s.post("/v1/listings", admin, json!({"listings": [body]}))
            .await,
        "invalid_credit_code",
        422,
    );
    let mut body = listing_body("e-1", "t", "2025-01-02");
    body["application_number"] = json!("12345");
    expect(
        s.post("/v1/listings", admin, json!({"listings": [body]}))
            .await,
        "invalid_application_number",
        422,
    );
    let mut body = listing_body("e-1", "t", "2025-01-02");
    body["ipc"] = json!(["not-ipc"]);
    expect(
        s.post("/v1/listings", admin, json!({"listings": [body]}))
            .await,
        "invalid_ipc_code",
        422,
    );
    expect(
        s.post("/v1/listings", admin, json!({"listings": []})).await,
        "invalid_field",
        422,
    );
    assert_eq!(
        s.post(
            "/v1/listings",
            admin,
            json!({"listings": [listing_body("e-2", "一种方法", "2025-01-02")]})
        )
        .await
        .status,
        StatusCode::OK
    );
    expect(
        s.post(
            "/v1/listings/e-2/withdrawal",
            admin,
            json!({"announced_on": "2040-06-03", "reason": "x"}),
        )
        .await,
        "date_outside_calendar",
        422,
    );
    expect(
        s.call("GET", "/v1/profiles", None, None).await,
        "missing_api_key",
        401,
    );
    expect(
        s.get("/v1/profiles", "pm_x_y").await,
        "invalid_api_key",
        401,
    );
    expect(
        s.get("/v1/profiles", &s.keys.broker_a).await,
        "forbidden",
        403,
    );
    expect(
        s.get("/v1/listings/none", admin).await,
        "listing_not_found",
        404,
    );
    expect(
        s.get("/v1/profiles/none", admin).await,
        "profile_not_found",
        404,
    );
    expect(
        s.get("/v1/shortlists/none", admin).await,
        "shortlist_not_found",
        404,
    );
    let list = s
        .post("/v1/shortlists", &s.keys.broker_a, json!({"client": "c"}))
        .await;
    let list = list.json["id"].as_str().unwrap().to_string();
    expect(
        s.call(
            "DELETE",
            &format!("/v1/shortlists/{list}/items/{}", s.listing),
            Some(&s.keys.broker_a),
            None,
        )
        .await,
        "shortlist_item_not_found",
        404,
    );
    let feedback = format!("/v1/profiles/{}/feedback", s.profile_a.id);
    expect(
        s.post(
            &feedback,
            admin,
            json!({"listing_id": s.listing, "date": "2025-01-01", "relevant": true}),
        )
        .await,
        "push_item_not_found",
        404,
    );
    expect(
        s.get("/v1/push/runs/none", admin).await,
        "push_run_not_found",
        404,
    );
    expect(
        s.get("/v1/nothing-here", admin).await,
        "route_not_found",
        404,
    );
    expect(
        s.call("DELETE", "/v1/search", Some(admin), None).await,
        "method_not_allowed",
        405,
    );
    let profile = json!({"id": s.profile_a.id, "title": "t", "enterprise_id": "e"});
    expect(
        s.post("/v1/profiles", admin, profile).await,
        "already_exists",
        409,
    );
    expect(
        s.post(
            "/v1/listings/e-2/terms",
            admin,
            json!({"on": "2025-02-01", "modes": ["转让"]}),
        )
        .await,
        "terms_change_refused",
        409,
    );
    assert_eq!(
        s.post(
            "/v1/listings/e-2/withdrawal",
            admin,
            json!({"announced_on": "2025-03-03", "reason": "x"})
        )
        .await
        .status,
        StatusCode::OK
    );
    expect(
        s.post(
            "/v1/listings/e-2/intents",
            admin,
            json!({"on": "2025-04-01", "party": "p"}),
        )
        .await,
        "lifecycle_conflict",
        409,
    );

    // A push run holds the slot while it runs: a second is refused.
    let run = json!({"date": "2025-06-02", "threshold": 0.0});
    let first = s.post("/v1/push/runs", admin, run.clone()).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.text);
    expect(
        s.post("/v1/push/runs", admin, run).await,
        "push_already_running",
        409,
    );

    // A timeout of a millisecond cuts a search short.
    let slow = server(ServerConfig {
        request_timeout: Duration::from_millis(1),
        ..config()
    });
    expect(
        slow.get(
            &format!("/v1/search?q={}", enc("锂离子电池正极材料")),
            &slow.keys.admin,
        )
        .await,
        "request_timeout",
        408,
    );
    let loading = patmatch_api::AppState::open(config(), s.state.backend().clone()).unwrap();
    let app = patmatch_api::router(loading);
    let response = tower::ServiceExt::oneshot(
        app,
        Request::builder()
            .uri("/v1/search?q=x")
            .header("authorization", format!("Bearer {admin}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["code"], "index_not_ready");
    seen.insert("index_not_ready".into());

    let table: BTreeSet<String> = ApiError::TABLE
        .iter()
        .map(|(_, _, code, _)| code.to_string())
        .filter(|code| code != "internal")
        .collect();
    let missing: Vec<_> = table.difference(&seen).collect();
    assert!(missing.is_empty(), "codes never provoked: {missing:?}");
}
