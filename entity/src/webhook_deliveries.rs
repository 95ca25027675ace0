use sea_orm::entity::prelude::*;

pub use crate::values::DeliveryState;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    /// Sent as `X-Webhook-Id`, the same on every attempt.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub instance_id: String,
    pub event: String,
    /// The exact request body.
    pub payload: String,
    pub url: String,
    /// Hex HMAC-SHA256 of the payload with the instance's secret, when it had one.
    pub signature: Option<String>,
    pub state: DeliveryState,
    pub attempts: i32,
    pub max_retries: i32,
    pub retry_interval_ms: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub last_status: Option<i32>,
    pub created_at: i64,
    pub updated_at: i64,
    pub delivered_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
