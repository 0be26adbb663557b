//! The load driver against a real server on a real socket, briefly: CI's
//! smoke version of `benches/load.rs`, so that the driver and the server
//! under concurrent load keep working. Speed is not asserted here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../api/tests/common/mod.rs"]
mod common;

use patmatch_api::ServerConfig;
use patmatch_benches::load::{run, LoadConfig};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn eight_clients_for_three_seconds_get_no_errors() {
    let s = common::server(ServerConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(patmatch_api::serve(listener, s.state.clone(), async {
        let _ = stopped.await;
    }));
    let listings: Vec<String> = {
        let store = corpus::SqliteStore::open(&s.state.backend().store).unwrap();
        corpus::Store::listings(&store)
            .unwrap()
            .into_iter()
            .take(20)
            .map(|l| l.id)
            .collect()
    };
    let config = LoadConfig {
        base: format!("http://{addr}"),
        token: s.keys.admin.clone(),
        clients: 8,
        duration: Duration::from_secs(3),
        queries: ["锂电池正极材料", "图像识别", "污水处理 工艺", "无人机巡检"]
            .map(String::from)
            .to_vec(),
        listings,
        profiles: vec![s.profile_a.id.clone(), s.profile_b.id.clone()],
        mix: [60, 25, 15],
    };
    let report = run(&config).await;
    assert_eq!(report.errors, 0, "{:?}", report.statuses);
    assert!(report.requests >= 24, "{report:?}");
    for kind in ["search", "similar", "pushes"] {
        let latency = &report.by_kind[kind];
        assert!(latency.requests > 0, "no {kind} requests: {report:?}");
        assert!(latency.p50_ms <= latency.p99_ms && latency.p99_ms <= latency.max_ms);
    }
    stop.send(()).unwrap();
    served.await.unwrap().unwrap();
}
