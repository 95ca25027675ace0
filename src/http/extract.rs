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
use crate::http::state::AppState;
use crate::net::client_ip::client_ip;

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

/// Whether the request presents a token or a key (a request with none is not a
/// failed guess).
fn has_credentials(headers: &HeaderMap) -> bool {
    headers.contains_key(AUTHORIZATION) || headers.contains_key(API_KEY_HEADER)
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
    let state = req.app_data::<web::Data<AppState>>().cloned();
    if state
        .as_ref()
        .is_some_and(|s| s.routes.is_public(req.path()))
    {
        return next.call(req).await;
    }
    let address = state
        .as_ref()
        .and_then(|state| client_ip(req.request(), &state.app.settings().server.trusted_proxies));
    if let Some(state) = &state
        && has_credentials(req.headers())
    {
        state.limits.credentials_from(address)?;
    }
    let user = match authenticate_request(state.clone(), req.headers()).await {
        Ok(user) => user,
        Err(err) if err.code() == ErrorCode::Unauthorized && has_credentials(req.headers()) => {
            if let Some(state) = &state {
                state.limits.credentials_failed(address)?;
            }
            return Err(err.into());
        }
        Err(err) => return Err(err.into()),
    };
    if let Some(state) = &state {
        state.limits.request(&user.id)?;
    }
    let user_id = user.id.clone();
    req.extensions_mut().insert(user);
    let response = next.call(req).await?;
    // A call forwarded from another node was counted there.
    let forwarded = response
        .request()
        .extensions()
        .get::<crate::http::forward::ForwardedHere>()
        .is_some();
    if let Some(state) = state.filter(|_| !forwarded) {
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

/// A JSON request body: `Content-Type: application/json` (415 otherwise) holding
/// an object (400 otherwise; serde alone would also take a struct written as an
/// array), within `server.json_limit_bytes` (413).
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Json::<Object<T>>::from_request(req, payload);
        Box::pin(async move { body.await.map(|json| Json(json.into_inner().0)) })
    }
}

/// `T`, read only from a JSON object.
struct Object<T>(T);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Object<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectOnly<T>(std::marker::PhantomData<T>);

        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for ObjectOnly<T> {
            type Value = T;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }

        deserializer
            .deserialize_map(ObjectOnly(std::marker::PhantomData))
            .map(Object)
    }
}
