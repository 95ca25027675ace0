//! Logging in, the current user and API keys.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::user::{AuthUser, Role};
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::Json;
use crate::http::state::AppState;
use crate::net::client_ip::client_ip;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "admin@localhost", "password": "your-password"}))]
pub struct LoginRequest {
    email: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoggedIn {
    /// For `Authorization: Bearer <token>`.
    token: String,
    user: LoginUser,
}

/// The user who logged in, with the API key for `x-api-key`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginUser {
    id: String,
    email: String,
    first_name: String,
    last_name: String,
    api_key: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    id: String,
    email: String,
    first_name: String,
    last_name: String,
    /// `user` or `admin` (the console shows administrators their pages).
    role: Role,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewApiKey {
    api_key: String,
}

/// Log in with email and password.
///
/// Returns a JWT for `Authorization: Bearer <token>` (lifetime `auth.jwt_ttl_secs`) and the
/// user with their API key (for `x-api-key`). Attempts are rate limited per address and email.
#[utoipa::path(tag = "auth", operation_id = "login", security(),
    request_body(content = LoginRequest, description = "The user's email and password",
        example = json!({"email": "admin@localhost", "password": "your-password"})),
    responses(
        (status = 200, description = "Logged in: a JWT and the user", body = LoggedIn,
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
        (status = 400, description = "Body is not `{email, password}` (missing or unknown field)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "invalid request body: missing field `password` at line 1 column 28"))),
        (status = 401, description = "Wrong email or password, or the user is deactivated", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::Unauthorized, "invalid email or password"))),
        (status = 429, description = "Too many login attempts from this address or for this email; see `Retry-After`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::RateLimited, "too many requests, retry in 12 s"))),
    ))]
#[post("/api/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body.into_inner();
    let address = client_ip(&req, &state.app.settings().server.trusted_proxies);
    state.limits.login(address, &email)?;
    let (token, user) = state.app.users().login(&email, password).await?;
    Ok(HttpResponse::Ok().json(LoggedIn {
        token,
        user: LoginUser {
            id: user.id,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            api_key: user.api_key.unwrap_or_default(),
        },
    }))
}

/// The authenticated user.
#[utoipa::path(tag = "auth", operation_id = "getCurrentUser",
    responses(
        (status = 200, description = "The caller", body = Me,
            example = json!({
                "id": "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
                "email": "user@example.com",
                "firstName": "John",
                "lastName": "Doe",
                "role": "user"
            })),
    ))]
#[get("/api/auth/me")]
pub async fn me(user: AuthUser) -> HttpResponse {
    HttpResponse::Ok().json(Me {
        id: user.id,
        email: user.email,
        first_name: user.first_name,
        last_name: user.last_name,
        role: user.role,
    })
}

/// Replace the caller's API key with a new one.
///
/// The old key stops working (on other servers sharing the database within
/// `auth.cache_ttl_secs`); login tokens stay valid.
#[utoipa::path(tag = "auth", operation_id = "rotateApiKey",
    responses(
        (status = 200, description = "The new API key", body = NewApiKey,
            example = json!({"apiKey": "wmx_Q2hhbmdlTWVJbnRvQVJlYWxLZXlPZjMyUmFuZG9tQnl0ZXM"})),
    ))]
#[post("/api/auth/api-key/rotate")]
pub async fn rotate_api_key(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let key = state.app.users().rotate_api_key(&user).await?;
    Ok(HttpResponse::Ok().json(NewApiKey { api_key: key }))
}
