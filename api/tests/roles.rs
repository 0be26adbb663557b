//! Who may call what: every route and method of the API against every kind
//! of caller (anonymous, a revoked key, admin, broker, enterprise), and the
//! other tenant on object routes, as one table.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::{enc, listing_body, server, Answer, Server, BROKER_A};
use patmatch_api::ServerConfig;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

/// What a path parameter addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Obj {
    /// The fixture's indexed listing.
    Listing,
    /// A listing upserted by the setup for one lifecycle route.
    Upserted(&'static str),
    /// Enterprise A's profile.
    Profile,
    /// Broker A's shortlist (with the indexed listing kept on it).
    Shortlist,
    /// The push run the setup finished.
    Run,
}

/// The roles a route admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Roles {
    Everyone,
    Admin,
    AdminAndEnterprise,
    AdminAndBroker,
}

impl Roles {
    fn admits_broker(self) -> bool {
        matches!(self, Roles::Everyone | Roles::AdminAndBroker)
    }

    fn admits_enterprise(self) -> bool {
        matches!(self, Roles::Everyone | Roles::AdminAndEnterprise)
    }
}

/// One route and method of the API, with a body that allowed callers
/// should succeed with.
#[derive(Debug, Clone)]
struct Route {
    method: &'static str,
    /// As the OpenAPI document spells it.
    path: &'static str,
    /// The objects for the path's `{…}` segments, in order.
    params: Vec<Obj>,
    query: String,
    body: Option<Value>,
    roles: Roles,
    /// Open to anonymous callers when the server has public search.
    public: bool,
    /// Each call addresses a new object of A's (the route destroys it).
    fresh: bool,
    /// Error codes an allowed caller may get because of the state the
    /// table leaves, not because of its role.
    tolerated: &'static [&'static str],
}

impl Route {
    fn new(method: &'static str, path: &'static str, params: &[Obj], roles: Roles) -> Route {
        Route {
            method,
            path,
            params: params.to_vec(),
            query: String::new(),
            body: None,
            roles,
            public: false,
            fresh: false,
            tolerated: &[],
        }
    }

    fn body(mut self, body: Value) -> Route {
        self.body = Some(body);
        self
    }

    fn query(mut self, query: String) -> Route {
        self.query = query;
        self
    }

    fn public(mut self) -> Route {
        self.public = true;
        self
    }

    fn fresh(mut self) -> Route {
        self.fresh = true;
        self
    }

    fn tolerate(mut self, codes: &'static [&'static str]) -> Route {
        self.tolerated = codes;
        self
    }

    fn addresses(&self, obj: Obj) -> bool {
        self.params.contains(&obj)
    }
}

/// The objects the table addresses, and values its bodies need.
#[derive(Debug, Clone, Default)]
struct Fixture {
    listing: String,
    profile: String,
    enterprise: String,
    shortlist: String,
    run: String,
    /// A listing pushed to enterprise A's profile, and the day.
    pushed: (String, String),
}

const LIFECYCLE: [&str; 4] = ["rt-terms", "rt-intent", "rt-licence", "rt-withdraw"];

/// Every route and method of the API; destructive calls last in their group.
fn routes(f: &Fixture) -> Vec<Route> {
    use Obj::{Listing, Profile, Run, Shortlist, Upserted};
    use Roles::{Admin, AdminAndBroker, AdminAndEnterprise, Everyone};
    vec![
        // Search and listings: every role.
        Route::new("GET", "/v1/search", &[], Everyone)
            .query(format!("q={}", enc("锂离子电池正极材料")))
            .public(),
        Route::new("GET", "/v1/listings/{id}", &[Listing], Everyone).public(),
        Route::new("GET", "/v1/listings/{id}/similar", &[Listing], Everyone).public(),
        Route::new("POST", "/v1/classify", &[], Everyone)
            .body(json!({"holder": "浙江大学", "modes": "可转让或普通许可"})),
        // The listings' lifecycle: admin only.
        Route::new("POST", "/v1/listings", &[], Admin).body(json!({
            "listings": [listing_body("rt-upsert", "一种锂电池隔膜的制备方法", "2025-01-02")]
        })),
        Route::new(
            "POST",
            "/v1/listings/{id}/terms",
            &[Upserted(LIFECYCLE[0])],
            Admin,
        )
        .body(json!({
            "on": "2025-01-06",
            "fee": {"method": "一次性", "min_yuan": 100000, "max_yuan": 100000}
        })),
        Route::new(
            "POST",
            "/v1/listings/{id}/intents",
            &[Upserted(LIFECYCLE[1])],
            Admin,
        )
        .body(json!({"on": "2025-02-03", "party": "某企业"})),
        Route::new(
            "POST",
            "/v1/listings/{id}/licences",
            &[Upserted(LIFECYCLE[2])],
            Admin,
        )
        .body(json!({"on": "2025-02-03", "licensee": "某企业", "mode": "普通许可"})),
        Route::new(
            "POST",
            "/v1/listings/{id}/withdrawal",
            &[Upserted(LIFECYCLE[3])],
            Admin,
        )
        .body(json!({"announced_on": "2025-03-03", "reason": "权利人撤回"})),
        // Push runs: admin only. A second run while one runs is refused
        // for the slot, not the role.
        Route::new("POST", "/v1/push/runs", &[], Admin)
            .body(json!({"date": "2025-06-03", "profiles": [f.profile], "threshold": 0.0}))
            .tolerate(&["push_already_running"]),
        Route::new("GET", "/v1/push/runs/{id}", &[Run], Admin),
        // Profiles, their pushes and feedback: admin and enterprise.
        Route::new("GET", "/v1/profiles", &[], AdminAndEnterprise),
        Route::new("POST", "/v1/profiles", &[], AdminAndEnterprise).body(json!({
            "enterprise_id": f.enterprise,
            "title": "寻求锂电池回收技术",
            "text": "废旧锂电池的正极材料回收"
        })),
        Route::new("GET", "/v1/profiles/{id}", &[Profile], AdminAndEnterprise),
        Route::new("PUT", "/v1/profiles/{id}", &[Profile], AdminAndEnterprise).body(json!({
            "title": "寻求锂离子电池正极材料技术",
            "text": "高镍三元正极材料的制备与改性",
            "budget_max_yuan": 500000
        })),
        Route::new(
            "GET",
            "/v1/profiles/{id}/pushes",
            &[Profile],
            AdminAndEnterprise,
        ),
        Route::new(
            "POST",
            "/v1/profiles/{id}/feedback",
            &[Profile],
            AdminAndEnterprise,
        )
        .body(json!({
            "listing_id": f.pushed.0,
            "date": f.pushed.1,
            "relevant": true,
            "reason": "方向相符"
        }))
        .tolerate(&["push_item_not_found"]),
        Route::new(
            "DELETE",
            "/v1/profiles/{id}",
            &[Profile],
            AdminAndEnterprise,
        )
        .fresh(),
        // Shortlists: admin and broker.
        Route::new("GET", "/v1/shortlists", &[], AdminAndBroker),
        Route::new("POST", "/v1/shortlists", &[], AdminAndBroker)
            .body(json!({"client": "某客户", "broker_id": BROKER_A})),
        Route::new("GET", "/v1/shortlists/{id}", &[Shortlist], AdminAndBroker),
        Route::new("PATCH", "/v1/shortlists/{id}", &[Shortlist], AdminAndBroker)
            .body(json!({"title": "电池材料"})),
        Route::new(
            "PUT",
            "/v1/shortlists/{id}/items/{listing_id}",
            &[Shortlist, Listing],
            AdminAndBroker,
        )
        .body(json!({"verdict": "kept", "note": "客户关注"})),
        Route::new(
            "GET",
            "/v1/shortlists/{id}/recommendations",
            &[Shortlist],
            AdminAndBroker,
        ),
        Route::new(
            "GET",
            "/v1/shortlists/{id}/export",
            &[Shortlist],
            AdminAndBroker,
        ),
        Route::new(
            "DELETE",
            "/v1/shortlists/{id}/items/{listing_id}",
            &[Shortlist, Listing],
            AdminAndBroker,
        )
        .fresh(),
        Route::new(
            "DELETE",
            "/v1/shortlists/{id}",
            &[Shortlist],
            AdminAndBroker,
        )
        .fresh(),
    ]
}

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Revoked,
    /// Broker B, on broker A's shortlists.
    OtherBroker,
    /// Enterprise B, on enterprise A's profiles.
    OtherEnterprise,
    Broker,
    Enterprise,
    Admin,
}

impl Who {
    fn key(self, s: &Server) -> Option<&str> {
        let keys = &s.keys;
        match self {
            Who::Anonymous => None,
            Who::Revoked => Some(&keys.revoked),
            Who::OtherBroker => Some(&keys.broker_b),
            Who::OtherEnterprise => Some(&keys.enterprise_b),
            Who::Broker => Some(&keys.broker_a),
            Who::Enterprise => Some(&keys.enterprise_a),
            Who::Admin => Some(&keys.admin),
        }
    }
}

/// Refusals first, so that no allowed call changes what a refused one sees.
const CALLERS: [Who; 7] = [
    Who::Anonymous,
    Who::Revoked,
    Who::OtherBroker,
    Who::OtherEnterprise,
    Who::Broker,
    Who::Enterprise,
    Who::Admin,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Neither 401 nor 403: a 2xx, or one of the route's tolerated codes.
    Allowed,
    Refused(StatusCode, &'static str),
}

/// What `who` should get from `route`; `None`: the pair is not in the table.
fn expect(route: &Route, who: Who, public_search: bool) -> Option<Expect> {
    let forbidden = Expect::Refused(StatusCode::FORBIDDEN, "forbidden");
    let by_role = |admitted: bool| Some(if admitted { Expect::Allowed } else { forbidden });
    match who {
        Who::Anonymous if public_search && route.public => Some(Expect::Allowed),
        Who::Anonymous => Some(Expect::Refused(StatusCode::UNAUTHORIZED, "missing_api_key")),
        Who::Revoked => Some(Expect::Refused(StatusCode::UNAUTHORIZED, "invalid_api_key")),
        Who::Admin => Some(Expect::Allowed),
        Who::Broker => by_role(route.roles.admits_broker()),
        Who::Enterprise => by_role(route.roles.admits_enterprise()),
        Who::OtherBroker => route.addresses(Obj::Shortlist).then_some(Expect::Refused(
            StatusCode::NOT_FOUND,
            "shortlist_not_found",
        )),
        Who::OtherEnterprise => route
            .addresses(Obj::Profile)
            .then_some(Expect::Refused(StatusCode::NOT_FOUND, "profile_not_found")),
    }
}

/// Cases known to differ from the rules above, skipped and reported:
/// (method, path, caller). None at present.
const KNOWN_DISCREPANCIES: &[(&str, &str, Who)] = &[];

fn created(answer: &Answer, what: &str) -> String {
    assert!(
        answer.status.is_success(),
        "creating {what}: {} {}",
        answer.status,
        answer.text
    );
    answer.json["id"].as_str().unwrap().to_string()
}

/// A new profile of enterprise A's.
async fn new_profile(s: &Server) -> String {
    let answer = s
        .post(
            "/v1/profiles",
            &s.keys.enterprise_a,
            json!({"title": "寻求电池回收技术", "text": "废旧电池回收"}),
        )
        .await;
    created(&answer, "a profile")
}

/// A new shortlist of broker A's with the indexed listing kept on it.
async fn new_shortlist(s: &Server) -> String {
    let key = &s.keys.broker_a;
    let answer = s.post("/v1/shortlists", key, json!({"client": "c"})).await;
    let id = created(&answer, "a shortlist");
    let item = s
        .call(
            "PUT",
            &format!("/v1/shortlists/{id}/items/{}", s.listing),
            Some(key),
            Some(json!({})),
        )
        .await;
    assert!(item.status.is_success(), "{}", item.text);
    id
}

/// Polls a push run until it is no longer running.
async fn finish_run(s: &Server, id: &str) -> Value {
    for _ in 0..1200 {
        let job = s.get(&format!("/v1/push/runs/{id}"), &s.keys.admin).await;
        assert_eq!(job.status, StatusCode::OK, "{}", job.text);
        if job.json["state"] != "running" {
            assert_eq!(job.json["state"], "done", "{}", job.text);
            return job.json;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("push run {id} did not finish");
}

/// Objects for every route: listings for the lifecycle routes, a finished
/// push run for enterprise A's profile, and broker A's shortlist.
async fn fixture(s: &Server) -> Fixture {
    let admin = &s.keys.admin;
    let listings: Vec<Value> = LIFECYCLE
        .iter()
        .map(|id| listing_body(id, "一种锂离子电池正极材料的制备方法", "2024-01-02"))
        .collect();
    let upserted = s
        .post("/v1/listings", admin, json!({ "listings": listings }))
        .await;
    assert_eq!(upserted.status, StatusCode::OK, "{}", upserted.text);

    let run = json!({"date": "2025-06-02", "profiles": [s.profile_a.id], "threshold": 0.0});
    let started = s.post("/v1/push/runs", admin, run).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.text);
    let run = started.json["id"].as_str().unwrap().to_string();
    finish_run(s, &run).await;
    let pushes = s
        .get(&format!("/v1/profiles/{}/pushes", s.profile_a.id), admin)
        .await;
    assert_eq!(pushes.status, StatusCode::OK, "{}", pushes.text);
    let pushed = pushes
        .json
        .as_array()
        .and_then(|items| items.first())
        .map_or_else(
            || (s.listing.clone(), "2025-06-02".to_string()),
            |item| {
                (
                    item["listing_id"].as_str().unwrap().to_string(),
                    item["date"].as_str().unwrap().to_string(),
                )
            },
        );

    Fixture {
        listing: s.listing.clone(),
        profile: s.profile_a.id.clone(),
        enterprise: s.profile_a.enterprise_id.clone(),
        shortlist: new_shortlist(s).await,
        run,
        pushed,
    }
}

/// The URI `route` is called at, with a new object of A's when the route
/// destroys what it addresses.
async fn uri(s: &Server, f: &Fixture, route: &Route) -> String {
    let mut uri = String::new();
    let mut params = route.params.iter();
    for (i, segment) in route.path.split('/').enumerate() {
        if i > 0 {
            uri.push('/');
        }
        if !(segment.starts_with('{') && segment.ends_with('}')) {
            uri.push_str(segment);
            continue;
        }
        let obj = *params.next().expect("a parameter for every segment");
        let id = match obj {
            Obj::Listing => f.listing.clone(),
            Obj::Upserted(id) => id.to_string(),
            Obj::Profile if route.fresh => new_profile(s).await,
            Obj::Profile => f.profile.clone(),
            Obj::Shortlist if route.fresh => new_shortlist(s).await,
            Obj::Shortlist => f.shortlist.clone(),
            Obj::Run => f.run.clone(),
        };
        uri.push_str(&id);
    }
    assert!(
        params.next().is_none(),
        "{}: too many parameters",
        route.path
    );
    if !route.query.is_empty() {
        uri.push('?');
        uri.push_str(&route.query);
    }
    uri
}

/// Calls every route as every caller; answers the failures and the number
/// of (route, caller) cases checked.
async fn check_matrix(s: &Server, public_search: bool, callers: &[Who]) -> (Vec<String>, usize) {
    let f = fixture(s).await;
    let mut failures = Vec::new();
    let mut cases = 0;
    for route in routes(&f) {
        for &who in callers {
            let Some(expected) = expect(&route, who, public_search) else {
                continue;
            };
            if KNOWN_DISCREPANCIES
                .iter()
                .any(|&(m, p, w)| m == route.method && p == route.path && w == who)
            {
                continue;
            }
            cases += 1;
            let uri = uri(s, &f, &route).await;
            let answer = s
                .call(route.method, &uri, who.key(s), route.body.clone())
                .await;
            let code = answer.json["code"].as_str().unwrap_or("");
            let ok = match expected {
                _ if answer.status.is_server_error() => false,
                Expect::Allowed => answer.status.is_success() || route.tolerated.contains(&code),
                Expect::Refused(status, want) => answer.status == status && code == want,
            };
            if !ok {
                failures.push(format!(
                    "{} {uri} as {who:?}: expected {expected:?}, got {} {}",
                    route.method, answer.status, answer.text
                ));
            }
            // A run started here is finished before the table goes on.
            if route.path == "/v1/push/runs" && answer.status == StatusCode::ACCEPTED {
                finish_run(s, answer.json["id"].as_str().unwrap()).await;
            }
        }
    }
    (failures, cases)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_admits_exactly_its_roles_and_hides_other_tenants_objects() {
    let s = server(ServerConfig::default());
    let (failures, cases) = check_matrix(&s, false, &CALLERS).await;
    eprintln!("{cases} (route, caller) cases checked");
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn public_search_opens_only_search_and_listings_to_anonymous_callers() {
    let s = server(ServerConfig {
        public_search: true,
        ..Default::default()
    });
    let (failures, cases) = check_matrix(&s, true, &[Who::Anonymous, Who::Revoked]).await;
    eprintln!("{cases} (route, caller) cases checked");
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_table_covers_every_documented_route_and_method() {
    let s = server(ServerConfig::default());
    let openapi = s.get("/openapi.json", &s.keys.admin).await;
    assert_eq!(openapi.status, StatusCode::OK, "{}", openapi.text);
    let documented: BTreeSet<(String, String)> = openapi.json["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, _)| path.starts_with("/v1/"))
        .flat_map(|(path, item)| {
            ["get", "post", "put", "patch", "delete"]
                .into_iter()
                .filter(|method| item.get(*method).is_some())
                .map(|method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let table: BTreeSet<(String, String)> = routes(&Fixture::default())
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    assert_eq!(
        routes(&Fixture::default()).len(),
        table.len(),
        "a route is in the table twice"
    );
    assert_eq!(
        documented.difference(&table).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "documented but not in the table"
    );
    assert_eq!(
        table.difference(&documented).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "in the table but not documented"
    );
}
