//! Instance actors under the supervisor, on the simulated network.

mod crashes;
mod halts;
mod lifecycle;
mod logout;
mod qr;

use serde_json::Value;

use crate::helpers::{TestApp, eventually};

async fn restarts(app: &TestApp, id: &str) -> Vec<Value> {
    app.activity(&app.admin_key, id)
        .await
        .into_iter()
        .filter(|log| log["action"] == "session_restarted")
        .map(|log| log["details"].clone())
        .collect()
}

async fn crash_and_recover(app: &TestApp, id: &str, restarts_before: usize) {
    app.fault(&app.admin_key, id, "crash").await;
    eventually("a session_restarted entry", || async {
        (restarts(app, id).await.len() > restarts_before).then_some(())
    })
    .await;
    app.wait_for_status(&app.admin_key, id, "connected").await;
}
