use std::time::{Duration, Instant};

use jsonwebtoken::{EncodingKey, Header};
use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET, TestDb, assert_error, json_body, spawn_app,
};

db_tests!(
    login_returns_a_token_and_the_user_with_its_api_key,
    login_token_works_on_me,
    api_key_works_on_me,
    wrong_password_and_unknown_email_get_the_same_401,
    unknown_email_costs_as_much_time_as_a_wrong_password,
    malformed_empty_and_incomplete_login_bodies_get_400_json,
    me_without_credentials_is_401,
    expired_token_is_401,
    token_signed_with_another_secret_is_401,
    alg_none_token_is_401,
    garbage_authorization_headers_are_401,
    unknown_api_key_is_401,
    rotating_the_api_key_stops_the_old_one_at_once,
    tokens_survive_a_restart,
);

async fn login_returns_a_token_and_the_user_with_its_api_key(db: TestDb) {
    let app = spawn_app(db).await;
    let body = json_body(app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await).await;
    assert_eq!(
        body["token"].as_str().map(|t| t.split('.').count()),
        Some(3)
    );
    let user = &body["user"];
    assert_eq!(user["email"], ADMIN_EMAIL);
    assert!(user["id"].is_string());
    assert!(user["firstName"].is_string());
    assert!(user["lastName"].is_string());
    assert_eq!(user["apiKey"], app.admin_key);
    assert!(user.get("password").is_none() && user.get("passwordHash").is_none());
}

async fn login_token_works_on_me(db: TestDb) {
    let app = spawn_app(db).await;
    let response = app
        .as_admin(Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let me = json_body(response).await;
    assert_eq!(me["email"], ADMIN_EMAIL);
    let mut keys: Vec<_> = me.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["email", "firstName", "id", "lastName", "role"]);
    assert_eq!(me["role"], "admin");
}

async fn api_key_works_on_me(db: TestDb) {
    let app = spawn_app(db).await;
    let response = app
        .with_key(&app.admin_key, Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(json_body(response).await["email"], ADMIN_EMAIL);
}

async fn wrong_password_and_unknown_email_get_the_same_401(db: TestDb) {
    let app = spawn_app(db).await;
    let wrong = app.login(ADMIN_EMAIL, "not-the-password").await;
    assert_eq!(wrong.status(), 401);
    let wrong = json_body(wrong).await;
    let unknown = app.login("nobody@example.com", "not-the-password").await;
    assert_eq!(unknown.status(), 401);
    assert_eq!(json_body(unknown).await, wrong);
}

async fn unknown_email_costs_as_much_time_as_a_wrong_password(db: TestDb) {
    let app = spawn_app(db).await;
    let mut wrong = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        app.login(ADMIN_EMAIL, "not-the-password").await;
        wrong.push(started.elapsed());
        let started = Instant::now();
        app.login("nobody@example.com", "not-the-password").await;
        unknown.push(started.elapsed());
    }
    wrong.sort();
    unknown.sort();
    // Same order of magnitude: without the decoy hash an unknown email answers
    // dozens of times faster than a wrong password.
    assert!(
        unknown[1] * 5 >= wrong[1],
        "unknown email {:?} vs wrong password {:?}",
        unknown[1],
        wrong[1]
    );
}

async fn malformed_empty_and_incomplete_login_bodies_get_400_json(db: TestDb) {
    let app = spawn_app(db).await;
    let cases: [(&str, &str); 5] = [
        ("{\"email\": ", "invalid_json"),
        ("", "invalid_json"),
        ("{\"email\": \"a@b.c\"}", "validation_error"),
        ("{\"email\": 5, \"password\": \"x\"}", "validation_error"),
        ("[1, 2]", "validation_error"),
    ];
    for (body, code) in cases {
        let response = app
            .request(Method::POST, "/api/auth/login")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(assert_error(response, 400).await, code, "body {body:?}");
    }
}

async fn me_without_credentials_is_401(db: TestDb) {
    let app = spawn_app(db).await;
    let response = app
        .request(Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(response, 401).await, "unauthorized");
}

fn sign(claims: serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn admin_id(app: &crate::helpers::TestApp) -> String {
    let me = app
        .as_admin(Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    json_body(me).await["id"].as_str().unwrap().to_owned()
}

async fn expired_token_is_401(db: TestDb) {
    let app = spawn_app(db).await;
    let now = chrono::Utc::now().timestamp();
    let token = sign(
        json!({"sub": admin_id(&app).await, "iat": now - 7200, "exp": now - 3600}),
        JWT_SECRET,
    );
    let response = app
        .request(Method::GET, "/api/auth/me")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_error(response, 401).await;
}

async fn token_signed_with_another_secret_is_401(db: TestDb) {
    let app = spawn_app(db).await;
    let now = chrono::Utc::now().timestamp();
    let token = sign(
        json!({"sub": admin_id(&app).await, "iat": now, "exp": now + 3600}),
        "some-other-secret-some-other-secret",
    );
    let response = app
        .request(Method::GET, "/api/auth/me")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_error(response, 401).await;
}

async fn alg_none_token_is_401(db: TestDb) {
    use base64::Engine;
    let app = spawn_app(db).await;
    let b64 = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let now = chrono::Utc::now().timestamp();
    let token = format!(
        "{}.{}.",
        b64(json!({"alg": "none", "typ": "JWT"})),
        b64(json!({"sub": admin_id(&app).await, "iat": now, "exp": now + 3600}))
    );
    let response = app
        .request(Method::GET, "/api/auth/me")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_error(response, 401).await;
}

async fn garbage_authorization_headers_are_401(db: TestDb) {
    let app = spawn_app(db).await;
    for header in [
        "Bearer",
        "Bearer ",
        "Bearer not.a.jwt",
        "Basic YWRtaW46cGFzcw==",
        "garbage",
    ] {
        let response = app
            .request(Method::GET, "/api/auth/me")
            .header("authorization", header)
            .send()
            .await
            .unwrap();
        assert_error(response, 401).await;
    }
}

async fn unknown_api_key_is_401(db: TestDb) {
    let app = spawn_app(db).await;
    let response = app
        .with_key("wmx_not-a-real-key", Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    assert_error(response, 401).await;
}

async fn rotating_the_api_key_stops_the_old_one_at_once(db: TestDb) {
    let app = spawn_app(db).await;
    let response = app
        .with_key(&app.admin_key, Method::POST, "/api/auth/api-key/rotate")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let new_key = json_body(response).await["apiKey"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_key, app.admin_key);
    assert!(new_key.len() >= 43);
    let old = app
        .with_key(&app.admin_key, Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    assert_error(old, 401).await;
    let new = app
        .with_key(&new_key, Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    assert_eq!(new.status(), 200);
    let login = json_body(app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await).await;
    assert_eq!(login["user"]["apiKey"], new_key.as_str());
}

async fn tokens_survive_a_restart(db: TestDb) {
    let mut app = spawn_app(db).await;
    app.restart().await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    let response = app
        .as_admin(Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
