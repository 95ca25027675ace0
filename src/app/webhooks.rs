//! An instance's webhook deliveries: listing them, and requeuing a failed one.

use entity::webhook_deliveries::Model as Delivery;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::Deps;
use super::access::{Caller, visible_instance, writes_visible};
use crate::actors::webhook::Requeue;
use crate::db;
use crate::domain::text::is_uuid;
use crate::domain::time::iso_millis;
use crate::error::{ApiError, ErrorCode};

pub use crate::db::webhooks::DeliveryState;

/// A delivery as the API shows it: never the secret (nor the signature made with it).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    pub id: String,
    pub instance_id: String,
    /// The webhook event, e.g. `message_received`.
    pub event: String,
    pub url: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub max_retries: i32,
    /// Milliseconds between attempts.
    pub retry_interval: i64,
    pub last_error: Option<String>,
    pub last_status: Option<i32>,
    /// The exact body sent.
    #[schema(value_type = Object)]
    pub payload: Value,
    pub created_at: String,
    pub updated_at: String,
    /// Set only while pending.
    pub next_attempt_at: Option<String>,
    /// Set only once delivered.
    pub delivered_at: Option<String>,
}

impl DeliveryView {
    fn new(delivery: Delivery) -> Self {
        let pending = delivery.state == DeliveryState::Pending;
        Self {
            payload: serde_json::from_str(&delivery.payload).unwrap_or(Value::Null),
            next_attempt_at: pending.then(|| iso_millis(delivery.next_attempt_at)),
            delivered_at: delivery.delivered_at.map(iso_millis),
            created_at: iso_millis(delivery.created_at),
            updated_at: iso_millis(delivery.updated_at),
            id: delivery.id,
            instance_id: delivery.instance_id,
            event: delivery.event,
            url: delivery.url,
            state: delivery.state,
            attempts: delivery.attempts,
            max_retries: delivery.max_retries,
            retry_interval: delivery.retry_interval_ms,
            last_error: delivery.last_error,
            last_status: delivery.last_status,
        }
    }
}

pub struct Webhooks<'a> {
    deps: &'a Deps,
}

impl<'a> Webhooks<'a> {
    pub(super) fn new(deps: &'a Deps) -> Self {
        Self { deps }
    }

    /// A page of the instance's deliveries, newest first, optionally in one state.
    pub async fn deliveries(
        &self,
        caller: &Caller,
        instance_id: &str,
        state: Option<DeliveryState>,
        limit: u64,
        skip: u64,
    ) -> Result<(Vec<DeliveryView>, u64), ApiError> {
        let instance = visible_instance(self.deps, caller, instance_id).await?;
        writes_visible(self.deps).await;
        let (deliveries, total) =
            db::webhooks::list(&self.deps.db, &instance.id, state, limit, skip).await?;
        Ok((
            deliveries.into_iter().map(DeliveryView::new).collect(),
            total,
        ))
    }

    /// Puts a failed delivery back in line with fresh tries.
    pub async fn retry(
        &self,
        caller: &Caller,
        instance_id: &str,
        delivery_id: &str,
    ) -> Result<DeliveryView, ApiError> {
        let deps = self.deps;
        let instance = visible_instance(deps, caller, instance_id).await?;
        let not_found = || ApiError::new(ErrorCode::DeliveryNotFound, "delivery not found");
        if !is_uuid(delivery_id) {
            return Err(not_found());
        }
        writes_visible(deps).await;
        let Some(delivery) = db::webhooks::requeue(&deps.db, &instance.id, delivery_id).await?
        else {
            return match db::webhooks::find(&deps.db, &instance.id, delivery_id).await? {
                Some(_) => Err(ApiError::new(
                    ErrorCode::DeliveryNotFailed,
                    "only a failed delivery can be retried",
                )),
                None => Err(not_found()),
            };
        };
        deps.webhooks
            .send(Requeue {
                delivery: delivery.clone(),
            })
            .await
            .map_err(|_| ApiError::unavailable("the webhook sender is not running"))?;
        Ok(DeliveryView::new(delivery))
    }
}
