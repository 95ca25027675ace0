//! `AuthUser`: the caller, from `Authorization: Bearer <jwt>` or `x-api-key`.
//! Every authenticated route takes it; `AdminUser` also demands the admin role.
//!
//! The `require_auth` middleware authenticates before any extractor runs, so a
//! caller without credentials gets 401 even when their body is malformed too
//! (actix polls a handler's extractors concurrently).

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{AUTHORIZATION, HeaderMap};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use crate::app::users::Credential;
use crate::domain::user::AuthUser;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

pub const API_KEY_HEADER: &str = "x-api-key";

fn credential(headers: &HeaderMap) -> Result<Credential, ApiError> {
    if let Some(value) = headers.get(AUTHORIZATION) {
        let value = value.to_str().map_err(|_| invalid())?;
        let (scheme, token) = value.split_once(' ').ok_or_else(invalid)?;
        if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
            return Err(invalid());
        }
        return Ok(Credential::Bearer(token.trim().to_owned()));
    }
    match headers.get(API_KEY_HEADER) {
        Some(value) => {
            let key = value.to_str().map_err(|_| invalid())?.trim();
            if key.is_empty() {
                return Err(invalid());
            }
            Ok(Credential::ApiKey(key.to_owned()))
        }
        None => Err(ApiError::unauthorized(
            "authentication required: send Authorization: Bearer <token> or x-api-key",
        )),
    }
}

fn invalid() -> ApiError {
    ApiError::unauthorized("invalid or expired credentials")
}

fn authenticate_request(
    state: Option<web::Data<AppState>>,
    headers: &HeaderMap,
) -> impl Future<Output = Result<AuthUser, ApiError>> + 'static {
    let credential = credential(headers);
    async move {
        let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState missing")))?;
        state.app.users().authenticate(credential?).await
    }
}

/// Middleware of the whole app: a request is authenticated before anything else
/// is looked at (401 first, even when its body is malformed too, or the route does
/// not exist), unless its path is public. It runs before routing, so it decides by
/// the path alone: the public routes all have fixed paths.
/// Afterwards the call is counted for the statistics: for the user, and for the
/// instance when it was one of its routes and the caller could see it.
pub async fn require_auth(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if crate::routes::is_public_path(req.path()) {
        return next.call(req).await;
    }
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let user = authenticate_request(state.clone(), req.headers()).await?;
    if let Some(state) = &state {
        state.limits.request(&user.id)?;
    }
    let user_id = user.id.clone();
    req.extensions_mut().insert(user);
    let response = next.call(req).await?;
    if let Some(state) = state {
        let instance_id = instance_of_route(&response);
        state
            .app
            .stats()
            .record_api_call(&user_id, instance_id.as_deref());
    }
    Ok(response)
}

/// The instance an instance route was about, unless the caller could not see it.
fn instance_of_route<B>(response: &ServiceResponse<B>) -> Option<String> {
    let request = response.request();
    let path = request.path();
    if !(path.starts_with("/api/instances/") || path.starts_with("/api/whatsapp/")) {
        return None;
    }
    let hidden = response
        .response()
        .extensions()
        .get::<ErrorCode>()
        .is_some_and(|code| *code == ErrorCode::InstanceNotFound);
    if hidden {
        return None;
    }
    request.match_info().get("instance_id").map(str::to_owned)
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(user) = req.extensions().get::<AuthUser>().cloned() {
            return Box::pin(std::future::ready(Ok(user)));
        }
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(authenticate_request(state, req.headers()))
    }
}

/// An authenticated administrator; anyone else gets 403.
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

impl FromRequest for AdminUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move {
            let user = user.await?;
            if !user.is_admin() {
                return Err(ApiError::forbidden("administrator role required"));
            }
            Ok(AdminUser(user))
        })
    }
}
