//! An instance's webhook deliveries: list them, requeue a failed one.

use actix_web::{HttpResponse, web};
use entity::webhook_deliveries::Model as Delivery;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::actors::webhook::Requeue;
use crate::auth::AuthUser;
use crate::db;
use crate::domain::time::iso_millis;
use crate::error::{ApiError, ErrorCode};
use crate::routes::access::visible_instance;
use crate::routes::pagination::{Page, Pagination};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    state: Option<String>,
    limit: Option<i64>,
    skip: Option<i64>,
}

/// A delivery as the API shows it: never the secret (nor the signature made with it).
fn view(delivery: Delivery) -> Value {
    json!({
        "id": delivery.id,
        "instanceId": delivery.instance_id,
        "event": delivery.event,
        "url": delivery.url,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "maxRetries": delivery.max_retries,
        "retryInterval": delivery.retry_interval_ms,
        "lastError": delivery.last_error,
        "lastStatus": delivery.last_status,
        "payload": serde_json::from_str::<Value>(&delivery.payload).unwrap_or(Value::Null),
        "createdAt": iso_millis(delivery.created_at),
        "updatedAt": iso_millis(delivery.updated_at),
        "nextAttemptAt": (delivery.state == db::webhooks::PENDING).then(|| iso_millis(delivery.next_attempt_at)),
        "deliveredAt": delivery.delivered_at.map(iso_millis),
    })
}

/// List the instance's webhook deliveries, newest first.
///
/// Every webhook request the instance made or will make, with its state (pending,
/// delivered or failed), attempts and last error. Secrets and signatures are never shown.
#[utoipa::path(get, path = "/api/instances/{instance_id}/webhooks/deliveries", tag = "events",
    operation_id = "listWebhookDeliveries",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("state" = Option<String>, Query, description = "Only deliveries in this state: pending, delivered or failed (default: all)"),
        ("limit" = Option<i64>, Query, description = "Deliveries per page, 1-500 (default 50)"),
        ("skip" = Option<i64>, Query, description = "Deliveries to skip, 0 or more (default 0)"),
    ),
    responses(
        (status = 200, description = "A page of deliveries. `payload` is the exact body sent (`data` depends on `event`); `retryInterval` is in milliseconds. Nullable: `lastError` and `lastStatus` (null before a failed attempt; `lastStatus` also after a network error), `nextAttemptAt` (set only while pending), `deliveredAt` (set only once delivered)", body = serde_json::Value,
            example = json!({
                "deliveries": [{
                    "id": "0193a0c2-8d5e-7f32-9d4a-2b3c4d5e6f70",
                    "instanceId": "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
                    "event": "message_received",
                    "url": "https://example.com/webhooks/whatsapp",
                    "state": "delivered",
                    "attempts": 1,
                    "maxRetries": 3,
                    "retryInterval": 60000,
                    "lastError": null,
                    "lastStatus": null,
                    "payload": {"event": "message_received", "data": {}, "timestamp": "2026-11-25T18:03:12.345Z"},
                    "createdAt": "2026-11-25T18:03:12.345Z",
                    "updatedAt": "2026-11-25T18:03:12.512Z",
                    "nextAttemptAt": null,
                    "deliveredAt": null
                }],
                "pagination": {"total": 42, "limit": 50, "skip": 0, "hasMore": false}
            })),
        (status = 400, description = "`state` is not pending, delivered or failed, or bad `limit` / `skip` (`validation_error`); an unknown or malformed query parameter (`invalid_query`)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("validation_error", "state must be pending, delivered or failed"))),
    ))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<DeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let instance = visible_instance(&state, &user, &path).await?;
    let filter = match query.state.as_deref() {
        None => None,
        Some(s @ (db::webhooks::PENDING | db::webhooks::DELIVERED | db::webhooks::FAILED)) => {
            Some(s)
        }
        Some(_) => {
            return Err(ApiError::validation(
                "state must be pending, delivered or failed",
            ));
        }
    };
    let page = Page::parse(query.limit, query.skip, 50, 500)?;
    state.recorder.flush().await;
    let (deliveries, total) =
        db::webhooks::list(&state.db, &instance.id, filter, page.limit, page.skip).await?;
    let deliveries: Vec<_> = deliveries.into_iter().map(view).collect();
    Ok(HttpResponse::Ok().json(json!({
        "deliveries": deliveries,
        "pagination": Pagination::new(total, page),
    })))
}

/// Retry a failed webhook delivery.
///
/// Puts a delivery that ran out of tries back in line with fresh tries (attempts reset
/// to 0); it is sent again at once.
#[utoipa::path(post, path = "/api/instances/{instance_id}/webhooks/deliveries/{delivery_id}/retry", tag = "events",
    operation_id = "retryWebhookDelivery",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("delivery_id" = String, Path, description = "Delivery id (UUID)"),
    ),
    responses(
        (status = 200, description = "Requeued: the delivery is pending again. `lastError` keeps the last failure; `lastStatus` is its HTTP status, null after a network error", body = serde_json::Value,
            example = json!({
                "success": true,
                "message": "Delivery 0193a0c2-8d5e-7f32-9d4a-2b3c4d5e6f70 requeued",
                "delivery": {
                    "id": "0193a0c2-8d5e-7f32-9d4a-2b3c4d5e6f70",
                    "instanceId": "0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
                    "event": "message_received",
                    "url": "https://example.com/webhooks/whatsapp",
                    "state": "pending",
                    "attempts": 0,
                    "maxRetries": 3,
                    "retryInterval": 60000,
                    "lastError": "no answer within 10000 ms",
                    "lastStatus": null,
                    "payload": {"event": "message_received", "data": {}, "timestamp": "2026-11-25T18:03:12.345Z"},
                    "createdAt": "2026-11-25T18:03:12.345Z",
                    "updatedAt": "2026-11-25T18:20:41.007Z",
                    "nextAttemptAt": "2026-11-25T18:20:41.007Z",
                    "deliveredAt": null
                }
            })),
        (status = 404, description = "No such delivery for this instance (`delivery_not_found`), or no such instance for this user (`instance_not_found`)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("delivery_not_found", "delivery not found"))),
        (status = 409, description = "Only a failed delivery can be retried (this one is pending or delivered)", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("delivery_not_failed", "only a failed delivery can be retried"))),
        (status = 503, description = "The webhook sender is not running", body = serde_json::Value,
            example = json!(crate::routes::openapi::error_example("service_unavailable", "the webhook sender is not running"))),
    ))]
pub async fn retry(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, delivery_id) = path.into_inner();
    let instance = visible_instance(&state, &user, &instance_id).await?;
    if !crate::domain::text::is_uuid(&delivery_id) {
        return Err(ApiError::new(
            ErrorCode::DeliveryNotFound,
            "delivery not found",
        ));
    }
    state.recorder.flush().await;
    let Some(delivery) = db::webhooks::requeue(&state.db, &instance.id, &delivery_id).await? else {
        return match db::webhooks::find(&state.db, &instance.id, &delivery_id).await? {
            Some(_) => Err(ApiError::new(
                ErrorCode::DeliveryNotFailed,
                "only a failed delivery can be retried",
            )),
            None => Err(ApiError::new(
                ErrorCode::DeliveryNotFound,
                "delivery not found",
            )),
        };
    };
    state
        .webhooks
        .send(Requeue {
            delivery: delivery.clone(),
        })
        .await
        .map_err(|_| ApiError::unavailable("the webhook sender is not running"))?;
    Ok(HttpResponse::Ok().json(json!({
        "success": true,
        "message": format!("Delivery {} requeued", delivery.id),
        "delivery": view(delivery),
    })))
}
