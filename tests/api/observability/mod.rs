//! What operators and integrators look at: QR images, pairing codes, the live
//! event stream and the Prometheus scrape.

pub(crate) mod events;
pub(crate) mod metrics;
mod pairing;
mod qr;
mod slow_streams;
mod user_events;

use reqwest::Method;

use crate::helpers::{TestApp, TestDb, fast_sim, spawn_app_with};

/// A QR that stays put long enough to compare its renderings.
async fn spawn_steady_qr_app(db: TestDb) -> TestApp {
    spawn_app_with(db, |s| {
        fast_sim(s);
        s.sim.qr_refresh_ms = 60_000;
    })
    .await
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.with_key(&app.admin_key, Method::GET, path)
        .send()
        .await
        .expect("request")
}
