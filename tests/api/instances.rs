use reqwest::Method;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{TestDb, assert_error, json_body, spawn_sim_app};

db_tests!(
    create_answers_the_contract_shape_and_starts_connecting,
    create_refuses_bad_fields_with_400,
    get_shows_webhook_settings_but_never_the_secret,
    update_changes_fields_and_answers_the_contract_shape,
    list_shows_own_instances_with_their_live_connection_status,
    another_users_instance_is_404_on_every_route,
    admin_sees_and_manages_every_instance,
    delete_makes_the_instance_404_everywhere,
    qr_is_404_with_a_clear_code_when_none_is_pending,
);

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

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
    let me = json_body(
        app.with_key(&app.admin_key, Method::GET, "/api/auth/me")
            .send()
            .await
            .unwrap(),
    )
    .await;
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
    let qr = json_body(
        app.with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/instances/{id}/qr"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    let code = qr["qrCode"].as_str().unwrap();
    assert!(
        code.starts_with("2@") && code.split(',').count() == 5,
        "{code}"
    );
    let same = json_body(
        app.with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/whatsapp/{id}/qr"),
        )
        .send()
        .await
        .unwrap(),
    )
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
    let list = json_body(
        app.with_key(&app.admin_key, Method::GET, "/api/instances")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list["instances"], json!([]), "a refused instance was kept");
}

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
               "notifyRead": true, "maxRetries": 5, "retryInterval": 2000})
    );
    assert_eq!(body["webhookEnabled"], true);
    assert!(body["connectionStatus"]["status"].is_string());
    assert_eq!(body["status"], body["connectionStatus"]["status"]);
}

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
    let got = json_body(
        app.with_key(&app.admin_key, Method::GET, &format!("/api/instances/{id}"))
            .send()
            .await
            .unwrap(),
    )
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
        json!({"webhookEnabled": true}),
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

    let list = json_body(
        app.with_key(&app.admin_key, Method::GET, "/api/instances")
            .send()
            .await
            .unwrap(),
    )
    .await;
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
    let all = json_body(
        app.with_key(&app.admin_key, Method::GET, "/api/instances?all=true")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(all["instances"].as_array().unwrap().len(), 2);
    let forbidden = app
        .with_key(&other.api_key, Method::GET, "/api/instances?all=true")
        .send()
        .await
        .unwrap();
    assert_error(forbidden, 403).await;
}

async fn another_users_instance_is_404_on_every_route(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Admin's"}))
        .await;
    app.wait_for_status(&app.admin_key, &id, "qr").await;
    let stranger = app
        .create_user("stranger@example.com", "stranger-password", "user")
        .await;
    let none = json!({});
    let routes = [
        (Method::GET, format!("/api/instances/{id}"), none.clone()),
        (
            Method::PUT,
            format!("/api/instances/{id}"),
            json!({"name": "mine now"}),
        ),
        (Method::DELETE, format!("/api/instances/{id}"), none.clone()),
        (
            Method::POST,
            format!("/api/instances/{id}/reconnect"),
            none.clone(),
        ),
        (
            Method::POST,
            format!("/api/instances/{id}/logout"),
            none.clone(),
        ),
        (Method::GET, format!("/api/instances/{id}/qr"), none.clone()),
        (
            Method::GET,
            format!("/api/instances/{id}/activity"),
            none.clone(),
        ),
        (
            Method::GET,
            format!("/api/whatsapp/{id}/status"),
            none.clone(),
        ),
        (Method::GET, format!("/api/whatsapp/{id}/qr"), none.clone()),
        (
            Method::POST,
            format!("/api/whatsapp/{id}/logout"),
            none.clone(),
        ),
        (
            Method::POST,
            format!("/api/sim/instances/{id}/scan"),
            json!({"phone": "79001234567"}),
        ),
        (
            Method::POST,
            format!("/api/sim/instances/{id}/fault"),
            json!({"kind": "crash"}),
        ),
    ];
    for (method, path, body) in routes {
        let response = app
            .with_key(&stranger.api_key, method.clone(), &path)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(response, 404).await,
            "instance_not_found",
            "{method} {path}"
        );
        let anonymous = app.request(method.clone(), &path).send().await.unwrap();
        assert_error(anonymous, 401).await;
    }
    let status = app.status(&app.admin_key, &id).await;
    assert_eq!(status["status"], "qr", "the stranger changed the instance");
}

async fn admin_sees_and_manages_every_instance(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let user = app
        .create_user("owner@example.com", "owner-password", "user")
        .await;
    let id = app
        .create_instance(&user.api_key, json!({"name": "Owned"}))
        .await;
    let got = app
        .with_key(&app.admin_key, Method::GET, &format!("/api/instances/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    let status = app.status(&app.admin_key, &id).await;
    assert!(status["status"].is_string());
    let deleted = app
        .with_key(
            &app.admin_key,
            Method::DELETE,
            &format!("/api/instances/{id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
}

async fn delete_makes_the_instance_404_everywhere(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Doomed"}))
        .await;
    app.pair(&app.admin_key, &id, "79001234567", "Ivan").await;
    let response = app
        .with_key(
            &app.admin_key,
            Method::DELETE,
            &format!("/api/instances/{id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_body(response).await,
        json!({"success": true, "message": format!("Instance {id} deleted successfully")})
    );
    for path in [
        format!("/api/instances/{id}"),
        format!("/api/whatsapp/{id}/status"),
        format!("/api/instances/{id}/activity"),
        format!("/api/instances/{id}/qr"),
    ] {
        let response = app
            .with_key(&app.admin_key, Method::GET, &path)
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(response, 404).await,
            "instance_not_found",
            "{path}"
        );
    }
    let again = app
        .with_key(
            &app.admin_key,
            Method::DELETE,
            &format!("/api/instances/{id}"),
        )
        .send()
        .await
        .unwrap();
    assert_error(again, 404).await;
    let list = json_body(
        app.with_key(&app.admin_key, Method::GET, "/api/instances")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list["instances"], json!([]));
    // The phone is free again: another instance can pair with it.
    let next = app
        .create_instance(&app.admin_key, json!({"name": "Next"}))
        .await;
    app.pair(&app.admin_key, &next, "79001234567", "Ivan").await;
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
