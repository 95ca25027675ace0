//! User management for administrators.

use actix_web::{HttpResponse, web};
use entity::users::Model as User;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::auth::{AdminUser, api_key, password};
use crate::db;
use crate::db::users::{NewUser, UserChanges};
use crate::domain::time::iso_millis;
use crate::domain::user::{Email, Password, Role, parse_name};
use crate::error::{ApiError, ErrorCode};
use crate::routes::pagination::{Page, Pagination};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateUserRequest {
    email: String,
    password: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    role: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateUserRequest {
    first_name: Option<String>,
    last_name: Option<String>,
    role: Option<String>,
    active: Option<bool>,
    password: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<i64>,
    skip: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserView {
    id: String,
    email: String,
    first_name: String,
    last_name: String,
    role: String,
    active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_key: Option<String>,
    created_at: String,
    updated_at: String,
}

impl UserView {
    fn new(user: User, with_api_key: bool) -> Self {
        Self {
            api_key: with_api_key.then_some(user.api_key),
            id: user.id,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            role: user.role,
            active: user.active,
            created_at: iso_millis(user.created_at),
            updated_at: iso_millis(user.updated_at),
        }
    }
}

fn field<T>(name: &str, parsed: Result<T, String>) -> Result<T, ApiError> {
    parsed.map_err(|problem| ApiError::validation(format!("{name} {problem}")))
}

fn optional<T>(
    name: &str,
    raw: Option<&str>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<T>, ApiError> {
    raw.map(|raw| field(name, parse(raw))).transpose()
}

/// A user as the admin routes show it (documented examples).
fn user_example() -> Value {
    json!({
        "id": "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
        "email": "ivan.petrov@example.com",
        "firstName": "Ivan",
        "lastName": "Petrov",
        "role": "user",
        "active": true,
        "createdAt": "2026-11-25T18:03:12.345Z",
        "updatedAt": "2026-11-25T18:03:12.345Z"
    })
}

/// A new user: shown once with the API key.
fn created_user_example() -> Value {
    let mut user = user_example();
    user["apiKey"] = json!("wmx_Q2hhbmdlTWVJbnRvQVJlYWxLZXlPZjMyUmFuZG9tQnl0ZXM");
    user
}

/// Create a user (administrators only).
///
/// `firstName`, `lastName` (default empty) and `role` (`user` (default) or `admin`) are
/// optional; the password needs at least 8 characters. The answer holds the new
/// user's API key.
#[utoipa::path(post, path = "/api/admin/users", tag = "admin", operation_id = "createUser",
    request_body(content = serde_json::Value, description = "The new user",
        example = json!({"email": "ivan.petrov@example.com", "password": "Str0ng-passw0rd", "firstName": "Ivan", "lastName": "Petrov", "role": "user"})),
    responses(
        (status = 201, description = "Created, with the user's API key", body = serde_json::Value,
            example = json!(created_user_example())),
        (status = 400, description = "A field is missing or invalid", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("validation_error", "password must be at least 8 characters"))),
        (status = 403, description = "The caller is not an administrator", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("forbidden", "administrator role required"))),
        (status = 409, description = "A user with this email already exists", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("email_taken", "a user with this email already exists"))),
    ))]
pub async fn create_user(
    state: web::Data<AppState>,
    _admin: AdminUser,
    body: web::Json<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let email = field("email", Email::parse(&body.email))?;
    let password = field("password", Password::parse(&body.password))?;
    let first_name = field("firstName", parse_name(&body.first_name))?;
    let last_name = field("lastName", parse_name(&body.last_name))?;
    let role = field("role", Role::parse(body.role.as_deref().unwrap_or("user")))?;
    if db::users::find_by_email(&state.db, email.as_str())
        .await?
        .is_some()
    {
        return Err(email_taken());
    }
    let new = NewUser {
        email: email.into_inner(),
        password_hash: password::hash(password).await?,
        first_name,
        last_name,
        role,
        api_key: api_key::generate(),
    };
    let user = match db::users::insert(&state.db, new).await {
        Ok(user) => user,
        Err(err) if db::is_unique_violation(&err) => return Err(email_taken()),
        Err(err) => return Err(err.into()),
    };
    tracing::info!(user_id = %user.id, role = %user.role, "user created");
    Ok(HttpResponse::Created().json(UserView::new(user, true)))
}

fn email_taken() -> ApiError {
    ApiError::new(
        ErrorCode::EmailTaken,
        "a user with this email already exists",
    )
}

/// List all users (administrators only), oldest first, without their API keys.
#[utoipa::path(get, path = "/api/admin/users", tag = "admin", operation_id = "listUsers",
    params(
        ("limit" = Option<i64>, Query, description = "Users per page, 1 to 1000 (default 100)"),
        ("skip" = Option<i64>, Query, description = "Users to skip (default 0)"),
    ),
    responses(
        (status = 200, description = "A page of users", body = serde_json::Value,
            example = json!({
                "users": [user_example()],
                "pagination": {"total": 20, "limit": 100, "skip": 0, "hasMore": false}
            })),
        (status = 400, description = "`limit` or `skip` out of range, or an unknown query parameter", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("validation_error", "limit must be between 1 and 1000"))),
        (status = 403, description = "The caller is not an administrator", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("forbidden", "administrator role required"))),
    ))]
pub async fn list_users(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = Page::parse(query.limit, query.skip, 100, 1000)?;
    let (users, total) = db::users::list(&state.db, page.limit, page.skip).await?;
    let users: Vec<UserView> = users.into_iter().map(|u| UserView::new(u, false)).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "users": users,
        "pagination": Pagination::new(total, page),
    })))
}

async fn existing_user(state: &AppState, user_id: &str) -> Result<User, ApiError> {
    if !crate::domain::text::is_uuid(user_id) {
        return Err(ApiError::new(ErrorCode::UserNotFound, "user not found"));
    }
    db::users::find_by_id(&state.db, user_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::UserNotFound, "user not found"))
}

/// Refuses a change that would leave no active administrator to manage the server.
async fn keep_an_admin(state: &AppState, user: &User) -> Result<(), ApiError> {
    if user.role == Role::Admin.as_str()
        && user.active
        && db::users::count_other_active_admins(&state.db, &user.id).await? == 0
    {
        return Err(ApiError::new(
            ErrorCode::LastAdmin,
            "this is the last active administrator",
        ));
    }
    Ok(())
}

/// Change a user (administrators only); every field is optional.
///
/// Fields: `firstName`, `lastName`, `role` (`user` or `admin`), `active`, `password`
/// (at least 8 characters). Deactivated users can no longer log in or use their key.
#[utoipa::path(patch, path = "/api/admin/users/{user_id}", tag = "admin", operation_id = "updateUser",
    params(("user_id" = String, Path, description = "User id (UUID)")),
    request_body(content = serde_json::Value, description = "The fields to change",
        example = json!({"firstName": "Ivan", "lastName": "Petrov", "active": true})),
    responses(
        (status = 200, description = "The updated user (without API key)", body = serde_json::Value,
            example = json!(user_example())),
        (status = 400, description = "A field is invalid or unknown", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("validation_error", "role must be \"user\" or \"admin\""))),
        (status = 403, description = "The caller is not an administrator", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("forbidden", "administrator role required"))),
        (status = 404, description = "No such user", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("user_not_found", "user not found"))),
        (status = 409, description = "The change would leave no active administrator", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("last_admin", "this is the last active administrator"))),
    ))]
pub async fn update_user(
    state: web::Data<AppState>,
    _admin: AdminUser,
    path: web::Path<String>,
    body: web::Json<UpdateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let new_password = body
        .password
        .as_deref()
        .map(|raw| field("password", Password::parse(raw)))
        .transpose()?;
    let mut changes = UserChanges {
        first_name: optional("firstName", body.first_name.as_deref(), parse_name)?,
        last_name: optional("lastName", body.last_name.as_deref(), parse_name)?,
        role: optional("role", body.role.as_deref(), Role::parse)?,
        active: body.active,
        password_hash: None,
    };
    let user = existing_user(&state, &path).await?;
    if changes.role == Some(Role::User) || changes.active == Some(false) {
        keep_an_admin(&state, &user).await?;
    }
    if let Some(new_password) = new_password {
        changes.password_hash = Some(password::hash(new_password).await?);
    }
    let user = db::users::update(&state.db, user, changes).await?;
    state.auth_cache.forget_user(&user.id);
    tracing::info!(user_id = %user.id, "user updated");
    Ok(HttpResponse::Ok().json(UserView::new(user, false)))
}

/// Delete a user (administrators only).
#[utoipa::path(delete, path = "/api/admin/users/{user_id}", tag = "admin", operation_id = "deleteUser",
    params(("user_id" = String, Path, description = "User id (UUID)")),
    responses(
        (status = 200, description = "Deleted", body = serde_json::Value,
            example = json!({"success": true, "message": "User 0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a deleted successfully"})),
        (status = 403, description = "The caller is not an administrator", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("forbidden", "administrator role required"))),
        (status = 404, description = "No such user", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("user_not_found", "user not found"))),
        (status = 409, description = "The change would leave no active administrator", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("last_admin", "this is the last active administrator"))),
    ))]
pub async fn delete_user(
    state: web::Data<AppState>,
    _admin: AdminUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = existing_user(&state, &path).await?;
    keep_an_admin(&state, &user).await?;
    db::users::delete(&state.db, &user.id).await?;
    state.auth_cache.forget_user(&user.id);
    tracing::info!(user_id = %user.id, "user deleted");
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "success": true,
        "message": format!("User {} deleted successfully", user.id),
    })))
}
