//! Pairing by QR: a scan connects, an unscanned QR stops after qr_max_cycles.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{TestDb, assert_error, eventually, spawn_sim_app};

db_tests!(
    scanning_the_qr_connects_the_instance,
    an_unscanned_qr_stops_after_qr_max_cycles
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

    app.with_key(
        &app.admin_key,
        Method::POST,
        &format!("/api/instances/{id}/reconnect"),
    )
    .send()
    .await
    .unwrap();
    app.pair(&app.admin_key, &id, "79001234567", "Late").await;
}
