//! Instance actors under the supervisor, on the simulated network.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{TestApp, TestDb, assert_error, eventually, json_body, spawn_sim_app};

db_tests!(
    scanning_the_qr_connects_the_instance,
    a_crash_restarts_the_session_with_growing_backoff_and_leaves_others_alone,
    repeated_crashes_end_in_failed_and_reconnect_revives_it,
    a_network_disconnect_reconnects_by_itself,
    a_logout_from_the_phone_ends_in_logged_out_without_retries,
    logout_through_the_api_wipes_the_session,
    an_unscanned_qr_stops_after_qr_max_cycles,
    a_restart_brings_connected_instances_back_without_a_qr,
    deleted_instance_is_stopped_for_good,
);

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

async fn a_crash_restarts_the_session_with_growing_backoff_and_leaves_others_alone(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let victim = app
        .create_instance(&app.admin_key, json!({"name": "Victim"}))
        .await;
    let bystander = app
        .create_instance(&app.admin_key, json!({"name": "Bystander"}))
        .await;
    app.pair(&app.admin_key, &victim, "79001111111", "V").await;
    app.pair(&app.admin_key, &bystander, "79002222222", "B")
        .await;

    for n in 0..3 {
        crash_and_recover(&app, &victim, n).await;
        assert_eq!(
            app.status(&app.admin_key, &bystander).await["status"],
            "connected"
        );
    }
    let restarts = restarts(&app, &victim).await;
    let backoffs: Vec<_> = restarts
        .iter()
        .map(|r| r["backoffMs"].as_u64().unwrap())
        .collect();
    assert_eq!(backoffs, [50, 100, 200]);
    let attempts: Vec<_> = restarts
        .iter()
        .map(|r| r["attempt"].as_u64().unwrap())
        .collect();
    assert_eq!(attempts, [1, 2, 3]);
    assert!(restarts[0]["reason"].as_str().unwrap().contains("crash"));
    let bystander_log = app.actions(&app.admin_key, &bystander).await;
    assert!(!bystander_log.contains(&"session_restarted".to_owned()));
    assert!(!bystander_log.contains(&"connection_closed".to_owned()));
}

async fn repeated_crashes_end_in_failed_and_reconnect_revives_it(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Fragile"}))
        .await;
    app.pair(&app.admin_key, &id, "79001234567", "F").await;
    for n in 0..3 {
        crash_and_recover(&app, &id, n).await;
    }
    app.fault(&app.admin_key, &id, "crash").await;
    let status = app.wait_for_status(&app.admin_key, &id, "failed").await;
    assert_eq!(
        status,
        json!({"ready": false, "status": "failed", "hasQr": false})
    );
    let log = app.activity(&app.admin_key, &id).await;
    let gave_up = log
        .iter()
        .find(|l| l["action"] == "supervisor_gave_up")
        .unwrap();
    assert_eq!(gave_up["details"]["crashes"], 4);
    assert_eq!(gave_up["details"]["maxRestarts"], 3);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        app.status(&app.admin_key, &id).await["status"],
        "failed",
        "it kept retrying"
    );

    let response = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/instances/{id}/reconnect"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_body(response).await,
        json!({"success": true, "message": format!("Instance {id} reconnected")})
    );
    app.wait_for_status(&app.admin_key, &id, "connected").await;
    assert!(
        app.actions(&app.admin_key, &id)
            .await
            .contains(&"reconnect_requested".to_owned())
    );
    // The history was forgiven: the next crash restarts again.
    crash_and_recover(&app, &id, 3).await;
}

async fn a_network_disconnect_reconnects_by_itself(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Flaky"}))
        .await;
    app.pair(&app.admin_key, &id, "79001234567", "F").await;
    let count_qrs = |log: &[Value]| log.iter().filter(|l| l["action"] == "qr_received").count();
    let qrs_before = count_qrs(&app.activity(&app.admin_key, &id).await);
    app.fault(&app.admin_key, &id, "disconnect").await;
    eventually("the restart", || async {
        (!restarts(&app, &id).await.is_empty()).then_some(())
    })
    .await;
    app.wait_for_status(&app.admin_key, &id, "connected").await;
    let log = app.activity(&app.admin_key, &id).await;
    let closed = log
        .iter()
        .find(|l| l["action"] == "connection_closed")
        .unwrap();
    assert_eq!(closed["details"]["willReconnect"], true);
    assert_eq!(
        count_qrs(&log),
        qrs_before,
        "the stored pairing was not reused"
    );
}

async fn a_logout_from_the_phone_ends_in_logged_out_without_retries(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Out"}))
        .await;
    app.pair(&app.admin_key, &id, "79001234567", "O").await;
    app.fault(&app.admin_key, &id, "logout").await;
    app.wait_for_status(&app.admin_key, &id, "logged_out").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        app.status(&app.admin_key, &id).await,
        json!({"ready": false, "status": "logged_out", "hasQr": false})
    );
    let actions = app.actions(&app.admin_key, &id).await;
    assert!(actions.contains(&"logged_out".to_owned()));
    assert!(!actions.contains(&"session_restarted".to_owned()));
    // The session store was wiped: reconnecting asks for a new QR.
    app.with_key(
        &app.admin_key,
        Method::POST,
        &format!("/api/instances/{id}/reconnect"),
    )
    .send()
    .await
    .unwrap();
    app.wait_for_status(&app.admin_key, &id, "qr").await;
}

async fn logout_through_the_api_wipes_the_session(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Bye"}))
        .await;
    app.pair(&app.admin_key, &id, "79001234567", "B").await;
    let response = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/instances/{id}/logout"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_body(response).await,
        json!({"success": true, "message": format!("Instance {id} logged out")})
    );
    assert_eq!(
        app.status(&app.admin_key, &id).await["status"],
        "logged_out"
    );
    let log = app.activity(&app.admin_key, &id).await;
    let logged_out = log.iter().find(|l| l["action"] == "logged_out").unwrap();
    assert_eq!(logged_out["details"]["by"], "api");

    let other = app
        .create_instance(&app.admin_key, json!({"name": "Other"}))
        .await;
    app.pair(&app.admin_key, &other, "79005555555", "X").await;
    let response = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{other}/logout"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(json_body(response).await, json!({"success": true}));
    app.wait_for_status(&app.admin_key, &other, "logged_out")
        .await;
    app.with_key(
        &app.admin_key,
        Method::POST,
        &format!("/api/instances/{id}/reconnect"),
    )
    .send()
    .await
    .unwrap();
    app.wait_for_status(&app.admin_key, &id, "qr").await;
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
    let reconnect = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/instances/{id}/reconnect"),
        )
        .send()
        .await
        .unwrap();
    assert_error(reconnect, 404).await;
}
