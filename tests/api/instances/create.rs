//! Creating an instance: the contract shape, and bad fields refused with 400.

use reqwest::Method;
use serde_json::json;

use super::keys;
use crate::db_tests;
use crate::helpers::{TestDb, assert_error, json_body, spawn_sim_app};

db_tests!(
    create_answers_the_contract_shape_and_starts_connecting,
    create_refuses_bad_fields_with_400
);

async fn create_answers_the_contract_shape_and_starts_connecting(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let response = app
        .with_key(&app.admin_key, Method::POST, "/api/instances")
        .json(
            &json!({"name": "Main WhatsApp", "description": "Company account",
                      "webhookUrl": "https://example.com/webhook", "webhookEnabled": true,
                      "notifyReceived": true, "notifySent": true, "notifyDelivery": false,
                      "notifyRead": false, "maxRetries": 3, "retryInterval": 60000,
                      "webhookSecret": "optional-secret-key"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created = json_body(response).await;
    assert_eq!(
        keys(&created),
        [
            "createdAt",
            "description",
            "id",
            "name",
            "status",
            "updatedAt",
            "userId",
            "webhookEnabled",
            "webhookUrl"
        ]
    );
    assert_eq!(created["status"], "connecting");
    assert_eq!(created["name"], "Main WhatsApp");
    assert_eq!(created["webhookUrl"], "https://example.com/webhook");
    let me = app.get_json(&app.admin_key, "/api/auth/me").await;
    assert_eq!(created["userId"], me["id"]);
    let created_at = created["createdAt"].as_str().unwrap();
    assert!(
        created_at.ends_with('Z') && created_at.len() == 24,
        "{created_at}"
    );

    let id = created["id"].as_str().unwrap();
    let status = app.wait_for_status(&app.admin_key, id, "qr").await;
    assert_eq!(
        status,
        json!({"ready": false, "status": "qr", "hasQr": true})
    );
    let qr = app
        .get_json(&app.admin_key, &format!("/api/instances/{id}/qr"))
        .await;
    let code = qr["qrCode"].as_str().unwrap();
    assert!(
        code.starts_with("2@") && code.split(',').count() == 5,
        "{code}"
    );
    let same = app
        .get_json(&app.admin_key, &format!("/api/whatsapp/{id}/qr"))
        .await;
    assert!(same["qrCode"].as_str().unwrap().starts_with("2@"));
}

async fn create_refuses_bad_fields_with_400(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let bad = [
        json!({}),
        json!({"name": ""}),
        json!({"name": "   "}),
        json!({"name": "n".repeat(101)}),
        json!({"name": 42}),
        json!({"name": "x", "webhookUrl": "ftp://example.com/hook"}),
        json!({"name": "x", "webhookUrl": "not a url"}),
        json!({"name": "x", "webhookEnabled": true}),
        json!({"name": "x", "maxRetries": 21}),
        json!({"name": "x", "maxRetries": -1}),
        json!({"name": "x", "retryInterval": 999}),
        json!({"name": "x", "retryInterval": 3_600_001}),
        json!({"name": "x", "unexpected": true}),
    ];
    for body in bad {
        let response = app
            .with_key(&app.admin_key, Method::POST, "/api/instances")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(response, 400).await,
            "validation_error",
            "{body}"
        );
    }
    let list = app.get_json(&app.admin_key, "/api/instances").await;
    assert_eq!(list["instances"], json!([]), "a refused instance was kept");
}
