//! Logouts, from the phone and through the API.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{TestDb, json_body, spawn_sim_app};

db_tests!(
    a_logout_from_the_phone_ends_in_logged_out_without_retries,
    logout_through_the_api_wipes_the_session
);

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
    app.reconnect(&app.admin_key, &id).await;
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
    app.reconnect(&app.admin_key, &id).await;
    app.wait_for_status(&app.admin_key, &id, "qr").await;
}
