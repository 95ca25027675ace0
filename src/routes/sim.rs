//! Control routes of the simulated network (only with `whatsapp.backend = "sim"`):
//! they play the phone that scans, the people who write, and the faults of the network.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::actors::instance::Flush;
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorCode};
use crate::routes::access::{ask, live_instance, visible_instance, webhooks_durable};
use crate::routes::messaging::parse_phone;
use crate::state::AppState;
use crate::whatsapp::sim::{FaultKind, SimError, SimNetwork, SimPayload};
use crate::whatsapp::{MediaInfo, MediaKind};

const MAX_PUSH_NAME_CHARS: usize = 100;

fn network(state: &AppState) -> Result<&SimNetwork, ApiError> {
    state
        .sim
        .as_ref()
        .ok_or_else(|| ApiError::new(ErrorCode::RouteNotFound, "the simulated network is off"))
}

pub fn sim_error(err: SimError) -> ApiError {
    let message = err.to_string();
    match err {
        SimError::NoSession => ApiError::new(ErrorCode::NoSession, message),
        SimError::NoQrPending => ApiError::new(ErrorCode::NoQrPending, message),
        SimError::NotConnected => ApiError::new(ErrorCode::InstanceNotConnected, message),
        SimError::PhoneInUse => ApiError::new(ErrorCode::PhoneInUse, message),
        SimError::AlreadyPaired => ApiError::new(ErrorCode::AlreadyPaired, message),
        SimError::Store(_) => ApiError::unavailable("the session store is unavailable"),
    }
}

pub fn parse_push_name(raw: Option<&str>) -> Result<String, ApiError> {
    let name = raw.unwrap_or_default().trim();
    if name.chars().count() > MAX_PUSH_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ApiError::validation(format!(
            "pushName must be at most {MAX_PUSH_NAME_CHARS} printable characters"
        )));
    }
    Ok(name.to_owned())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scan {
    phone: String,
    push_name: Option<String>,
}

/// A simulated phone scans the instance's pending QR code, linking the instance.
///
/// `phone` becomes the instance's own number; `pushName` (optional, at most 100
/// characters) its display name.
#[utoipa::path(post, path = "/api/sim/instances/{instance_id}/scan", tag = "sim", operation_id = "simScanQr",
    params(("instance_id" = String, Path, description = "Instance id")),
    request_body(content = serde_json::Value, description = "The phone that scans",
        example = json!({"phone": "79001234567", "pushName": "Ivan"})),
    responses(
        (status = 200, description = "Scanned; the instance connects", body = serde_json::Value,
            example = json!({"success": true})),
        (status = 400, description = "Invalid phone or field", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("invalid_phone", "phone must be 5-15 digits with an optional leading +, spaces, dashes or parentheses, or a JID ending in @s.whatsapp.net or @g.us"))),
        (status = 409, description = "No session, no QR pending, already paired, or the phone is linked to another connected instance (`no_session`, `no_qr_pending`, `already_paired`, `phone_in_use`)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("no_qr_pending", "no QR code is waiting to be scanned"))),
    ))]
pub async fn scan(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<Scan>,
) -> Result<HttpResponse, ApiError> {
    let network = network(&state)?;
    let instance = visible_instance(&state, &user, &path).await?;
    let phone = parse_phone(&body.phone)?;
    let push_name = parse_push_name(body.push_name.as_deref())?;
    network
        .scan(&instance.id, &phone, &push_name)
        .await
        .map_err(sim_error)?;
    Ok(HttpResponse::Ok().json(json!({ "success": true })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    kind: FaultKind,
}

/// Inject a network fault into the instance's simulated session.
///
/// `kind`: `disconnect` (the connection drops), `crash` (the session panics) or
/// `logout` (the phone removes this linked device).
#[utoipa::path(post, path = "/api/sim/instances/{instance_id}/fault", tag = "sim", operation_id = "simInjectFault",
    params(("instance_id" = String, Path, description = "Instance id")),
    request_body(content = serde_json::Value, description = "The fault",
        example = json!({"kind": "disconnect"})),
    responses(
        (status = 200, description = "The fault was injected", body = serde_json::Value,
            example = json!({"success": true})),
        (status = 400, description = "Unknown `kind`", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("validation_error", "invalid request body: unknown variant `reboot`, expected one of `disconnect`, `crash`, `logout` at line 1 column 17"))),
        (status = 409, description = "The instance has no running session", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("no_session", "the instance has no running session"))),
    ))]
pub async fn fault(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<Fault>,
) -> Result<HttpResponse, ApiError> {
    let network = network(&state)?;
    let instance = visible_instance(&state, &user, &path).await?;
    network.fault(&instance.id, body.kind).map_err(sim_error)?;
    Ok(HttpResponse::Ok().json(json!({ "success": true })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Inbound {
    from: String,
    #[serde(default)]
    body: String,
    push_name: Option<String>,
    media: Option<InboundMedia>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboundMedia {
    mimetype: String,
    filename: Option<String>,
    /// The bytes, base64.
    data: String,
}

/// Someone writes to the instance; answered once the message is stored.
///
/// Needs `body` or `media` (`{"mimetype", "filename"?, "data": "<base64>"}`), or both;
/// `pushName` is optional. The answer is the WhatsApp id of the received message; its
/// webhook is queued before the answer.
#[utoipa::path(post, path = "/api/sim/instances/{instance_id}/inbound", tag = "sim", operation_id = "simInjectInbound",
    params(("instance_id" = String, Path, description = "Instance id")),
    request_body(content = serde_json::Value, description = "The incoming message",
        example = json!({"from": "79001234567", "body": "Hello! How are you?", "pushName": "Ivan"})),
    responses(
        (status = 200, description = "Received and stored", body = serde_json::Value,
            example = json!({"id": "3EB0A1B2C3D4E5F6A7B8C9"})),
        (status = 400, description = "Invalid `from`, no body nor media, or media data that is not base64", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("validation_error", "an inbound message needs a body or media"))),
        (status = 409, description = "The instance has no session or is not connected (`no_session`, `instance_not_connected`)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("instance_not_connected", "the session is not connected"))),
    ))]
pub async fn inbound(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<Inbound>,
) -> Result<HttpResponse, ApiError> {
    use base64::Engine;
    let network = network(&state)?;
    let addr = live_instance(&state, &user, &path)?;
    let Inbound {
        from,
        body,
        push_name,
        media,
    } = body.into_inner();
    let from = parse_phone(&from)?;
    let push_name = parse_push_name(push_name.as_deref())?;
    let media = media
        .map(|media| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(media.data.as_bytes())
                .map_err(|_| ApiError::validation("media.data must be base64"))?;
            Ok::<_, ApiError>(MediaInfo {
                kind: MediaKind::for_mimetype(&media.mimetype),
                size: bytes.len() as u64,
                mimetype: media.mimetype,
                filename: media.filename,
                bytes: Some(bytes.into()),
            })
        })
        .transpose()?;
    crate::domain::text::check_no_nul("body", &body).map_err(ApiError::validation)?;
    if body.is_empty() && media.is_none() {
        return Err(ApiError::validation(
            "an inbound message needs a body or media",
        ));
    }
    let id = network
        .inject_inbound(&path, &from, &push_name, SimPayload { body, media })
        .map_err(sim_error)?;
    ask(&state, &addr, Flush).await?;
    webhooks_durable(&state).await?;
    Ok(HttpResponse::Ok().json(json!({ "id": id })))
}
