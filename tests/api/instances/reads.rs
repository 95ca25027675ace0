//! Reading instances: one, the list with live status, and the QR when none is pending.

use reqwest::Method;
use serde_json::{Value, json};

use super::keys;
use crate::db_tests;
use crate::helpers::{TestDb, assert_error, spawn_sim_app};

db_tests!(
    get_shows_webhook_settings_but_never_the_secret,
    list_shows_own_instances_with_their_live_connection_status,
    qr_is_404_with_a_clear_code_when_none_is_pending
);

async fn get_shows_webhook_settings_but_never_the_secret(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "A", "webhookUrl": "http://example.com/h",
            "webhookSecret": "top-secret-value", "notifyRead": true, "maxRetries": 5, "retryInterval": 2000}))
        .await;
    let response = app
        .with_key(&app.admin_key, Method::GET, &format!("/api/instances/{id}"))
        .send()
        .await
        .unwrap();
    let text = response.text().await.unwrap();
    assert!(!text.contains("top-secret-value"));
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        body["webhookSettings"],
        json!({"notifyReceived": true, "notifySent": true, "notifyDelivery": false,
               "notifyRead": true, "notifyPresence": false, "notifyGroups": true, "maxRetries": 5, "retryInterval": 2000})
    );
    assert_eq!(body["webhookEnabled"], true);
    assert!(body["connectionStatus"]["status"].is_string());
    assert_eq!(body["status"], body["connectionStatus"]["status"]);
}

async fn list_shows_own_instances_with_their_live_connection_status(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Mine"}))
        .await;
    let other = app
        .create_user("other@example.com", "other-password", "user")
        .await;
    app.create_instance(&other.api_key, json!({"name": "Theirs"}))
        .await;
    app.pair(&app.admin_key, &id, "79001234567", "Ivan").await;

    let list = app.get_json(&app.admin_key, "/api/instances").await;
    let items = list["instances"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id.as_str());
    assert_eq!(items[0]["status"], "connected");
    assert_eq!(
        items[0]["connectionStatus"],
        json!({"ready": true, "status": "connected", "hasQr": false})
    );
    assert_eq!(
        keys(&items[0]),
        [
            "connectionStatus",
            "createdAt",
            "description",
            "id",
            "name",
            "status",
            "updatedAt",
            "webhookEnabled",
            "webhookUrl"
        ]
    );
    let all = app
        .get_json(&app.admin_key, "/api/instances?all=true")
        .await;
    assert_eq!(all["instances"].as_array().unwrap().len(), 2);
    let forbidden = app
        .with_key(&other.api_key, Method::GET, "/api/instances?all=true")
        .send()
        .await
        .unwrap();
    assert_error(forbidden, 403).await;
}

async fn qr_is_404_with_a_clear_code_when_none_is_pending(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Q"}))
        .await;
    app.pair(&app.admin_key, &id, "79001234567", "Ivan").await;
    for path in [
        format!("/api/instances/{id}/qr"),
        format!("/api/whatsapp/{id}/qr"),
    ] {
        let response = app
            .with_key(&app.admin_key, Method::GET, &path)
            .send()
            .await
            .unwrap();
        assert_eq!(assert_error(response, 404).await, "qr_not_available");
    }
}
