//! Ownership: another user's instance is 404, the admin sees and manages all.

use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{TestDb, assert_error, spawn_sim_app};

db_tests!(
    another_users_instance_is_404_on_every_route,
    admin_sees_and_manages_every_instance
);

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
