use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::auth::{AuthUser, api_key, password};
use crate::db;
use crate::domain::user::Email;
use crate::error::ApiError;
use crate::net::client_ip::client_ip;
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    email: String,
    password: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoginUser {
    id: String,
    email: String,
    first_name: String,
    last_name: String,
    api_key: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Me<'a> {
    id: &'a str,
    email: &'a str,
    first_name: &'a str,
    last_name: &'a str,
}

const BAD_LOGIN: &str = "invalid email or password";

/// Log in with email and password.
///
/// Returns a JWT for `Authorization: Bearer <token>` (lifetime `auth.jwt_ttl_secs`) and the
/// user with their API key (for `x-api-key`). Attempts are rate limited per address and email.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", operation_id = "login",
    request_body(content = serde_json::Value, description = "The user's email and password",
        example = json!({"email": "admin@localhost", "password": "your-password"})),
    responses(
        (status = 200, description = "Logged in: a JWT and the user", body = serde_json::Value,
            example = json!({
                "token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTkzYTBjMi02ZjFlLTdjM2ItOWEyZC00YjhmMmUxZDBjNWEifQ.c2lnbmF0dXJl",
                "user": {
                    "id": "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
                    "email": "admin@localhost",
                    "firstName": "John",
                    "lastName": "Doe",
                    "apiKey": "wmx_Q2hhbmdlTWVJbnRvQVJlYWxLZXlPZjMyUmFuZG9tQnl0ZXM"
                }
            })),
        (status = 400, description = "Body is not `{email, password}` (missing or unknown field)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("validation_error", "invalid request body: missing field `password` at line 1 column 28"))),
        (status = 401, description = "Wrong email or password, or the user is deactivated", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("unauthorized", "invalid email or password"))),
        (status = 429, description = "Too many login attempts from this address or for this email; see `Retry-After`", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("rate_limited", "too many requests, retry in 12 s"))),
    ))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body.into_inner();
    let address = client_ip(&req, &state.settings.server.trusted_proxies);
    state.limits.login(address, &email)?;
    let user = match Email::parse(&email) {
        Ok(email) => db::users::find_by_email(&state.db, email.as_str()).await?,
        Err(_) => None,
    };
    // Unknown emails are verified against a decoy hash so both failures take as long.
    let hash = user.as_ref().map_or_else(
        || state.decoy_password_hash.clone(),
        |u| u.password_hash.clone(),
    );
    let password_ok = password::verify(password, hash).await?;
    let user = match user {
        Some(user) if password_ok && user.active => user,
        _ => return Err(ApiError::unauthorized(BAD_LOGIN)),
    };
    let token = state.jwt.issue(&user.id).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "token": token,
        "user": LoginUser {
            id: user.id,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            api_key: user.api_key,
        },
    })))
}

/// The authenticated user.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", operation_id = "getCurrentUser",
    responses(
        (status = 200, description = "The caller", body = serde_json::Value,
            example = json!({
                "id": "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
                "email": "user@example.com",
                "firstName": "John",
                "lastName": "Doe"
            })),
    ))]
pub async fn me(user: AuthUser) -> HttpResponse {
    HttpResponse::Ok().json(Me {
        id: &user.id,
        email: &user.email,
        first_name: &user.first_name,
        last_name: &user.last_name,
    })
}

/// Replace the caller's API key with a new one.
///
/// The old key stops working (on other servers sharing the database within
/// `auth.cache_ttl_secs`); login tokens stay valid.
#[utoipa::path(post, path = "/api/auth/api-key/rotate", tag = "auth", operation_id = "rotateApiKey",
    responses(
        (status = 200, description = "The new API key", body = serde_json::Value,
            example = json!({"apiKey": "wmx_Q2hhbmdlTWVJbnRvQVJlYWxLZXlPZjMyUmFuZG9tQnl0ZXM"})),
    ))]
pub async fn rotate_api_key(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let key = api_key::generate();
    if !db::users::set_api_key(&state.db, &user.id, &key).await? {
        return Err(ApiError::unauthorized("invalid or expired credentials"));
    }
    state.auth_cache.forget_user(&user.id);
    tracing::info!(user_id = %user.id, "API key rotated");
    Ok(HttpResponse::Ok().json(serde_json::json!({ "apiKey": key })))
}
