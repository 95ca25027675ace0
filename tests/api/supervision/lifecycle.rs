//! Server restarts bring connected instances back; deleted instances stay stopped.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{TestDb, assert_error, spawn_sim_app};

db_tests!(
    a_restart_brings_connected_instances_back_without_a_qr,
    deleted_instance_is_stopped_for_good
);

async fn a_restart_brings_connected_instances_back_without_a_qr(db: TestDb) {
    let mut app = spawn_sim_app(db).await;
    let connected = app
        .create_instance(&app.admin_key, json!({"name": "Stays"}))
        .await;
    app.pair(&app.admin_key, &connected, "79001234567", "S")
        .await;
    let logged_out = app
        .create_instance(&app.admin_key, json!({"name": "Gone"}))
        .await;
    app.pair(&app.admin_key, &logged_out, "79007654321", "G")
        .await;
    app.fault(&app.admin_key, &logged_out, "logout").await;
    app.wait_for_status(&app.admin_key, &logged_out, "logged_out")
        .await;
    let qrs_before = app
        .actions(&app.admin_key, &connected)
        .await
        .iter()
        .filter(|a| *a == "qr_received")
        .count();

    app.restart().await;
    app.wait_for_status(&app.admin_key, &connected, "connected")
        .await;
    let actions = app.actions(&app.admin_key, &connected).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "qr_received").count(),
        qrs_before
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "connection_opened").count(),
        2
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.status(&app.admin_key, &logged_out).await["status"],
        "logged_out"
    );
}

async fn deleted_instance_is_stopped_for_good(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Doomed"}))
        .await;
    app.pair(&app.admin_key, &id, "79001234567", "D").await;
    app.with_key(
        &app.admin_key,
        Method::DELETE,
        &format!("/api/instances/{id}"),
    )
    .send()
    .await
    .unwrap();
    let fault = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/sim/instances/{id}/fault"),
        )
        .json(&json!({"kind": "crash"}))
        .send()
        .await
        .unwrap();
    assert_error(fault, 404).await;
    let reconnect = app.reconnect(&app.admin_key, &id).await;
    assert_error(reconnect, 404).await;
}
