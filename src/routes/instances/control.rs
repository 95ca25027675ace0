//! Acting on a live instance: reconnect, logout, QR, status, activity log.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::answers::{Done, Success};
use crate::app::instances::{
    ActivityAction, ActivityEntry, ActivityQuery as ActivityFilter, ConnectionStatus,
};
use crate::domain::fields::PersonPhone;
use crate::domain::user::AuthUser;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::Json;
use crate::routes::input;
use crate::routes::pagination::{Page, PageSize, Pagination};

pub const ACTIVITY_PAGE: PageSize = PageSize {
    default: 100,
    max: 1000,
};

/// What `format` the QR route renders.
pub const QR_FORMATS: [&str; 3] = ["json", "png", "svg"];
use crate::http::state::AppState;

/// Drop the instance's WhatsApp session and connect again.
///
/// Also restarts an instance that is `failed` or `logged_out`.
#[utoipa::path(tag = "instances", operation_id = "reconnectInstance",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    responses(
        (status = 200, description = "Reconnecting", body = Done,
            example = json!({"success": true, "message": "Instance 0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a reconnected"})),
    ))]
#[post("/reconnect")]
pub async fn reconnect(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.app.instances().reconnect(&user, &path).await?;
    Ok(HttpResponse::Ok().json(Done::new(format!("Instance {} reconnected", path.as_str()))))
}

/// Log the instance's WhatsApp session out.
///
/// The linked device is removed and the session wiped; the instance does not reconnect
/// by itself (use reconnect to link it again with a new QR code).
#[utoipa::path(tag = "instances", operation_id = "logoutInstance",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    responses(
        (status = 200, description = "Logged out", body = Done,
            example = json!({"success": true, "message": "Instance 0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a logged out"})),
    ))]
#[post("/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.app.instances().logout(&user, &path).await?;
    Ok(HttpResponse::Ok().json(Done::new(format!("Instance {} logged out", path.as_str()))))
}

/// Log the instance's WhatsApp session out (WhatsApp API).
///
/// `POST /api/whatsapp/{id}/logout`: the same, in the WhatsApp API's shape.
#[utoipa::path(tag = "whatsapp", operation_id = "whatsappLogout",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    responses(
        (status = 200, description = "Logged out", body = Success,
            example = json!({"success": true})),
    ))]
#[post("/logout")]
pub async fn whatsapp_logout(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.app.instances().logout(&user, &path).await?;
    Ok(HttpResponse::Ok().json(Success::OK))
}

/// One entry of the activity log.
#[derive(Serialize, ToSchema)]
pub struct ActivityPage {
    logs: Vec<ActivityEntry>,
    pagination: Pagination,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PairingCode {
    /// Eight characters, shown as `ABCD-EFGH`.
    pairing_code: String,
}

/// The QR code's raw string, as a QR generator encodes it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QrCode {
    qr_code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrQuery {
    format: Option<String>,
}

/// Get the QR code to scan with WhatsApp (Linked devices) to link the instance.
///
/// Available while the status is `qr` (`hasQr` true). The code changes while the
/// instance waits (WhatsApp rotates it), so fetch it again rather than caching it.
#[utoipa::path(tag = "instances", operation_id = "getInstanceQr",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("format" = Option<String>, Query, description = "json (default), png or svg"),
    ),
    responses(
        (status = 200, description = "The pending QR code: JSON with the raw string a QR generator encodes (not base64 image data), or the rendered image with `format=png` / `format=svg`", content(
            (QrCode = "application/json", example = json!({"qrCode": "2@Xk3PqM8fQm0dR5bTzA9cVw1yLh7nE2sJ4uG6oI8pK0aB,Zt9RfV2xWq4Lm6Nk8Pj0Hg3Ds5Ya7Uc1Ie9Ob2Kx4M=,dGhpcy1pcy1hLWRldmljZS1pZA==,cHViLWtleQ=="})),
            (Vec<u8> = "image/png"),
            (String = "image/svg+xml"))),
        (status = 400, description = "`format` is not json, png or svg (`validation_error`), or an unknown query parameter (`invalid_query`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "format must be json, png or svg"))),
        (status = 404, description = "No QR code is pending: the instance is connected, connecting or resting (`qr_not_available`); or no such instance for this user (`instance_not_found`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::QrNotAvailable, "no QR code is pending: the instance is connected, connecting or resting"))),
    ))]
#[get("/qr")]
pub async fn instance_qr(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<QrQuery>,
) -> Result<HttpResponse, ApiError> {
    render_qr(&state, &user, &path, query.format.as_deref()).await
}

/// `GET /api/whatsapp/{id}/qr`, the same as the instance route; documented as its
/// alias (`openapi::WhatsappAliases`).
pub async fn whatsapp_qr(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<QrQuery>,
) -> Result<HttpResponse, ApiError> {
    render_qr(&state, &user, &path, query.format.as_deref()).await
}

/// The pending QR code as JSON (the raw string), PNG or SVG.
async fn render_qr(
    state: &AppState,
    user: &AuthUser,
    instance_id: &str,
    format: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let format = format.unwrap_or("json");
    if !QR_FORMATS.contains(&format) {
        return Err(ApiError::validation("format must be json, png or svg"));
    }
    let code = state.app.instances().qr(user, instance_id).await?;
    Ok(match format {
        // Rendering and compressing the image is CPU work: off the async workers.
        "png" => HttpResponse::Ok().content_type("image/png").body(
            web::block(move || crate::qr::png(&code))
                .await
                .map_err(|e| ApiError::internal(anyhow::anyhow!("QR rendering: {e}")))??,
        ),
        "svg" => HttpResponse::Ok()
            .content_type("image/svg+xml")
            .body(crate::qr::svg(&code)?),
        _ => HttpResponse::Ok().json(QrCode { qr_code: code }),
    })
}

/// Get the instance's live connection status (WhatsApp API).
///
/// `status` is one of `connecting`, `qr`, `connected`, `disconnected`, `logged_out`,
/// `failed`; `ready` is true only when `connected`, `hasQr` only when a QR code is pending.
#[utoipa::path(tag = "whatsapp", operation_id = "whatsappStatus",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    responses(
        (status = 200, description = "The connection status", body = ConnectionStatus,
            example = json!({"ready": true, "status": "connected", "hasQr": false})),
    ))]
#[get("/status")]
pub async fn status(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.app.instances().status(&user, &path)?))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActivityQuery {
    limit: Option<i64>,
    skip: Option<i64>,
    actions: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
}

/// The action names of the `actions` filter, comma-separated; an unknown or
/// empty one is refused, not ignored. `actions=` is no filter.
fn activity_actions(raw: Option<&str>) -> Result<Vec<ActivityAction>, ApiError> {
    let mut actions = Vec::new();
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        return Ok(actions);
    }
    for name in raw.split(',') {
        let action = ActivityAction::parse(name).ok_or_else(|| {
            ApiError::validation(format!(
                "actions: {} is not an activity action",
                crate::http::request_log::loggable(name)
            ))
        })?;
        if !actions.contains(&action) {
            actions.push(action);
        }
    }
    Ok(actions)
}

/// List the instance's activity log, newest first.
///
/// Filter by `actions` (comma-separated, e.g. `instance_created,connection_opened`) and
/// by time with `startDate` / `endDate` (ISO 8601 date or date-time). `details` depends
/// on the action.
#[utoipa::path(tag = "instances", operation_id = "listInstanceActivity",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("limit" = Option<i64>, Query, description = "Entries per page, 1 to 1000 (default 100)"),
        ("skip" = Option<i64>, Query, description = "Entries to skip (default 0)"),
        ("actions" = Option<String>, Query, description = "Comma-separated action types to keep, e.g. `instance_created,connection_opened`; each one of: instance_created, instance_updated, instance_deleted, connecting, qr_received, qr_expired, qr_timeout, pairing_code, paired, connection_opened, connection_closed, session_restarted, supervisor_gave_up, session_replaced, temporarily_banned, client_outdated, media_download_failed, history_imported, session_imported, session_file_kept, logged_out, reconnect_requested, webhook_failed"),
        ("startDate" = Option<String>, Query, description = "Only entries at or after this ISO 8601 date or date-time, e.g. `2026-11-01` or `2026-11-01T00:00:00Z`"),
        ("endDate" = Option<String>, Query, description = "Only entries at or before this ISO 8601 date or date-time"),
    ),
    responses(
        (status = 200, description = "A page of activity entries", body = ActivityPage,
            example = json!({
                "logs": [{
                    "id": "0193a0c3-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
                    "instanceId": "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
                    "action": "instance_created",
                    "details": {},
                    "createdAt": "2026-11-25T18:03:12.345Z"
                }],
                "pagination": {"total": 150, "limit": 100, "skip": 0, "hasMore": true}
            })),
        (status = 400, description = "`limit`, `skip`, a date or an action is invalid or unknown (`validation_error`), or an unknown or malformed query parameter (`invalid_query`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "startDate must be an ISO 8601 date or date-time"))),
    ))]
#[get("/activity")]
pub async fn activity(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<ActivityQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = Page::parse(query.limit, query.skip, ACTIVITY_PAGE)?;
    let actions = activity_actions(query.actions.as_deref())?;
    let filter = ActivityFilter {
        actions,
        start: input::date("startDate", query.start_date.as_deref())?,
        end: input::date("endDate", query.end_date.as_deref())?,
    };
    let (logs, total) = state
        .app
        .instances()
        .activity(&user, &path, &filter, page.limit, page.skip)
        .await?;
    Ok(HttpResponse::Ok().json(ActivityPage {
        logs,
        pagination: Pagination::new(total, page),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairingCodeRequest {
    phone: PersonPhone,
}

/// Link the instance by phone number instead of scanning a QR code.
///
/// Pairing by phone number: `{"pairingCode": "ABCD-EFGH"}` to type on that phone.
/// Works while the instance waits to be linked (status `qr`); on the phone: WhatsApp,
/// Linked devices, Link with phone number. Asking again gives a new code and
/// retires the earlier one: entering the earlier code then links nothing.
#[utoipa::path(tag = "instances", operation_id = "requestPairingCode",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    request_body(content = PairingCodeRequest, description = "The phone number of the WhatsApp account to link (digits, optional leading +)",
        example = json!({"phone": "79001234567"})),
    responses(
        (status = 200, description = "The code to type on the phone", body = PairingCode,
            example = json!({"pairingCode": "ABCD-EFGH"})),
        (status = 400, description = "`phone` is not a valid phone number (`invalid_phone`), or the body is invalid (`validation_error`, `invalid_json`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InvalidPhone, "phone must be 5-15 digits with an optional leading +, spaces, dashes or parentheses, or a JID ending in @s.whatsapp.net, @lid or @g.us"))),
        (status = 409, description = "The instance is not waiting to be linked (already connected, connecting, logged out, ...), or its session ended before WhatsApp answered", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InstanceNotPairable, "the instance is connected: a pairing code needs a session waiting to be linked (status qr)"))),
        (status = 502, description = "WhatsApp refused to issue a pairing code", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::PairingRefused, "pairing code refused: rate limited, try again later"))),
    ))]
#[post("/pairing-code")]
pub async fn pairing_code(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<PairingCodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let phone = body.phone.parse()?;
    let code = state
        .app
        .instances()
        .pairing_code(&user, &path, phone)
        .await?;
    Ok(HttpResponse::Ok().json(PairingCode { pairing_code: code }))
}
