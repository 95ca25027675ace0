//! Deleting an instance makes it 404 everywhere.

use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{TestDb, assert_error, json_body, spawn_sim_app};

db_tests!(delete_makes_the_instance_404_everywhere);

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
    let list = app.get_json(&app.admin_key, "/api/instances").await;
    assert_eq!(list["instances"], json!([]));
    // The phone is free again: another instance can pair with it.
    let next = app
        .create_instance(&app.admin_key, json!({"name": "Next"}))
        .await;
    app.pair(&app.admin_key, &next, "79001234567", "Ivan").await;
}
