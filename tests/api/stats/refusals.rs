//! Statistics refuse bad periods, strangers and non-admins.

use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{TestDb, assert_error, spawn_sim_app};

db_tests!(statistics_refuse_bad_periods_strangers_and_non_admins);

async fn statistics_refuse_bad_periods_strangers_and_non_admins(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Mine"}))
        .await;
    let user = app
        .create_user("u@example.com", "user-password", "user")
        .await;
    for path in [
        "/api/stats/user?period=today".to_string(),
        "/api/stats/user?period=decade".to_string(),
        format!("/api/stats/instances/{id}?period=year"),
        "/api/stats/system?period=x".to_string(),
    ] {
        let response = app
            .with_key(&app.admin_key, Method::GET, &path)
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(response, 400).await,
            "validation_error",
            "{path}"
        );
    }
    let system = app
        .with_key(&user.api_key, Method::GET, "/api/stats/system")
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(system, 403).await, "forbidden");
    let foreign = app
        .with_key(
            &user.api_key,
            Method::GET,
            &format!("/api/stats/instances/{id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(foreign, 404).await, "instance_not_found");
    let anonymous = app
        .request(Method::GET, "/api/stats/user")
        .send()
        .await
        .unwrap();
    assert_error(anonymous, 401).await;
}
