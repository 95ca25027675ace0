//! Instance management: create, list, read, update, delete.

mod body;
pub mod control;
mod view;

use actix_web::{HttpResponse, web};
use entity::instances::ActiveModel;
use sea_orm::{IntoActiveModel, Set};
use serde::Deserialize;
use serde_json::json;

use crate::actors::supervisor::{StartInstance, StopInstance};
use crate::actors::webhook::SettingsChanged;
use crate::auth::AuthUser;
use crate::db;
use crate::db::instances::{NewInstance, WebhookSettings};
use crate::db::recorder::WriteOp;
use crate::domain::time::now_millis;
use crate::error::{ApiError, ErrorCode};
use crate::net::guard::{self, TargetError};
use crate::routes::access::{ask, instance_not_found, live_status, visible_instance};
use crate::state::AppState;
pub use body::{CreateInstance, UpdateInstance};

/// Refuses webhook URLs on private, loopback or link-local addresses, unless allowed.
/// A name that does not resolve now is accepted: deliveries retry, and check again.
async fn check_webhook_target(state: &AppState, url: Option<&str>) -> Result<(), ApiError> {
    let Some(url) = url.filter(|_| !state.settings.webhooks.allow_private_targets) else {
        return Ok(());
    };
    let (_, host, port) =
        guard::http_target(url).map_err(|e| ApiError::validation(format!("webhookUrl: {e}")))?;
    match guard::resolve(&host, port, false).await {
        Err(TargetError::Private) => Err(ApiError::new(
            ErrorCode::WebhookUrlNotAllowed,
            "webhookUrl points at a private, loopback or link-local address",
        )),
        _ => Ok(()),
    }
}

/// Tells the webhook actor the instance's settings (`None`: deleted), in line
/// with the instance's events.
async fn settings_changed(state: &AppState, instance_id: &str, settings: Option<WebhookSettings>) {
    let changed = SettingsChanged {
        instance_id: instance_id.to_owned(),
        settings,
    };
    if state.webhooks.send(changed).await.is_err() {
        tracing::error!(instance_id, "webhook actor not told about new settings");
    }
}

/// Create an instance and start connecting it to WhatsApp.
///
/// Only `name` is required. A `webhookUrl` turns webhooks on unless `webhookEnabled` says
/// otherwise; `webhookEnabled: true` needs a `webhookUrl`. Defaults: `notifyReceived` and
/// `notifySent` true, `notifyDelivery` and `notifyRead` false, `maxRetries` 3 (0 to 20),
/// `retryInterval` 60000 ms (1000 to 3600000). The secret, if any, signs deliveries and is
/// never returned. Follow the connection with `GET /api/instances/{instance_id}/qr`.
#[utoipa::path(post, path = "/api/instances", tag = "instances", operation_id = "createInstance",
    request_body(content = serde_json::Value, description = "The new instance and its webhook settings",
        example = json!({
            "name": "Sales",
            "description": "Sales team account",
            "webhookUrl": "https://hooks.example.com/wamux",
            "webhookEnabled": true,
            "notifyReceived": true,
            "notifySent": true,
            "notifyDelivery": false,
            "notifyRead": false,
            "maxRetries": 3,
            "retryInterval": 60000,
            "webhookSecret": "s3cr3t-signing-key"
        })),
    responses(
        (status = 201, description = "Created; the instance starts connecting", body = serde_json::Value,
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
        (status = 400, description = "A field is missing, invalid or unknown (`validation_error`), the body is not JSON (`invalid_json`), or `webhookUrl` points at a private, loopback or link-local address (`webhook_url_not_allowed`)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("validation_error", "name must be 1-100 characters"))),
        (status = 503, description = "The database or the instance supervisor did not answer; try again", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("service_unavailable", "the instance did not answer in time; try again"))),
    ))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CreateInstance>,
) -> Result<HttpResponse, ApiError> {
    let valid = body.into_inner().validate()?;
    check_webhook_target(&state, valid.webhook.url.as_deref()).await?;
    let instance = db::instances::insert(
        &state.db,
        NewInstance {
            user_id: user.id.clone(),
            name: valid.name,
            description: valid.description,
            webhook: valid.webhook,
        },
    )
    .await?;
    state.recorder.record(WriteOp::Activity {
        instance_id: instance.id.clone(),
        action: "instance_created",
        details: json!({"name": instance.name}),
        at: now_millis(),
    });
    // Before the instance exists for anyone, so that its first event finds them.
    settings_changed(&state, &instance.id, Some(WebhookSettings::of(&instance))).await;
    ask(
        &state,
        &state.supervisor,
        StartInstance {
            instance: instance.clone(),
        },
    )
    .await?;
    tracing::info!(instance_id = %instance.id, user_id = %user.id, "instance created");
    Ok(HttpResponse::Created().json(view::Created::new(instance)))
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
#[utoipa::path(get, path = "/api/instances", tag = "instances", operation_id = "listInstances",
    params(("all" = Option<bool>, Query, description = "Administrators only: `true` lists every user's instances (default false)")),
    responses(
        (status = 200, description = "The instances, oldest first", body = serde_json::Value,
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
        (status = 400, description = "Unknown or malformed query parameter", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("invalid_query", "invalid query string: unknown field `page`, expected `all`"))),
        (status = 403, description = "`all=true` from a caller who is not an administrator", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("forbidden", "only administrators may list all instances"))),
    ))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    if query.all == Some(true) && !user.is_admin() {
        return Err(ApiError::forbidden(
            "only administrators may list all instances",
        ));
    }
    let owner = (query.all != Some(true)).then_some(user.id.as_str());
    let instances = db::instances::list(&state.db, owner).await?;
    let items: Vec<_> = instances
        .into_iter()
        .map(|instance| {
            let live = live_status(&state, &user, &instance.id).ok();
            view::ListItem::new(instance, live, false)
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "instances": items })))
}

/// Get one instance, with its live connection status and webhook settings.
///
/// The webhook secret is never returned.
#[utoipa::path(get, path = "/api/instances/{instance_id}", tag = "instances", operation_id = "getInstance",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    responses(
        (status = 200, description = "The instance", body = serde_json::Value,
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
                    "maxRetries": 3,
                    "retryInterval": 60000
                }
            })),
    ))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let instance = visible_instance(&state, &user, &path).await?;
    let live = live_status(&state, &user, &instance.id).ok();
    Ok(HttpResponse::Ok().json(view::ListItem::new(instance, live, true)))
}

/// Update an instance's name, description or webhook settings.
///
/// Every field is optional; only those present change. `webhookUrl: null` (or `""`)
/// removes the URL, which needs `webhookEnabled` false. Inside `webhookSettings`:
/// `notifyReceived`, `notifySent`, `notifyDelivery`, `notifyRead`, `maxRetries` (0 to
/// 20), `retryInterval` (ms, 1000 to 3600000) and `secret` (`null` removes it).
#[utoipa::path(put, path = "/api/instances/{instance_id}", tag = "instances", operation_id = "updateInstance",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    request_body(content = serde_json::Value, description = "The fields to change",
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
                "maxRetries": 5,
                "retryInterval": 30000,
                "secret": "n3w-signing-key"
            }
        })),
    responses(
        (status = 200, description = "The updated instance", body = serde_json::Value,
            example = json!({
                "id": "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
                "name": "Sales EU",
                "description": "Sales team, European numbers",
                "webhookUrl": "https://hooks.example.com/wamux/sales",
                "webhookEnabled": true,
                "updatedAt": "2026-11-26T09:14:02.118Z"
            })),
        (status = 400, description = "A field is invalid or unknown (`validation_error`), the body is not JSON (`invalid_json`), or `webhookUrl` points at a private, loopback or link-local address (`webhook_url_not_allowed`)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("validation_error", "webhookUrl is required when webhookEnabled is true"))),
    ))]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<UpdateInstance>,
) -> Result<HttpResponse, ApiError> {
    let instance = visible_instance(&state, &user, &path).await?;
    let applied = body.into_inner().apply(WebhookSettings::of(&instance))?;
    check_webhook_target(&state, applied.webhook.url.as_deref()).await?;
    let mut row: ActiveModel = instance.into_active_model();
    if let Some(name) = applied.name {
        row.name = Set(name);
    }
    if let Some(description) = applied.description {
        row.description = Set(description);
    }
    let w = applied.webhook;
    row.webhook_url = Set(w.url);
    row.webhook_enabled = Set(w.enabled);
    row.webhook_secret = Set(w.secret);
    row.notify_received = Set(w.notify_received);
    row.notify_sent = Set(w.notify_sent);
    row.notify_delivery = Set(w.notify_delivery);
    row.notify_read = Set(w.notify_read);
    row.max_retries = Set(w.max_retries);
    row.retry_interval_ms = Set(w.retry_interval_ms);
    let instance = db::instances::save(&state.db, row).await?;
    settings_changed(&state, &instance.id, Some(WebhookSettings::of(&instance))).await;
    state.recorder.record(WriteOp::Activity {
        instance_id: instance.id.clone(),
        action: "instance_updated",
        details: json!({"fields": applied.changed}),
        at: now_millis(),
    });
    Ok(HttpResponse::Ok().json(view::Updated::new(instance)))
}

/// Delete an instance: its WhatsApp session is closed and wiped.
///
/// The instance disappears from the API at once; its session is closed in the background.
#[utoipa::path(delete, path = "/api/instances/{instance_id}", tag = "instances", operation_id = "deleteInstance",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    responses(
        (status = 200, description = "Deleted", body = serde_json::Value,
            example = json!({"success": true, "message": "Instance 0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a deleted successfully"})),
        (status = 503, description = "The instance supervisor is not running", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("service_unavailable", "the supervisor is not running"))),
    ))]
pub async fn delete(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let instance = visible_instance(&state, &user, &path).await?;
    if !db::instances::soft_delete(&state.db, &instance.id).await? {
        return Err(instance_not_found());
    }
    settings_changed(&state, &instance.id, None).await;
    state.recorder.record(WriteOp::Activity {
        instance_id: instance.id.clone(),
        action: "instance_deleted",
        details: json!({}),
        at: now_millis(),
    });
    let stop = StopInstance {
        instance_id: instance.id.clone(),
        wipe_session: true,
    };
    // Stopping may take a moment (a real client says goodbye); it is already gone for the API.
    state
        .supervisor
        .send(stop)
        .await
        .map_err(|_| ApiError::unavailable("the supervisor is not running"))?;
    tracing::info!(instance_id = %instance.id, "instance deleted");
    Ok(HttpResponse::Ok().json(json!({
        "success": true,
        "message": format!("Instance {} deleted successfully", instance.id),
    })))
}
