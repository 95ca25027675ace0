use sea_orm::entity::prelude::*;

pub use crate::values::InstanceStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instances")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The owner, a `users.id`: deleting the user deletes the row (a foreign
    /// key on PostgreSQL, triggers on SQLite; migration `m20261215_000019`).
    pub user_id: String,
    pub name: String,
    pub description: String,
    pub status: InstanceStatus,
    pub phone: Option<String>,
    pub webhook_url: Option<String>,
    pub webhook_enabled: bool,
    pub webhook_secret: Option<String>,
    pub notify_received: bool,
    pub notify_sent: bool,
    pub notify_delivery: bool,
    pub notify_read: bool,
    pub notify_presence: bool,
    pub notify_groups: bool,
    pub max_retries: i32,
    pub retry_interval_ms: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
