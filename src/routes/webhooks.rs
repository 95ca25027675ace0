//! An instance's webhook deliveries: list them, requeue a failed one.

use actix_web::{HttpResponse, web};
use entity::webhook_deliveries::Model as Delivery;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::actors::webhook::Requeue;
use crate::auth::AuthUser;
use crate::db;
use crate::domain::time::iso_millis;
use crate::error::ApiError;
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

pub async fn retry(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, delivery_id) = path.into_inner();
    let instance = visible_instance(&state, &user, &instance_id).await?;
    if !crate::domain::text::is_uuid(&delivery_id) {
        return Err(ApiError::not_found(
            "delivery_not_found",
            "delivery not found",
        ));
    }
    state.recorder.flush().await;
    let Some(delivery) = db::webhooks::requeue(&state.db, &instance.id, &delivery_id).await? else {
        return match db::webhooks::find(&state.db, &instance.id, &delivery_id).await? {
            Some(_) => Err(ApiError::conflict(
                "delivery_not_failed",
                "only a failed delivery can be retried",
            )),
            None => Err(ApiError::not_found(
                "delivery_not_found",
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
        .map_err(|_| ApiError::ServiceUnavailable("the webhook sender is not running"))?;
    Ok(HttpResponse::Ok().json(json!({
        "success": true,
        "message": format!("Delivery {} requeued", delivery.id),
        "delivery": view(delivery),
    })))
}
