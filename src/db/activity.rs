use entity::activity_logs::{ActiveModel, Column, Entity as ActivityLogs, Model as ActivityLog};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set,
};

use crate::domain::time::now_millis;

pub use entity::activity_logs::ActivityAction;

pub async fn insert(
    db: &impl ConnectionTrait,
    instance_id: &str,
    action: ActivityAction,
    details: &serde_json::Value,
) -> Result<(), DbErr> {
    insert_at(db, instance_id, action, details, now_millis()).await
}

pub async fn insert_at(
    db: &impl ConnectionTrait,
    instance_id: &str,
    action: ActivityAction,
    details: &serde_json::Value,
    at: i64,
) -> Result<(), DbErr> {
    ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        instance_id: Set(instance_id.to_owned()),
        action: Set(action),
        details: Set(details.to_string()),
        created_at: Set(at),
    }
    .insert(db)
    .await
    .map(|_| ())
}

#[derive(Debug, Default)]
pub struct ActivityFilter {
    pub actions: Vec<ActivityAction>,
    pub start: Option<i64>,
    pub end: Option<i64>,
}

fn filtered(instance_id: &str, filter: &ActivityFilter) -> Select<ActivityLogs> {
    let mut query = ActivityLogs::find().filter(Column::InstanceId.eq(instance_id));
    if !filter.actions.is_empty() {
        query = query.filter(Column::Action.is_in(filter.actions.iter().cloned()));
    }
    if let Some(start) = filter.start {
        query = query.filter(Column::CreatedAt.gte(start));
    }
    if let Some(end) = filter.end {
        query = query.filter(Column::CreatedAt.lte(end));
    }
    query
}

/// A page of the log, newest first, and the number of matching entries.
pub async fn list(
    db: &impl ConnectionTrait,
    instance_id: &str,
    filter: &ActivityFilter,
    limit: u64,
    skip: u64,
) -> Result<(Vec<ActivityLog>, u64), DbErr> {
    let total = filtered(instance_id, filter).count(db).await?;
    let logs = filtered(instance_id, filter)
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .offset(skip)
        .limit(limit)
        .all(db)
        .await?;
    Ok((logs, total))
}
