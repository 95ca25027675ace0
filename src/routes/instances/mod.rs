//! Instance management: create, list, read, update, delete.

mod body;
pub mod control;

use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;

use crate::app::answers::Done;
use crate::app::instances as instance_views;
use crate::domain::user::AuthUser;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::Json;
use crate::http::state::AppState;
pub use body::{CreateInstance, UpdateInstance};

/// Create an instance and start connecting it to WhatsApp.
///
/// Only `name` is required. A `webhookUrl` turns webhooks on unless `webhookEnabled` says
/// otherwise; `webhookEnabled: true` needs a `webhookUrl`. Defaults: `notifyReceived` and
/// `notifySent` true, `notifyDelivery`, `notifyRead` and `notifyPresence` (typing and online
/// states) false, `notifyGroups` (group members and settings) true, `maxRetries` 3 (0 to 20),
/// `retryInterval` 60000 ms (1000 to 3600000). The secret, if any, signs deliveries and is
/// never returned. Follow the connection with `GET /api/instances/{instance_id}/qr`.
#[utoipa::path(tag = "instances", operation_id = "createInstance",
    request_body(content = CreateInstance, description = "The new instance and its webhook settings",
        example = json!({
            "name": "Sales",
            "description": "Sales team account",
            "webhookUrl": "https://hooks.example.com/wamux",
            "webhookEnabled": true,
            "notifyReceived": true,
            "notifySent": true,
            "notifyDelivery": false,
            "notifyRead": false,
            "notifyPresence": false,
            "notifyGroups": true,
            "maxRetries": 3,
            "retryInterval": 60000,
            "webhookSecret": "s3cr3t-signing-key"
        })),
    responses(
        (status = 201, description = "Created; the instance starts connecting", body = instance_views::Created,
            example = json!({
                "id": "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
                "name": "Sales",
                "description": "Sales team account",
                "userId": "0193a0b8-2c4d-7e1f-8a3b-5c6d7e8f9a0b",
                "status": "connecting",
                "webhookUrl": "https://hooks.example.com/wamux",
                "webhookEnabled": true,
                "createdAt": "2026-11-25T18:03:12.345Z",
                "updatedAt": "2026-11-25T18:03:12.345Z"
            })),
        (status = 400, description = "A field is missing, invalid or unknown (`validation_error`), the body is not JSON (`invalid_json`), or `webhookUrl` points at a private, loopback or link-local address (`webhook_url_not_allowed`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "name must be 1-100 characters"))),
        (status = 503, description = "The database or the instance supervisor did not answer; try again", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ServiceUnavailable, "the instance did not answer in time; try again"))),
    ))]
#[post("/api/instances")]
pub async fn create_instance(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CreateInstance>,
) -> Result<HttpResponse, ApiError> {
    let valid = body.into_inner().validate()?;
    let instance = state.app.instances().create(&user, valid).await?;
    Ok(HttpResponse::Created().json(instance))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Administrators: `true` lists every user's instances.
    all: Option<bool>,
}

/// List the caller's instances with their live connection status.
///
/// Administrators may pass `all=true` to list every user's instances. Items do not
/// carry `webhookSettings` (see `GET /api/instances/{instance_id}`).
#[utoipa::path(tag = "instances", operation_id = "listInstances",
    params(("all" = Option<bool>, Query, description = "Administrators only: `true` lists every user's instances (default false)")),
    responses(
        (status = 200, description = "The instances, oldest first", body = instance_views::InstanceList,
            example = json!({
                "instances": [{
                    "id": "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
                    "name": "Sales",
                    "description": "Sales team account",
                    "status": "connected",
                    "webhookUrl": null,
                    "webhookEnabled": false,
                    "createdAt": "2026-11-25T18:03:12.345Z",
                    "updatedAt": "2026-11-25T18:03:12.345Z",
                    "connectionStatus": {"ready": true, "status": "connected", "hasQr": false}
                }]
            })),
        (status = 400, description = "Unknown or malformed query parameter", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InvalidQuery, "invalid query string: unknown field `page`, expected `all`"))),
        (status = 403, description = "`all=true` from a caller who is not an administrator", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::Forbidden, "only administrators may list all instances"))),
    ))]
#[get("/api/instances")]
pub async fn list_instances(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let all = query.all == Some(true);
    let instances = state.app.instances().list(&user, all).await?;
    Ok(HttpResponse::Ok().json(instances))
}

/// Get one instance, with its live connection status and webhook settings.
///
/// The webhook secret is never returned.
#[utoipa::path(tag = "instances", operation_id = "getInstance",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    responses(
        (status = 200, description = "The instance", body = instance_views::ListItem,
            example = json!({
                "id": "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
                "name": "Sales",
                "description": "Sales team account",
                "status": "qr",
                "webhookUrl": null,
                "webhookEnabled": false,
                "createdAt": "2026-11-25T18:03:12.345Z",
                "updatedAt": "2026-11-25T18:03:12.345Z",
                "connectionStatus": {"ready": false, "status": "qr", "hasQr": true},
                "webhookSettings": {
                    "notifyReceived": true,
                    "notifySent": true,
                    "notifyDelivery": false,
                    "notifyRead": false,
                    "notifyPresence": false,
                    "notifyGroups": true,
                    "maxRetries": 3,
                    "retryInterval": 60000
                }
            })),
    ))]
#[get("")]
pub async fn get_instance(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let found = state.app.instances().get(&user, &path).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Update an instance's name, description or webhook settings.
///
/// Every field is optional; only those present change. `webhookUrl: null` (or `""`)
/// removes the URL, which needs `webhookEnabled` false. Inside `webhookSettings`:
/// `notifyReceived`, `notifySent`, `notifyDelivery`, `notifyRead`, `notifyPresence`, `notifyGroups`, `maxRetries` (0 to
/// 20), `retryInterval` (ms, 1000 to 3600000) and `secret` (`null` removes it).
#[utoipa::path(tag = "instances", operation_id = "updateInstance",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    request_body(content = UpdateInstance, description = "The fields to change",
        example = json!({
            "name": "Sales EU",
            "description": "Sales team, European numbers",
            "webhookUrl": "https://hooks.example.com/wamux/sales",
            "webhookEnabled": true,
            "webhookSettings": {
                "notifyReceived": true,
                "notifySent": false,
                "notifyDelivery": true,
                "notifyRead": true,
                "notifyPresence": false,
                "notifyGroups": true,
                "maxRetries": 5,
                "retryInterval": 30000,
                "secret": "n3w-signing-key"
            }
        })),
    responses(
        (status = 200, description = "The updated instance", body = instance_views::Updated,
            example = json!({
                "id": "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
                "name": "Sales EU",
                "description": "Sales team, European numbers",
                "webhookUrl": "https://hooks.example.com/wamux/sales",
                "webhookEnabled": true,
                "updatedAt": "2026-11-26T09:14:02.118Z"
            })),
        (status = 400, description = "A field is invalid or unknown (`validation_error`), the body is not JSON (`invalid_json`), or `webhookUrl` points at a private, loopback or link-local address (`webhook_url_not_allowed`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "maxRetries must be between 0 and 20"))),
        (status = 409, description = "The update would leave webhooks on with no `webhookUrl`, given what the instance has stored (`webhook_url_required`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::WebhookUrlRequired, "webhooks would be on with no webhookUrl: send a webhookUrl, or webhookEnabled false"))),
    ))]
#[put("")]
pub async fn update_instance(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<UpdateInstance>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_inner().validate()?;
    let instance = state.app.instances().update(&user, &path, patch).await?;
    Ok(HttpResponse::Ok().json(instance))
}

/// Delete an instance: its WhatsApp session is closed and wiped.
///
/// The instance disappears from the API at once; its session is closed in the background.
#[utoipa::path(tag = "instances", operation_id = "deleteInstance",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    responses(
        (status = 200, description = "Deleted", body = Done,
            example = json!({"success": true, "message": "Instance 0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a deleted successfully"})),
        (status = 503, description = "The instance supervisor is not running", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ServiceUnavailable, "the supervisor is not running"))),
    ))]
#[delete("")]
pub async fn delete_instance(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let instance_id = state.app.instances().delete(&user, &path).await?;
    Ok(HttpResponse::Ok().json(Done::new(format!(
        "Instance {instance_id} deleted successfully"
    ))))
}
