use crate::cluster::Fence;
use entity::instances::{ActiveModel, Column, Entity as Instances, Model as Instance};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

use crate::domain::instance::InstanceStatus;
use crate::domain::time::now_millis;

pub struct NewInstance {
    pub user_id: String,
    pub name: String,
    pub description: String,
    pub webhook: WebhookSettings,
}

/// Webhook settings as stored; the secret never leaves the server.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub url: Option<String>,
    pub enabled: bool,
    pub secret: Option<String>,
    pub notify_received: bool,
    pub notify_sent: bool,
    pub notify_delivery: bool,
    pub notify_read: bool,
    /// `presence` events (typing, online).
    pub notify_presence: bool,
    /// `group_participants` and `group_updated` events.
    pub notify_groups: bool,
    pub max_retries: i32,
    pub retry_interval_ms: i64,
}

impl WebhookSettings {
    /// Where deliveries go, when webhooks are on.
    pub fn target(&self) -> Option<&str> {
        self.url.as_deref().filter(|_| self.enabled)
    }

    pub fn of(instance: &Instance) -> Self {
        Self {
            url: instance.webhook_url.clone(),
            enabled: instance.webhook_enabled,
            secret: instance.webhook_secret.clone(),
            notify_received: instance.notify_received,
            notify_sent: instance.notify_sent,
            notify_delivery: instance.notify_delivery,
            notify_read: instance.notify_read,
            notify_presence: instance.notify_presence,
            notify_groups: instance.notify_groups,
            max_retries: instance.max_retries,
            retry_interval_ms: instance.retry_interval_ms,
        }
    }
}

pub async fn insert(db: &impl ConnectionTrait, new: NewInstance) -> Result<Instance, DbErr> {
    let now = now_millis();
    let w = new.webhook;
    ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        user_id: Set(new.user_id),
        name: Set(new.name),
        description: Set(new.description),
        status: Set(InstanceStatus::Connecting),
        phone: Set(None),
        webhook_url: Set(w.url),
        webhook_enabled: Set(w.enabled),
        webhook_secret: Set(w.secret),
        notify_received: Set(w.notify_received),
        notify_sent: Set(w.notify_sent),
        notify_delivery: Set(w.notify_delivery),
        notify_read: Set(w.notify_read),
        notify_presence: Set(w.notify_presence),
        notify_groups: Set(w.notify_groups),
        max_retries: Set(w.max_retries),
        retry_interval_ms: Set(w.retry_interval_ms),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
    }
    .insert(db)
    .await
}

/// An instance that has not been deleted.
pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<Option<Instance>, DbErr> {
    Instances::find_by_id(id.to_owned())
        .filter(Column::DeletedAt.is_null())
        .one(db)
        .await
}

/// The live instances among `ids`.
pub async fn find_many(db: &impl ConnectionTrait, ids: &[String]) -> Result<Vec<Instance>, DbErr> {
    Instances::find()
        .filter(Column::Id.is_in(ids.iter().cloned()))
        .filter(Column::DeletedAt.is_null())
        .order_by_asc(Column::CreatedAt)
        .all(db)
        .await
}

/// The webhook settings of every live instance whose webhooks are on (of
/// `only` these instances, when given).
pub async fn webhook_targets(
    db: &impl ConnectionTrait,
    only: Option<&[String]>,
) -> Result<Vec<(String, WebhookSettings)>, DbErr> {
    let mut query = Instances::find();
    if let Some(ids) = only {
        query = query.filter(Column::Id.is_in(ids.iter().cloned()));
    }
    let instances = query
        .filter(Column::DeletedAt.is_null())
        .filter(Column::WebhookEnabled.eq(true))
        .filter(Column::WebhookUrl.is_not_null())
        .all(db)
        .await?;
    Ok(instances
        .iter()
        .map(|instance| (instance.id.clone(), WebhookSettings::of(instance)))
        .collect())
}

/// Live instances, oldest first: the user's own, or everyone's with `None`.
pub async fn list(
    db: &impl ConnectionTrait,
    user_id: Option<&str>,
) -> Result<Vec<Instance>, DbErr> {
    let mut query = Instances::find().filter(Column::DeletedAt.is_null());
    if let Some(user_id) = user_id {
        query = query.filter(Column::UserId.eq(user_id));
    }
    query
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

pub async fn count_live(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    Instances::find()
        .filter(Column::DeletedAt.is_null())
        .count(db)
        .await
}

/// What an update may change.
pub struct InstanceChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub webhook: WebhookSettings,
}

pub async fn update(
    db: &impl ConnectionTrait,
    instance: Instance,
    changes: InstanceChanges,
) -> Result<Instance, DbErr> {
    let mut row: ActiveModel = instance.into();
    if let Some(name) = changes.name {
        row.name = Set(name);
    }
    if let Some(description) = changes.description {
        row.description = Set(description);
    }
    let w = changes.webhook;
    row.webhook_url = Set(w.url);
    row.webhook_enabled = Set(w.enabled);
    row.webhook_secret = Set(w.secret);
    row.notify_received = Set(w.notify_received);
    row.notify_sent = Set(w.notify_sent);
    row.notify_delivery = Set(w.notify_delivery);
    row.notify_read = Set(w.notify_read);
    row.notify_presence = Set(w.notify_presence);
    row.notify_groups = Set(w.notify_groups);
    row.max_retries = Set(w.max_retries);
    row.retry_interval_ms = Set(w.retry_interval_ms);
    row.updated_at = Set(now_millis());
    row.update(db).await
}

/// Hides the instance from the API for good; its history rows stay for statistics.
pub async fn soft_delete(db: &impl ConnectionTrait, id: &str) -> Result<bool, DbErr> {
    let result = Instances::update_many()
        .col_expr(Column::DeletedAt, Expr::value(now_millis()))
        .filter(Column::Id.eq(id))
        .filter(Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn set_status(
    db: &impl ConnectionTrait,
    id: &str,
    status: InstanceStatus,
    phone: Option<&str>,
    fence: Option<&Fence>,
) -> Result<(), DbErr> {
    let mut update = Instances::update_many()
        .col_expr(Column::Status, Expr::value(status.as_str()))
        .filter(Column::Id.eq(id));
    if let Some(fence) = fence {
        // Only the holder of the lease at this epoch may say how the instance is.
        use sea_orm::sea_query::{Alias, ExprTrait, Query};
        let held = Query::select()
            .column(Alias::new("instance_id"))
            .from(Alias::new("instance_leases"))
            .and_where(ExprTrait::eq(
                Expr::col(Alias::new("holder")),
                fence.node_id.as_str(),
            ))
            .and_where(ExprTrait::eq(Expr::col(Alias::new("epoch")), fence.epoch))
            .to_owned();
        update = update.filter(Column::Id.in_subquery(held));
    }
    if let Some(phone) = phone {
        update = update.col_expr(Column::Phone, Expr::value(phone));
    }
    update.exec(db).await.map(|_| ())
}

/// Live instances whose stored status is `status`.
pub async fn count_with_status(
    db: &impl ConnectionTrait,
    status: InstanceStatus,
) -> Result<u64, DbErr> {
    Instances::find()
        .filter(Column::DeletedAt.is_null())
        .filter(Column::Status.eq(status.as_str()))
        .count(db)
        .await
}
