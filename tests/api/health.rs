use reqwest::Method;

use crate::db_tests;
use crate::helpers::{TestDb, assert_error, json_body, spawn_app};

db_tests!(
    health_reports_the_database_without_auth,
    unknown_route_is_a_json_404,
    wrong_method_is_a_json_405,
    oversized_json_body_is_a_json_413,
);

async fn health_reports_the_database_without_auth(db: TestDb) {
    let app = spawn_app(db).await;
    let response = app.request(Method::GET, "/health").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        json_body(response).await,
        serde_json::json!({"status": "ok", "database": "ok"})
    );
}

async fn unknown_route_is_a_json_404(db: TestDb) {
    let app = spawn_app(db).await;
    // Also inside the instance and WhatsApp scopes, and past a route's end.
    for path in [
        "/api/nothing/here",
        "/api/instances/0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a/nothing",
        "/api/whatsapp/0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a/status/more",
        "/api/whatsapp/0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
    ] {
        let response = app.as_admin(Method::GET, path).send().await.unwrap();
        assert_eq!(
            assert_error(response, 404).await,
            "route_not_found",
            "{path}"
        );
    }
}

async fn wrong_method_is_a_json_405(db: TestDb) {
    let app = spawn_app(db).await;
    for path in [
        "/api/auth/login",
        "/api/whatsapp/0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a/status",
        "/api/instances/0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a/activity",
    ] {
        let response = app.as_admin(Method::DELETE, path).send().await.unwrap();
        let allow = response.headers().get("allow").cloned();
        assert_eq!(
            assert_error(response, 405).await,
            "method_not_allowed",
            "{path}"
        );
        // It names what the route does answer.
        let allow = allow.expect("an Allow header");
        let allow = allow.to_str().unwrap();
        assert!(
            allow == "POST" || allow.contains("GET"),
            "{path}: Allow: {allow}"
        );
    }
}

async fn oversized_json_body_is_a_json_413(db: TestDb) {
    let app = spawn_app(db).await;
    let huge = format!(
        "{{\"email\": \"a@b.c\", \"password\": \"{}\"}}",
        "x".repeat(app.settings.server.json_limit_bytes + 1)
    );
    let response = app
        .request(Method::POST, "/api/auth/login")
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(response, 413).await, "payload_too_large");
}

/// PostgreSQL only: refusing connections to the test database makes /health and
/// every route answer 503 JSON, and allowing them again recovers without a restart.
#[actix_web::test]
async fn health_is_503_while_the_database_is_gone_and_recovers_after() {
    use sea_orm::{ConnectionTrait, Database};
    use std::time::Duration;

    let Some(db) = TestDb::postgres() else { return };
    let app = crate::helpers::spawn_app_with(db, |s| s.database.connect_timeout_secs = 2).await;
    let name = app
        .settings
        .database
        .url
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let admin = Database::connect(std::env::var("TEST_DATABASE_URL").unwrap())
        .await
        .unwrap();
    let set_allowed = |allowed: bool| {
        let admin = &admin;
        let name = name.clone();
        async move {
            admin
                .execute_unprepared(&format!(
                    "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS {allowed}"
                ))
                .await
                .unwrap();
            if !allowed {
                admin
                    .execute_unprepared(&format!(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
                    ))
                    .await
                    .unwrap();
            }
        }
    };
    let app = &app;
    let wait_for = |status: u16| async move {
        for _ in 0..100 {
            let response = app.request(Method::GET, "/health").send().await.unwrap();
            if response.status() == status {
                return json_body(response).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("/health never answered {status}");
    };

    set_allowed(false).await;
    let body = wait_for(503).await;
    assert_eq!(
        body,
        serde_json::json!({"status": "degraded", "database": "unavailable"})
    );
    let me = app
        .as_admin(Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(me, 503).await, "service_unavailable");

    set_allowed(true).await;
    wait_for(200).await;
    let me = app
        .as_admin(Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
}
