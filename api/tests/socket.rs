//! The service over a real TCP socket: a client that knows nothing of axum,
//! and a graceful shutdown that answers the request in flight.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{enc, listing_body, server};
use patmatch_api::ServerConfig;
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn serves_over_tcp_and_drains_the_request_in_flight_on_shutdown() {
    let s = server(ServerConfig {
        // Long enough that the write below is still waiting for its index
        // update when shutdown is signalled.
        reindex_debounce: Duration::from_millis(800),
        ..ServerConfig::default()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(patmatch_api::serve(listener, s.state.clone(), async {
        let _ = stopped.await;
    }));
    let base = format!("http://{addr}");
    let client = reqwest::Client::new();

    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let search = client
        .get(format!("{base}/v1/search?q={}&limit=3", enc("电池 材料")))
        .bearer_auth(&s.keys.enterprise_a)
        .send()
        .await
        .unwrap();
    assert_eq!(search.status(), 200);
    let page: Value = search.json().await.unwrap();
    assert_eq!(page["hits"].as_array().unwrap().len(), 3);
    let refused = client
        .get(format!("{base}/v1/profiles"))
        .bearer_auth(&s.keys.broker_a)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(
        refused.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["code"], "forbidden");

    // A write that waits for its index update, then shutdown while it waits.
    let write = {
        let client = client.clone();
        let url = format!("{base}/v1/listings?wait_for_index=true");
        let key = s.keys.admin.clone();
        let body = json!({"listings": [listing_body("sock-1", "一种用于储能的液流电池电堆", "2025-01-02")]});
        tokio::spawn(async move { client.post(url).bearer_auth(key).json(&body).send().await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    let answered = write.await.unwrap().unwrap();
    assert_eq!(answered.status(), 200);
    let receipt: Value = answered.json().await.unwrap();
    assert_eq!(receipt["indexed"], true, "{receipt}");
    tokio::time::timeout(Duration::from_secs(30), served)
        .await
        .expect("serve returns after draining")
        .unwrap()
        .unwrap();
    // Closed: new connections are refused.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    // The drained write is in the store and in the index generation it waited for.
    let store = corpus::SqliteStore::open(&s.state.backend().store).unwrap();
    assert!(corpus::Store::listing(&store, "sock-1").unwrap().is_some());
    let snapshot = indexer::Snapshot::open(&s.state.backend().index).unwrap();
    assert!(snapshot.contains("sock-1"));
}
