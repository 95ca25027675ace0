//! User management for administrators.

use actix_web::{HttpResponse, web};
use entity::users::Model as User;
use serde::{Deserialize, Serialize};

use crate::auth::{AdminUser, api_key, password};
use crate::db;
use crate::db::users::{NewUser, UserChanges};
use crate::domain::time::iso_millis;
use crate::domain::user::{Email, Password, Role, parse_name};
use crate::error::ApiError;
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
    ApiError::conflict("email_taken", "a user with this email already exists")
}

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
        return Err(ApiError::not_found("user_not_found", "user not found"));
    }
    db::users::find_by_id(&state.db, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("user_not_found", "user not found"))
}

/// Refuses a change that would leave no active administrator to manage the server.
async fn keep_an_admin(state: &AppState, user: &User) -> Result<(), ApiError> {
    if user.role == Role::Admin.as_str()
        && user.active
        && db::users::count_other_active_admins(&state.db, &user.id).await? == 0
    {
        return Err(ApiError::conflict(
            "last_admin",
            "this is the last active administrator",
        ));
    }
    Ok(())
}

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
