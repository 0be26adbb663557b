use super::app_state::AppState;
use super::routes::router;
use crate::{Error, Result};
use std::future::Future;
use tokio::net::TcpListener;
use tracing::info;

/// Serves `state` on `listener` until `shutdown` resolves, then stops
/// taking connections and lets the requests in flight finish.
///
/// The index follows writes from here on: each burst of writes becomes one
/// incremental build and one atomic switch of generation.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let addr = listener.local_addr().map_err(|source| Error::Bind {
        addr: "listener".into(),
        source,
    })?;
    let follower = tokio::spawn(state.clone().follow_writes());
    info!(%addr, "serving");
    let served = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await;
    follower.abort();
    info!("stopped; requests in flight were answered");
    served.map_err(|source| Error::Io {
        path: addr.to_string().into(),
        source,
    })
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => info!("Ctrl-C: draining"),
        () = term => info!("SIGTERM: draining"),
    }
}
