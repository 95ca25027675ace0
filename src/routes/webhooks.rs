//! An instance's webhook deliveries: list them, requeue a failed one.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::webhooks::{DeliveryState, DeliveryView};
use crate::domain::user::AuthUser;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::routes::pagination::{Page, PageSize, Pagination};

pub const DELIVERIES_PAGE: PageSize = PageSize {
    default: 50,
    max: 500,
};
use crate::http::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    state: Option<String>,
    limit: Option<i64>,
    skip: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryPage {
    deliveries: Vec<DeliveryView>,
    pagination: Pagination,
}

/// The delivery, back in line.
#[derive(Serialize, ToSchema)]
pub struct Requeued {
    success: bool,
    message: String,
    delivery: DeliveryView,
}

/// List the instance's webhook deliveries, newest first.
///
/// Every webhook request the instance made or will make, with its state (pending,
/// delivered or failed), attempts and last error. Secrets and signatures are never shown.
#[utoipa::path(tag = "events",
    operation_id = "listWebhookDeliveries",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("state" = Option<String>, Query, description = "Only deliveries in this state: pending, delivered or failed (default: all)"),
        ("limit" = Option<i64>, Query, description = "Deliveries per page, 1-500 (default 50)"),
        ("skip" = Option<i64>, Query, description = "Deliveries to skip, 0 or more (default 0)"),
    ),
    responses(
        (status = 200, description = "A page of deliveries. `payload` is the exact body sent (`data` depends on `event`); `retryInterval` is in milliseconds. Nullable: `lastError` and `lastStatus` (null before a failed attempt; `lastStatus` also after a network error), `nextAttemptAt` (set only while pending), `deliveredAt` (set only once delivered)", body = DeliveryPage,
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
        (status = 400, description = "`state` is not pending, delivered or failed, or bad `limit` / `skip` (`validation_error`); an unknown or malformed query parameter (`invalid_query`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "state must be pending, delivered or failed"))),
    ))]
#[get("/webhooks/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<DeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter =
        match query.state.as_deref() {
            None => None,
            Some(raw) => Some(DeliveryState::parse(raw).ok_or_else(|| {
                ApiError::validation("state must be pending, delivered or failed")
            })?),
        };
    let page = Page::parse(query.limit, query.skip, DELIVERIES_PAGE)?;
    let (deliveries, total) = state
        .app
        .webhooks()
        .deliveries(&user, &path, filter, page.limit, page.skip)
        .await?;
    Ok(HttpResponse::Ok().json(DeliveryPage {
        deliveries,
        pagination: Pagination::new(total, page),
    }))
}

/// Retry a failed webhook delivery.
///
/// Puts a delivery that ran out of tries back in line with fresh tries (attempts reset
/// to 0); it is sent again at once.
#[utoipa::path(tag = "events",
    operation_id = "retryWebhookDelivery",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("delivery_id" = String, Path, description = "Delivery id (UUID)"),
    ),
    responses(
        (status = 200, description = "Requeued: the delivery is pending again. `lastError` keeps the last failure; `lastStatus` is its HTTP status, null after a network error", body = Requeued,
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
        (status = 404, description = "No such delivery for this instance (`delivery_not_found`), or no such instance for this user (`instance_not_found`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::DeliveryNotFound, "delivery not found"))),
        (status = 409, description = "Only a failed delivery can be retried (this one is pending or delivered)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::DeliveryNotFailed, "only a failed delivery can be retried"))),
        (status = 503, description = "The webhook sender is not running", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ServiceUnavailable, "the webhook sender is not running"))),
    ))]
#[post("/webhooks/deliveries/{delivery_id}/retry")]
pub async fn retry_delivery(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, delivery_id) = path.into_inner();
    let delivery = state
        .app
        .webhooks()
        .retry(&user, &instance_id, &delivery_id)
        .await?;
    Ok(HttpResponse::Ok().json(Requeued {
        success: true,
        message: format!("Delivery {} requeued", delivery.id),
        delivery,
    }))
}
