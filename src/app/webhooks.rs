//! An instance's webhook deliveries: listing them, and requeuing a failed one.

pub use entity::webhook_deliveries::Model as Delivery;

use super::Deps;
use super::access::{Caller, visible_instance, writes_visible};
use crate::actors::webhook::Requeue;
use crate::db;
use crate::domain::text::is_uuid;
use crate::error::{ApiError, ErrorCode};

pub use crate::db::webhooks::DeliveryState;

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
    ) -> Result<(Vec<Delivery>, u64), ApiError> {
        let instance = visible_instance(self.deps, caller, instance_id).await?;
        writes_visible(self.deps).await;
        Ok(db::webhooks::list(&self.deps.db, &instance.id, state, limit, skip).await?)
    }

    /// Puts a failed delivery back in line with fresh tries.
    pub async fn retry(
        &self,
        caller: &Caller,
        instance_id: &str,
        delivery_id: &str,
    ) -> Result<Delivery, ApiError> {
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
        Ok(delivery)
    }
}
