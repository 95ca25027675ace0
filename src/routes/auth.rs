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
        _ => return Err(ApiError::Unauthorized(BAD_LOGIN)),
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

pub async fn me(user: AuthUser) -> HttpResponse {
    HttpResponse::Ok().json(Me {
        id: &user.id,
        email: &user.email,
        first_name: &user.first_name,
        last_name: &user.last_name,
    })
}

pub async fn rotate_api_key(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let key = api_key::generate();
    if !db::users::set_api_key(&state.db, &user.id, &key).await? {
        return Err(ApiError::Unauthorized("invalid or expired credentials"));
    }
    state.auth_cache.forget_user(&user.id);
    tracing::info!(user_id = %user.id, "API key rotated");
    Ok(HttpResponse::Ok().json(serde_json::json!({ "apiKey": key })))
}
