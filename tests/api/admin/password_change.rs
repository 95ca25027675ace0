//! A password change revokes the user's earlier login tokens; the API key goes
//! too only when the administrator asks for a new one.

use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{TestApp, TestDb, json_body, spawn_app};

db_tests!(a_password_change_revokes_earlier_tokens_and_can_rotate_the_key);

async fn me_by_token(app: &TestApp, token: &str) -> u16 {
    app.request(Method::GET, "/api/auth/me")
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn me_by_key(app: &TestApp, key: &str) -> u16 {
    app.with_key(key, Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn token(app: &TestApp, email: &str, password: &str) -> String {
    let login = app.login(email, password).await;
    assert_eq!(login.status(), 200, "login of {email}");
    json_body(login).await["token"].as_str().unwrap().to_owned()
}

async fn a_password_change_revokes_earlier_tokens_and_can_rotate_the_key(db: TestDb) {
    let app = spawn_app(db).await;
    let user = app
        .create_user("joe@example.com", "joe-password", "user")
        .await;
    let first = token(&app, "joe@example.com", "joe-password").await;
    // Used once, so the server has it cached when the password changes.
    assert_eq!(me_by_token(&app, &first).await, 200);

    let changed = app
        .as_admin(Method::PATCH, &format!("/api/admin/users/{}", user.id))
        .json(&json!({"password": "joe-new-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert!(json_body(changed).await.get("apiKey").is_none());
    assert_eq!(me_by_token(&app, &first).await, 401, "earlier token");
    assert_eq!(me_by_key(&app, &user.api_key).await, 200, "key kept");
    let second = token(&app, "joe@example.com", "joe-new-password").await;
    assert_eq!(me_by_token(&app, &second).await, 200, "new token");
    assert_eq!(me_by_token(&app, &first).await, 401, "earlier token, again");

    let rotated = app
        .as_admin(Method::PATCH, &format!("/api/admin/users/{}", user.id))
        .json(&json!({"password": "joe-third-password", "rotateApiKey": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(rotated.status(), 200);
    let new_key = json_body(rotated).await["apiKey"]
        .as_str()
        .expect("the new key, shown once")
        .to_owned();
    assert_ne!(new_key, user.api_key);
    assert_eq!(me_by_key(&app, &user.api_key).await, 401, "old key");
    assert_eq!(me_by_key(&app, &new_key).await, 200, "new key");
    assert_eq!(
        me_by_token(&app, &second).await,
        401,
        "token of the second password"
    );
    let third = token(&app, "joe@example.com", "joe-third-password").await;
    assert_eq!(me_by_token(&app, &third).await, 200);
    // Changing only a name revokes nothing.
    let renamed = app
        .as_admin(Method::PATCH, &format!("/api/admin/users/{}", user.id))
        .json(&json!({"firstName": "Joseph"}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), 200);
    assert_eq!(me_by_token(&app, &third).await, 200);
    assert_eq!(me_by_key(&app, &new_key).await, 200);
}
