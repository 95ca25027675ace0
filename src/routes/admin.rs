//! User management for administrators.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::app::answers::Done;
use crate::app::users::{NewUser, UserUpdate, UserView};
use crate::domain::fields::{EmailAddress, NewPassword, PersonName};
use crate::domain::user::Role;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::{AdminUser, Json};
use crate::routes::pagination::{Page, PageSize, Pagination};

pub const USERS_PAGE: PageSize = PageSize {
    default: 100,
    max: 1000,
};
use crate::http::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateUserRequest {
    email: EmailAddress,
    password: NewPassword,
    #[serde(default)]
    first_name: PersonName,
    #[serde(default)]
    last_name: PersonName,
    #[serde(default)]
    role: Option<Role>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateUserRequest {
    first_name: Option<PersonName>,
    last_name: Option<PersonName>,
    role: Option<Role>,
    active: Option<bool>,
    password: Option<NewPassword>,
    /// `true`: a new API key now, in the answer (shown this once); the old key stops working.
    rotate_api_key: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<i64>,
    skip: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct UserPage {
    users: Vec<UserView>,
    pagination: Pagination,
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
#[utoipa::path(tag = "admin", operation_id = "createUser",
    request_body(content = CreateUserRequest, description = "The new user",
        example = json!({"email": "ivan.petrov@example.com", "password": "Str0ng-passw0rd", "firstName": "Ivan", "lastName": "Petrov", "role": "user"})),
    responses(
        (status = 201, description = "Created, with the user's API key", body = UserView,
            example = json!(created_user_example())),
        (status = 400, description = "A field is missing or invalid", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "password must be at least 8 characters"))),
        (status = 409, description = "A user with this email already exists", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::EmailTaken, "a user with this email already exists"))),
    ))]
#[post("/api/admin/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    _admin: AdminUser,
    body: Json<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let new = NewUser {
        email: body.email.parse()?,
        password: body.password.parse()?,
        first_name: body.first_name.parse("firstName")?,
        last_name: body.last_name.parse("lastName")?,
        role: body.role.unwrap_or(Role::User),
    };
    let user = state.app.users().create(new).await?;
    Ok(HttpResponse::Created().json(user))
}

/// List all users (administrators only), oldest first, without their API keys.
#[utoipa::path(tag = "admin", operation_id = "listUsers",
    params(
        ("limit" = Option<i64>, Query, description = "Users per page, 1 to 1000 (default 100)"),
        ("skip" = Option<i64>, Query, description = "Users to skip (default 0)"),
    ),
    responses(
        (status = 200, description = "A page of users", body = UserPage,
            example = json!({
                "users": [user_example()],
                "pagination": {"total": 20, "limit": 100, "skip": 0, "hasMore": false}
            })),
        (status = 400, description = "`limit` or `skip` out of range, or an unknown query parameter", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "limit must be between 1 and 1000"))),
    ))]
#[get("/api/admin/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = Page::parse(query.limit, query.skip, USERS_PAGE)?;
    let (users, total) = state.app.users().list(page.limit, page.skip).await?;
    Ok(HttpResponse::Ok().json(UserPage {
        users,
        pagination: Pagination::new(total, page),
    }))
}

/// Change a user (administrators only); every field is optional.
///
/// Fields: `firstName`, `lastName`, `role` (`user` or `admin`), `active`, `password`
/// (at least 8 characters), `rotateApiKey`. Deactivated users can no longer log in or
/// use their key.
///
/// A new `password` revokes every login token (JWT) the user was issued before it: they
/// answer 401 at once, on every node, and the user logs in again with the new password.
/// The API key is not changed by a password change; `rotateApiKey: true` (with a new
/// password or alone) replaces it in the same step: the old key answers 401 at once and
/// the answer carries the new `apiKey`, shown this once.
#[utoipa::path(tag = "admin", operation_id = "updateUser",
    params(("user_id" = String, Path, description = "User id (UUID)")),
    request_body(content = UpdateUserRequest, description = "The fields to change",
        example = json!({"firstName": "Ivan", "lastName": "Petrov", "active": true, "password": "N3w-passw0rd", "rotateApiKey": true})),
    responses(
        (status = 200, description = "The updated user; with its new `apiKey` only when `rotateApiKey` was true", body = UserView,
            example = json!(created_user_example())),
        (status = 400, description = "A field is invalid or unknown", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "role must be \"user\" or \"admin\""))),
        (status = 404, description = "No such user", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::UserNotFound, "user not found"))),
        (status = 409, description = "Administrators cannot demote, deactivate or delete themselves", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::SelfLockout, "administrators cannot demote, deactivate or delete themselves; another administrator can"))),
    ))]
#[patch("/api/admin/users/{user_id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    admin: AdminUser,
    path: web::Path<String>,
    body: Json<UpdateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let update = UserUpdate {
        first_name: body.first_name.map(|n| n.parse("firstName")).transpose()?,
        last_name: body.last_name.map(|n| n.parse("lastName")).transpose()?,
        role: body.role,
        active: body.active,
        password: body.password.map(|p| p.parse()).transpose()?,
        rotate_api_key: body.rotate_api_key.unwrap_or(false),
    };
    let user = state.app.users().update(&admin.0, &path, update).await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Delete a user and everything they run (administrators only).
///
/// One step: first every instance of the user is deleted as `DELETE /api/instances/{id}`
/// deletes one (gone for the API at once, its actor stopped, its WhatsApp session ended
/// and its stored session keys wiped, no event of it sent to a webhook any more), the
/// webhook deliveries still waiting for those instances are dropped, and then the user
/// is deleted: their login tokens and API key answer 401 at once. The database deletes
/// the instance rows with the user (a foreign key), so no instance can outlive its owner.
#[utoipa::path(tag = "admin", operation_id = "deleteUser",
    params(("user_id" = String, Path, description = "User id (UUID)")),
    responses(
        (status = 200, description = "Deleted", body = Done,
            example = json!({"success": true, "message": "User 0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a deleted successfully"})),
        (status = 404, description = "No such user", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::UserNotFound, "user not found"))),
        (status = 409, description = "Administrators cannot demote, deactivate or delete themselves", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::SelfLockout, "administrators cannot demote, deactivate or delete themselves; another administrator can"))),
    ))]
#[delete("/api/admin/users/{user_id}")]
pub async fn delete_user(
    state: web::Data<AppState>,
    admin: AdminUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user_id = state.app.users().delete(&admin.0, &path).await?;
    Ok(HttpResponse::Ok().json(Done::new(format!("User {user_id} deleted successfully"))))
}
