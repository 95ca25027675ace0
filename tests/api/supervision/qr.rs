//! Pairing by QR: a scan connects, an unscanned QR stops after qr_max_cycles.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{
    TestApp, TestDb, assert_error, eventually, fast_sim, spawn_app_with, spawn_sim_app,
};

db_tests!(
    scanning_the_qr_connects_the_instance,
    an_unscanned_qr_stops_after_qr_max_cycles,
    a_pairing_code_outlives_the_qr_codes_until_it_expires
);

async fn scanning_the_qr_connects_the_instance(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "A"}))
        .await;
    app.pair(&app.admin_key, &id, "+7 900 123-45-67", "Ivan")
        .await;
    assert_eq!(
        app.status(&app.admin_key, &id).await,
        json!({"ready": true, "status": "connected", "hasQr": false})
    );
    let actions = app.actions(&app.admin_key, &id).await;
    assert_eq!(
        actions[..2],
        ["instance_created".to_owned(), "connecting".to_owned()]
    );
    for action in ["qr_received", "paired", "connection_opened"] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action} missing from {actions:?}"
        );
    }
    let paired = app
        .activity(&app.admin_key, &id)
        .await
        .into_iter()
        .find(|l| l["action"] == "paired")
        .unwrap();
    assert_eq!(paired["details"]["phone"], "79001234567");
    let second_scan = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/sim/instances/{id}/scan"),
        )
        .json(&json!({"phone": "79001234567"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(second_scan, 409).await, "no_qr_pending");
    let bad_phone = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/sim/instances/{id}/scan"),
        )
        .json(&json!({"phone": "call me"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(bad_phone, 400).await, "invalid_phone");
}

async fn an_unscanned_qr_stops_after_qr_max_cycles(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Ignored"}))
        .await;
    app.wait_for_status(&app.admin_key, &id, "qr").await;
    eventually("the QR to give up", || async {
        app.actions(&app.admin_key, &id)
            .await
            .contains(&"qr_timeout".to_owned())
            .then_some(())
    })
    .await;
    let status = app.status(&app.admin_key, &id).await;
    assert_eq!(
        status,
        json!({"ready": false, "status": "disconnected", "hasQr": false})
    );
    let count_qrs = |actions: Vec<String>| actions.iter().filter(|a| *a == "qr_received").count();
    let qrs = count_qrs(app.actions(&app.admin_key, &id).await);
    assert_eq!(qrs, 12, "two cycles of six codes");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        count_qrs(app.actions(&app.admin_key, &id).await),
        12,
        "the QR kept looping"
    );
    let qr = app
        .with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/instances/{id}/qr"),
        )
        .send()
        .await
        .unwrap();
    assert_error(qr, 404).await;

    app.reconnect(&app.admin_key, &id).await;
    app.pair(&app.admin_key, &id, "79001234567", "Late").await;
}

/// Asks for a pairing code, then waits for the QR codes to run out with the
/// session still waiting for it: status `qr`, no QR to show.
async fn code_outliving_the_qrs(app: &TestApp, id: &str) {
    app.wait_for_status(&app.admin_key, id, "qr").await;
    let asked = app
        .request_pairing_code(&app.admin_key, id, json!("79001234567"))
        .await;
    assert_eq!(asked.status(), 200);
    eventually(
        "the QR codes to run out with the code still out",
        || async {
            let status = app.status(&app.admin_key, id).await;
            (status == json!({"ready": false, "status": "qr", "hasQr": false})).then_some(())
        },
    )
    .await;
}

async fn a_pairing_code_outlives_the_qr_codes_until_it_expires(db: TestDb) {
    // A QR cycle lasts 6 x 100 ms here; the code, 3 s.
    let app = spawn_app_with(db, |s| {
        fast_sim(s);
        s.supervision.pairing_code_lifetime_ms = 3_000;
    })
    .await;
    let typed = app
        .create_instance(&app.admin_key, json!({"name": "Typed"}))
        .await;
    code_outliving_the_qrs(&app, &typed).await;
    // The owner types the code (the simulated phone does it by scanning).
    let scanned = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/sim/instances/{typed}/scan"),
        )
        .json(&json!({"phone": "79001234567"}))
        .send()
        .await
        .unwrap();
    assert_eq!(scanned.status(), 200);
    app.wait_for_status(&app.admin_key, &typed, "connected")
        .await;
    let actions = app.actions(&app.admin_key, &typed).await;
    assert!(
        !actions.contains(&"qr_expired".to_owned()),
        "the session was restarted under the code: {actions:?}"
    );

    let forgotten = app
        .create_instance(&app.admin_key, json!({"name": "Forgotten"}))
        .await;
    code_outliving_the_qrs(&app, &forgotten).await;
    // Nobody types it: once it expires the QR cycle is over, as without a code.
    eventually("the expired code to end the cycle", || async {
        app.actions(&app.admin_key, &forgotten)
            .await
            .contains(&"qr_expired".to_owned())
            .then_some(())
    })
    .await;
    app.wait_for_status(&app.admin_key, &forgotten, "qr").await;
}
