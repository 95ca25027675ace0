//! Updating an instance: changed fields and the contract shape.

use reqwest::Method;
use serde_json::{Value, json};

use super::keys;
use crate::db_tests;
use crate::helpers::{TestDb, assert_error, json_body, spawn_sim_app};

db_tests!(update_changes_fields_and_answers_the_contract_shape);

async fn update_changes_fields_and_answers_the_contract_shape(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Old"}))
        .await;
    let response = app
        .with_key(&app.admin_key, Method::PUT, &format!("/api/instances/{id}"))
        .json(
            &json!({"name": "New WhatsApp name", "description": "Updated description",
                      "webhookUrl": "https://new-example.com/webhook", "webhookEnabled": true,
                      "webhookSettings": {"notifyReceived": true, "notifySent": false,
                          "notifyDelivery": true, "notifyRead": true, "maxRetries": 5,
                          "retryInterval": 30000, "secret": "new-secret-key"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(!text.contains("new-secret-key"));
    let updated: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        keys(&updated),
        [
            "description",
            "id",
            "name",
            "updatedAt",
            "webhookEnabled",
            "webhookUrl"
        ]
    );
    assert_eq!(updated["name"], "New WhatsApp name");
    let got = app
        .get_json(&app.admin_key, &format!("/api/instances/{id}"))
        .await;
    assert_eq!(got["description"], "Updated description");
    assert_eq!(got["webhookSettings"]["notifySent"], false);
    assert_eq!(got["webhookSettings"]["retryInterval"], 30000);

    let cleared = app
        .with_key(&app.admin_key, Method::PUT, &format!("/api/instances/{id}"))
        .json(&json!({"webhookUrl": null, "webhookEnabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body(cleared).await["webhookUrl"], Value::Null);

    for bad in [
        json!({"name": ""}),
        json!({"webhookSettings": {"maxRetries": 99}}),
        json!({"webhookSettings": {"bogus": 1}}),
        json!({"status": "connected"}),
    ] {
        let response = app
            .with_key(&app.admin_key, Method::PUT, &format!("/api/instances/{id}"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(response, 400).await,
            "validation_error",
            "{bad}"
        );
    }
    // No URL stored: turning webhooks on conflicts with the instance's state.
    let no_url = app
        .with_key(&app.admin_key, Method::PUT, &format!("/api/instances/{id}"))
        .json(&json!({"webhookEnabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(no_url, 409).await, "webhook_url_required");
    let log = app.activity(&app.admin_key, &id).await;
    let update = log
        .iter()
        .find(|l| l["action"] == "instance_updated")
        .unwrap();
    assert!(
        update["details"]["fields"]
            .as_array()
            .unwrap()
            .contains(&json!("secret"))
    );
    assert!(!update.to_string().contains("new-secret-key"));
}
