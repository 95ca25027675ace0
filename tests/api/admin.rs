mod password_change;
mod user_deletion;

use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{ADMIN_EMAIL, TestDb, assert_error, json_body, spawn_app};

db_tests!(
    admin_creates_a_user_who_can_log_in_with_the_returned_key,
    creating_a_user_with_a_taken_email_is_409,
    creating_a_user_with_bad_fields_is_400,
    user_on_admin_routes_is_403,
    admin_lists_users_with_pagination,
    admin_updates_names_role_and_password,
    deactivated_user_is_401_with_old_token_and_key,
    deleted_user_is_401_with_old_token_and_key,
    admins_cannot_demote_deactivate_or_delete_themselves,
    unknown_user_is_404,
    bootstrap_admin_is_created_once_and_not_duplicated_on_restart,
);

async fn admin_creates_a_user_who_can_log_in_with_the_returned_key(db: TestDb) {
    let app = spawn_app(db).await;
    let response = app
        .as_admin(Method::POST, "/api/admin/users")
        .json(
            &json!({"email": "Ann@Example.com", "password": "ann-password",
                      "firstName": "Ann", "lastName": "Lee", "role": "user"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let user = json_body(response).await;
    assert_eq!(user["email"], "ann@example.com");
    assert_eq!(user["role"], "user");
    assert_eq!(user["active"], true);
    assert!(user.get("password").is_none() && user.get("passwordHash").is_none());
    let key = user["apiKey"].as_str().unwrap();
    let me = app
        .with_key(key, Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_body(me).await,
        json!({"id": user["id"], "email": "ann@example.com", "firstName": "Ann", "lastName": "Lee", "role": "user"})
    );
    let login = app.login("ann@example.com", "ann-password").await;
    assert_eq!(login.status(), 200);
}

async fn creating_a_user_with_a_taken_email_is_409(db: TestDb) {
    let app = spawn_app(db).await;
    app.create_user("bob@example.com", "bob-password", "user")
        .await;
    let response = app
        .as_admin(Method::POST, "/api/admin/users")
        .json(&json!({"email": "BOB@example.com", "password": "other-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(response, 409).await, "email_taken");
}

async fn creating_a_user_with_bad_fields_is_400(db: TestDb) {
    let app = spawn_app(db).await;
    let bad = [
        json!({"email": "not-an-email", "password": "long-enough"}),
        json!({"email": "c@example.com", "password": "short"}),
        json!({"email": "c@example.com", "password": "long-enough", "role": "root"}),
        json!({"email": "c@example.com", "password": "long-enough", "firstName": "x".repeat(101)}),
        json!({"email": "c@example.com", "password": "long-enough", "isAdmin": true}),
        json!({"password": "long-enough"}),
    ];
    for body in bad {
        let response = app
            .as_admin(Method::POST, "/api/admin/users")
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
}

async fn user_on_admin_routes_is_403(db: TestDb) {
    let app = spawn_app(db).await;
    let user = app
        .create_user("eve@example.com", "eve-password", "user")
        .await;
    let routes = [
        (Method::POST, "/api/admin/users".to_owned()),
        (Method::GET, "/api/admin/users".to_owned()),
        (Method::PATCH, format!("/api/admin/users/{}", user.id)),
        (Method::DELETE, format!("/api/admin/users/{}", user.id)),
    ];
    for (method, path) in routes {
        let response = app
            .with_key(&user.api_key, method.clone(), &path)
            .json(&json!({"email": "x@example.com", "password": "long-enough"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(response, 403).await,
            "forbidden",
            "{method} {path}"
        );
        let anonymous = app.request(method.clone(), &path).send().await.unwrap();
        assert_eq!(
            assert_error(anonymous, 401).await,
            "unauthorized",
            "{method} {path}"
        );
    }
}

async fn admin_lists_users_with_pagination(db: TestDb) {
    let app = spawn_app(db).await;
    for n in 0..3 {
        app.create_user(&format!("u{n}@example.com"), "user-password", "user")
            .await;
    }
    let response = app
        .as_admin(Method::GET, "/api/admin/users?limit=2&skip=1")
        .send()
        .await
        .unwrap();
    let body = json_body(response).await;
    let users = body["users"].as_array().unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(users[0]["email"], "u0@example.com");
    assert!(users.iter().all(|u| u.get("apiKey").is_none()));
    assert_eq!(
        body["pagination"],
        json!({"total": 4, "limit": 2, "skip": 1, "hasMore": true})
    );
    let bad = app
        .as_admin(Method::GET, "/api/admin/users?limit=-1")
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(bad, 400).await, "validation_error");
    let bad = app
        .as_admin(Method::GET, "/api/admin/users?limit=abc")
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(bad, 400).await, "invalid_query");
}

async fn admin_updates_names_role_and_password(db: TestDb) {
    let app = spawn_app(db).await;
    let user = app
        .create_user("dan@example.com", "dan-password", "user")
        .await;
    let response = app
        .as_admin(Method::PATCH, &format!("/api/admin/users/{}", user.id))
        .json(&json!({"firstName": "Daniel", "role": "admin", "password": "new-dan-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let updated = json_body(response).await;
    assert_eq!(updated["firstName"], "Daniel");
    assert_eq!(updated["lastName"], "User");
    assert_eq!(updated["role"], "admin");
    assert_eq!(
        app.login("dan@example.com", "dan-password").await.status(),
        401
    );
    assert_eq!(
        app.login("dan@example.com", "new-dan-password")
            .await
            .status(),
        200
    );
    let now_admin = app
        .with_key(&user.api_key, Method::GET, "/api/admin/users")
        .send()
        .await
        .unwrap();
    assert_eq!(now_admin.status(), 200);
    let bad = app
        .as_admin(Method::PATCH, &format!("/api/admin/users/{}", user.id))
        .json(&json!({"email": "new@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(bad, 400).await, "validation_error");
}

async fn deactivated_user_is_401_with_old_token_and_key(db: TestDb) {
    let app = spawn_app(db).await;
    let user = app
        .create_user("fay@example.com", "fay-password", "user")
        .await;
    let login = json_body(app.login("fay@example.com", "fay-password").await).await;
    let token = login["token"].as_str().unwrap().to_owned();
    let response = app
        .as_admin(Method::PATCH, &format!("/api/admin/users/{}", user.id))
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body(response).await["active"], false);
    let by_token = app
        .request(Method::GET, "/api/auth/me")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_error(by_token, 401).await;
    let by_key = app
        .with_key(&user.api_key, Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    assert_error(by_key, 401).await;
    assert_eq!(
        app.login("fay@example.com", "fay-password").await.status(),
        401
    );
}

async fn deleted_user_is_401_with_old_token_and_key(db: TestDb) {
    let app = spawn_app(db).await;
    let user = app
        .create_user("gus@example.com", "gus-password", "user")
        .await;
    let login = json_body(app.login("gus@example.com", "gus-password").await).await;
    let token = login["token"].as_str().unwrap().to_owned();
    let response = app
        .as_admin(Method::DELETE, &format!("/api/admin/users/{}", user.id))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_body(response).await,
        json!({"success": true, "message": format!("User {} deleted successfully", user.id)})
    );
    let by_token = app
        .request(Method::GET, "/api/auth/me")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_error(by_token, 401).await;
    let by_key = app
        .with_key(&user.api_key, Method::GET, "/api/auth/me")
        .send()
        .await
        .unwrap();
    assert_error(by_key, 401).await;
}

async fn admins_cannot_demote_deactivate_or_delete_themselves(db: TestDb) {
    let app = spawn_app(db).await;
    let me = json_body(
        app.as_admin(Method::GET, "/api/auth/me")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let path = format!("/api/admin/users/{}", me["id"].as_str().unwrap());
    // Alone, or with another administrator: nobody locks themselves out.
    let second = app
        .create_user("second@example.com", "second-password", "admin")
        .await;
    for body in [json!({"role": "user"}), json!({"active": false})] {
        let response = app
            .as_admin(Method::PATCH, &path)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(assert_error(response, 409).await, "self_lockout");
    }
    let response = app.as_admin(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(assert_error(response, 409).await, "self_lockout");
    let still_admin = app
        .as_admin(Method::GET, "/api/admin/users")
        .send()
        .await
        .unwrap();
    assert_eq!(still_admin.status(), 200, "nothing was changed");
    let response = app
        .as_admin(Method::PATCH, &path)
        .json(&json!({"firstName": "Still", "password": "a-new-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "other changes to oneself are fine");
    // Another administrator may demote them; then they are an administrator no more.
    let response = app
        .with_key(&second.api_key, Method::PATCH, &path)
        .json(&json!({"role": "user"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // By key: their new password revoked the login token they had.
    let response = app
        .with_key(&app.admin_key, Method::GET, "/api/admin/users")
        .send()
        .await
        .unwrap();
    assert_error(response, 403).await;
}

async fn unknown_user_is_404(db: TestDb) {
    let app = spawn_app(db).await;
    let response = app
        .as_admin(Method::PATCH, "/api/admin/users/no-such-user")
        .json(&json!({"firstName": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(response, 404).await, "user_not_found");
}

async fn bootstrap_admin_is_created_once_and_not_duplicated_on_restart(db: TestDb) {
    let mut app = spawn_app(db).await;
    app.restart().await;
    app.restart().await;
    let body = json_body(
        app.as_admin(Method::GET, "/api/admin/users")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let admins: Vec<_> = body["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["email"] == ADMIN_EMAIL)
        .collect();
    assert_eq!(admins.len(), 1);
    assert_eq!(admins[0]["role"], "admin");
    assert_eq!(body["pagination"]["total"], 1);
}
